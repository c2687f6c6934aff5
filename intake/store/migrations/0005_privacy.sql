-- lexheller schema, version 5: the duties of a register of personal data.
--
-- scrubbed_at: when the case's personal data was removed (retention after
-- closing, or erasure); what the pattern report needs stays.
ALTER TABLE cases ADD COLUMN scrubbed_at TEXT;
-- body_pruned: the body and raw message of a sent mail were removed.
ALTER TABLE outbox ADD COLUMN body_pruned INTEGER NOT NULL DEFAULT 0;

-- Who looked at personal data from the command line.
CREATE TABLE audit (
	id      INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	os_user TEXT NOT NULL,
	action  TEXT NOT NULL,                    -- "case show LH-2026-0042", "person export …"
	detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_at ON audit (at);

-- An incomplete blanket, kept under the Message-ID of the mail that asked
-- for what was missing, so that an answer with just that completes it.
-- Removed with the mail bodies (outbox_body_days).
CREATE TABLE partial_forms (
	message_id TEXT PRIMARY KEY,              -- of our "komplettera" mail
	sender     TEXT NOT NULL,                 -- lower-case
	text       TEXT NOT NULL,                 -- personnummer masked
	at         TEXT NOT NULL
);

-- A process leader's de-identified description (/redigera): what forwards,
-- reports and the published site show instead of the reporter's words,
-- which stay on the case.
ALTER TABLE cases ADD COLUMN edited TEXT NOT NULL DEFAULT '';

-- lexheller schema, version 1. Never edit once released: add a new file.
-- Times are UTC text, 2006-01-02T15:04:05.000Z, so they sort as text.
-- Raw messages and attachment contents live in blob_chunks, 1 MiB a row:
-- SQLite copies a bound value and then builds its record from it, so one
-- 30 MB value would cost 60 MB of memory on insert, a chunk 2 MiB.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

-- The last sequence number used per year; case IDs are gap-free because the
-- number is taken in the same transaction that inserts the case.
CREATE TABLE case_seq (
	year INTEGER PRIMARY KEY,
	last INTEGER NOT NULL
);

CREATE TABLE cases (
	id             TEXT PRIMARY KEY,          -- LH-2026-0042
	year           INTEGER NOT NULL,
	seq            INTEGER NOT NULL,
	forbund        TEXT NOT NULL,             -- slug
	status         TEXT NOT NULL DEFAULT 'new'
	               CHECK (status IN ('new', 'in_dialogue', 'forwarded', 'answered', 'closed')),
	level          TEXT NOT NULL DEFAULT ''
	               CHECK (level IN ('', 'struktur', 'organisering', 'individ')),
	parties        TEXT NOT NULL DEFAULT '[]', -- JSON array of party codes
	other_party    TEXT NOT NULL DEFAULT '',
	themes         TEXT NOT NULL DEFAULT '[]', -- JSON array of tags
	event_date     TEXT NOT NULL DEFAULT '',
	reporter_name  TEXT NOT NULL DEFAULT '',
	reporter_email TEXT NOT NULL DEFAULT '',
	reporter_phone TEXT NOT NULL DEFAULT '',
	reporter_org   TEXT NOT NULL DEFAULT '',
	description    TEXT NOT NULL DEFAULT '',  -- personnummer masked in all free text
	consequence    TEXT NOT NULL DEFAULT '',
	suggestion     TEXT NOT NULL DEFAULT '',
	contact_ok     INTEGER NOT NULL DEFAULT 1,
	publish_ok     INTEGER NOT NULL DEFAULT 0,
	publish        INTEGER NOT NULL DEFAULT 0, -- a process leader's /publicera ja
	pii_found      INTEGER NOT NULL DEFAULT 0, -- how many identity numbers were masked
	language       TEXT NOT NULL DEFAULT 'sv',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	closed_at      TEXT,
	UNIQUE (year, seq)
);
CREATE INDEX cases_forbund ON cases (forbund, status);
CREATE INDEX cases_created ON cases (created_at);

-- The ingest ledger: one row for every distinct message ever seen. The key
-- is the Message-ID, or the raw message's sha256 when it has none.
CREATE TABLE messages (
	id           INTEGER PRIMARY KEY,
	key          TEXT NOT NULL UNIQUE,
	mailbox      TEXT NOT NULL,
	uidvalidity  INTEGER NOT NULL,
	uid          INTEGER NOT NULL,
	message_id   TEXT NOT NULL DEFAULT '',
	sha256       TEXT NOT NULL,
	kind         TEXT NOT NULL,
	reason       TEXT NOT NULL,
	case_id      TEXT REFERENCES cases (id),
	from_addr    TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	conversation TEXT NOT NULL DEFAULT '',    -- Outlook Thread-Index conversation
	size         INTEGER NOT NULL,
	received_at  TEXT NOT NULL,
	moved_at     TEXT,
	raw_kept     INTEGER NOT NULL DEFAULT 0   -- the raw message is in blob_chunks ('raw', id)
);
CREATE INDEX messages_message_id ON messages (message_id) WHERE message_id != '';
CREATE INDEX messages_case ON messages (case_id);
CREATE INDEX messages_conversation ON messages (conversation) WHERE conversation != '';
CREATE INDEX messages_received ON messages (received_at);
CREATE INDEX messages_unmoved ON messages (id) WHERE moved_at IS NULL;

CREATE TABLE attachments (
	id           INTEGER PRIMARY KEY,
	message      INTEGER NOT NULL REFERENCES messages (id),
	case_id      TEXT REFERENCES cases (id),
	filename     TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	dropped      TEXT NOT NULL DEFAULT '',    -- why the content was not kept
	kept         INTEGER NOT NULL DEFAULT 0   -- the content is in blob_chunks ('attachment', id)
);
CREATE INDEX attachments_case ON attachments (case_id);

CREATE TABLE blob_chunks (
	id    INTEGER PRIMARY KEY,
	owner TEXT NOT NULL,                      -- 'raw' (messages.id) or 'attachment' (attachments.id)
	ref   INTEGER NOT NULL,
	seq   INTEGER NOT NULL,
	data  BLOB NOT NULL,
	UNIQUE (owner, ref, seq)
);

-- People on a case besides the förbund's process leaders (who come from
-- the config): the reporter, and each representative it was sent to.
CREATE TABLE participants (
	case_id TEXT NOT NULL REFERENCES cases (id),
	address TEXT NOT NULL,                    -- lower-case
	role    TEXT NOT NULL CHECK (role IN ('reporter', 'representative')),
	party   TEXT NOT NULL DEFAULT '',
	added_at TEXT NOT NULL,
	PRIMARY KEY (case_id, address)
);

-- The outbox: every mail lexheller sends, rendered when queued.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	case_id         TEXT REFERENCES cases (id),
	kind            TEXT NOT NULL,            -- ack, notify_new, incomplete, form, …
	automatic       INTEGER NOT NULL,         -- sent with Auto-Submitted
	message_id      TEXT NOT NULL UNIQUE,
	mail_from       TEXT NOT NULL,
	rcpt            TEXT NOT NULL,            -- one address
	subject         TEXT NOT NULL,
	status          TEXT NOT NULL DEFAULT 'queued'
	                CHECK (status IN ('queued', 'sent', 'failed', 'bounced', 'suppressed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	sent_at         TEXT,
	bounced_at      TEXT,
	body            TEXT NOT NULL,            -- the plain text, for the timeline
	raw             BLOB NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outbox_rcpt ON outbox (rcpt, created_at) WHERE automatic = 1;
CREATE INDEX outbox_status ON outbox (status, created_at);
CREATE INDEX outbox_case ON outbox (case_id);

-- The case's timeline: every inbound and outbound mail and every event.
CREATE TABLE events (
	id        INTEGER PRIMARY KEY,
	case_id   TEXT NOT NULL REFERENCES cases (id),
	at        TEXT NOT NULL,
	kind      TEXT NOT NULL,                  -- received, sent, status, …
	actor     TEXT NOT NULL,                  -- an address, or "lexheller"
	role      TEXT NOT NULL DEFAULT '',
	message   INTEGER REFERENCES messages (id),
	outbox    INTEGER REFERENCES outbox (id),
	summary   TEXT NOT NULL DEFAULT '',       -- one line
	body      TEXT NOT NULL DEFAULT ''        -- personnummer masked
);
CREATE INDEX events_case ON events (case_id, id);

-- Addresses that bounced permanently: no automatic mail until `until`.
CREATE TABLE suppressions (
	address TEXT PRIMARY KEY,
	reason  TEXT NOT NULL,
	until   TEXT NOT NULL
);

-- lexheller schema, version 2: the case's life after the acknowledgement.

-- /lyft: the case is raised at the förbund's next meeting.
ALTER TABLE cases ADD COLUMN raised TEXT NOT NULL DEFAULT '';   -- the process leader's text
ALTER TABLE cases ADD COLUMN raised_at TEXT;                    -- NULL: not raised

-- A case sent, de-identified, to a party's representative. A case may be
-- forwarded to several parties, and to one party more than once; each
-- forward waits for its own answer.
CREATE TABLE forwards (
	id           INTEGER PRIMARY KEY,
	case_id      TEXT NOT NULL REFERENCES cases (id),
	party        TEXT NOT NULL,                 -- FK, AF, …
	address      TEXT NOT NULL,                 -- the representative, lower-case
	name         TEXT NOT NULL DEFAULT '',
	question     TEXT NOT NULL DEFAULT '',      -- personnummer masked
	with_contact INTEGER NOT NULL DEFAULT 0,    -- the reporter's contact details went along
	by           TEXT NOT NULL,                 -- who forwarded it
	message_id   TEXT NOT NULL DEFAULT '',      -- of the mail that carried it
	at           TEXT NOT NULL,
	answered_at  TEXT,
	answer       TEXT NOT NULL DEFAULT '',      -- personnummer masked
	reminders    INTEGER NOT NULL DEFAULT 0     -- reminders sent
);
CREATE INDEX forwards_case ON forwards (case_id, id);
CREATE INDEX forwards_open ON forwards (at) WHERE answered_at IS NULL;

-- Scheduled mail already sent (agendas, reminders of quiet cases), so a
-- restart never sends one twice. key: "agenda/goteborg/2027-01-21", …
CREATE TABLE schedule_done (
	key     TEXT PRIMARY KEY,
	done_at TEXT NOT NULL
);

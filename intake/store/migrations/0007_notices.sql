-- lexheller schema, version 7: the reporter follows the case.
--
-- notices_off: a process leader or the reporter asked for no status
-- notices on the case (/tyst).
ALTER TABLE cases ADD COLUMN notices_off INTEGER NOT NULL DEFAULT 0;

-- What happened on a case that its reporter is told of: recorded when it
-- happens, sent at most once a day per case (what comes later in the day
-- folds into the next notice). sent_at is set in the transaction that
-- queues the notice, or that drops it (silenced, no one to tell).
CREATE TABLE notices (
	id      INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases(id),
	kind    TEXT NOT NULL,                   -- forwarded, answered, raised, closed
	party   TEXT NOT NULL DEFAULT '',        -- forwarded, answered: the party's code
	text    TEXT NOT NULL DEFAULT '',        -- closed: the feedback given, personnummer masked
	at      TEXT NOT NULL,
	sent_at TEXT,
	mailed  INTEGER NOT NULL DEFAULT 0       -- 1: it went out in a notice; 0 with sent_at: dropped
);
CREATE INDEX notices_case ON notices (case_id, sent_at);

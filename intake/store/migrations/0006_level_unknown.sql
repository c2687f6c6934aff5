-- lexheller schema, version 6: a reporter may answer the level with
-- "Vet ej" (don't know), kept apart from a level not given ('').
-- SQLite cannot change a CHECK constraint in place, so the cases table is
-- rebuilt (sqlite.org/lang_altertable.html, "making other kinds of table
-- schema changes"), with the columns in the order the earlier versions
-- left them. Foreign keys are off while this runs and checked before the
-- commit.
-- lexheller: rebuilds a table

CREATE TABLE cases_new (
	id             TEXT PRIMARY KEY,
	year           INTEGER NOT NULL,
	seq            INTEGER NOT NULL,
	forbund        TEXT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'new'
	               CHECK (status IN ('new', 'in_dialogue', 'forwarded', 'answered', 'closed')),
	level          TEXT NOT NULL DEFAULT ''
	               CHECK (level IN ('', 'struktur', 'organisering', 'individ', 'vet ej')),
	parties        TEXT NOT NULL DEFAULT '[]',
	other_party    TEXT NOT NULL DEFAULT '',
	themes         TEXT NOT NULL DEFAULT '[]',
	event_date     TEXT NOT NULL DEFAULT '',
	reporter_name  TEXT NOT NULL DEFAULT '',
	reporter_email TEXT NOT NULL DEFAULT '',
	reporter_phone TEXT NOT NULL DEFAULT '',
	reporter_org   TEXT NOT NULL DEFAULT '',
	description    TEXT NOT NULL DEFAULT '',
	consequence    TEXT NOT NULL DEFAULT '',
	suggestion     TEXT NOT NULL DEFAULT '',
	contact_ok     INTEGER NOT NULL DEFAULT 1,
	publish_ok     INTEGER NOT NULL DEFAULT 0,
	publish        INTEGER NOT NULL DEFAULT 0,
	pii_found      INTEGER NOT NULL DEFAULT 0,
	language       TEXT NOT NULL DEFAULT 'sv',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	closed_at      TEXT,
	raised         TEXT NOT NULL DEFAULT '',
	raised_at      TEXT,
	scrubbed_at    TEXT,
	edited         TEXT NOT NULL DEFAULT '',
	UNIQUE (year, seq)
);
INSERT INTO cases_new SELECT * FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_forbund ON cases (forbund, status);
CREATE INDEX cases_created ON cases (created_at);

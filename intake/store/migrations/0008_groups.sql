-- lexheller schema, version 8: working groups.
--
-- A forward to a working group (/grupp) has the group's name in grp and
-- no party; its answer is the group's, whoever of it replied.
-- The group's addresses and members take part in the case in the role
-- 'group' (party: the group's name). SQLite cannot change the CHECK on
-- participants.role in place, so the table is rebuilt (as in version 6),
-- with foreign keys off while this runs and checked before the commit.
-- lexheller: rebuilds a table
ALTER TABLE forwards ADD COLUMN grp TEXT NOT NULL DEFAULT '';

CREATE TABLE participants_new (
	case_id TEXT NOT NULL REFERENCES cases (id),
	address TEXT NOT NULL,                    -- lower-case
	role    TEXT NOT NULL CHECK (role IN ('reporter', 'representative', 'group')),
	party   TEXT NOT NULL DEFAULT '',         -- a representative's party, a group's name
	added_at TEXT NOT NULL,
	PRIMARY KEY (case_id, address)
);
INSERT INTO participants_new SELECT * FROM participants;
DROP TABLE participants;
ALTER TABLE participants_new RENAME TO participants;

-- lexheller schema, version 3: cases imported from the sheets förbund kept
-- before lexheller. One row per imported sheet row, by the hash of its
-- content, so importing the same sheet again creates nothing.
CREATE TABLE imports (
	key     TEXT PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	source  TEXT NOT NULL,                    -- the file's name
	line    INTEGER NOT NULL,
	at      TEXT NOT NULL
);

-- lexheller schema, version 9: a case from the web form whose reporter's
-- address is outside the förbund's member agencies is held: no
-- acknowledgement goes to the address typed in the form until a process
-- leader releases the case (/godkänn).
ALTER TABLE cases ADD COLUMN held INTEGER NOT NULL DEFAULT 0;

-- lexheller schema, version 4: messages that could not be handled yet.
--
-- pending holds a row per INBOX message that failed to be recorded or was
-- in hand when the process died, until it is recorded (the row is then
-- deleted in the same transaction) or quarantined. in_hand is set, and
-- committed, before a message is handled: a row still in hand at the next
-- start means the process died with it (1: in a batch, 2: alone).
CREATE TABLE pending (
	mailbox     TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	uid         INTEGER NOT NULL,
	in_hand     INTEGER NOT NULL DEFAULT 0,
	deaths      INTEGER NOT NULL DEFAULT 0,   -- consecutive deaths while in hand alone
	attempts    INTEGER NOT NULL DEFAULT 0,   -- failed attempts to record it
	last_error  TEXT NOT NULL DEFAULT '',
	first_at    TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	PRIMARY KEY (mailbox, uidvalidity, uid)
);

-- The ledger recognises a re-delivery by Message-ID and content: a hash of
-- the sender and the body (not the headers a re-delivery adds).
ALTER TABLE messages ADD COLUMN content_sha TEXT NOT NULL DEFAULT '';

-- Acknowledgements of new cases have a rate cap of their own.
ALTER TABLE outbox ADD COLUMN ack INTEGER NOT NULL DEFAULT 0;

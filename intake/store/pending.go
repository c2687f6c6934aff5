package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Pending is an INBOX message that could not be handled yet: it failed to
// be recorded, or the process died while it was in hand.
type Pending struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	InHand      int // HandBatch or HandAlone while being handled
	Deaths      int // consecutive deaths while in hand alone
	Attempts    int // failed attempts to record it
	LastError   string
	FirstAt     time.Time
}

// In-hand states of a pending message.
const (
	HandNone  = 0
	HandBatch = 1 // handled with others
	HandAlone = 2 // handled on its own
)

// Suspect reports whether the process died while p was in hand.
func (p *Pending) Suspect() bool { return p.InHand != HandNone || p.Deaths > 0 }

// PendingOf returns the pending rows of the given UIDs of one mailbox.
func (s *Store) PendingOf(ctx context.Context, mailbox string, uidValidity uint32, uids []uint32) (map[uint32]*Pending, error) {
	out := map[uint32]*Pending{}
	if len(uids) == 0 {
		return out, nil
	}
	// The pending table is small: read the mailbox's rows and pick.
	want := make(map[uint32]bool, len(uids))
	for _, u := range uids {
		want[u] = true
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT uid, in_hand, deaths, attempts, last_error, first_at
		FROM pending WHERE mailbox = ? AND uidvalidity = ?`, mailbox, uidValidity)
	if err != nil {
		return nil, fmt.Errorf("store: pending: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := &Pending{Mailbox: mailbox, UIDValidity: uidValidity}
		var first string
		if err := rows.Scan(&p.UID, &p.InHand, &p.Deaths, &p.Attempts, &p.LastError, &first); err != nil {
			return nil, fmt.Errorf("store: pending: %w", err)
		}
		if want[p.UID] {
			p.FirstAt = parseTS(first)
			out[p.UID] = p
		}
	}
	return out, rows.Err()
}

// TakeInHand marks messages as being handled (HandBatch or HandAlone) and
// commits before they are touched. A message still in hand from a process
// that died alone with it counts a death; one that died in a batch only
// becomes a suspect.
func (s *Store) TakeInHand(ctx context.Context, mailbox string, uidValidity uint32, uids []uint32, hand int, now time.Time) error {
	return s.Tx(ctx, func(tx *Tx) error {
		for _, uid := range uids {
			if _, err := tx.exec(`INSERT INTO pending (mailbox, uidvalidity, uid, in_hand, first_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET
					deaths = deaths + (in_hand = 2), in_hand = excluded.in_hand, updated_at = excluded.updated_at`,
				mailbox, uidValidity, uid, hand, ts(now), ts(now)); err != nil {
				return fmt.Errorf("store: take in hand: %w", err)
			}
		}
		return nil
	})
}

// Deaths returns how often the process died in a row while uid was in
// hand alone, counting a death the row shows but has not counted yet.
func (s *Store) Deaths(ctx context.Context, mailbox string, uidValidity, uid uint32) (int, error) {
	var deaths, inHand int
	err := s.rdb.QueryRowContext(ctx, `SELECT deaths, in_hand FROM pending WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`,
		mailbox, uidValidity, uid).Scan(&deaths, &inHand)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: pending: %w", err)
	}
	if inHand == HandAlone {
		deaths++
	}
	return deaths, nil
}

// Handled removes a message's pending row: it has been recorded in tx.
func (tx *Tx) Handled(mailbox string, uidValidity, uid uint32) error {
	_, err := tx.exec(`DELETE FROM pending WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`, mailbox, uidValidity, uid)
	if err != nil {
		return fmt.Errorf("store: pending: %w", err)
	}
	return nil
}

// ReleaseHand clears the in-hand mark of messages that were handled
// without being recorded (their batch failed); a row with nothing else
// to say is removed.
func (s *Store) ReleaseHand(ctx context.Context, mailbox string, uidValidity uint32, uids []uint32) error {
	return s.Tx(ctx, func(tx *Tx) error {
		for _, uid := range uids {
			if _, err := tx.exec(`UPDATE pending SET in_hand = 0, deaths = 0 WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`,
				mailbox, uidValidity, uid); err != nil {
				return fmt.Errorf("store: pending: %w", err)
			}
		}
		_, err := tx.exec(`DELETE FROM pending WHERE in_hand = 0 AND attempts = 0 AND deaths = 0`)
		return err
	})
}

// Failed records a failed attempt to record a message and returns the
// number of attempts so far.
func (s *Store) Failed(ctx context.Context, mailbox string, uidValidity, uid uint32, why string, now time.Time) (int, error) {
	var n int
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`INSERT INTO pending (mailbox, uidvalidity, uid, attempts, last_error, first_at, updated_at)
			VALUES (?, ?, ?, 1, ?, ?, ?)
			ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET
				attempts = attempts + 1, last_error = excluded.last_error, in_hand = 0, deaths = 0, updated_at = excluded.updated_at`,
			mailbox, uidValidity, uid, why, ts(now), ts(now)); err != nil {
			return fmt.Errorf("store: record a failure: %w", err)
		}
		return tx.queryRow(`SELECT attempts FROM pending WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`,
			mailbox, uidValidity, uid).Scan(&n)
	})
	return n, err
}

// PendingStats counts the messages that failed to be recorded or were in
// hand when the process died, and the time of the oldest.
func (s *Store) PendingStats(ctx context.Context) (n int, oldest time.Time, err error) {
	var first sql.NullString
	err = s.rdb.QueryRowContext(ctx, `SELECT count(*), min(first_at) FROM pending WHERE attempts > 0 OR deaths > 0`).Scan(&n, &first)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: pending: %w", err)
	}
	if first.Valid {
		oldest = parseTS(first.String)
	}
	return n, oldest, nil
}

// PrunePending forgets the pending rows of a mailbox's messages that are no
// longer in it (a person moved or deleted them, or UIDVALIDITY changed):
// nothing is left to handle, and /healthz would report them for ever.
func (s *Store) PrunePending(ctx context.Context, mailbox string, uidValidity uint32, present []uint32) error {
	have := make(map[uint32]bool, len(present))
	for _, u := range present {
		have[u] = true
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT uidvalidity, uid FROM pending WHERE mailbox = ?`, mailbox)
	if err != nil {
		return fmt.Errorf("store: pending: %w", err)
	}
	type key struct{ uv, uid uint32 }
	var gone []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.uv, &k.uid); err != nil {
			rows.Close()
			return fmt.Errorf("store: pending: %w", err)
		}
		if k.uv != uidValidity || !have[k.uid] {
			gone = append(gone, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(gone) == 0 {
		return err
	}
	return s.Tx(ctx, func(tx *Tx) error {
		for _, k := range gone {
			if _, err := tx.exec(`DELETE FROM pending WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`, mailbox, k.uv, k.uid); err != nil {
				return fmt.Errorf("store: pending: %w", err)
			}
		}
		return nil
	})
}

// LedgerByUID returns the ledger row of a mailbox's message, if it was
// recorded.
func (s *Store) LedgerByUID(ctx context.Context, mailbox string, uidValidity, uid uint32) (*Message, bool, error) {
	m := &Message{Mailbox: mailbox, UIDValidity: uidValidity, UID: uid}
	var c sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT id, key, kind, reason, case_id, message_id FROM messages
		WHERE mailbox = ? AND uidvalidity = ? AND uid = ? ORDER BY id DESC LIMIT 1`, mailbox, uidValidity, uid).
		Scan(&m.ID, &m.Key, &m.Kind, &m.Reason, &c, &m.MessageID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: ledger: %w", err)
	}
	m.CaseID = c.String
	return m, true, nil
}

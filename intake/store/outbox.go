package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outbox statuses.
const (
	OutQueued     = "queued"
	OutSent       = "sent"
	OutFailed     = "failed"
	OutBounced    = "bounced"
	OutSuppressed = "suppressed"
)

// OutMail is one mail in the outbox: rendered, addressed to one recipient.
type OutMail struct {
	ID        int64
	CaseID    string
	Kind      string
	Automatic bool
	// Acknowledgement marks the acknowledgement of a new case: it is
	// capped by QueueOptions.AckLadder, counted apart from other automatic
	// mail: replies to it land on the case and are never answered
	// automatically, so it cannot start a loop.
	Acknowledgement bool
	MessageID       string // without brackets
	From            string // envelope sender
	To              string // the one recipient
	Subject         string
	Body            string // plain text, for the timeline
	Raw             []byte
	Status          string
	Attempts        int
	NextAttemptAt   time.Time
	LastError       string
	CreatedAt       time.Time
	SentAt          *time.Time
}

// Limit is one step of the ladder that caps automatic mail to one
// recipient: at most Count mails within Window.
type Limit struct {
	Count  int
	Window time.Duration
}

// DefaultLadder is Zammad's: 10 in 10 minutes, rising to 100 in 10 hours.
var DefaultLadder = []Limit{
	{10, 10 * time.Minute},
	{20, time.Hour},
	{40, 3 * time.Hour},
	{100, 10 * time.Hour},
}

// DefaultAckLadder caps acknowledgements of new cases to one address: a
// coordinator sending in a paper list gets every one; a flood of forged
// blankets does not bomb a stranger without limit.
var DefaultAckLadder = []Limit{
	{100, time.Hour},
	{300, 24 * time.Hour},
}

// QueueOptions govern QueueMail.
type QueueOptions struct {
	Ladder    []Limit // nil means DefaultLadder
	AckLadder []Limit // nil means DefaultAckLadder
}

// QueueMail adds m to the outbox. Automatic mail to a recipient that has
// reached a step of the ladder, or that bounced permanently, is stored as
// suppressed (with the reason in LastError) rather than queued. It returns
// the status given.
func (tx *Tx) QueueMail(m *OutMail, opts *QueueOptions) (string, error) {
	m.Status = OutQueued
	if m.Automatic {
		why, err := tx.suppressReason(m, opts)
		if err != nil {
			return "", err
		}
		if why != "" {
			m.Status, m.LastError = OutSuppressed, why
		}
	}
	var caseID any
	if m.CaseID != "" {
		caseID = m.CaseID
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	res, err := tx.exec(`INSERT INTO outbox (case_id, kind, automatic, ack, message_id, mail_from, rcpt, subject, body, raw,
		status, next_attempt_at, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		caseID, m.Kind, m.Automatic, m.Acknowledgement, m.MessageID, m.From, strings.ToLower(m.To), m.Subject, m.Body, m.Raw,
		m.Status, ts(m.NextAttemptAt), m.LastError, ts(m.CreatedAt))
	if err != nil {
		return "", fmt.Errorf("store: queue %s to %s: %w", m.Kind, m.To, err)
	}
	m.ID, err = res.LastInsertId()
	return m.Status, err
}

func (tx *Tx) suppressReason(m *OutMail, opts *QueueOptions) (string, error) {
	rcpt, now := strings.ToLower(m.To), m.CreatedAt
	var until string
	err := tx.queryRow(`SELECT until FROM suppressions WHERE address = ? AND until > ?`, rcpt, ts(now)).Scan(&until)
	if err == nil {
		return "the address bounced permanently; no automatic mail until " + until[:10], nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: suppressions: %w", err)
	}
	ladder := DefaultLadder
	if opts != nil && opts.Ladder != nil {
		ladder = opts.Ladder
	}
	if m.Acknowledgement {
		ladder = DefaultAckLadder
		if opts != nil && opts.AckLadder != nil {
			ladder = opts.AckLadder
		}
	}
	if len(ladder) == 0 {
		return "", nil
	}
	// The times of the recent automatic mails to rcpt, newest first: as
	// many as the largest step allows, over its window.
	var widest Limit
	for _, l := range ladder {
		widest.Count, widest.Window = max(widest.Count, l.Count), max(widest.Window, l.Window)
	}
	// Acknowledgements and other automatic mail are counted apart.
	rows, err := tx.tx.QueryContext(tx.ctx, `SELECT created_at FROM outbox WHERE rcpt = ? AND automatic = 1 AND ack = ?
		AND status != 'suppressed' AND created_at > ? ORDER BY created_at DESC LIMIT ?`,
		rcpt, m.Acknowledgement, ts(now.Add(-widest.Window)), widest.Count)
	if err != nil {
		return "", fmt.Errorf("store: rate ladder: %w", err)
	}
	var recent []string
	for rows.Next() {
		var at string
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return "", fmt.Errorf("store: rate ladder: %w", err)
		}
		recent = append(recent, at)
	}
	rows.Close()
	for _, l := range ladder {
		since := ts(now.Add(-l.Window))
		n := 0
		for _, at := range recent {
			if at > since {
				n++
			}
		}
		if n >= l.Count {
			return fmt.Sprintf("rate limit: %d automatic mails to this address within %s", n, l.Window), nil
		}
	}
	return "", nil
}

const outColumns = `id, coalesce(case_id, ''), kind, automatic, message_id, mail_from, rcpt, subject, body, raw, status,
	attempts, next_attempt_at, last_error, created_at, sent_at`

func scanOut(r scanner) (*OutMail, error) {
	var m OutMail
	var next, created string
	var sent sql.NullString
	err := r.Scan(&m.ID, &m.CaseID, &m.Kind, &m.Automatic, &m.MessageID, &m.From, &m.To, &m.Subject, &m.Body, &m.Raw,
		&m.Status, &m.Attempts, &next, &m.LastError, &created, &sent)
	if err != nil {
		return nil, err
	}
	m.NextAttemptAt, m.CreatedAt = parseTS(next), parseTS(created)
	if sent.Valid {
		t := parseTS(sent.String)
		m.SentAt = &t
	}
	return &m, nil
}

// Due returns up to limit queued mails whose next attempt is due at now,
// oldest first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]*OutMail, error) {
	return s.outMails(ctx, `SELECT `+outColumns+` FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`, ts(now), limit)
}

// outMails runs a query over outbox rows.
func (s *Store) outMails(ctx context.Context, q string, args ...any) ([]*OutMail, error) {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	return scanAll(rows, err, "outbox", scanOut)
}

// NextDue returns when the next queued mail is due, or false when none is.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT min(next_attempt_at) FROM outbox WHERE status = 'queued'`).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, false, err
	}
	return parseTS(next.String), true, nil
}

// MarkSent records that the SMTP server accepted the mails, with a
// timeline event for each one on a case.
func (s *Store) MarkSent(ctx context.Context, ms []*OutMail, at time.Time) error {
	return s.Tx(ctx, func(tx *Tx) error {
		for _, m := range ms {
			if _, err := tx.exec(`UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = ''
				WHERE id = ?`, ts(at), m.ID); err != nil {
				return fmt.Errorf("store: mark sent: %w", err)
			}
			if m.CaseID != "" {
				if err := tx.AddEvent(&Event{CaseID: m.CaseID, At: at, Kind: EventSent, Actor: "lexheller", Role: RoleSystem,
					Outbox: m.ID, Summary: "Till " + m.To + ": " + m.Subject}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// MarkRetry records a temporary failure and when to try again.
func (s *Store) MarkRetry(ctx context.Context, m *OutMail, next time.Time, errText string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`,
		ts(next), errText, m.ID)
	if err != nil {
		return fmt.Errorf("store: mark retry: %w", err)
	}
	return nil
}

// MarkFailed ends a mail as failed, with fn run in the same transaction
// (to queue the notice to the process leaders).
func (s *Store) MarkFailed(ctx context.Context, m *OutMail, at time.Time, errText string, fn func(tx *Tx) error) error {
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`,
			errText, m.ID); err != nil {
			return fmt.Errorf("store: mark failed: %w", err)
		}
		if m.CaseID != "" {
			if err := tx.AddEvent(&Event{CaseID: m.CaseID, At: at, Kind: EventFailed, Actor: "lexheller", Role: RoleSystem,
				Outbox: m.ID, Summary: "Kunde inte skickas till " + m.To + ": " + errText}); err != nil {
				return err
			}
		}
		if fn != nil {
			return fn(tx)
		}
		return nil
	})
}

// OutboxByMessageID returns the outbox row with that Message-ID.
func (tx *Tx) OutboxByMessageID(id string) (*OutMail, error) {
	m, err := scanOut(tx.queryRow(`SELECT `+outColumns+` FROM outbox WHERE message_id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return m, err
}

// MarkBounced records a bounce of one of our mails and, when permanent,
// suppresses automatic mail to its recipient until suppressUntil.
func (tx *Tx) MarkBounced(m *OutMail, at time.Time, reason string, suppressUntil time.Time) error {
	if _, err := tx.exec(`UPDATE outbox SET status = 'bounced', bounced_at = ?, last_error = ? WHERE id = ?`,
		ts(at), reason, m.ID); err != nil {
		return fmt.Errorf("store: mark bounced: %w", err)
	}
	if !suppressUntil.IsZero() {
		if _, err := tx.exec(`INSERT INTO suppressions (address, reason, until) VALUES (?, ?, ?)
			ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, until = excluded.until`,
			m.To, reason, ts(suppressUntil)); err != nil {
			return fmt.Errorf("store: suppress %s: %w", m.To, err)
		}
	}
	return nil
}

// Outbox returns the outbox rows of a case (or all with caseID "").
func (s *Store) Outbox(ctx context.Context, caseID string) ([]*OutMail, error) {
	q := `SELECT ` + outColumns + ` FROM outbox`
	var args []any
	if caseID != "" {
		q += ` WHERE case_id = ?`
		args = append(args, caseID)
	}
	return s.outMails(ctx, q+` ORDER BY id`, args...)
}

// OutboxStats is the state of the outbox.
type OutboxStats struct {
	Queued      int
	OldestQueue time.Time // zero when nothing is queued
	NextDue     time.Time // the earliest next attempt of a queued mail; zero when none
	Failed      int
	Bounced     int
}

// OutboxStats counts the outbox by status.
func (s *Store) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	var oldest, due sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*), min(created_at), min(next_attempt_at) FROM outbox WHERE status = 'queued'`).
		Scan(&st.Queued, &oldest, &due)
	if err != nil {
		return st, fmt.Errorf("store: outbox stats: %w", err)
	}
	if oldest.Valid {
		st.OldestQueue = parseTS(oldest.String)
	}
	if due.Valid {
		st.NextDue = parseTS(due.String)
	}
	err = s.rdb.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM outbox WHERE status = 'failed'),
		(SELECT count(*) FROM outbox WHERE status = 'bounced')`).Scan(&st.Failed, &st.Bounced)
	if err != nil {
		return st, fmt.Errorf("store: outbox stats: %w", err)
	}
	return st, nil
}

// Counts returns the number of rows of a table grouped by one column:
// the ledger by kind ("messages", "kind"), the cases by status ("cases",
// "status"), the outbox by status ("outbox", "status").
func (s *Store) Counts(ctx context.Context, table, column string) (map[string]int, error) {
	switch table + "." + column {
	case "messages.kind", "cases.status", "outbox.status", "outbox.kind":
	default:
		return nil, fmt.Errorf("store: no counts of %s.%s", table, column)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+column+`, count(*) FROM `+table+` GROUP BY `+column)
	if err != nil {
		return nil, fmt.Errorf("store: counts of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

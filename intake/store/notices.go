package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// NoticeKind is what happened on a case that its reporter is told of.
type NoticeKind string

// The notices a reporter gets.
const (
	NoticeForwarded NoticeKind = "forwarded" // sent to a party's representative
	NoticeAnswered  NoticeKind = "answered"  // a party has answered (that it has, not what)
	NoticeRaised    NoticeKind = "raised"    // on the beredningsgrupp's agenda
	NoticeClosed    NoticeKind = "closed"    // closed, with the feedback given if any
)

// NoticeKinds lists every notice kind.
var NoticeKinds = []NoticeKind{NoticeForwarded, NoticeAnswered, NoticeRaised, NoticeClosed}

// Notice is one thing a reporter is (or was) told of.
type Notice struct {
	ID     int64
	CaseID string
	Kind   NoticeKind
	Party  string // forwarded, answered: the party's code
	Text   string // closed: the feedback given, personnummer masked
	At     time.Time
	SentAt *time.Time
	Mailed bool // it went out in a notice (not dropped)
}

const noticeColumns = `id, case_id, kind, party, text, at, sent_at, mailed`

func scanNotice(r scanner) (*Notice, error) {
	var n Notice
	var at string
	var sent sql.NullString
	if err := r.Scan(&n.ID, &n.CaseID, &n.Kind, &n.Party, &n.Text, &at, &sent, &n.Mailed); err != nil {
		return nil, err
	}
	n.At, n.SentAt = parseTS(at), nullTime(sent)
	return &n, nil
}

// AddNotice records a notice to send; n.ID is set.
func (tx *Tx) AddNotice(n *Notice) error {
	res, err := tx.exec(`INSERT INTO notices (case_id, kind, party, text, at) VALUES (?, ?, ?, ?, ?)`,
		n.CaseID, string(n.Kind), n.Party, n.Text, ts(n.At))
	if err != nil {
		return fmt.Errorf("store: notice on %s: %w", n.CaseID, err)
	}
	n.ID, err = res.LastInsertId()
	return err
}

// PendingNotices returns the case's notices not yet sent, oldest first.
func (tx *Tx) PendingNotices(caseID string) ([]*Notice, error) {
	rows, err := tx.query(`SELECT `+noticeColumns+` FROM notices WHERE case_id = ? AND sent_at IS NULL ORDER BY at, id`, caseID)
	return scanAll(rows, err, "notices", scanNotice)
}

// LastNoticeMailed returns when the case's reporter last got a notice.
func (tx *Tx) LastNoticeMailed(caseID string) (time.Time, bool, error) {
	var at sql.NullString
	err := tx.queryRow(`SELECT MAX(sent_at) FROM notices WHERE case_id = ? AND mailed = 1`, caseID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !at.Valid {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: notices of %s: %w", caseID, err)
	}
	return parseTS(at.String), true, nil
}

// MarkNotices records the notices as sent at (mailed) or dropped.
func (tx *Tx) MarkNotices(ns []*Notice, at time.Time, mailed bool) error {
	for _, n := range ns {
		if _, err := tx.exec(`UPDATE notices SET sent_at = ?, mailed = ? WHERE id = ? AND sent_at IS NULL`, ts(at), mailed, n.ID); err != nil {
			return fmt.Errorf("store: notice %d: %w", n.ID, err)
		}
		n.SentAt, n.Mailed = &at, mailed
	}
	return nil
}

// CasesWithPendingNotices returns the cases that have notices not yet
// sent, in the order they were recorded.
func (s *Store) CasesWithPendingNotices(ctx context.Context) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT case_id FROM notices WHERE sent_at IS NULL GROUP BY case_id ORDER BY MIN(id)`)
	return column[string](rows, err, "pending notices")
}

// Notices returns every notice of the case, oldest first.
func (s *Store) Notices(ctx context.Context, caseID string) ([]*Notice, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE case_id = ? ORDER BY at, id`, caseID)
	return scanAll(rows, err, "notices", scanNotice)
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

func nullTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTS(s.String)
	return &t
}

func nullTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// UpdateCase writes what the case's life changes: status, level, parties,
// themes, publication, the agenda mark, the closing time and whether the
// reporter gets notices.
func (tx *Tx) UpdateCase(c *Case) error {
	_, err := tx.exec(`UPDATE cases SET status = ?, level = ?, parties = ?, other_party = ?, themes = ?, publish = ?,
		raised = ?, raised_at = ?, closed_at = ?, updated_at = ?, edited = ?, notices_off = ?, held = ? WHERE id = ?`,
		c.Status, c.Level, jsonList(c.Parties), c.OtherParty, jsonList(c.Themes), c.Publish,
		c.Raised, nullTS(c.RaisedAt), nullTS(c.ClosedAt), ts(c.UpdatedAt), c.Edited, c.NoticesOff, c.Held, c.ID)
	if err != nil {
		return fmt.Errorf("store: update case %s: %w", c.ID, err)
	}
	return nil
}

// Forward is a case sent to a party's representative.
type Forward struct {
	ID          int64      `json:"id"`
	CaseID      string     `json:"case"`
	Party       string     `json:"party"`
	Address     string     `json:"address"`
	Name        string     `json:"name,omitempty"`
	Question    string     `json:"question,omitempty"`
	WithContact bool       `json:"with_contact"`
	By          string     `json:"by"`
	MessageID   string     `json:"message_id,omitempty"`
	At          time.Time  `json:"at"`
	AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	Answer      string     `json:"answer,omitempty"`
	Reminders   int        `json:"reminders"`
	// Group is the working group a forward went to (Party is then "").
	Group string `json:"group,omitempty"`
}

const forwardColumns = `id, case_id, party, address, name, question, with_contact, by, message_id, at,
	answered_at, answer, reminders, grp`

func scanForward(r scanner) (*Forward, error) {
	var f Forward
	var at string
	var answered sql.NullString
	if err := r.Scan(&f.ID, &f.CaseID, &f.Party, &f.Address, &f.Name, &f.Question, &f.WithContact, &f.By, &f.MessageID,
		&at, &answered, &f.Answer, &f.Reminders, &f.Group); err != nil {
		return nil, err
	}
	f.At, f.AnsweredAt = parseTS(at), nullTime(answered)
	return &f, nil
}

// AddForward records a forward; f.ID is set.
func (tx *Tx) AddForward(f *Forward) error {
	res, err := tx.exec(`INSERT INTO forwards (case_id, party, address, name, question, with_contact, by, message_id, at, grp)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.CaseID, f.Party, strings.ToLower(f.Address), f.Name, f.Question,
		f.WithContact, f.By, f.MessageID, ts(f.At), f.Group)
	if err != nil {
		return fmt.Errorf("store: forward %s to %s: %w", f.CaseID, f.Party, err)
	}
	f.ID, err = res.LastInsertId()
	return err
}

// Forwards returns a case's forwards, oldest first.
func (tx *Tx) Forwards(caseID string) ([]*Forward, error) {
	return collect(tx.query(`SELECT `+forwardColumns+` FROM forwards WHERE case_id = ? ORDER BY id`, caseID))
}

// Forwards returns a case's forwards, oldest first.
func (s *Store) Forwards(ctx context.Context, caseID string) ([]*Forward, error) {
	return collect(s.rdb.QueryContext(ctx, `SELECT `+forwardColumns+` FROM forwards WHERE case_id = ? ORDER BY id`, caseID))
}

// OpenForwards returns the unanswered forwards of cases not closed, oldest
// first.
func (s *Store) OpenForwards(ctx context.Context) ([]*Forward, error) {
	return collect(s.rdb.QueryContext(ctx, `SELECT `+forwardColumns+` FROM forwards
		WHERE answered_at IS NULL AND case_id IN (SELECT id FROM cases WHERE status != 'closed') ORDER BY at, id`))
}

func collect(rows *sql.Rows, err error) ([]*Forward, error) {
	return scanAll(rows, err, "forwards", scanForward)
}

// AnswerForward records address's answer on the case: on its oldest
// unanswered forward, or, when all are answered, appended to its latest.
// It returns ErrNotFound when the case was never forwarded to address.
func (tx *Tx) AnswerForward(caseID, address, answer string, at time.Time) (*Forward, error) {
	fs, err := tx.Forwards(caseID)
	if err != nil {
		return nil, err
	}
	var f *Forward
	for _, x := range fs {
		if strings.EqualFold(x.Address, address) {
			if x.AnsweredAt == nil {
				f = x
				break
			}
			f = x
		}
	}
	if f == nil {
		return nil, fmt.Errorf("%w: forward of %s to %s", ErrNotFound, caseID, address)
	}
	if f.AnsweredAt == nil {
		f.Answer, f.AnsweredAt = answer, &at
	} else {
		f.Answer = strings.TrimSpace(f.Answer + "\n\n" + answer)
	}
	if _, err := tx.exec(`UPDATE forwards SET answer = ?, answered_at = ? WHERE id = ?`, f.Answer, ts(*f.AnsweredAt), f.ID); err != nil {
		return nil, fmt.Errorf("store: answer on %s: %w", caseID, err)
	}
	return f, nil
}

// AnswerGroup records an answer from the working group on the case: on
// every forward to the group still unanswered (the group answers once,
// whoever of it wrote), or, when all are answered, appended to the
// latest. It returns the forward the answer is shown with, and
// ErrNotFound when the case was never sent to the group.
func (tx *Tx) AnswerGroup(caseID, group, answer string, at time.Time) (*Forward, error) {
	fs, err := tx.Forwards(caseID)
	if err != nil {
		return nil, err
	}
	var mine, open []*Forward
	for _, f := range fs {
		if f.Group != "" && strings.EqualFold(f.Group, group) {
			mine = append(mine, f)
			if f.AnsweredAt == nil {
				open = append(open, f)
			}
		}
	}
	if len(mine) == 0 {
		return nil, fmt.Errorf("%w: forward of %s to group %s", ErrNotFound, caseID, group)
	}
	changed := open
	if len(open) == 0 {
		// All answered: more from the group goes with its latest answer.
		latest := mine[len(mine)-1]
		latest.Answer = strings.TrimSpace(latest.Answer + "\n\n" + answer)
		changed = []*Forward{latest}
	}
	for _, f := range open {
		f.Answer, f.AnsweredAt = answer, &at
	}
	for _, f := range changed {
		if _, err := tx.exec(`UPDATE forwards SET answer = ?, answered_at = ? WHERE id = ?`, f.Answer, ts(*f.AnsweredAt), f.ID); err != nil {
			return nil, fmt.Errorf("store: answer of %s on %s: %w", group, caseID, err)
		}
	}
	return changed[0], nil
}

// SetReminders records how many reminders a forward has had.
func (tx *Tx) SetReminders(id int64, n int) error {
	_, err := tx.exec(`UPDATE forwards SET reminders = ? WHERE id = ?`, n, id)
	return err
}

// MarkDone records a scheduled mail as sent; it returns false when it
// already was, and the caller then queues nothing.
func (tx *Tx) MarkDone(key string, at time.Time) (bool, error) {
	res, err := tx.exec(`INSERT INTO schedule_done (key, done_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, ts(at))
	if err != nil {
		return false, fmt.Errorf("store: schedule %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Done reports whether a scheduled mail was sent, and when.
func (s *Store) Done(ctx context.Context, key string) (time.Time, bool, error) {
	var at string
	err := s.rdb.QueryRowContext(ctx, `SELECT done_at FROM schedule_done WHERE key = ?`, key).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: schedule %s: %w", key, err)
	}
	return parseTS(at), true, nil
}

// QuietCases returns the open cases with no event since before.
func (s *Store) QuietCases(ctx context.Context, before time.Time) ([]*Case, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE status != 'closed' AND updated_at < ?
		ORDER BY year, seq`, ts(before))
	return scanAll(rows, err, "quiet cases", scanCase)
}

// Reporter returns the address the case's blanket came from.
func (tx *Tx) Reporter(caseID string) (string, error) {
	var a string
	err := tx.queryRow(`SELECT address FROM participants WHERE case_id = ? AND role = ? ORDER BY added_at, rowid LIMIT 1`,
		caseID, string(RoleReporter)).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: reporter of %s", ErrNotFound, caseID)
	}
	return a, err
}

// HasReporter reports whether the case has a reporter's address to write
// to (an imported case may have none).
func (tx *Tx) HasReporter(caseID string) (bool, error) {
	_, err := tx.Reporter(caseID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Role returns address's role on the case (RoleReporter,
// RoleRepresentative), or "" when it has none, and the party of a
// representative.
func (tx *Tx) Role(caseID, address string) (role Role, party string, err error) {
	err = tx.queryRow(`SELECT role, party FROM participants WHERE case_id = ? AND address = ?`,
		caseID, strings.ToLower(address)).Scan(&role, &party)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return role, party, err
}

// ForwardsOf returns every forward of the förbund's cases, oldest first.
func (s *Store) ForwardsOf(ctx context.Context, forbund string) ([]*Forward, error) {
	return collect(s.rdb.QueryContext(ctx, `SELECT `+forwardColumns+` FROM forwards
		WHERE case_id IN (SELECT id FROM cases WHERE forbund = ?) ORDER BY at, id`, forbund))
}

// AllForwards returns every forward, oldest first.
func (s *Store) AllForwards(ctx context.Context) ([]*Forward, error) {
	return collect(s.rdb.QueryContext(ctx, `SELECT `+forwardColumns+` FROM forwards ORDER BY at, id`))
}

// Imported returns the case a sheet row with this key became, if it was
// imported before.
func (tx *Tx) Imported(key string) (string, bool, error) {
	var id string
	err := tx.queryRow(`SELECT case_id FROM imports WHERE key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return id, err == nil, err
}

// RecordImport records that a sheet row became a case.
func (tx *Tx) RecordImport(key, caseID, source string, line int, at time.Time) error {
	_, err := tx.exec(`INSERT INTO imports (key, case_id, source, line, at) VALUES (?, ?, ?, ?, ?)`, key, caseID, source, line, ts(at))
	if err != nil {
		return fmt.Errorf("store: import of %s line %d: %w", source, line, err)
	}
	return nil
}

// AnswerAt records an answer given before lexheller (an imported sheet's
// "Svar"): a forward to party answered at once.
func (tx *Tx) AnswerAt(caseID, party, answer string, at time.Time) error {
	f := &Forward{CaseID: caseID, Party: party, Address: "", By: "import", At: at}
	if err := tx.AddForward(f); err != nil {
		return err
	}
	_, err := tx.AnswerForward(caseID, "", answer, at)
	return err
}

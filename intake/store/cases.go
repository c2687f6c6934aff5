package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"lexheller/intake/form"
)

// Case statuses.
const (
	StatusNew        = "new"
	StatusInDialogue = "in_dialogue"
	StatusForwarded  = "forwarded"
	StatusAnswered   = "answered"
	StatusClosed     = "closed"
)

// Case is one reported case. Free text has personnummer masked.
type Case struct {
	ID            string     `json:"id"`
	Year          int        `json:"-"`
	Seq           int        `json:"-"`
	Forbund       string     `json:"forbund"`
	Status        string     `json:"status"`
	Level         string     `json:"level"`
	Parties       []string   `json:"parties"`
	OtherParty    string     `json:"other_party,omitempty"`
	Themes        []string   `json:"themes"`
	EventDate     string     `json:"event_date,omitempty"`
	ReporterName  string     `json:"reporter_name"`
	ReporterEmail string     `json:"reporter_email"`
	ReporterPhone string     `json:"reporter_phone,omitempty"`
	ReporterOrg   string     `json:"reporter_org"`
	Description   string     `json:"description"`
	Consequence   string     `json:"consequence,omitempty"`
	Suggestion    string     `json:"suggestion,omitempty"`
	ContactOK     bool       `json:"contact_ok"`
	PublishOK     bool       `json:"publish_ok"`
	Publish       bool       `json:"publish"`
	PIIFound      int        `json:"pii_found"`
	Language      string     `json:"language"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	// Edited is a process leader's de-identified description (/redigera),
	// "" when none: see ForParties.
	Edited string `json:"edited,omitempty"`
	// ScrubbedAt is when the case's personal data was removed.
	ScrubbedAt *time.Time `json:"scrubbed_at,omitempty"`
	Raised     string     `json:"raised,omitempty"` // /lyft: why it goes on the next meeting's agenda
	RaisedAt   *time.Time `json:"raised_at,omitempty"`
	// NoticesOff: the reporter gets no status notices (/tyst).
	NoticesOff bool `json:"notices_off,omitempty"`
	// Held: from the web form, from outside the member agencies; the
	// reporter is acknowledged when a process leader releases it.
	Held bool `json:"held,omitempty"`
}

// ForParties is the description as it leaves the förbund (forwards,
// reports, the published site): a process leader's edited version when
// there is one, else the reporter's words.
func (c *Case) ForParties() string {
	if c.Edited != "" {
		return c.Edited
	}
	return c.Description
}

// Reporter is what identifies the case's reporter, for de-identifying
// text that leaves the förbund.
func (c *Case) Reporter() form.Who {
	return form.Who{Name: c.ReporterName, Org: c.ReporterOrg, Email: c.ReporterEmail, Phone: c.ReporterPhone}
}

func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// InsertCase stores a new case; c.ID, c.Year and c.Seq must be set.
func (tx *Tx) InsertCase(c *Case) error {
	now := ts(c.CreatedAt)
	if c.Status == "" {
		c.Status = StatusNew
	}
	_, err := tx.exec(`INSERT INTO cases (id, year, seq, forbund, status, level, parties, other_party, themes,
		event_date, reporter_name, reporter_email, reporter_phone, reporter_org, description, consequence,
		suggestion, contact_ok, publish_ok, pii_found, language, created_at, updated_at, held)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Year, c.Seq, c.Forbund, c.Status, c.Level, jsonList(c.Parties), c.OtherParty, jsonList(c.Themes),
		c.EventDate, c.ReporterName, c.ReporterEmail, c.ReporterPhone, c.ReporterOrg, c.Description, c.Consequence,
		c.Suggestion, c.ContactOK, c.PublishOK, c.PIIFound, c.Language, now, now, c.Held)
	if err != nil {
		return fmt.Errorf("store: insert case %s: %w", c.ID, err)
	}
	return nil
}

// Role is the capacity in which someone takes part in a case or acts on
// its timeline, as stored in participants.role and events.role.
type Role string

// Roles. Only reporters and representatives are stored as participants;
// the others appear on timelines only.
const (
	RoleReporter       Role = "reporter"       // sent the blanket, or is named in it
	RoleRepresentative Role = "representative" // a party's, sent a forward
	RoleGroup          Role = "group"          // a working group's address or member (party: the group's name)
	RoleProcessLeader  Role = "process_leader" // named in the configuration
	RoleAdmin          Role = "admin"          // the command line and the import
	RoleSystem         Role = "system"         // lexheller itself
	RoleUnverified     Role = "unverified"     // unproven mail in a process leader's name
)

// AddParticipant records a person on the case (idempotent).
func (tx *Tx) AddParticipant(caseID, address string, role Role, party string, at time.Time) error {
	_, err := tx.exec(`INSERT INTO participants (case_id, address, role, party, added_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (case_id, address) DO NOTHING`, caseID, strings.ToLower(address), string(role), party, ts(at))
	if err != nil {
		return fmt.Errorf("store: add participant to %s: %w", caseID, err)
	}
	return nil
}

// Touch sets a case's updated_at.
func (tx *Tx) Touch(caseID string, at time.Time) error {
	_, err := tx.exec(`UPDATE cases SET updated_at = ? WHERE id = ?`, ts(at), caseID)
	return err
}

const caseColumns = `id, year, seq, forbund, status, level, parties, other_party, themes, event_date,
	reporter_name, reporter_email, reporter_phone, reporter_org, description, consequence, suggestion,
	contact_ok, publish_ok, publish, pii_found, language, created_at, updated_at, closed_at, raised, raised_at, scrubbed_at, edited,
	notices_off, held`

type scanner interface{ Scan(...any) error }

func scanCase(r scanner) (*Case, error) {
	var c Case
	var parties, themes, created, updated string
	var closed, raisedAt, scrubbed sql.NullString
	err := r.Scan(&c.ID, &c.Year, &c.Seq, &c.Forbund, &c.Status, &c.Level, &parties, &c.OtherParty, &themes,
		&c.EventDate, &c.ReporterName, &c.ReporterEmail, &c.ReporterPhone, &c.ReporterOrg, &c.Description,
		&c.Consequence, &c.Suggestion, &c.ContactOK, &c.PublishOK, &c.Publish, &c.PIIFound, &c.Language,
		&created, &updated, &closed, &c.Raised, &raisedAt, &scrubbed, &c.Edited, &c.NoticesOff, &c.Held)
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(parties), &c.Parties)
	_ = json.Unmarshal([]byte(themes), &c.Themes)
	c.CreatedAt, c.UpdatedAt = parseTS(created), parseTS(updated)
	c.ClosedAt, c.RaisedAt, c.ScrubbedAt = nullTime(closed), nullTime(raisedAt), nullTime(scrubbed)
	return &c, nil
}

// Case returns one case.
func (s *Store) Case(ctx context.Context, id string) (*Case, error) {
	c, err := scanCase(s.rdb.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: case %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: case %s: %w", id, err)
	}
	return c, nil
}

// Case returns one case, inside a transaction.
func (tx *Tx) Case(id string) (*Case, error) {
	c, err := scanCase(tx.queryRow(`SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: case %s", ErrNotFound, id)
	}
	return c, err
}

// CaseFilter selects cases; zero fields select all.
type CaseFilter struct {
	Forbund string
	Status  string
	Party   string
	Since   time.Time
}

// Cases returns the cases matching f, oldest first.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]*Case, error) {
	q := `SELECT ` + caseColumns + ` FROM cases WHERE 1=1`
	var args []any
	if f.Forbund != "" {
		q += ` AND forbund = ?`
		args = append(args, f.Forbund)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Party != "" {
		q += ` AND EXISTS (SELECT 1 FROM json_each(cases.parties) WHERE value = ?)`
		args = append(args, f.Party)
	}
	if !f.Since.IsZero() {
		q += ` AND created_at >= ?`
		args = append(args, ts(f.Since))
	}
	q += ` ORDER BY year, seq`
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	return scanAll(rows, err, "cases", scanCase)
}

// CaseExists implements classify.Lookup.
func (s *Store) CaseExists(ctx context.Context, id string) (string, bool, error) {
	var fb string
	err := s.rdb.QueryRowContext(ctx, `SELECT forbund FROM cases WHERE id = ?`, id).Scan(&fb)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return fb, err == nil, err
}

// CaseByMessageID implements classify.Lookup: the case of a message we
// received or sent with that Message-ID.
func (s *Store) CaseByMessageID(ctx context.Context, id string) (string, bool, error) {
	var c sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT case_id FROM messages WHERE message_id = ? AND case_id IS NOT NULL
		UNION ALL SELECT case_id FROM outbox WHERE message_id = ? AND case_id IS NOT NULL LIMIT 1`, id, id).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return c.String, err == nil && c.Valid, err
}

// SentTo implements classify.Lookup.
func (s *Store) SentTo(ctx context.Context, messageID, caseID, rcpt string) (bool, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE message_id = ? AND case_id = ? AND rcpt = ?`,
		messageID, caseID, strings.ToLower(rcpt)).Scan(&n)
	return n > 0, err
}

// CaseByThreadIndex implements classify.Lookup.
func (s *Store) CaseByThreadIndex(ctx context.Context, conv string) (string, bool, error) {
	var c sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT case_id FROM messages WHERE conversation = ? AND case_id IS NOT NULL
		ORDER BY id LIMIT 1`, conv).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return c.String, err == nil && c.Valid, err
}

// IsParticipant implements classify.Lookup.
func (s *Store) IsParticipant(ctx context.Context, caseID, address string) (bool, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM participants WHERE case_id = ? AND address = ?`,
		caseID, strings.ToLower(address)).Scan(&n)
	return n > 0, err
}

// Participant is a person on a case.
type Participant struct {
	Address string `json:"address"`
	Role    Role   `json:"role"`
	Party   string `json:"party,omitempty"`
}

// Participants returns the people on a case.
func (s *Store) Participants(ctx context.Context, caseID string) ([]Participant, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT address, role, party FROM participants WHERE case_id = ? ORDER BY added_at`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Participant
	for rows.Next() {
		var p Participant
		if err := rows.Scan(&p.Address, &p.Role, &p.Party); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CaseRecord is a case with everything recorded about it: its people,
// attachments, forwards and timeline. Its lists are empty, not nil, when
// nothing is recorded, so that its JSON has them all.
type CaseRecord struct {
	*Case
	Participants []Participant `json:"participants"`
	Attachments  []Attachment  `json:"attachments"`
	Forwards     []*Forward    `json:"forwards"`
	Timeline     []Event       `json:"timeline"`
}

// CaseRecord reads case id and everything recorded about it.
func (s *Store) CaseRecord(ctx context.Context, id string) (*CaseRecord, error) {
	c, err := s.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &CaseRecord{Case: c}
	if r.Timeline, err = s.Timeline(ctx, id); err != nil {
		return nil, err
	}
	if r.Attachments, err = s.Attachments(ctx, id); err != nil {
		return nil, err
	}
	if r.Participants, err = s.Participants(ctx, id); err != nil {
		return nil, err
	}
	if r.Forwards, err = s.Forwards(ctx, id); err != nil {
		return nil, err
	}
	r.Participants, r.Attachments = nonNil(r.Participants), nonNil(r.Attachments)
	r.Forwards, r.Timeline = nonNil(r.Forwards), nonNil(r.Timeline)
	return r, nil
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

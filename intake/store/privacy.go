package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Scrub says what erasing a case's personal data does to its free text:
// Text rewrites a text (de-identifies it; the store does not know how),
// and Reason is the event recorded, without the data. TextOnly leaves
// the reporter and the messages alone and only rewrites the texts (for a
// person who is named on a case but did not report it).
type Scrub struct {
	Text     func(string) string
	Reason   string
	TextOnly bool
}

// ScrubChanges counts what a scrub changed or would change.
type ScrubChanges struct {
	Case        string `json:"case"`
	Fields      int    `json:"fields"`       // reporter fields and free texts rewritten
	RawMessages int    `json:"raw_messages"` // raw messages removed
	Attachments int    `json:"attachments"`  // attachment contents removed
	MailBodies  int    `json:"mail_bodies"`  // bodies of mails sent removed
	Events      int    `json:"events"`       // timeline texts rewritten
}

// Empty reports whether nothing would change.
func (c ScrubChanges) Empty() bool {
	return c.Fields+c.RawMessages+c.Attachments+c.MailBodies+c.Events == 0
}

// ScrubCase removes the personal data of a case: the reporter's name,
// e-mail, phone and unit; the raw messages, attachment contents and the
// bodies of the mails sent and received; the reporter among the
// participants. Free texts (description, consequence, suggestion, the
// raised text, questions and answers, event summaries) are rewritten by
// sc.Text. What the pattern report counts (dates, status, parties, level,
// themes, förbund) stays. It records an event without the data and sets
// scrubbed_at; with dryRun it only counts.
func (tx *Tx) ScrubCase(caseID string, sc Scrub, at time.Time, dryRun bool) (ScrubChanges, error) {
	ch := ScrubChanges{Case: caseID}
	c, err := tx.Case(caseID)
	if err != nil {
		return ch, err
	}
	text := sc.Text
	if !sc.TextOnly {
		for _, f := range []*string{&c.ReporterName, &c.ReporterEmail, &c.ReporterPhone, &c.ReporterOrg} {
			if *f != "" {
				ch.Fields++
				*f = ""
			}
		}
	}
	for _, f := range []*string{&c.Description, &c.Consequence, &c.Suggestion, &c.Raised, &c.OtherParty, &c.Edited} {
		if v := text(*f); v != *f {
			ch.Fields++
			*f = v
		}
	}
	count := func(q string, args ...any) (int, error) {
		var n int
		err := tx.queryRow(q, args...).Scan(&n)
		return n, err
	}
	if !sc.TextOnly {
		if ch.RawMessages, err = count(`SELECT count(*) FROM messages WHERE case_id = ? AND raw_kept = 1`, caseID); err != nil {
			return ch, err
		}
		if ch.Attachments, err = count(`SELECT count(*) FROM attachments WHERE case_id = ? AND (kept = 1 OR filename != '')`, caseID); err != nil {
			return ch, err
		}
		if ch.MailBodies, err = count(`SELECT count(*) FROM outbox WHERE case_id = ? AND body_pruned = 0 AND status != 'queued'`, caseID); err != nil {
			return ch, err
		}
	}
	evs, err := tx.events(caseID)
	if err != nil {
		return ch, err
	}
	var changed []Event
	for _, e := range evs {
		s, b := text(e.Summary), ""
		if sc.TextOnly {
			b = text(e.Body)
		}
		if s != e.Summary || e.Body != b {
			e.Summary, e.Body = s, b
			changed = append(changed, e)
		}
	}
	ch.Events = len(changed)
	fws, err := tx.Forwards(caseID)
	if err != nil {
		return ch, err
	}
	for _, f := range fws {
		if text(f.Question) != f.Question || text(f.Answer) != f.Answer {
			ch.Fields++
		}
	}
	if dryRun || ch.Empty() {
		return ch, nil
	}
	reporter := string(RoleReporter)
	stmts := []struct {
		q    string
		args []any
	}{
		{`UPDATE cases SET reporter_name = '', reporter_email = '', reporter_phone = '', reporter_org = '',
			description = ?, consequence = ?, suggestion = ?, raised = ?, other_party = ?, edited = ?, scrubbed_at = ? WHERE id = ?`,
			[]any{c.Description, c.Consequence, c.Suggestion, c.Raised, c.OtherParty, c.Edited, ts(at), caseID}},
		{`DELETE FROM blob_chunks WHERE owner = 'raw' AND ref IN (SELECT id FROM messages WHERE case_id = ? AND raw_kept = 1)`, []any{caseID}},
		{`UPDATE messages SET raw_kept = 0, subject = '', from_addr = CASE WHEN from_addr IN
			(SELECT address FROM participants WHERE case_id = ? AND role = ?) THEN '' ELSE from_addr END WHERE case_id = ?`,
			[]any{caseID, reporter, caseID}},
		{`DELETE FROM blob_chunks WHERE owner = 'attachment' AND ref IN (SELECT id FROM attachments WHERE case_id = ?)`, []any{caseID}},
		{`UPDATE attachments SET kept = 0, filename = '' WHERE case_id = ?`, []any{caseID}},
		{`UPDATE outbox SET body = '', raw = x'', body_pruned = 1, subject = '', rcpt = CASE WHEN rcpt IN
			(SELECT address FROM participants WHERE case_id = ? AND role = ?) THEN '' ELSE rcpt END
			WHERE case_id = ? AND status != 'queued'`, []any{caseID, reporter, caseID}},
		{`UPDATE events SET actor = '' WHERE case_id = ? AND actor IN
			(SELECT address FROM participants WHERE case_id = ? AND role = ?)`, []any{caseID, caseID, reporter}},
		{`DELETE FROM participants WHERE case_id = ? AND role = ?`, []any{caseID, reporter}},
	}
	if sc.TextOnly {
		stmts = stmts[:1]
		stmts[0].q = `UPDATE cases SET description = ?, consequence = ?, suggestion = ?, raised = ?, other_party = ?, edited = ? WHERE id = ?`
		stmts[0].args = []any{c.Description, c.Consequence, c.Suggestion, c.Raised, c.OtherParty, c.Edited, caseID}
	}
	for _, s := range stmts {
		if _, err := tx.exec(s.q, s.args...); err != nil {
			return ch, fmt.Errorf("store: scrub %s: %w", caseID, err)
		}
	}
	for _, e := range changed {
		if _, err := tx.exec(`UPDATE events SET summary = ?, body = ? WHERE id = ?`, e.Summary, e.Body, e.ID); err != nil {
			return ch, fmt.Errorf("store: scrub %s: %w", caseID, err)
		}
	}
	for _, f := range fws {
		if _, err := tx.exec(`UPDATE forwards SET question = ?, answer = ? WHERE id = ?`, text(f.Question), text(f.Answer), f.ID); err != nil {
			return ch, fmt.Errorf("store: scrub %s: %w", caseID, err)
		}
	}
	// The feedback a closed notice carries goes as the events' bodies do:
	// removed, or with only the person taken out (TextOnly).
	ns, err := tx.query(`SELECT id, text FROM notices WHERE case_id = ? AND text != ''`, caseID)
	if err != nil {
		return ch, fmt.Errorf("store: scrub %s: %w", caseID, err)
	}
	type notice struct {
		id   int64
		text string
	}
	var texts []notice
	for ns.Next() {
		var n notice
		if err := ns.Scan(&n.id, &n.text); err != nil {
			ns.Close()
			return ch, err
		}
		texts = append(texts, n)
	}
	ns.Close()
	for _, n := range texts {
		v := ""
		if sc.TextOnly {
			v = text(n.text)
		}
		if _, err := tx.exec(`UPDATE notices SET text = ? WHERE id = ?`, v, n.id); err != nil {
			return ch, fmt.Errorf("store: scrub %s: %w", caseID, err)
		}
	}
	return ch, tx.AddEvent(&Event{CaseID: caseID, At: at, Kind: EventScrubbed, Actor: "lexheller", Role: RoleSystem, Summary: sc.Reason})
}

// EventScrubbed records that a case's personal data was removed.
const EventScrubbed = "scrubbed"

func (tx *Tx) events(caseID string) ([]Event, error) {
	rows, err := tx.query(`SELECT id, at, kind, actor, role, summary, body FROM events WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.Actor, &e.Role, &e.Summary, &e.Body); err != nil {
			return nil, err
		}
		e.CaseID, e.At = caseID, parseTS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// DueForScrubbing returns the cases of a förbund closed before the
// given time whose personal data is still there.
func (s *Store) DueForScrubbing(ctx context.Context, forbund string, closedBefore time.Time) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM cases WHERE forbund = ? AND status = 'closed' AND closed_at IS NOT NULL
		AND closed_at < ? AND scrubbed_at IS NULL ORDER BY id`, forbund, ts(closedBefore))
	return column[string](rows, err, "cases due for scrubbing")
}

// PruneMailBodies removes the bodies and raw messages of mails sent (or
// failed, bounced, suppressed) before the given time; the rows stay for
// the timeline and the rate ladder.
func (s *Store) PruneMailBodies(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET body = '', raw = x'', subject = '', body_pruned = 1
			WHERE body_pruned = 0 AND status != 'queued' AND created_at < ?`, ts(before))
		if err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM partial_forms WHERE at < ?`, ts(before)); err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune mail bodies: %w", err)
	}
	return n, nil
}

// SavePartial keeps an incomplete blanket's text under the Message-ID of
// the mail that asked its sender for the rest.
func (tx *Tx) SavePartial(messageID, sender, text string, at time.Time) error {
	_, err := tx.exec(`INSERT INTO partial_forms (message_id, sender, text, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (message_id) DO NOTHING`, messageID, strings.ToLower(sender), text, ts(at))
	if err != nil {
		return fmt.Errorf("store: partial blanket: %w", err)
	}
	return nil
}

// PartialForm implements classify.Lookup: the incomplete blanket of
// sender that one of ids asked the rest of.
func (s *Store) PartialForm(ctx context.Context, ids []string, sender string) (string, bool, error) {
	for _, id := range ids {
		var text string
		err := s.rdb.QueryRowContext(ctx, `SELECT text FROM partial_forms WHERE message_id = ? AND sender = ?`,
			id, strings.ToLower(sender)).Scan(&text)
		if err == nil {
			return text, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", false, fmt.Errorf("store: partial blanket: %w", err)
		}
	}
	return "", false, nil
}

// RetentionStats counts the cases scrubbed and the mail bodies pruned.
func (s *Store) RetentionStats(ctx context.Context) (scrubbed, pruned int, err error) {
	err = s.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM cases WHERE scrubbed_at IS NOT NULL),
		(SELECT count(*) FROM outbox WHERE body_pruned = 1)`).Scan(&scrubbed, &pruned)
	return scrubbed, pruned, err
}

// PersonData is what the store holds about one person (by address, and
// by name where given): for an access request (GDPR art. 15).
type PersonData struct {
	Address  string          `json:"address"`
	Name     string          `json:"name,omitempty"`
	Cases    []*Case         `json:"cases"`
	Messages []PersonMessage `json:"messages"`
	Mails    []PersonMail    `json:"mails"`
	Events   []Event         `json:"events"`
	// Partial are incomplete blankets of theirs, waiting for the rest.
	Partial []string `json:"partial_blankets,omitempty"`
	// Attachments are the files they sent.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// PersonMessage is a message received from the person.
type PersonMessage struct {
	ID         int64     `json:"id"`
	CaseID     string    `json:"case,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	Subject    string    `json:"subject"`
	Kind       string    `json:"kind"`
	RawKept    bool      `json:"raw_kept"`
}

// PersonMail is a mail sent to the person.
type PersonMail struct {
	ID        int64     `json:"id"`
	CaseID    string    `json:"case,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
}

// Person finds every case, message, mail and event where address (or,
// when name is set, the name) occurs.
func (s *Store) Person(ctx context.Context, address, name string) (*PersonData, error) {
	address = strings.ToLower(strings.TrimSpace(address))
	name = strings.TrimSpace(name)
	p := &PersonData{Address: address, Name: name}
	like := func(v string) string {
		if v == "" {
			return "\x00never" // matches nothing
		}
		r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
		return "%" + r.Replace(strings.ToLower(v)) + "%"
	}
	la, ln := like(address), like(name)
	rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM cases WHERE lower(reporter_email) = ?
		OR id IN (SELECT case_id FROM participants WHERE address = ?)
		OR lower(reporter_name) LIKE ? ESCAPE '\' OR lower(description || consequence || suggestion || raised) LIKE ? ESCAPE '\'
		OR lower(description || consequence || suggestion || raised) LIKE ? ESCAPE '\' ORDER BY id`, address, address, ln, la, ln)
	if err != nil {
		return nil, fmt.Errorf("store: person: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		c, err := s.Case(ctx, id)
		if err != nil {
			return nil, err
		}
		p.Cases = append(p.Cases, c)
	}
	mrows, err := s.rdb.QueryContext(ctx, `SELECT id, coalesce(case_id, ''), received_at, subject, kind, raw_kept FROM messages
		WHERE lower(from_addr) = ? ORDER BY id`, address)
	if err != nil {
		return nil, fmt.Errorf("store: person: %w", err)
	}
	for mrows.Next() {
		var m PersonMessage
		var at string
		if err := mrows.Scan(&m.ID, &m.CaseID, &at, &m.Subject, &m.Kind, &m.RawKept); err != nil {
			mrows.Close()
			return nil, err
		}
		m.ReceivedAt = parseTS(at)
		p.Messages = append(p.Messages, m)
	}
	mrows.Close()
	orows, err := s.rdb.QueryContext(ctx, `SELECT id, coalesce(case_id, ''), created_at, kind, subject, body FROM outbox
		WHERE rcpt = ? ORDER BY id`, address)
	if err != nil {
		return nil, fmt.Errorf("store: person: %w", err)
	}
	for orows.Next() {
		var m PersonMail
		var at string
		if err := orows.Scan(&m.ID, &m.CaseID, &at, &m.Kind, &m.Subject, &m.Body); err != nil {
			orows.Close()
			return nil, err
		}
		m.CreatedAt = parseTS(at)
		p.Mails = append(p.Mails, m)
	}
	orows.Close()
	prows, err := s.rdb.QueryContext(ctx, `SELECT text FROM partial_forms WHERE sender = ? ORDER BY at`, address)
	if err != nil {
		return nil, fmt.Errorf("store: person: %w", err)
	}
	for prows.Next() {
		var t string
		if err := prows.Scan(&t); err != nil {
			prows.Close()
			return nil, err
		}
		p.Partial = append(p.Partial, t)
	}
	prows.Close()
	arows, err := s.rdb.QueryContext(ctx, `SELECT id, coalesce(case_id, ''), filename, content_type, size FROM attachments
		WHERE filename != '' AND message IN (SELECT id FROM messages WHERE lower(from_addr) = ?) ORDER BY id`, address)
	if err != nil {
		return nil, fmt.Errorf("store: person: %w", err)
	}
	for arows.Next() {
		var a Attachment
		if err := arows.Scan(&a.ID, &a.CaseID, &a.Filename, &a.ContentType, &a.Size); err != nil {
			arows.Close()
			return nil, err
		}
		p.Attachments = append(p.Attachments, a)
	}
	arows.Close()
	erows, err := s.rdb.QueryContext(ctx, `SELECT id, case_id, at, kind, actor, role, summary, body FROM events
		WHERE lower(actor) = ? OR lower(summary || body) LIKE ? ESCAPE '\' OR lower(summary || body) LIKE ? ESCAPE '\' ORDER BY id`,
		address, la, ln)
	if err != nil {
		return nil, fmt.Errorf("store: person: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var e Event
		var at string
		if err := erows.Scan(&e.ID, &e.CaseID, &at, &e.Kind, &e.Actor, &e.Role, &e.Summary, &e.Body); err != nil {
			return nil, err
		}
		e.At = parseTS(at)
		p.Events = append(p.Events, e)
	}
	return p, erows.Err()
}

// PruneMailsTo removes the bodies of every mail sent to address (not
// those still queued), for an erasure; it returns how many.
func (tx *Tx) PruneMailsTo(address string, dryRun bool) (int, error) {
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM outbox WHERE rcpt = ? AND body_pruned = 0 AND status != 'queued'`,
		strings.ToLower(address)).Scan(&n); err != nil || dryRun {
		return n, err
	}
	_, err := tx.exec(`UPDATE outbox SET body = '', raw = x'', body_pruned = 1, subject = '', rcpt = ''
		WHERE rcpt = ? AND status != 'queued'`, strings.ToLower(address))
	return n, err
}

// ForgetMessagesFrom removes the raw messages and subjects of every
// message received from address; it returns how many.
func (tx *Tx) ForgetMessagesFrom(address string, dryRun bool) (int, error) {
	var n int
	a := strings.ToLower(address)
	if err := tx.queryRow(`SELECT count(*) FROM messages WHERE lower(from_addr) = ?`, a).Scan(&n); err != nil || dryRun {
		return n, err
	}
	if _, err := tx.exec(`DELETE FROM blob_chunks WHERE owner = 'raw' AND ref IN (SELECT id FROM messages WHERE lower(from_addr) = ?)`, a); err != nil {
		return 0, err
	}
	// Their attachments and any incomplete blanket of theirs go too.
	if _, err := tx.exec(`DELETE FROM blob_chunks WHERE owner = 'attachment' AND ref IN
		(SELECT id FROM attachments WHERE message IN (SELECT id FROM messages WHERE lower(from_addr) = ?))`, a); err != nil {
		return 0, err
	}
	if _, err := tx.exec(`UPDATE attachments SET kept = 0, filename = '' WHERE message IN
		(SELECT id FROM messages WHERE lower(from_addr) = ?)`, a); err != nil {
		return 0, err
	}
	if _, err := tx.exec(`DELETE FROM partial_forms WHERE sender = ?`, a); err != nil {
		return 0, err
	}
	_, err := tx.exec(`UPDATE messages SET raw_kept = 0, subject = '', from_addr = '' WHERE lower(from_addr) = ?`, a)
	return n, err
}

// AuditRecord is one look at personal data from the command line.
type AuditRecord struct {
	At     time.Time `json:"at"`
	OSUser string    `json:"os_user"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

// Audit records that someone looked at personal data.
func (s *Store) Audit(ctx context.Context, r AuditRecord) error {
	return s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(`INSERT INTO audit (at, os_user, action, detail) VALUES (?, ?, ?, ?)`, ts(r.At), r.OSUser, r.Action, r.Detail)
		return err
	})
}

// AuditLog returns the audit records since a time, oldest first.
func (s *Store) AuditLog(ctx context.Context, since time.Time) ([]AuditRecord, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT at, os_user, action, detail FROM audit WHERE at >= ? ORDER BY id`, ts(since))
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var r AuditRecord
		var at string
		if err := rows.Scan(&at, &r.OSUser, &r.Action, &r.Detail); err != nil {
			return nil, err
		}
		r.At = parseTS(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Message is a row of the ingest ledger.
type Message struct {
	ID           int64
	Key          string // Message-ID, or "sha256:" + the raw message's hash
	Mailbox      string
	UIDValidity  uint32
	UID          uint32
	MessageID    string
	SHA256       string
	ContentSHA   string // the sender and body, see ContentHash
	Kind         string
	Reason       string
	CaseID       string
	From         string
	Subject      string
	Conversation string
	Size         int64
	Raw          []byte
	ReceivedAt   time.Time
}

// LedgerKey is the key a message is recognised by: its Message-ID, or the
// hash of the raw message when it has none.
func LedgerKey(messageID, sha256hex string) string {
	if messageID != "" {
		return "<" + messageID + ">"
	}
	return "sha256:" + sha256hex
}

// ContentHash is what tells a re-delivery of a message (same sender, same
// body; a relay adds headers) from another message under the same
// Message-ID.
func ContentHash(from string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(strings.ToLower(from)))
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// KeyVariant is the ledger key of a different message that came under a
// Message-ID already in the ledger.
func KeyVariant(key, contentSHA string) string {
	return key + "#" + contentSHA[:min(16, len(contentSHA))]
}

const seenQuery = `SELECT id, kind, reason, case_id, content_sha FROM messages WHERE key = ?`

// Seen returns the ledger row with key, if any.
func (s *Store) Seen(ctx context.Context, key string) (*Message, bool, error) {
	return scanSeen(s.rdb.QueryRowContext(ctx, seenQuery, key), key)
}

// Seen is Store.Seen inside a transaction.
func (tx *Tx) Seen(key string) (*Message, bool, error) {
	return scanSeen(tx.queryRow(seenQuery, key), key)
}

func scanSeen(row *sql.Row, key string) (*Message, bool, error) {
	var m Message
	var c sql.NullString
	err := row.Scan(&m.ID, &m.Kind, &m.Reason, &c, &m.ContentSHA)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: ledger: %w", err)
	}
	m.Key, m.CaseID = key, c.String
	return &m, true, nil
}

// RecordMessage adds m to the ledger and sets m.ID.
func (tx *Tx) RecordMessage(m *Message) error {
	var caseID any
	if m.CaseID != "" {
		caseID = m.CaseID
	}
	res, err := tx.exec(`INSERT INTO messages (key, mailbox, uidvalidity, uid, message_id, sha256, content_sha, kind, reason,
		case_id, from_addr, subject, conversation, size, raw_kept, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Key, m.Mailbox, m.UIDValidity, m.UID, m.MessageID, m.SHA256, m.ContentSHA, m.Kind, m.Reason, caseID, m.From,
		m.Subject, m.Conversation, m.Size, m.Raw != nil, ts(m.ReceivedAt))
	if err != nil {
		return fmt.Errorf("store: record message %s: %w", m.Key, err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if m.Raw != nil {
		return tx.putBlob(blobRaw, m.ID, m.Raw)
	}
	return nil
}

// Blob owners.
const (
	blobRaw        = "raw"
	blobAttachment = "attachment"
)

// chunkSize is the largest value one insert binds.
const chunkSize = 1 << 20

// putBlob stores data in chunks.
func (tx *Tx) putBlob(owner string, ref int64, data []byte) error {
	for seq := 0; seq == 0 || seq*chunkSize < len(data); seq++ {
		chunk := data[seq*chunkSize : min((seq+1)*chunkSize, len(data))]
		if _, err := tx.exec(`INSERT INTO blob_chunks (owner, ref, seq, data) VALUES (?, ?, ?, ?)`, owner, ref, seq, chunk); err != nil {
			return fmt.Errorf("store: %s %d: %w", owner, ref, err)
		}
	}
	return nil
}

// putBlobFile stores a file's content in chunks, holding one chunk at a
// time in memory.
func (tx *Tx) putBlobFile(owner string, ref int64, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", owner, ref, err)
	}
	defer f.Close()
	chunk := make([]byte, chunkSize)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(f, chunk)
		if n > 0 || seq == 0 {
			if _, err := tx.exec(`INSERT INTO blob_chunks (owner, ref, seq, data) VALUES (?, ?, ?, ?)`, owner, ref, seq, chunk[:n]); err != nil {
				return fmt.Errorf("store: %s %d: %w", owner, ref, err)
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store: %s %d: %w", owner, ref, err)
		}
	}
}

func (s *Store) blob(ctx context.Context, owner string, ref int64) ([]byte, bool, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT data FROM blob_chunks WHERE owner = ? AND ref = ? ORDER BY seq`, owner, ref)
	if err != nil {
		return nil, false, fmt.Errorf("store: %s %d: %w", owner, ref, err)
	}
	defer rows.Close()
	var out []byte
	found := false
	for rows.Next() {
		var chunk []byte
		if err := rows.Scan(&chunk); err != nil {
			return nil, false, fmt.Errorf("store: %s %d: %w", owner, ref, err)
		}
		out = append(out, chunk...)
		found = true
	}
	if found && out == nil {
		out = []byte{}
	}
	return out, found, rows.Err()
}

// RawMessage returns the raw message of a ledger row, while it is kept.
func (s *Store) RawMessage(ctx context.Context, id int64) ([]byte, bool, error) {
	return s.blob(ctx, blobRaw, id)
}

// AttachmentContent returns an attachment's content, when it was kept.
func (s *Store) AttachmentContent(ctx context.Context, id int64) ([]byte, bool, error) {
	return s.blob(ctx, blobAttachment, id)
}

// MarkMoved records that the message left INBOX.
func (s *Store) MarkMoved(ctx context.Context, ids []int64, at time.Time) error {
	return s.Tx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if _, err := tx.exec(`UPDATE messages SET moved_at = ? WHERE id = ?`, ts(at), id); err != nil {
				return fmt.Errorf("store: mark moved: %w", err)
			}
		}
		return nil
	})
}

// Attachment is a stored attachment.
type Attachment struct {
	ID          int64  `json:"id"`
	MessageRow  int64  `json:"-"`
	CaseID      string `json:"-"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Content     []byte `json:"-"`
	File        string `json:"-"` // or the file holding the content, read in chunks
	Dropped     string `json:"dropped,omitempty"`
}

// AddAttachment stores one attachment of a ledger message.
func (tx *Tx) AddAttachment(a *Attachment) error {
	var caseID any
	if a.CaseID != "" {
		caseID = a.CaseID
	}
	res, err := tx.exec(`INSERT INTO attachments (message, case_id, filename, content_type, size, sha256, dropped, kept)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.MessageRow, caseID, a.Filename, a.ContentType, a.Size, a.SHA256, a.Dropped,
		a.Content != nil || a.File != "")
	if err != nil {
		return fmt.Errorf("store: attachment %q: %w", a.Filename, err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if a.File != "" {
		return tx.putBlobFile(blobAttachment, a.ID, a.File)
	}
	if a.Content != nil {
		return tx.putBlob(blobAttachment, a.ID, a.Content)
	}
	return nil
}

// Attachments returns a case's attachments, without content.
func (s *Store) Attachments(ctx context.Context, caseID string) ([]Attachment, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, message, filename, content_type, size, sha256, dropped
		FROM attachments WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.MessageRow, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.Dropped); err != nil {
			return nil, err
		}
		a.CaseID = caseID
		out = append(out, a)
	}
	return out, rows.Err()
}

// PurgeRaw forgets the raw messages received before t (the audit period)
// and returns how many were purged.
func (s *Store) PurgeRaw(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`DELETE FROM blob_chunks WHERE owner = 'raw' AND ref IN
			(SELECT id FROM messages WHERE raw_kept = 1 AND received_at < ?)`, ts(before)); err != nil {
			return err
		}
		res, err := tx.exec(`UPDATE messages SET raw_kept = 0 WHERE raw_kept = 1 AND received_at < ?`, ts(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: purge raw messages: %w", err)
	}
	return n, nil
}

// Event is one entry of a case's timeline.
type Event struct {
	ID      int64     `json:"id"`
	CaseID  string    `json:"-"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Actor   string    `json:"actor"`
	Role    Role      `json:"role,omitempty"`
	Message int64     `json:"message,omitempty"`
	Outbox  int64     `json:"outbox,omitempty"`
	Summary string    `json:"summary"`
	Body    string    `json:"body,omitempty"`
}

// Event kinds.
const (
	EventCreated  = "created"
	EventReceived = "received"
	EventQueued   = "queued"
	EventSent     = "sent"
	EventFailed   = "send_failed"
	EventBounced  = "bounced"
	EventRefused  = "refused"
	// The case's life (commands, dialogue, forwards).
	EventChanged   = "changed"   // level, parties, themes, publication
	EventStatus    = "status"    // closed, reopened
	EventQuestion  = "question"  // a process leader's question to the reporter
	EventForwarded = "forwarded" // sent to a party's representative
	EventAnswer    = "answer"    // a party's answer
	EventFeedback  = "feedback"  // feedback to the reporter
	EventRaised    = "raised"    // on the next meeting's agenda
	EventDecision  = "decision"
	EventNote      = "note"
	EventReminder  = "reminder"
	EventAutoReply = "auto_reply" // an out-of-office reply: noted, not relayed
	EventNotice    = "notice"     // a status notice to the reporter
	EventStatusAsk = "status_ask" // someone asked for the case's status (/status)
)

// AddEvent appends to a case's timeline.
func (tx *Tx) AddEvent(e *Event) error {
	nz := func(v int64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	res, err := tx.exec(`INSERT INTO events (case_id, at, kind, actor, role, message, outbox, summary, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.CaseID, ts(e.At), e.Kind, e.Actor, string(e.Role), nz(e.Message), nz(e.Outbox), e.Summary, e.Body)
	if err != nil {
		return fmt.Errorf("store: event on %s: %w", e.CaseID, err)
	}
	e.ID, err = res.LastInsertId()
	if err == nil {
		err = tx.Touch(e.CaseID, e.At)
	}
	return err
}

// AddEvent appends to a case's timeline in a transaction of its own.
func (s *Store) AddEvent(ctx context.Context, e *Event) error {
	return s.Tx(ctx, func(tx *Tx) error { return tx.AddEvent(e) })
}

// HasEventSince reports whether the case has an event of kind by actor
// at or after since.
func (tx *Tx) HasEventSince(caseID, kind, actor string, since time.Time) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT count(*) FROM events WHERE case_id = ? AND kind = ? AND actor = ? AND at >= ?`,
		caseID, kind, actor, ts(since)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: events of %s: %w", caseID, err)
	}
	return n > 0, nil
}

// Timeline returns a case's events in order.
func (s *Store) Timeline(ctx context.Context, caseID string) ([]Event, error) {
	return scanEvents(s.rdb.QueryContext(ctx, timelineQuery, caseID))
}

// Timeline returns a case's events in order.
func (tx *Tx) Timeline(caseID string) ([]Event, error) {
	return scanEvents(tx.query(timelineQuery, caseID))
}

const timelineQuery = `SELECT id, case_id, at, kind, actor, role, coalesce(message, 0), coalesce(outbox, 0), summary, body
	FROM events WHERE case_id = ? ORDER BY id`

func scanEvents(rows *sql.Rows, err error) ([]Event, error) {
	if err != nil {
		return nil, fmt.Errorf("store: timeline: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&e.ID, &e.CaseID, &at, &e.Kind, &e.Actor, &e.Role, &e.Message, &e.Outbox, &e.Summary, &e.Body); err != nil {
			return nil, err
		}
		e.At = parseTS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// NextUID is the UID after the highest one the ledger holds of mailbox
// (the web form's submissions, which no IMAP server numbers).
func (s *Store) NextUID(ctx context.Context, mailbox string) (uint32, error) {
	var n uint32
	err := s.rdb.QueryRowContext(ctx, `SELECT COALESCE(MAX(uid), 0) + 1 FROM messages WHERE mailbox = ?`, mailbox).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: next uid of %s: %w", mailbox, err)
	}
	return n, nil
}

// MovedUIDs returns the UIDs of a mailbox's messages that were recorded
// and moved (or copied) out of it.
func (s *Store) MovedUIDs(ctx context.Context, mailbox string, uidValidity uint32) ([]uint32, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT uid FROM messages WHERE mailbox = ? AND uidvalidity = ? AND moved_at IS NOT NULL`,
		mailbox, uidValidity)
	return column[uint32](rows, err, "moved messages")
}

// LedgerStats counts the messages seen, and those not yet moved out of
// INBOX.
func (s *Store) LedgerStats(ctx context.Context) (total, unmoved int, err error) {
	err = s.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM messages WHERE moved_at IS NULL)`).
		Scan(&total, &unmoved)
	return total, unmoved, err
}

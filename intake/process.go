// Package intake turns the shared mailbox into cases: it watches the
// mailbox over IMAP (Watcher), and for each message (Processor) decodes
// it, classifies it, records it and queues its replies in one transaction,
// and only then moves it out of INBOX to the folder of its outcome.
//
// Its sub-packages do the pure work: parse (MIME), form (the blanket),
// quote (quoted history), classify (what a message is), ident (our
// identifiers) and store (SQLite).
package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"lexheller/intake/classify"
	"lexheller/intake/form"
	"lexheller/intake/parse"
	"lexheller/intake/similar"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

// Folders a processed message is moved to, by outcome.
const (
	FolderDone       = "Lex Heller/Behandlade"
	FolderIncomplete = "Lex Heller/Ofullständiga"
	FolderIgnored    = "Lex Heller/Ignorerade"
	FolderQuarantine = "Lex Heller/Karantän"
)

// Folder returns the folder for a kind.
func Folder(k classify.Kind) string {
	switch k {
	case classify.NewCase, classify.Reply, classify.Command, classify.FormRequest:
		return FolderDone
	case classify.InvalidForm:
		return FolderIncomplete
	case classify.IgnoreAuto, classify.IgnoreBounce, classify.IgnoreLoop:
		return FolderIgnored
	}
	return FolderQuarantine
}

// Processor records messages. Set every field but Logger and Now.
type Processor struct {
	Store    *store.Store
	Classify *classify.Options
	Composer *notify.Composer
	Lang     string
	// Parse limits, e.g. the attachment bytes kept per message.
	Parse *parse.Options
	// Queue governs the rate ladder of automatic mail.
	Queue *store.QueueOptions
	// SuppressFor is how long an address that bounced permanently gets no
	// automatic mail; zero means 60 days.
	SuppressFor time.Duration
	// KeepRaw keeps the raw message in the ledger (for the audit period).
	KeepRaw bool
	Logger  *slog.Logger
	Now     func() time.Time
	// Queued is called after a commit that queued mail; it may be nil.
	Queued func()
	// Schedule of reminders and agendas; nil means the defaults.
	Schedule *Schedule
	// Similar finds earlier cases like a new one for the process leaders'
	// notification; nil leaves them out.
	Similar *similar.Index
	// Report is when the pattern report goes to the working group; nil
	// sends none.
	Report *ReportSchedule
}

// Incoming is one raw message and where it was found.
type Incoming struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	Raw         []byte
	Forbund     string // the mailbox's förbund, "" for a shared mailbox
}

// Outcome is what became of a message.
type Outcome struct {
	Kind      classify.Kind
	Reason    string
	Case      string
	Folder    string
	Duplicate bool // already in the ledger: only moved
	Ledger    int64
	MessageID string
	Queued    int
}

func (p *Processor) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Processor) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}

// prepared is a message decoded and classified, before the transaction.
type prepared struct {
	in    Incoming
	key   string
	sha   string
	msg   *parse.Message
	res   *classify.Result
	dup   *store.Message
	out   Outcome
	mails []*store.OutMail // queued with it
	start time.Time
	// similar is the new case's text, indexed once it has committed.
	similar string
}

// Process records a batch of messages in one transaction and returns
// their outcomes in order. When the batch cannot be committed, each message
// is tried on its own, so one bad message does not hold up the others; a
// message that still fails is reported with its error in the returned
// error and gets no outcome (its Folder is "").
func (p *Processor) Process(ctx context.Context, batch []Incoming) ([]Outcome, error) {
	ps := make([]*prepared, len(batch))
	defer func() {
		// Attachments spilled to files are in the store now, or will be
		// read again with the message.
		for _, pr := range ps {
			if pr != nil && pr.msg != nil {
				pr.msg.RemoveFiles()
			}
		}
	}()
	for i, in := range batch {
		pr, err := p.prepare(ctx, in)
		if err != nil {
			return nil, err
		}
		ps[i] = pr
	}
	err := p.commit(ctx, ps)
	if err != nil {
		// Nothing of the batch was recorded: no message may be moved.
		for _, pr := range ps {
			pr.out = Outcome{}
		}
	}
	if err != nil && len(ps) > 1 && ctx.Err() == nil {
		p.logger().Warn("batch failed; recording one by one", "err", err, "size", len(ps))
		var errs []error
		for _, pr := range ps {
			pr.out = Outcome{}
			if err := p.commit(ctx, []*prepared{pr}); err != nil {
				pr.out = Outcome{}
				errs = append(errs, fmt.Errorf("uid %d: %w", pr.in.UID, err))
			}
		}
		err = errors.Join(errs...)
	}
	outs := make([]Outcome, len(ps))
	for i, pr := range ps {
		outs[i] = pr.out
	}
	if err == nil {
		for _, pr := range ps {
			p.logger().Info("message handled", "mailbox", pr.in.Mailbox, "uid", pr.in.UID, "message_id", pr.out.MessageID,
				"kind", pr.out.Kind, "case", pr.out.Case, "duplicate", pr.out.Duplicate, "queued", pr.out.Queued,
				"duration", time.Since(pr.start).Round(time.Microsecond))
		}
		if p.Queued != nil {
			for _, o := range outs {
				if o.Queued > 0 {
					p.Queued()
					break
				}
			}
		}
	}
	return outs, err
}

func (p *Processor) prepare(ctx context.Context, in Incoming) (*prepared, error) {
	pr := &prepared{in: in, start: time.Now()}
	sum := sha256.Sum256(in.Raw)
	pr.sha = hex.EncodeToString(sum[:])
	m, err := parse.Parse(bytes.NewReader(in.Raw), p.Parse)
	if err != nil {
		pr.key = store.LedgerKey("", pr.sha)
		pr.res = &classify.Result{Kind: classify.Quarantine, Reason: "unreadable: " + err.Error()}
	} else {
		pr.msg = m
		pr.key = store.LedgerKey(m.MessageID, pr.sha)
	}
	dup, found, err := p.Store.Seen(ctx, pr.key)
	if err != nil {
		if m != nil {
			m.RemoveFiles()
		}
		return nil, err
	}
	if found {
		pr.dup = dup
		return pr, nil
	}
	if pr.res == nil {
		opts := *p.Classify
		opts.MailboxForbund = in.Forbund
		res, err := classify.Classify(ctx, m, &opts, p.Store)
		if err != nil {
			m.RemoveFiles()
			return nil, err
		}
		pr.res = res
	}
	return pr, nil
}

func (p *Processor) commit(ctx context.Context, ps []*prepared) error {
	err := p.Store.Tx(ctx, func(tx *store.Tx) error {
		for _, pr := range ps {
			pr.mails, pr.similar = nil, ""
			if pr.dup == nil {
				// A copy of the same message earlier in this batch.
				if dup, found, err := tx.Seen(pr.key); err != nil {
					return err
				} else if found {
					pr.dup = dup
				}
			}
			if pr.dup != nil {
				k := classify.Kind(pr.dup.Kind)
				pr.out = Outcome{Kind: k, Reason: pr.dup.Reason, Case: pr.dup.CaseID, Folder: Folder(k), Duplicate: true, Ledger: pr.dup.ID}
				if pr.msg != nil {
					pr.out.MessageID = pr.msg.MessageID
				}
				continue
			}
			mails, err := p.record(tx, pr)
			if err != nil {
				return err
			}
			for _, m := range mails {
				if _, err := tx.QueueMail(m, p.Queue); err != nil {
					return err
				}
			}
			pr.mails = mails
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, pr := range ps {
		for _, m := range pr.mails {
			if m.Status == store.OutQueued {
				pr.out.Queued++
			}
		}
		if pr.similar != "" && p.Similar != nil {
			p.Similar.Add(pr.out.Case, pr.similar)
		}
	}
	return nil
}

// record writes one new message, and what follows from it, in tx. It
// returns the mails to queue.
func (p *Processor) record(tx *store.Tx, pr *prepared) ([]*store.OutMail, error) {
	now := p.now()
	res, m := pr.res, pr.msg
	row := &store.Message{
		Key: pr.key, Mailbox: pr.in.Mailbox, UIDValidity: pr.in.UIDValidity, UID: pr.in.UID,
		SHA256: pr.sha, Kind: string(res.Kind), Reason: res.Reason, CaseID: res.Case,
		Size: int64(len(pr.in.Raw)), ReceivedAt: now, Conversation: res.Conversation,
	}
	if p.KeepRaw || res.Kind == classify.Quarantine {
		// Quarantined mail is always kept: a person must be able to read it.
		row.Raw = pr.in.Raw
	}
	if m != nil {
		row.MessageID, row.From, row.Subject = m.MessageID, m.From.Address, form.MaskPII(m.Subject)
	}
	if res.Kind == classify.IgnoreBounce || res.Kind == classify.Quarantine {
		// A bounce names a case but is not part of its thread (see
		// bounced); a quarantined message must not thread anything.
		row.CaseID = ""
	}
	var mails []*store.OutMail
	var err error
	switch res.Kind {
	case classify.NewCase:
		mails, err = p.newCase(tx, pr, row, now)
	default:
		if err = tx.RecordMessage(row); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	pr.out = Outcome{Kind: res.Kind, Reason: res.Reason, Case: row.CaseID, Folder: Folder(res.Kind), Ledger: row.ID}
	if m != nil {
		pr.out.MessageID = m.MessageID
		if err := p.attachments(tx, m, row); err != nil {
			return nil, err
		}
	}
	var more []*store.OutMail
	switch res.Kind {
	case classify.Reply:
		more, err = p.dialogue(tx, pr, row, now)
	case classify.Command:
		more, err = p.commands(tx, pr, row, now)
	case classify.Quarantine:
		if res.Refused && res.Case != "" {
			// A process leader's address that the organisation's server
			// did not vouch for: kept in Karantän and noted on the case.
			err = tx.AddEvent(&store.Event{CaseID: res.Case, At: now, Kind: store.EventRefused, Actor: strings.ToLower(m.From.Address),
				Role: "unverified", Message: row.ID, Summary: p.say("Mejl i processledarens namn avvisat (%s); det ligger i Karantän",
					"Mail in a process leader's name refused (%s); it is in Karantän", res.Reason)})
		}
	case classify.FormRequest:
		more, err = p.compose(notify.Request{Kind: notify.KindForm, To: []string{m.From.Address}, InReplyTo: m.MessageID,
			ForbundName: p.forbundName(res.Forbund), Now: now})
	case classify.InvalidForm:
		more, err = p.compose(notify.Request{Kind: notify.KindIncomplete, To: []string{m.From.Address}, InReplyTo: m.MessageID,
			ForbundName: p.forbundName(res.Forbund), Fields: &res.Form.Fields, Written: res.Form.Labels, Missing: res.Form.Missing,
			PIIMasked: len(res.Form.PII) > 0, Name: res.Form.Fields.ReporterName, Now: now})
	case classify.IgnoreBounce:
		more, err = p.bounced(tx, pr, now)
	}
	return append(mails, more...), err
}

func (p *Processor) compose(req notify.Request) ([]*store.OutMail, error) {
	if req.Lang == "" {
		req.Lang = p.Lang
	}
	return p.Composer.Compose(req)
}

func (p *Processor) forbund(slug string) *classify.Forbund {
	for i := range p.Classify.Forbund {
		if p.Classify.Forbund[i].Slug == slug {
			return &p.Classify.Forbund[i]
		}
	}
	return &classify.Forbund{Slug: slug, Name: slug}
}

func (p *Processor) forbundName(slug string) string {
	if f := p.forbund(slug); f.Name != "" {
		return f.Name
	}
	return "Lex Heller"
}

func (p *Processor) newCase(tx *store.Tx, pr *prepared, row *store.Message, now time.Time) ([]*store.OutMail, error) {
	res, m := pr.res, pr.msg
	f := res.Form.Fields
	year := now.In(templates.Stockholm).Year()
	seq, err := tx.NextCaseSeq(year)
	if err != nil {
		return nil, err
	}
	c := &store.Case{
		ID: p.Classify.Signer.CaseID(year, seq), Year: year, Seq: seq, Forbund: res.Forbund, Status: store.StatusNew,
		Level: f.Level, Parties: f.Parties, OtherParty: f.OtherParty, EventDate: f.EventDate,
		ReporterName: f.ReporterName, ReporterEmail: f.ReporterEmail, ReporterPhone: f.ReporterPhone,
		ReporterOrg: f.ReporterOrg, Description: f.Description, Consequence: f.Consequence, Suggestion: f.Suggestion,
		ContactOK: f.ContactOK, PublishOK: f.PublishOK, PIIFound: len(res.Form.PII), Language: p.Lang,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.InsertCase(c); err != nil {
		return nil, err
	}
	row.CaseID = c.ID
	if err := tx.RecordMessage(row); err != nil {
		return nil, err
	}
	from := m.From.Address
	if err := tx.AddParticipant(c.ID, from, "reporter", "", now); err != nil {
		return nil, err
	}
	if f.ReporterEmail != "" && !strings.EqualFold(f.ReporterEmail, from) {
		if err := tx.AddParticipant(c.ID, f.ReporterEmail, "reporter", "", now); err != nil {
			return nil, err
		}
	}
	summary := "Anmälan mottagen från " + from
	if len(res.Form.PII) > 0 {
		summary += fmt.Sprintf(" (personnummer maskerade: %d)", len(res.Form.PII))
	}
	if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventCreated, Actor: from, Role: "reporter",
		Message: row.ID, Summary: summary, Body: form.MaskPII(res.Text)}); err != nil {
		return nil, err
	}
	pr.similar = SimilarText(c)
	fb := p.forbund(c.Forbund)
	atts := attachmentRows(m)
	like, err := p.similarTo(tx, c)
	if err != nil {
		return nil, err
	}
	ack, err := p.compose(notify.Request{Kind: notify.KindAck, To: []string{from}, Case: c, ForbundName: fb.Name,
		InReplyTo: m.MessageID, References: m.References, PIIMasked: c.PIIFound > 0, Now: now})
	if err != nil {
		return nil, err
	}
	var leaders []*store.OutMail
	if len(fb.ProcessLeaders) > 0 {
		leaders, err = p.compose(notify.Request{Kind: notify.KindNotifyNew, To: fb.ProcessLeaders, Case: c,
			ForbundName: fb.Name, PIIMasked: c.PIIFound > 0, Attachments: atts, Similar: like, Now: now})
		if err != nil {
			return nil, err
		}
	}
	return append(ack, leaders...), nil
}

// SimilarText is what of a case the similarity index reads.
func SimilarText(c *store.Case) string {
	return c.Description + "\n" + c.Consequence + "\n" + c.Suggestion
}

// similarTo returns the earlier cases most like c, at most three, and
// marks c to be indexed once it has committed.
func (p *Processor) similarTo(tx *store.Tx, c *store.Case) ([]notify.SimilarCase, error) {
	if p.Similar == nil {
		return nil, nil
	}
	var out []notify.SimilarCase
	for _, m := range p.Similar.Similar(SimilarText(c), 3, c.ID) {
		if m.Score < MinSimilarity {
			break
		}
		other, err := tx.Case(m.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// Another förbund's case may be listed: its line carries no one's name.
		other.Description = form.Deidentify(other.Description, other.Reporter())
		out = append(out, notify.SimilarCase{Case: other, Score: m.Score})
	}
	return out, nil
}

// MinSimilarity is the score below which a case is not called similar.
const MinSimilarity = 0.1

// displayName is "Name <address>" as a person reads it (not RFC 2047
// encoded, since it goes into a template, not a header).
func displayName(a parse.Address) string {
	if a.Name == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

func attachmentRows(m *parse.Message) []store.Attachment {
	var out []store.Attachment
	for _, a := range m.Attachments {
		out = append(out, store.Attachment{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, Dropped: a.Dropped})
	}
	return out
}

func (p *Processor) attachments(tx *store.Tx, m *parse.Message, row *store.Message) error {
	for _, a := range m.Attachments {
		if err := tx.AddAttachment(&store.Attachment{MessageRow: row.ID, CaseID: row.CaseID, Filename: a.Filename,
			ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, Content: a.Content, File: a.File, Dropped: a.Dropped}); err != nil {
			return err
		}
	}
	return nil
}

// bounced marks the outbox rows a bounce returns and tells the process
// leaders.
func (p *Processor) bounced(tx *store.Tx, pr *prepared, now time.Time) ([]*store.OutMail, error) {
	var mails []*store.OutMail
	permanent := !strings.Contains(strings.ToLower(pr.msg.Text), "action: delayed")
	until := time.Time{}
	if permanent {
		d := p.SuppressFor
		if d <= 0 {
			d = 60 * 24 * time.Hour
		}
		until = now.Add(d)
	}
	reason := "returned" // the templates word these codes
	if !permanent {
		reason = "delayed"
	}
	for _, id := range pr.res.Bounced {
		out, err := tx.OutboxByMessageID(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := tx.MarkBounced(out, now, reason, until); err != nil {
			return nil, err
		}
		var c *store.Case
		fb := p.forbund("")
		if out.CaseID != "" {
			if err := tx.AddEvent(&store.Event{CaseID: out.CaseID, At: now, Kind: store.EventBounced, Actor: pr.msg.From.Address,
				Role: "system", Outbox: out.ID, Summary: "Mejlet till " + out.To + " kom i retur: " + out.Subject}); err != nil {
				return nil, err
			}
			if full, err := tx.Case(out.CaseID); err == nil {
				c = full
				fb = p.forbund(c.Forbund)
			}
		}
		// A notice to the process leaders that bounces is not reported
		// to them again by mail: that could loop.
		if out.Kind == notify.KindBounceNotice || out.Kind == notify.KindSendFailed || slices.Contains(fb.ProcessLeaders, out.To) {
			continue
		}
		if len(fb.ProcessLeaders) == 0 {
			continue
		}
		ms, err := p.compose(notify.Request{Kind: notify.KindBounceNotice, To: fb.ProcessLeaders, Case: c,
			ForbundName: fb.Name, Failed: out, Reason: reason, Now: now})
		if err != nil {
			return nil, err
		}
		mails = append(mails, ms...)
	}
	return mails, nil
}

// FailureNotice returns the Sender.OnFailed hook: it queues a notice of a
// failed mail to the process leaders of its case's förbund.
func (p *Processor) FailureNotice() func(tx *store.Tx, m *store.OutMail) error {
	return func(tx *store.Tx, m *store.OutMail) error {
		if m.Kind == notify.KindSendFailed || m.Kind == notify.KindBounceNotice {
			return nil
		}
		var c *store.Case
		fb := p.forbund("")
		if m.CaseID != "" {
			if full, err := tx.Case(m.CaseID); err == nil {
				c = full
				fb = p.forbund(c.Forbund)
			}
		} else if len(p.Classify.Forbund) > 0 {
			fb = &p.Classify.Forbund[0]
		}
		if len(fb.ProcessLeaders) == 0 || slices.Contains(fb.ProcessLeaders, m.To) {
			return nil
		}
		ms, err := p.compose(notify.Request{Kind: notify.KindSendFailed, To: fb.ProcessLeaders, Case: c,
			ForbundName: fb.Name, Failed: m, Now: p.now()})
		if err != nil {
			return err
		}
		for _, o := range ms {
			if _, err := tx.QueueMail(o, p.Queue); err != nil {
				return err
			}
		}
		return nil
	}
}

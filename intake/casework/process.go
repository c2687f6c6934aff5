// Package casework is lexheller's workflow core: a case's life. Every door
// hands it what came in (intake's mailbox watcher a batch of raw messages;
// the command line a process leader's commands; the import an old sheet's
// rows) and it decides, in one store transaction, what that is and what
// follows: a new case and its acknowledgement, a reply relayed, commands
// applied, a forward de-identified, an answer recorded; reminders, agendas
// and the pattern report fall due on a schedule; personal data goes when
// its time is up. It queues mail (notify composes it; the outbox sender
// sends it) and never touches IMAP, SMTP or HTTP itself.
package casework

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"lexheller/intake/classify"
	"lexheller/intake/config"
	"lexheller/intake/docx"
	"lexheller/intake/form"
	"lexheller/intake/ident"
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

// Folders are the outcome folders, created where they are missing.
var Folders = []string{FolderDone, FolderIncomplete, FolderIgnored, FolderQuarantine}

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
	// AttachDocx attaches the blanket as a Word document to the blank form
	// sent to whoever asks for it.
	AttachDocx bool
	// FormURL is the web form's public address, named in the
	// acknowledgement; "" names none.
	FormURL string

	pages atomic.Pointer[templates.Pages] // the report's HTML page; nil: the built-in
	webMu sync.Mutex                      // one web form submission at a time (their UIDs)

	// hook is for tests: called before a message is read ("read") and
	// inside its transaction ("record"); an error fails that message.
	hook func(stage string, in Incoming) error
	// scheduleHook is for tests: called before each item of scheduled
	// work ("reminder of LH-2026-0001"); an error or a panic fails it.
	scheduleHook func(what string) error
}

// Reload reads the mail templates and the report's pages of dir again
// (SIGHUP): an operator's edited overrides take effect without a restart.
// What cannot be used leaves what is in use in place; the error says
// which.
func (p *Processor) Reload(dir string) error {
	var errs []error
	if set, err := templates.Load(dir); err != nil {
		errs = append(errs, fmt.Errorf("mail templates not reloaded; the ones in use stay: %w", err))
	} else {
		p.Composer.SetTemplates(set)
	}
	if pages, err := templates.LoadPages(dir); err != nil {
		errs = append(errs, fmt.Errorf("pages not reloaded; the ones in use stay: %w", err))
	} else {
		p.SetPages(pages)
	}
	return errors.Join(errs...)
}

// SetPages sets the HTML pages the report mail is rendered with (an
// operator's overrides); safe while the Processor runs (SIGHUP).
func (p *Processor) SetPages(pages *templates.Pages) { p.pages.Store(pages) }

// Incoming is one raw message and where it was found.
type Incoming struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	Raw         []byte
	Forbund     string // the mailbox's förbund, "" for a shared mailbox
	// Hold keeps a new case from being acknowledged until a process
	// leader releases it (a web form submission from outside the member
	// agencies: the address typed may be a stranger's); nothing is sent
	// to that address meanwhile.
	Hold bool
	// Form is the blanket as a form gave it, field by field (the web
	// form): it stands for the fields read from the text, so nothing typed
	// in a text box is taken for a label, and Forbund for the förbund
	// named in it.
	Form *form.Result
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
	in      Incoming
	key     string
	sha     string
	content string // store.ContentHash of the sender and body
	reused  bool   // another message came under the same Message-ID before
	msg     *parse.Message
	res     *classify.Result
	dup     *store.Message
	out     Outcome
	mails   []*store.OutMail // queued with it
	start   time.Time
	// similar is the new case's text, indexed once it has committed.
	similar string
	// faulted is set when the message is quarantined because handling it
	// failed: it is recorded with nothing but the notice that says so.
	faulted bool
	detail  string // a faulted message's error, for the ledger
}

// MaxAttempts is how often recording a message may fail before it is
// quarantined.
const MaxAttempts = 3

// CrashLoopDeaths is how many deaths in a row, with a message in hand
// alone, quarantine it unread at the next start (the third, when the
// first death was with it alone). A message in hand when the process was
// killed once is handled as usual at the next start.
const CrashLoopDeaths = 2

// PanicError is a panic while a message was handled: a fault in
// lexheller, not in the mail server or the database.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Safely runs f and turns a panic into a *PanicError.
func Safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return f()
}

// Process records a batch of messages and returns their outcomes in order.
// A message is moved (its Folder set) only once its record has committed.
//
// One message cannot hold up the others: a panic while one is read is
// caught and the message quarantined; when the batch cannot be committed,
// each message is tried on its own, and one that still fails has the
// failure recorded and is quarantined at the MaxAttempts-th. A message
// that was in hand when the process died is handled on its own, and one
// that was in hand alone at CrashLoopDeaths deaths in a row is
// quarantined without being read again. A failure of the store itself
// (the disk, the database) quarantines nothing: it is returned, and the messages stay
// in INBOX.
func (p *Processor) Process(ctx context.Context, batch []Incoming) ([]Outcome, error) {
	outs := make([]Outcome, len(batch))
	var rest []Incoming
	var restAt []int
	var errs []error
	suspects, err := p.suspects(ctx, batch)
	if err != nil {
		return nil, err
	}
	for i, in := range batch {
		if !suspects[i] {
			rest, restAt = append(rest, in), append(restAt, i)
			continue
		}
		o, err := p.processAlone(ctx, in)
		if err != nil {
			errs = append(errs, err)
		}
		outs[i] = o
	}
	if len(rest) > 0 {
		os, err := p.processBatch(ctx, rest)
		if err != nil {
			errs = append(errs, err)
		}
		for j, o := range os {
			outs[restAt[j]] = o
		}
	}
	return outs, errors.Join(errs...)
}

// suspects marks the messages of batch that were in hand when the process
// died.
func (p *Processor) suspects(ctx context.Context, batch []Incoming) ([]bool, error) {
	out := make([]bool, len(batch))
	type box struct {
		name string
		uv   uint32
	}
	uids := map[box][]uint32{}
	for _, in := range batch {
		b := box{in.Mailbox, in.UIDValidity}
		uids[b] = append(uids[b], in.UID)
	}
	for b, list := range uids {
		pend, err := p.Store.PendingOf(ctx, b.name, b.uv, list)
		if err != nil {
			return nil, err
		}
		for i, in := range batch {
			if in.Mailbox == b.name && in.UIDValidity == b.uv && pend[in.UID] != nil && pend[in.UID].Suspect() {
				out[i] = true
			}
		}
	}
	return out, nil
}

// processAlone handles a message that was in hand when the process died:
// on its own, or, after CrashLoopDeaths deaths in a row with it alone,
// not at all (unless it was recorded before: then it is only moved).
func (p *Processor) processAlone(ctx context.Context, in Incoming) (Outcome, error) {
	deaths, err := p.Store.Deaths(ctx, in.Mailbox, in.UIDValidity, in.UID)
	if err != nil {
		return Outcome{}, err
	}
	if deaths >= CrashLoopDeaths {
		// Recorded before (the process died after its commit, before the
		// move): it is only moved.
		if row, found, err := p.Store.LedgerByUID(ctx, in.Mailbox, in.UIDValidity, in.UID); err != nil {
			return Outcome{}, err
		} else if found {
			if err := p.Store.Tx(ctx, func(tx *store.Tx) error { return tx.Handled(in.Mailbox, in.UIDValidity, in.UID) }); err != nil {
				return Outcome{}, err
			}
			k := classify.Kind(row.Kind)
			return Outcome{Kind: k, Reason: row.Reason, Case: row.CaseID, Folder: Folder(k), Duplicate: true, Ledger: row.ID, MessageID: row.MessageID}, nil
		}
		pr := &prepared{in: in, start: time.Now()}
		p.logger().Error("the process died with this message in hand, alone, again and again; quarantined unread", "mailbox", in.Mailbox, "uid", in.UID, "deaths", deaths)
		err := p.quarantine(ctx, pr, fmt.Sprintf("internt fel vid behandling: Lex Heller stannade %d gånger i rad medan meddelandet behandlades, så det har inte lästs igen", deaths), "")
		return pr.out, err
	}
	p.logger().Warn("message was in hand when the process stopped; handling it on its own", "mailbox", in.Mailbox, "uid", in.UID)
	outs, err := p.processBatch(ctx, []Incoming{in})
	if len(outs) == 0 {
		return Outcome{}, err
	}
	return outs[0], err
}

// processBatch records messages in one transaction, or one by one when
// that fails.
func (p *Processor) processBatch(ctx context.Context, batch []Incoming) ([]Outcome, error) {
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
	hand := store.HandBatch
	if len(batch) == 1 {
		hand = store.HandAlone
	}
	if err := p.takeInHand(ctx, batch, hand); err != nil {
		return nil, err
	}
	for i, in := range batch {
		var pr *prepared
		err := Safely(func() (err error) {
			if p.hook != nil {
				p.hook("read", in)
			}
			pr, err = p.prepare(ctx, in)
			return err
		})
		var pe *PanicError
		switch {
		case errors.As(err, &pe):
			pr = &prepared{in: in, start: time.Now(), sha: rawSHA(in.Raw), faulted: true}
			p.logPanic(pr, pe)
			pr.res = &classify.Result{Kind: classify.Quarantine, Reason: ReasonInternal}
		case err != nil:
			p.releaseHand(ctx, batch)
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
	if err != nil && ctx.Err() == nil {
		if len(ps) > 1 {
			p.logger().Warn("batch failed; recording one by one", "err", err, "size", len(ps))
		}
		var errs []error
		for _, pr := range ps {
			e := err
			if len(ps) > 1 {
				if e = p.commit(ctx, []*prepared{pr}); e == nil {
					continue
				}
				pr.out = Outcome{}
			}
			if e := p.failed(ctx, pr, e); e != nil {
				errs = append(errs, fmt.Errorf("uid %d: %w", pr.in.UID, e))
			}
		}
		err = errors.Join(errs...)
	}
	outs := make([]Outcome, len(ps))
	var unrecorded []Incoming
	for i, pr := range ps {
		outs[i] = pr.out
		if pr.out.Folder == "" {
			unrecorded = append(unrecorded, pr.in)
			continue
		}
		p.logger().Info("message handled", "mailbox", pr.in.Mailbox, "uid", pr.in.UID, "message_id", pr.out.MessageID,
			"kind", pr.out.Kind, "reason", pr.out.Reason, "case", pr.out.Case, "duplicate", pr.out.Duplicate,
			"queued", pr.out.Queued, "duration", time.Since(pr.start).Round(time.Microsecond))
	}
	p.releaseHand(ctx, unrecorded)
	if p.Queued != nil {
		for _, o := range outs {
			if o.Queued > 0 {
				p.Queued()
				break
			}
		}
	}
	return outs, err
}

// ReasonInternal is the quarantine reason of a message whose handling hit
// a fault in lexheller.
const ReasonInternal = "internt fel vid behandling"

func (p *Processor) logPanic(pr *prepared, pe *PanicError) {
	id := ""
	if pr.msg != nil {
		id = pr.msg.MessageID
	} else {
		id = rawMessageID(pr.in.Raw) // the panic came before the message was read
	}
	p.logger().Error("panic while handling a message; it goes to Karantän", "mailbox", pr.in.Mailbox, "uid", pr.in.UID,
		"message_id", id, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
}

func (p *Processor) takeInHand(ctx context.Context, batch []Incoming, hand int) error {
	for _, g := range byMailbox(batch) {
		if err := p.Store.TakeInHand(ctx, g.mailbox, g.uidValidity, g.uids, hand, p.now()); err != nil {
			return err
		}
	}
	return nil
}

// releaseHand clears the in-hand mark of messages left unrecorded, so that
// they are not taken for messages that killed the process.
func (p *Processor) releaseHand(ctx context.Context, batch []Incoming) {
	for _, g := range byMailbox(batch) {
		if err := p.Store.ReleaseHand(context.WithoutCancel(ctx), g.mailbox, g.uidValidity, g.uids); err != nil {
			p.logger().Warn("clearing the in-hand mark failed", "err", err)
		}
	}
}

type mailboxUIDs struct {
	mailbox     string
	uidValidity uint32
	uids        []uint32
}

func byMailbox(batch []Incoming) []mailboxUIDs {
	var out []mailboxUIDs
	for _, in := range batch {
		if n := len(out); n > 0 && out[n-1].mailbox == in.Mailbox && out[n-1].uidValidity == in.UIDValidity {
			out[n-1].uids = append(out[n-1].uids, in.UID)
			continue
		}
		out = append(out, mailboxUIDs{in.Mailbox, in.UIDValidity, []uint32{in.UID}})
	}
	return out
}

// failed deals with a message that could not be recorded on its own: a
// fault in lexheller quarantines it at once; another error is counted, and
// quarantines it at the MaxAttempts-th; a failing store is only returned.
func (p *Processor) failed(ctx context.Context, pr *prepared, err error) error {
	var pe *PanicError
	switch {
	case errors.As(err, &pe):
		p.logPanic(pr, pe)
		return p.quarantine(ctx, pr, ReasonInternal+" (ett programfel i Lex Heller; detaljerna finns i loggen)", fmt.Sprint(pe.Value))
	case ctx.Err() != nil || store.Unavailable(err):
		return err
	}
	n, ferr := p.Store.Failed(context.WithoutCancel(ctx), pr.in.Mailbox, pr.in.UIDValidity, pr.in.UID, err.Error(), p.now())
	if ferr != nil {
		return errors.Join(err, ferr)
	}
	p.logger().Warn("recording a message failed", "mailbox", pr.in.Mailbox, "uid", pr.in.UID, "attempt", n, "of", MaxAttempts, "err", err)
	if n < MaxAttempts {
		return fmt.Errorf("attempt %d of %d: %w", n, MaxAttempts, err)
	}
	p.logger().Error("message quarantined after failed attempts", "mailbox", pr.in.Mailbox, "uid", pr.in.UID, "attempts", n, "err", err)
	return p.quarantine(ctx, pr, fmt.Sprintf("kunde inte registreras efter %d försök (felet finns i loggen)", n), err.Error())
}

// quarantine records pr as quarantined for reason, with its raw message
// and nothing else, and tells the process leaders.
// reason is what the process leaders read; detail, if any, is the error,
// kept with the message in the ledger (and inspect) after the reason.
func (p *Processor) quarantine(ctx context.Context, pr *prepared, reason, detail string) error {
	if pr.sha == "" {
		pr.sha = rawSHA(pr.in.Raw)
	}
	fb := ""
	if pr.res != nil {
		fb = pr.res.Forbund
	}
	pr.res = &classify.Result{Kind: classify.Quarantine, Reason: reason, Forbund: fb}
	pr.key, pr.dup, pr.faulted, pr.reused, pr.detail = "quarantine:"+pr.sha, nil, true, false, detail
	return p.commit(context.WithoutCancel(ctx), []*prepared{pr})
}

func rawSHA(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func (p *Processor) prepare(ctx context.Context, in Incoming) (*prepared, error) {
	pr := &prepared{in: in, start: time.Now(), sha: rawSHA(in.Raw)}
	m, err := parse.Parse(bytes.NewReader(in.Raw), p.Parse)
	if err != nil {
		pr.key = store.LedgerKey("", pr.sha)
		pr.res = &classify.Result{Kind: classify.Quarantine, Reason: "unreadable: " + err.Error()}
	} else {
		pr.msg = m
		pr.key = store.LedgerKey(m.MessageID, pr.sha)
		if m.MessageID != "" {
			pr.content = store.ContentHash(m.From.Address, body(in.Raw))
		}
	}
	dup, found, err := p.seen(pr, func(key string) (*store.Message, bool, error) { return p.Store.Seen(ctx, key) })
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
		if in.Form != nil && (res.Kind == classify.NewCase || res.Kind == classify.InvalidForm) {
			formFields(res, in)
		}
		pr.res = res
	}
	return pr, nil
}

// formFields puts a form's fields (Incoming.Form) in the place of those
// classification read from the text; an attached document fills what the
// form left empty.
func formFields(res *classify.Result, in Incoming) {
	f := in.Form
	if res.Document != "" && res.Form != nil {
		f = form.Fill(in.Form, res.Form)
	}
	res.Form, res.Forbund = f, in.Forbund
	res.Form.Fields.Forbund = in.Forbund
	if len(f.Missing) == 0 {
		res.Kind, res.Reason = classify.NewCase, fmt.Sprintf("a blanket from the web form with %d fields", len(f.Labels))
	} else {
		res.Kind, res.Reason = classify.InvalidForm, "required fields missing: "+strings.Join(f.Missing, ", ")
	}
}

// seen looks pr up in the ledger. A message is a re-delivery of one seen
// before when its key matches and so does its content; a different message
// under a Message-ID already seen gets a key of its own.
func (p *Processor) seen(pr *prepared, lookup func(key string) (*store.Message, bool, error)) (*store.Message, bool, error) {
	dup, found, err := lookup(pr.key)
	if err != nil || !found || pr.content == "" || dup.ContentSHA == "" || dup.ContentSHA == pr.content {
		return dup, found, err
	}
	pr.key, pr.reused = store.KeyVariant(pr.key, pr.content), true
	return lookup(pr.key)
}

// body returns what follows the header of a raw message.
func body(raw []byte) []byte {
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 {
			return raw[i+len(sep):]
		}
	}
	return nil
}

func (p *Processor) commit(ctx context.Context, ps []*prepared) error {
	err := p.Store.Tx(ctx, func(tx *store.Tx) error {
		for _, pr := range ps {
			pr.mails, pr.similar = nil, ""
			if pr.dup == nil && !pr.faulted {
				// A copy of the same message earlier in this batch.
				if dup, found, err := p.seen(pr, tx.Seen); err != nil {
					return err
				} else if found {
					pr.dup = dup
				}
			} else if pr.faulted {
				if dup, found, err := tx.Seen(pr.key); err != nil {
					return err
				} else if found {
					pr.dup = dup // quarantined before
				}
			}
			if err := tx.Handled(pr.in.Mailbox, pr.in.UIDValidity, pr.in.UID); err != nil {
				return err
			}
			if pr.dup != nil {
				k := classify.Kind(pr.dup.Kind)
				pr.out = Outcome{Kind: k, Reason: pr.dup.Reason, Case: pr.dup.CaseID, Folder: Folder(k), Duplicate: true, Ledger: pr.dup.ID}
				if pr.msg != nil {
					pr.out.MessageID = pr.msg.MessageID
				}
				continue
			}
			var mails []*store.OutMail
			err := Safely(func() (err error) {
				if p.hook != nil && !pr.faulted {
					if err := p.hook("record", pr.in); err != nil {
						return err
					}
				}
				if pr.faulted {
					mails, err = p.recordFault(tx, pr)
				} else {
					mails, err = p.record(tx, pr)
				}
				return err
			})
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
		// Nothing of it committed: no outcome may send a message to a
		// folder.
		for _, pr := range ps {
			pr.out, pr.mails = Outcome{}, nil
		}
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

// recordFault records a message that could not be handled: in the ledger,
// quarantined with its raw message, and a notice to the process leaders.
// It reads nothing of the message beyond what was decoded already.
func (p *Processor) recordFault(tx *store.Tx, pr *prepared) ([]*store.OutMail, error) {
	now := p.now()
	row := &store.Message{
		Key: pr.key, Mailbox: pr.in.Mailbox, UIDValidity: pr.in.UIDValidity, UID: pr.in.UID,
		SHA256: pr.sha, Kind: string(classify.Quarantine), Reason: pr.res.Reason,
		Size: int64(len(pr.in.Raw)), ReceivedAt: now, Raw: pr.in.Raw,
	}
	if pr.detail != "" {
		row.Reason += ": " + pr.detail
	}
	body := notify.Quarantined{Reason: pr.res.Reason, Where: fmt.Sprintf("%s, UID %d", pr.in.Mailbox, pr.in.UID)}
	if m := pr.msg; m != nil {
		row.MessageID, row.From, row.Subject = m.MessageID, m.From.Address, form.MaskPII(m.Subject)
		body.From, body.Subject = m.From.Address, row.Subject
	}
	req := notify.Request{Now: now, Body: body}
	if err := tx.RecordMessage(row); err != nil {
		return nil, err
	}
	pr.out = Outcome{Kind: classify.Quarantine, Reason: row.Reason, Folder: FolderQuarantine, Ledger: row.ID, MessageID: row.MessageID}
	slug := pr.res.Forbund
	if slug == "" {
		slug = pr.in.Forbund
	}
	req.To = p.leadersOf(slug)
	if len(req.To) == 0 {
		return nil, nil
	}
	req.ForbundName = p.forbundName(slug)
	return p.compose(req)
}

// leadersOf returns the process leaders of a förbund, or of every förbund
// when slug is "" (a shared mailbox's message that names none).
func (p *Processor) leadersOf(slug string) []string {
	var out []string
	for _, f := range p.Classify.Forbund {
		if slug == "" || f.Slug == slug {
			for _, l := range f.ProcessLeaders {
				if !slices.Contains(out, l) {
					out = append(out, l)
				}
			}
		}
	}
	return out
}

// record writes one new message, and what follows from it, in tx. It
// returns the mails to queue.
func (p *Processor) record(tx *store.Tx, pr *prepared) ([]*store.OutMail, error) {
	now := p.now()
	res, m := pr.res, pr.msg
	row := &store.Message{
		Key: pr.key, Mailbox: pr.in.Mailbox, UIDValidity: pr.in.UIDValidity, UID: pr.in.UID,
		SHA256: pr.sha, Kind: string(res.Kind), Reason: res.Reason, CaseID: res.Case,
		Size: int64(len(pr.in.Raw)), ReceivedAt: now, Conversation: res.Conversation, ContentSHA: pr.content,
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
	if pr.reused {
		p.logger().Warn("a different message under a Message-ID seen before; recorded as a message of its own",
			"message_id", m.MessageID, "uid", pr.in.UID, "case", row.CaseID)
		if row.CaseID != "" {
			if err := tx.AddEvent(&store.Event{CaseID: row.CaseID, At: now, Kind: store.EventNote, Role: store.RoleSystem, Message: row.ID,
				Summary: p.text("message_id_reused")}); err != nil {
				return nil, err
			}
		}
	}
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
				Role: store.RoleUnverified, Message: row.ID, Summary: p.text("unverified_quarantined", res.Reason)})
		}
	case classify.FormRequest, classify.InvalidForm:
		if pr.in.Hold {
			// Held: nothing goes to an address that may be a stranger's.
			break
		}
		if res.Kind == classify.InvalidForm {
			more, err = p.incomplete(tx, m, res, now)
			break
		}
		more, err = p.compose(notify.Request{To: []string{m.From.Address}, InReplyTo: m.MessageID,
			ForbundName: p.forbundName(res.Forbund), Now: now, Body: notify.BlankForm{Files: p.blankDocx()}})
	case classify.IgnoreBounce:
		more, err = p.bounced(tx, pr, now)
	case classify.IgnoreAuto:
		err = p.autoReply(tx, pr, row, now)
	}
	return append(mails, more...), err
}

// unreadableOf is what the blanket of res says that could not be read.
func unreadableOf(res *classify.Result) []form.Unreadable {
	if res == nil || res.Form == nil {
		return nil
	}
	return res.Form.Unreadable
}

// autoReply notes an out-of-office reply on the case it answers, once a
// day per sender: the process leaders see why someone is silent.
// Nothing is relayed or answered, and the case's status and reminders
// stay as they are.
func (p *Processor) autoReply(tx *store.Tx, pr *prepared, row *store.Message, now time.Time) error {
	res, m := pr.res, pr.msg
	if res.AutoCase == "" || m == nil {
		return nil
	}
	from := strings.ToLower(m.From.Address)
	if seen, err := tx.HasEventSince(res.AutoCase, store.EventAutoReply, from, now.Add(-24*time.Hour)); err != nil || seen {
		return err
	}
	role, _, err := tx.Role(res.AutoCase, from)
	if err != nil {
		return err
	}
	return tx.AddEvent(&store.Event{CaseID: res.AutoCase, At: now, Kind: store.EventAutoReply, Actor: from, Role: role, Message: row.ID,
		Summary: p.text("auto_reply", from),
		Body:    form.MaskPII(res.Text)})
}

// compose renders req. A recipient no mail can be sent to (an address
// from a From header that parses but is none) is left out and logged:
// nothing is queued that can never be sent.
func (p *Processor) compose(req notify.Request) ([]*store.OutMail, error) {
	if req.Lang == "" {
		req.Lang = p.Lang
	}
	to := req.To[:0:0]
	for _, a := range req.To {
		if err := ident.Deliverable(a); err != nil {
			p.logger().Warn("recipient left out", "kind", req.Kind(), "err", err)
			continue
		}
		to = append(to, a)
	}
	if len(to) == 0 {
		return nil, nil
	}
	req.To = to
	return p.Composer.Compose(req)
}

func (p *Processor) forbund(slug string) *config.Forbund {
	for i := range p.Classify.Forbund {
		if p.Classify.Forbund[i].Slug == slug {
			return &p.Classify.Forbund[i]
		}
	}
	return &config.Forbund{Slug: slug, Name: slug}
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
	if err := tx.AddParticipant(c.ID, from, store.RoleReporter, "", now); err != nil {
		return nil, err
	}
	if f.ReporterEmail != "" && !strings.EqualFold(f.ReporterEmail, from) {
		if err := tx.AddParticipant(c.ID, f.ReporterEmail, store.RoleReporter, "", now); err != nil {
			return nil, err
		}
	}
	summary := p.text("case_created", from)
	switch n := len(res.Form.PII); {
	case n == 1:
		summary = p.text("case_created_masked_one", from)
	case n > 1:
		summary = p.text("case_created_masked", from, n)
	}
	if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventCreated, Actor: from, Role: store.RoleReporter,
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
	// A sender's address that parses may still be none to send to: the
	// case stands, and the process leaders are told that no
	// acknowledgement went out.
	var ack []*store.OutMail
	noAck := ""
	if pr.in.Hold {
		c.Held = true
		if err := tx.UpdateCase(c); err != nil {
			return nil, err
		}
		noAck = p.text("held_no_ack")
		if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventNote, Role: store.RoleSystem, Message: row.ID,
			Summary: p.text("no_acknowledgement", noAck)}); err != nil {
			return nil, err
		}
	} else if derr := ident.Deliverable(from); derr != nil {
		noAck = p.text("undeliverable_address", from)
		p.logger().Warn("new case from an address no mail can be sent to; no acknowledgement", "case", c.ID, "err", derr)
		if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventNote, Role: store.RoleSystem, Message: row.ID,
			Summary: p.text("no_acknowledgement", noAck)}); err != nil {
			return nil, err
		}
	} else if ack, err = p.compose(notify.Request{To: []string{from}, Case: c, ForbundName: fb.Name,
		InReplyTo: m.MessageID, References: m.References, Now: now,
		Body: p.ack(c, fb, form.MaskPII(res.Document), res.DocumentFilled)}); err != nil {
		return nil, err
	}
	var leaders []*store.OutMail
	if len(fb.ProcessLeaders) > 0 {
		leaders, err = p.compose(notify.Request{To: fb.ProcessLeaders, Case: c, ForbundName: fb.Name, Now: now,
			Body: notify.NewCase{PIIMasked: c.PIIFound > 0, Attachments: atts, Similar: like, NoAck: noAck, Unreadable: unreadableOf(pr.res),
				Names: form.LikelyNames(c.Description + "\n" + c.Consequence + "\n" + c.Suggestion)}})
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
		other.Description = form.Deidentify(other.ForParties(), other.Reporter())
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
				Role: store.RoleSystem, Outbox: out.ID, Summary: "Mejlet till " + out.To + " kom i retur: " + out.Subject}); err != nil {
				return nil, err
			}
			if full, err := tx.Case(out.CaseID); err == nil {
				c = full
				fb = p.forbund(c.Forbund)
			}
		}
		// A notice to the process leaders that bounces is not reported
		// to them again by mail: that could loop.
		if notify.Kind(out.Kind) == notify.KindBounceNotice || notify.Kind(out.Kind) == notify.KindSendFailed || slices.Contains(fb.ProcessLeaders, out.To) {
			continue
		}
		if len(fb.ProcessLeaders) == 0 {
			continue
		}
		ms, err := p.compose(notify.Request{To: fb.ProcessLeaders, Case: c, ForbundName: fb.Name, Now: now,
			Body: notify.BounceNotice{Failed: out, Reason: reason}})
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
		if notify.Kind(m.Kind) == notify.KindSendFailed || notify.Kind(m.Kind) == notify.KindBounceNotice {
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
		ms, err := p.compose(notify.Request{To: fb.ProcessLeaders, Case: c, ForbundName: fb.Name, Now: p.now(),
			Body: notify.SendFailed{Failed: m}})
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

// rawMessageID is the Message-ID in raw's header, read without the parser
// (for a log line about a message the parser could not read): printable
// ASCII, at most 250 bytes, "" when there is none.
func rawMessageID(raw []byte) string {
	head := raw[:min(len(raw), 64<<10)]
	if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
		head = head[:i]
	} else if i := bytes.Index(head, []byte("\n\n")); i >= 0 {
		head = head[:i]
	}
	for _, line := range bytes.Split(head, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.EqualFold(bytes.TrimSpace(name), []byte("Message-ID")) {
			continue
		}
		id := strings.Trim(strings.TrimSpace(string(value)), "<>")
		if len(id) > 250 {
			id = id[:250]
		}
		return strings.Map(func(r rune) rune {
			if r < '!' || r > '~' {
				return -1
			}
			return r
		}, id)
	}
	return ""
}

// blankDocx is the blank blanket as a Word document, to attach to the
// blank form, when AttachDocx is set; none when it cannot be made (logged:
// the text of the form still goes).
func (p *Processor) blankDocx() []notify.File {
	if !p.AttachDocx {
		return nil
	}
	lang := templates.Lang(p.Lang)
	var b bytes.Buffer
	if err := docx.Blank(&b, p.Composer.Form(lang), lang); err != nil {
		p.logger().Error("the Word blanket could not be made; the blank form goes without it", "err", err)
		return nil
	}
	name := "lex-heller-blankett.docx"
	if lang == "en" {
		name = "lex-heller-form.docx"
	}
	return []notify.File{{Name: name, ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: b.Bytes()}}
}

// ack is the acknowledgement of case c, of the förbund fb; document names
// the Word document the blanket was read from, if any.
func (p *Processor) ack(c *store.Case, fb *config.Forbund, document string, filled bool) notify.Ack {
	return notify.Ack{PIIMasked: c.PIIFound > 0, Contact: notify.Contact{Name: fb.Contact.Name, Email: fb.Contact.Email, Phone: fb.Contact.Phone},
		NewsWithin: fb.NewsWithin, PrivacyURL: fb.PrivacyURL, KeepDays: fb.PersonalDataDays, Document: document, DocumentFilled: filled,
		FormURL: p.FormURL}
}

// incomplete asks the sender of an incomplete blanket for what is missing
// and keeps what came, for the answer to complete.
func (p *Processor) incomplete(tx *store.Tx, m *parse.Message, res *classify.Result, now time.Time) (more []*store.OutMail, err error) {
	fields := &res.Form.Fields
	if len(res.Form.Labels) == 0 {
		fields = nil // nothing was written under a label: nothing to show as understood
	}
	more, err = p.compose(notify.Request{To: []string{m.From.Address}, InReplyTo: m.MessageID,
		ForbundName: p.forbundName(res.Forbund), Now: now,
		Body: notify.Incomplete{Fields: fields, Written: res.Form.Labels, Missing: res.Form.Missing,
			PIIMasked: len(res.Form.PII) > 0, Name: res.Form.Fields.ReporterName, Attached: res.Attached}})
	// An answer to this request with only what was missing completes
	// the blanket (classify merges the two).
	for _, o := range more {
		if err == nil {
			err = tx.SavePartial(o.MessageID, m.From.Address, form.MaskPII(res.Text), now)
		}
	}
	return more, err
}

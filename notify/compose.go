// Package notify turns case events into mail: it renders the templates,
// builds each message with its threading and loop-prevention headers, and
// sends the outbox over SMTP with retries.
//
// Composing is pure (no I/O), so the intake can queue its replies in the
// same transaction that records the message it answers. Sending happens
// later, in Sender, from the outbox in the store.
package notify

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wneessen/go-mail"

	"lexheller/intake/form"
	"lexheller/intake/ident"
	"lexheller/intake/store"
	"lexheller/notify/guard"
	"lexheller/notify/report"
	"lexheller/templates"
)

// Kind is a kind of mail: the template it is rendered from, and what the
// outbox and the timeline record it as.
type Kind string

// The mail kinds.
const (
	KindAck          Kind = "ack"
	KindNotifyNew    Kind = "notify_new"
	KindIncomplete   Kind = "incomplete"
	KindForm         Kind = "form"
	KindReplyNotice  Kind = "reply_notice"
	KindSendFailed   Kind = "send_failed"
	KindBounceNotice Kind = "bounce_notice"
	KindQuarantined  Kind = "quarantined"  // a message that could not be handled, to the process leaders
	KindForwardCopy  Kind = "forward_copy" // a forward exactly as the party got it, to the process leaders
	// The case's life.
	KindQuestion      Kind = "question"       // a process leader's question, to the reporter
	KindForward       Kind = "forward"        // the case, de-identified, to a party's representative
	KindAnswerNotice  Kind = "answer_notice"  // a party's answer, to the process leaders
	KindFeedback      Kind = "feedback"       // feedback, to the reporter
	KindCommandResult Kind = "command_result" // what a command mail did, to its sender
	KindRefused       Kind = "refused"        // commands from someone who may not give them
	KindReminder      Kind = "reminder"       // an unanswered forward, to the representative (copy to the process leaders)
	KindQuiet         Kind = "quiet"          // a case with no event for a while, to the process leaders
	KindAgenda        Kind = "agenda"         // the meeting's agenda, to the förbundschef
	KindReport        Kind = "report"         // the pattern report, to the working group
	KindNotice        Kind = "notice"         // what happened on the case, to the reporter
	KindStatus        Kind = "status"         // the answer to /status, to whoever asked
	KindDigest        Kind = "digest"         // a representative's digest of their cases
)

// deidentified are the kinds that go to a party: their case fields leave
// out the reporter, and every text is scanned for identity numbers once
// more before it is sent.
var deidentified = map[Kind]bool{KindForward: true, KindReminder: true, KindDigest: true}

// autoReplied are the kinds sent in answer to someone's mail: they carry
// Auto-Submitted: auto-replied and count against the recipient's ladder.
var autoReplied = map[Kind]bool{KindAck: true, KindIncomplete: true, KindForm: true}

// Composer renders mails. The zero value is not usable; set every field.
type Composer struct {
	Templates *templates.Set
	Signer    *ident.Signer
	Address   string // our shared address
	Name      string // display name of From, e.g. "Lex Heller"

	reloaded atomic.Pointer[templates.Set]
}

// SetTemplates replaces the templates while the Composer is in use (a
// reload on SIGHUP).
func (c *Composer) SetTemplates(s *templates.Set) { c.reloaded.Store(s) }

func (c *Composer) templates() *templates.Set {
	if s := c.reloaded.Load(); s != nil {
		return s
	}
	return c.Templates
}

// Form is the blank form in lang, as the templates in use have it.
func (c *Composer) Form(lang string) string { return c.templates().Form(lang) }

// Request is one mail to compose, to one or more recipients (one outbox
// row each): its envelope here, and what it says in Body, whose type is
// its kind.
type Request struct {
	Body        Body
	Lang        string
	To          []string
	Case        *store.Case // nil for mails about no case
	ForbundName string
	// The inbound message this answers, for threading.
	InReplyTo  string
	References []string
	Now        time.Time // the mail's date; zero means now
}

// Kind is the kind of the mail, from its Body.
func (r Request) Kind() Kind {
	if r.Body == nil {
		return ""
	}
	return r.Body.Kind()
}

// File is an attachment of a mail we send.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// SimilarCase is an earlier case like the one a mail is about.
type SimilarCase struct {
	Case  *store.Case
	Score float64
}

// HelpRow is one command in the help table. Example is the command as
// written, one line, then for a command that takes text a line of text
// below it ("/vidarebefordra FK\nHur ser ni på det här?"); without it the
// table shows Command and Args.
type HelpRow struct{ Command, Args, Does, Example string }

// Contact is a person the reporter may turn to. Any field may be empty.
type Contact struct{ Name, Email, Phone string }

// Agenda is what the förbundschef gets ahead of a meeting.
type Agenda struct {
	Meeting  time.Time
	Since    time.Time           // answers received since (the last meeting)
	Raised   []*store.Case       // marked /lyft
	Waiting  []AgendaItem        // forwards still unanswered
	Answered []AgendaItem        // answers received since the last meeting
	Counts   []report.PartyCount // each party's open forwards and answers since, as the digests count them
}

// DigestData is one representative's digest.
type DigestData struct {
	Name     string // the representative's, from the config
	Party    string
	Since    time.Time           // the last digest, or the period before
	Open     []AgendaItem        // their forwards still unanswered
	Answered []AgendaItem        // what they answered since
	Closed   []ClosedCase        // their party's cases closed since
	Counts   []report.PartyCount // every party's forwards in the förbund, as the agenda and report count them
}

// Empty reports whether the digest has nothing to say.
func (d *DigestData) Empty() bool { return len(d.Open)+len(d.Answered)+len(d.Closed) == 0 }

// ClosedCase is a case closed, with the feedback the reporter was given
// (de-identified).
type ClosedCase struct {
	Case     *store.Case
	Feedback string
}

// AgendaItem is a case with one of its forwards.
type AgendaItem struct {
	Case    *store.Case
	Forward *store.Forward
	Days    int // days waited for an answer (the digest's open forwards)
}

// Field is one labelled value in a mail.
type Field struct {
	Label string
	Value string
	Multi bool
}

// Data is what the templates see.
type Data struct {
	Case        *store.Case
	ForbundName string
	Fields      []Field
	Missing     []string // labels
	PIIMasked   bool
	Attachments []store.Attachment
	Name        string
	Address     string
	Form        string
	From        string
	Text        string
	Failed      *store.OutMail
	Reason      string

	Forward        *store.Forward
	Answers        []*store.Forward
	Open           []*store.Forward
	Changes        []string
	Problems       []string
	Help           []HelpRow
	Copy           bool
	Days           int
	Agenda         *Agenda
	WithContact    bool
	AnswerBy       time.Time
	Contact        Contact
	NewsWithin     string
	PrivacyURL     string
	KeepDays       int
	Similar        []SimilarCase
	Names          []string
	Greeted        bool
	Attached       []string
	Unreadable     []Field // what the blanket says that could not be read
	Period         string
	Total          int
	Closing        bool
	Document       string
	DocumentFilled bool
	FormURL        string
	Notices        []*store.Notice
	Role           string
	Timeline       []TimelineEntry
	Digest         *DigestData
}

// Compose renders req into one outbox row per recipient.
func (c *Composer) Compose(req Request) ([]*store.OutMail, error) {
	if req.Body == nil {
		return nil, errors.New("notify: a request without a body")
	}
	kind := req.Body.Kind()
	lang := templates.Lang(req.Lang)
	tpl := c.templates()
	d := Data{Case: req.Case, ForbundName: req.ForbundName, Address: c.Address, Form: tpl.Form(lang)}
	req.Body.fill(&d, lang)
	switch {
	case req.Case != nil && deidentified[kind]:
		d.Fields = partyFields(lang, req.Case, d.WithContact)
	case req.Case != nil:
		d.Fields = caseFields(lang, req.Case)
	}
	r, err := tpl.Render(lang, string(kind), d)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if deidentified[kind] {
		// Stored text has personnummer masked already; this catches what
		// a question added, and, unless the reporter's contact details go
		// along, takes out what of the reporter the free text names.
		clean := form.MaskPIIOutgoing
		if req.Case != nil && !d.WithContact {
			c := req.Case
			clean = func(s string) string {
				return form.Deidentify(s, c.Reporter())
			}
		}
		r.Subject, r.Text, r.HTML = clean(r.Subject), clean(r.Text), clean(r.HTML)
		// The last look before it leaves for the party.
		where := string(kind)
		if req.Case != nil {
			where += " " + req.Case.ID
		}
		r.Subject, r.Text, r.HTML = guard.Text(guard.Mail, where, r.Subject), guard.Text(guard.Mail, where, r.Text), guard.Text(guard.Mail, where, r.HTML)
	}
	if kind == KindStatus {
		// A status goes to reporters, representatives and groups too.
		where := string(kind)
		if req.Case != nil {
			where += " " + req.Case.ID
		}
		r.Subject, r.Text = guard.Text(guard.Mail, where, r.Subject), guard.Text(guard.Mail, where, r.Text)
	}
	if pr, ok := req.Body.(PatternReport); ok && pr.HTML != "" {
		r.HTML = pr.HTML
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	var out []*store.OutMail
	for _, to := range req.To {
		m, err := c.build(req, r, to, now)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (c *Composer) build(req Request, r templates.Rendered, to string, now time.Time) (*store.OutMail, error) {
	kind := req.Kind()
	caseID := ""
	if req.Case != nil {
		caseID = req.Case.ID
	}
	for _, v := range []string{to, r.Subject} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("notify: %s: line break in a header value", kind)
		}
	}
	id := c.Signer.MessageID(caseID, string(kind))
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(c.Name, c.Address); err != nil {
		return nil, fmt.Errorf("notify: from %q: %w", c.Address, err)
	}
	if err := msg.To(to); err != nil {
		return nil, fmt.Errorf("notify: to %q: %w", to, err)
	}
	replyTo := c.Address
	if caseID != "" {
		replyTo = c.Signer.PlusAddressFor(c.Address, caseID, to)
	}
	if err := msg.ReplyTo(replyTo); err != nil {
		return nil, fmt.Errorf("notify: reply-to %q: %w", replyTo, err)
	}
	msg.Subject(r.Subject)
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(now)
	var refs []string
	if caseID != "" {
		refs = append(refs, "<"+c.Signer.CaseRef(caseID)+">")
	}
	for _, ref := range req.References {
		if validMsgID(ref) {
			refs = append(refs, "<"+ref+">")
		}
	}
	if validMsgID(req.InReplyTo) {
		msg.SetGenHeaderPreformatted(mail.HeaderInReplyTo, "<"+req.InReplyTo+">")
		refs = append(refs, "<"+req.InReplyTo+">")
	}
	if len(refs) > 0 {
		msg.SetGenHeaderPreformatted(mail.HeaderReferences, strings.Join(dedupe(refs), "\r\n "))
	}
	auto := autoReplied[kind]
	if auto {
		msg.SetGenHeader("Auto-Submitted", "auto-replied")
	} else {
		msg.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	msg.SetGenHeader(ident.LoopHeader, c.Signer.Domain)
	if caseID != "" {
		msg.SetGenHeader("X-Lexheller-Case", caseID)
	}
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	if r.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	}
	var files []File
	if a, ok := req.Body.(interface{ attached() []File }); ok {
		files = a.attached()
	}
	for _, f := range files {
		if err := msg.AttachReader(f.Name, bytes.NewReader(f.Data), mail.WithFileContentType(mail.ContentType(f.ContentType))); err != nil {
			return nil, fmt.Errorf("notify: attach %s: %w", f.Name, err)
		}
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return nil, fmt.Errorf("notify: write %s: %w", kind, err)
	}
	return &store.OutMail{
		CaseID: caseID, Kind: string(kind), Automatic: auto, Acknowledgement: kind == KindAck, MessageID: id, From: c.Address, To: to,
		Subject: r.Subject, Body: r.Text, Raw: raw.Bytes(), CreatedAt: now, NextAttemptAt: now,
	}, nil
}

// validMsgID reports whether id (without brackets) can be written into
// In-Reply-To or References as it is: printable ASCII, one "@", none of
// the characters RFC 5322 reserves.
func validMsgID(id string) bool {
	if id == "" || len(id) > 250 || strings.Count(id, "@") != 1 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),:;<>[\]`, c) >= 0 {
			return false
		}
	}
	return true
}

func dedupe(l []string) []string {
	seen := map[string]bool{}
	out := l[:0]
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	// References may grow long on a long thread; keep the case reference
	// and the most recent ones (RFC 5322 section 3.6.4 allows trimming).
	if len(out) > 20 {
		out = append(out[:1], out[len(out)-19:]...)
	}
	return out
}

var labels = map[string]map[string]string{
	"sv": {
		form.EventDate: "Datum för händelsen", form.ReporterName: "Namn", form.ReporterEmail: "E-post",
		form.ReporterPhone: "Telefon", form.ReporterOrg: "Organisation", form.Forbund: "Samordningsförbund",
		form.Parties: "Berörda parter", form.Description: "Vad hände?", form.Consequence: "Konsekvens för individen",
		form.Level: "Nivå", form.Suggestion: "Förslag på lösning", form.ContactOK: "Får vi kontakta dig?",
		form.PublishOK: "Får ärendet publiceras anonymiserat?",
	},
	"en": {
		form.EventDate: "Date of event", form.ReporterName: "Name", form.ReporterEmail: "Email",
		form.ReporterPhone: "Phone", form.ReporterOrg: "Organisation", form.Forbund: "Coordination association",
		form.Parties: "Parties involved", form.Description: "What happened?", form.Consequence: "Consequence",
		form.Level: "Level", form.Suggestion: "Suggested solution", form.ContactOK: "May we contact you?",
		form.PublishOK: "May it be published?",
	},
}

// Label returns the label of a form field in lang.
func Label(lang, key string) string {
	if l, ok := labels[templates.Lang(lang)][key]; ok {
		return l
	}
	return key
}

var (
	yesNo      = map[string][2]string{"sv": {"Nej", "Ja"}, "en": {"No", "Yes"}}
	levelNames = map[string]map[string]string{
		"sv": {"struktur": "Struktur", "organisering": "Organisering", "individ": "Individ", "vet ej": "Vet ej", "": "Inte angiven"},
		"en": {"struktur": "Structure (laws and rules)", "organisering": "Organisation (routines)", "individ": "Individual", "vet ej": "Don't know", "": "Not set"},
	}
)

func yn(lang string, b bool) string {
	if b {
		return yesNo[lang][1]
	}
	return yesNo[lang][0]
}

// partyList formats party codes, with the text of "Annan".
func partyList(codes []string, other string) string {
	var out []string
	for _, c := range codes {
		if c == form.Annan && other != "" {
			c += " (" + other + ")"
		}
		out = append(out, c)
	}
	return strings.Join(out, ", ")
}

func caseFields(lang string, c *store.Case) []Field {
	f := &form.Fields{
		EventDate: c.EventDate, ReporterName: c.ReporterName, ReporterEmail: c.ReporterEmail,
		ReporterPhone: c.ReporterPhone, ReporterOrg: c.ReporterOrg, Parties: c.Parties, OtherParty: c.OtherParty,
		Description: c.Description, Consequence: c.Consequence, Suggestion: c.Suggestion, Level: c.Level,
		ContactOK: c.ContactOK, PublishOK: c.PublishOK,
	}
	return formFields(lang, f, nil)
}

// partyFields are the fields a party's representative sees: what
// happened and what it led to, never who reported it, unless the reporter
// allowed contact and the process leader sent the contact details along.
func partyFields(lang string, c *store.Case, withContact bool) []Field {
	f := &form.Fields{
		EventDate: c.EventDate, Parties: c.Parties, OtherParty: c.OtherParty, Level: c.Level,
		Description: form.MaskPII(c.ForParties()), Consequence: form.MaskPII(c.Consequence), Suggestion: form.MaskPII(c.Suggestion),
	}
	keys := []string{form.EventDate, form.Parties, form.Level, form.Description, form.Consequence, form.Suggestion}
	if withContact && c.ContactOK {
		f.ReporterName, f.ReporterOrg = c.ReporterName, c.ReporterOrg
		keys = append(keys, form.ReporterName, form.ReporterOrg)
		out := formFields(lang, f, keys)
		for _, kv := range [][2]string{{form.ReporterEmail, c.ReporterEmail}, {form.ReporterPhone, c.ReporterPhone}} {
			if kv[1] != "" {
				out = append(out, Field{Label: Label(lang, kv[0]), Value: kv[1]})
			}
		}
		return out
	}
	return formFields(lang, f, keys)
}

// formFields lists the fields of f that have a value and, when written is
// not nil, that the sender wrote (so a default is not presented as what
// they said).
func formFields(lang string, f *form.Fields, written []string) []Field {
	var out []Field
	add := func(key, v string, multi bool) {
		if written != nil && !slices.Contains(written, key) {
			return
		}
		if strings.TrimSpace(v) != "" {
			out = append(out, Field{Label: Label(lang, key), Value: v, Multi: multi})
		}
	}
	add(form.EventDate, f.EventDate, false)
	add(form.ReporterName, f.ReporterName, false)
	add(form.ReporterOrg, f.ReporterOrg, false)
	add(form.Parties, partyList(f.Parties, f.OtherParty), false)
	add(form.Level, levelNames[lang][f.Level], false)
	add(form.Description, f.Description, true)
	add(form.Consequence, f.Consequence, true)
	add(form.Suggestion, f.Suggestion, true)
	add(form.ContactOK, yn(lang, f.ContactOK), false)
	add(form.PublishOK, yn(lang, f.PublishOK), false)
	return out
}

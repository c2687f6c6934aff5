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
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"lexheller/intake/form"
	"lexheller/intake/ident"
	"lexheller/intake/store"
	"lexheller/templates"
)

// Mail kinds: the template each one is rendered from.
const (
	KindAck          = "ack"
	KindNotifyNew    = "notify_new"
	KindIncomplete   = "incomplete"
	KindForm         = "form"
	KindReplyNotice  = "reply_notice"
	KindSendFailed   = "send_failed"
	KindBounceNotice = "bounce_notice"
)

// autoReplied are the kinds sent in answer to someone's mail: they carry
// Auto-Submitted: auto-replied and count against the recipient's ladder.
var autoReplied = map[string]bool{KindAck: true, KindIncomplete: true, KindForm: true}

// LoopHeader marks everything we send; intake drops mail carrying it.
const LoopHeader = "X-Lexheller-Loop"

// Composer renders mails. The zero value is not usable; set every field.
type Composer struct {
	Templates *templates.Set
	Signer    *ident.Signer
	Address   string // our shared address
	Name      string // display name of From, e.g. "Lex Heller"
}

// Request is one mail to compose, to one or more recipients (one outbox
// row each).
type Request struct {
	Kind        string
	Lang        string
	To          []string
	Case        *store.Case // nil for mails about no case
	ForbundName string
	// The inbound message this answers, for threading.
	InReplyTo  string
	References []string

	Fields      *form.Fields // what was understood (incomplete)
	Written     []string     // keys of the fields the sender wrote; nil means all
	Missing     []string     // field keys (incomplete)
	PIIMasked   bool
	Attachments []store.Attachment
	Name        string // whom to greet
	From        string // who wrote (reply_notice)
	Text        string // what they wrote (reply_notice)
	Failed      *store.OutMail
	Reason      string
	Now         time.Time
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
}

// Compose renders req into one outbox row per recipient.
func (c *Composer) Compose(req Request) ([]*store.OutMail, error) {
	lang := templates.Lang(req.Lang)
	d := Data{
		Case: req.Case, ForbundName: req.ForbundName, PIIMasked: req.PIIMasked, Attachments: req.Attachments,
		Name: req.Name, Address: c.Address, Form: c.Templates.Form(lang), From: req.From, Text: req.Text,
		Failed: req.Failed, Reason: req.Reason,
	}
	switch {
	case req.Case != nil:
		d.Fields = caseFields(lang, req.Case)
	case req.Fields != nil:
		d.Fields = formFields(lang, req.Fields, req.Written)
	}
	for _, k := range req.Missing {
		d.Missing = append(d.Missing, Label(lang, k))
	}
	r, err := c.Templates.Render(lang, req.Kind, d)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
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
	caseID := ""
	if req.Case != nil {
		caseID = req.Case.ID
	}
	for _, v := range []string{to, r.Subject} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("notify: %s: line break in a header value", req.Kind)
		}
	}
	id := c.Signer.MessageID(caseID, req.Kind)
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(c.Name, c.Address); err != nil {
		return nil, fmt.Errorf("notify: from %q: %w", c.Address, err)
	}
	if err := msg.To(to); err != nil {
		return nil, fmt.Errorf("notify: to %q: %w", to, err)
	}
	replyTo := c.Address
	if caseID != "" {
		replyTo = c.Signer.PlusAddress(c.Address, caseID)
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
	auto := autoReplied[req.Kind]
	if auto {
		msg.SetGenHeader("Auto-Submitted", "auto-replied")
	} else {
		msg.SetGenHeader("Auto-Submitted", "auto-generated")
	}
	msg.SetGenHeader("X-Auto-Response-Suppress", "All")
	msg.SetGenHeader(LoopHeader, c.Signer.Domain)
	if caseID != "" {
		msg.SetGenHeader("X-Lexheller-Case", caseID)
	}
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	if r.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return nil, fmt.Errorf("notify: write %s: %w", req.Kind, err)
	}
	return &store.OutMail{
		CaseID: caseID, Kind: req.Kind, Automatic: auto, MessageID: id, From: c.Address, To: to,
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
		form.ReporterPhone: "Phone", form.ReporterOrg: "Organization", form.Forbund: "Coordination association",
		form.Parties: "Parties involved", form.Description: "What happened", form.Consequence: "Consequence",
		form.Level: "Level", form.Suggestion: "Suggested solution", form.ContactOK: "May we contact you",
		form.PublishOK: "May it be published",
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
		"sv": {"struktur": "Struktur", "organisering": "Organisering", "individ": "Individ", "": "Inte angiven"},
		"en": {"struktur": "Structure (laws and rules)", "organisering": "Organisation (routines)", "individ": "Individual", "": "Not set"},
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

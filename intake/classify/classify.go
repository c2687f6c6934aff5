// Package classify decides what an inbound message is: a new report, a
// reply or command on a case, a request for the blank form, an incomplete
// blanket, automatic mail not to be answered, or something a person must
// look at (quarantine). Its kinds are those of `lexheller inspect`
// (DESIGN.md).
//
// Automatic mail is known by its headers (Auto-Submitted, X-Autoreply,
// Precedence, List-Id, …) and, when it has none, as out-of-office mail
// often has not, by an auto-responder's subject ("Autosvar:",
// "Automatiskt svar:", "Frånvaromeddelande:", "Automatic reply:", "Out of
// Office:", also behind "[EXTERN]" or the case tag) or by a short text
// that says nothing but that its writer is away ("Jag är ledig … och är
// tillbaka …", "I am out of the office …"); a text with anything more
// ("… men här är svaret: …") stays a reply. An automatic reply on a case
// keeps that case in Result.AutoCase, not in Case.
//
// Classify does no I/O of its own; what it needs to know about existing
// cases it asks through the Lookup interface, which may be nil.
package classify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"lexheller/intake/config"
	"lexheller/intake/docx"
	"lexheller/intake/form"
	"lexheller/intake/ident"
	"lexheller/intake/parse"
	"lexheller/intake/quote"
)

// Kind is what a message is.
type Kind string

// The kinds of the inspect contract.
const (
	NewCase      Kind = "new_case"
	Reply        Kind = "reply"
	Command      Kind = "command"
	FormRequest  Kind = "form_request"
	InvalidForm  Kind = "invalid_form"
	IgnoreAuto   Kind = "ignore_auto"
	IgnoreBounce Kind = "ignore_bounce"
	IgnoreLoop   Kind = "ignore_loop"
	Quarantine   Kind = "quarantine"
)

// Options describe the deployment.
type Options struct {
	Address string // our shared address, lower-case
	Signer  *ident.Signer
	Forbund []config.Forbund
	// MailboxForbund is the förbund of the mailbox being read, when each
	// förbund has its own; "" for a shared mailbox.
	MailboxForbund string
	// AuthservID, when set, is the authserv-id of the organisation's
	// inbound server: mail from a process leader's address is theirs only
	// when that server's Authentication-Results vouches for it (Verified).
	AuthservID string
}

// OptionsFor are the options of the deployment cfg, signing with signer.
func OptionsFor(cfg *config.Config, signer *ident.Signer) *Options {
	return &Options{Address: cfg.Address, Signer: signer, AuthservID: cfg.Commands.AuthservID, Forbund: cfg.Forbund}
}

// Lookup answers questions about stored cases. Implementations return
// found=false, not an error, for what does not exist.
type Lookup interface {
	// CaseExists reports whether the case exists, and its förbund.
	CaseExists(ctx context.Context, caseID string) (forbund string, found bool, err error)
	// CaseByMessageID returns the case a message we sent or received had.
	CaseByMessageID(ctx context.Context, messageID string) (caseID string, found bool, err error)
	// CaseByThreadIndex returns the case of an Outlook conversation.
	CaseByThreadIndex(ctx context.Context, conversation string) (caseID string, found bool, err error)
	// IsParticipant reports whether address is the reporter of the case or
	// a party representative it was sent to.
	IsParticipant(ctx context.Context, caseID, address string) (bool, error)
	// SentTo reports whether we sent the message messageID about caseID
	// to rcpt.
	SentTo(ctx context.Context, messageID, caseID, rcpt string) (bool, error)
	// PartialForm returns the incomplete blanket of sender that one of
	// ids (our request for the rest) asked about.
	PartialForm(ctx context.Context, ids []string, sender string) (text string, found bool, err error)
}

// Result is the outcome of Classify.
type Result struct {
	Kind    Kind
	Reason  string // one line a person understands (English; for logs and inspect)
	Case    string // the case a reply, command or bounce belongs to
	Via     string // how Case or AutoCase was found: "message-id", "plus-address", "references", "case-ref", "subject-tag", "thread-index"
	Forbund string // slug
	Form    *form.Result
	Text    string // the new text: quoted history stripped from replies
	// Bounced are the Message-IDs of our own mails that a bounce returns.
	Bounced []string
	// AutoCase is, on an IgnoreAuto message (an out-of-office or other
	// automatic reply), the case it answers: found as a reply's case is
	// (Via says how) and only when a reply from its sender would be
	// accepted on that case. Case stays empty, so that nothing threads
	// into the case, is attached to it or is relayed; the core may note
	// on the case that an automatic reply came from the sender.
	AutoCase string
	// Conversation is the Outlook Thread-Index conversation key, if any.
	Conversation string
	// Refused is set on a quarantined message that named a case but came
	// from a process leader's address the inbound server did not vouch for.
	Refused bool
	// Completes is set when the message answers our request for what an
	// earlier blanket of its sender lacked: Form is the two merged.
	Completes bool
	// Attached names the documents (Word, PDF, …) of an InvalidForm
	// message whose text holds no blanket: the blanket is likely in them,
	// and the answer says what was received.
	Attached []string
	// Document names the Word document the blanket was read from (its
	// text held none), or that filled in what the text left out
	// (DocumentFilled); "" when none was used.
	Document       string
	DocumentFilled bool
	// Unproven is set on commands from a process leader's address in a
	// mail that does not prove it answers our mail to that leader (without
	// AuthservID, the only check there is): the commands are refused.
	Unproven bool
	// answers is set when the mail answers one we sent to its sender: its
	// plus address carries the key given to the sender, or it references
	// a Message-ID we sent to the sender about the case.
	answers bool
}

// Classify decides what m is. lk may be nil (no store): cases are then
// recognised by their shape only, without checking that they exist or who
// takes part in them.
func Classify(ctx context.Context, m *parse.Message, o *Options, lk Lookup) (*Result, error) {
	r := &Result{Conversation: conversation(m.Header.Get("Thread-Index"))}
	from := strings.ToLower(m.From.Address)

	// 1. Our own mail coming back.
	if v := m.Header.Get(ident.LoopHeader); v != "" {
		return r.set(IgnoreLoop, "carries our loop header "+ident.LoopHeader), nil
	}
	if o.isOurAddress(from) {
		return r.set(IgnoreLoop, "sent from our own address "+from), nil
	}
	if _, ours, _ := o.Signer.ParseMessageID(m.MessageID); ours {
		return r.set(IgnoreLoop, "has one of our own Message-IDs"), nil
	}

	// 2. Bounces and automatic mail.
	if why := bounce(m); why != "" {
		r.set(IgnoreBounce, why)
		r.bounceCase(m, o)
		return r, nil
	}
	if why := automatic(m); why != "" {
		return r.autoReply(ctx, m, o, lk, why)
	}
	if m.Header.Has("Return-Path") && strings.TrimSpace(m.Header.Get("Return-Path")) == "<>" {
		r.set(IgnoreBounce, "empty Return-Path (<>): a delivery notice")
		r.bounceCase(m, o)
		return r, nil
	}
	if len(m.From.Address) == 0 {
		return r.set(Quarantine, "no sender address (From)"), nil
	}
	if unreadable(m) {
		// Nothing is answered on a structure that could not be read
		// whole: a person looks at it.
		return r.set(Quarantine, "the message's structure could not be read: "+m.Fault.Error()), nil
	}

	// 3. A reply on a case.
	if err := r.thread(ctx, m, o, lk); err != nil {
		return nil, err
	}
	if r.Kind != "" {
		return r, nil
	}
	if r.Case != "" {
		r.Text = replyText(m)
		leader := o.isProcessLeader(from, r.Forbund)
		if leader && o.AuthservID == "" && !r.answers {
			// Anyone can write a leader's From and a case number: what is
			// not an answer to our mail to that leader is neither applied
			// nor passed on to the reporter.
			r.Unproven = true
			if isCommand(r.Text) {
				return r.set(Command, fmt.Sprintf("commands in a process leader's name on %s (found by %s), refused: the mail answers no mail of ours to %s", r.Case, r.Via, from)), nil
			}
			return r.set(Reply, fmt.Sprintf("a reply in a process leader's name on %s (found by %s), not passed on: the mail answers no mail of ours to %s", r.Case, r.Via, from)), nil
		}
		if isCommand(r.Text) && leader {
			return r.set(Command, fmt.Sprintf("commands from a process leader on %s (found by %s)", r.Case, r.Via)), nil
		}
		return r.set(Reply, fmt.Sprintf("reply on %s (found by %s)", r.Case, r.Via)), nil
	}

	// 4. A blanket, a request for one, or neither. An answer to our
	// request for what was missing completes the blanket it asked about.
	text := strings.TrimSpace(m.Text)
	r.Text = text
	fb := form.Fallback{Name: m.From.Name, Email: from, Date: m.Date}
	res := form.Parse(text, fb)
	if lk != nil {
		prev, found, err := lk.PartialForm(ctx, append(slices.Clone(m.InReplyTo), m.References...), from)
		if err != nil {
			return nil, fmt.Errorf("classify: incomplete blanket: %w", err)
		}
		if found {
			answer := strings.TrimSpace(quote.Cut(m.Text))
			res = form.Merge(form.Parse(prev, fb), form.Parse(answer, fb))
			r.Text, r.Completes = strings.TrimSpace(prev+"\n\n"+answer), true
		}
	}
	if !r.Completes {
		doc, err := wordBlanket(m)
		switch {
		case err != nil && len(res.Labels) < 2:
			// The blanket is in a document that cannot be read (a zip
			// bomb, too large, broken): a person looks at it.
			return r.set(Quarantine, "no blanket in the text, and the attached Word document cannot be read: "+err.Error()), nil
		case doc != nil:
			if dres := form.Parse(doc.text, fb); len(dres.Labels) >= 2 {
				if len(res.Labels) >= 2 {
					res, r.DocumentFilled = form.Fill(res, dres), true
				} else {
					res, r.Text = dres, doc.text
				}
				r.Document = doc.name
			}
		}
	}
	r.Form = res
	r.Forbund = o.routeForbund(m, res.Fields.Forbund)
	res.Fields.Forbund = r.Forbund
	switch {
	case r.Completes && len(res.Missing) == 0:
		return r.set(NewCase, fmt.Sprintf("completes an earlier blanket: %d fields", len(res.Labels))), nil
	case r.Completes:
		return r.set(InvalidForm, "completes an earlier blanket, still missing: "+strings.Join(res.Missing, ", ")), nil
	case len(res.Labels) >= 2 && len(res.Missing) == 0:
		return r.set(NewCase, fmt.Sprintf("a blanket with %d fields", len(res.Labels))), nil
	case len(res.Labels) >= 2:
		return r.set(InvalidForm, "required fields missing: "+strings.Join(res.Missing, ", ")), nil
	case len(documents(m)) > 0 && len(text) < 1000 && reportWords.MatchString(m.Subject+"\n"+text):
		// Names stay out of the reason, which is logged: a file name may
		// name the person.
		r.Attached = documents(m)
		return r.set(InvalidForm, fmt.Sprintf("no blanket in the text; %d document(s) attached", len(r.Attached))), nil
	case isFormRequest(m, text):
		r.Form = nil
		return r.set(FormRequest, "asks for the blank form"), nil
	case len(res.Labels) == 1:
		return r.set(InvalidForm, "only one field of the blanket found; missing: "+strings.Join(res.Missing, ", ")), nil
	}
	r.Form = nil
	return r.set(Quarantine, "neither a blanket nor a reply on a case: a person should look at it"), nil
}

func (r *Result) set(k Kind, reason string) *Result {
	r.Kind, r.Reason = k, reason
	return r
}

// thread finds the case m answers, in the order of DESIGN.md: our signed
// Message-IDs, the plus address, the case reference, the subject tag,
// Outlook's Thread-Index. Only the first two are trusted on their own; the
// others are accepted from participants only. It sets r.Kind to Quarantine
// when a case is found but the sender may not write to it.
func (r *Result) thread(ctx context.Context, m *parse.Message, o *Options, lk Lookup) error {
	from := strings.ToLower(m.From.Address)
	trusted := false
	ids := append(slices.Clone(m.InReplyTo), m.References...)
	for _, id := range ids {
		if c, ours, ok := o.Signer.ParseMessageID(id); ours && c != "" && (ok || lk == nil) {
			r.Case, r.Via, trusted = c, "message-id", ok
			break
		}
	}
	for _, a := range recipientsOf(m) {
		c, ok := o.Signer.ParsePlusAddress(o.Address, a)
		if c == "" || r.Case != "" && c != r.Case {
			continue
		}
		if _, issued := o.Signer.IssuedTo(o.Address, a, from); issued {
			ok, r.answers = true, true
		}
		if r.Case == "" && (ok || lk == nil) {
			r.Case, r.Via, trusted = c, "plus-address", ok
		}
		if r.answers {
			break
		}
	}
	if r.Case == "" && lk != nil {
		for _, id := range ids {
			c, found, err := lk.CaseByMessageID(ctx, id)
			if err != nil {
				return fmt.Errorf("classify: look up %q: %w", id, err)
			}
			if found {
				r.Case, r.Via = c, "references"
				break
			}
		}
	}
	if r.Case == "" {
		for _, id := range ids {
			if c := o.Signer.ParseCaseRef(id); c != "" {
				r.Case, r.Via = c, "case-ref"
				break
			}
		}
	}
	if r.Case == "" {
		if c := o.Signer.FindSubjectTag(m.Subject); c != "" {
			r.Case, r.Via = c, "subject-tag"
		}
	}
	if r.Case == "" && r.Conversation != "" && lk != nil {
		c, found, err := lk.CaseByThreadIndex(ctx, r.Conversation)
		if err != nil {
			return fmt.Errorf("classify: look up thread index: %w", err)
		}
		if found {
			r.Case, r.Via = c, "thread-index"
		}
	}
	if r.Case == "" || lk == nil {
		return nil
	}
	return r.admit(ctx, m, o, lk, ids, trusted)
}

// admit checks, in the store, that the case r.Case found by thread exists
// and that the sender of m may write to it; ids are the Message-IDs m
// answers and trusted says whether the case was found by a valid
// reference. It sets r.Kind to Quarantine when not, and r.answers when m
// answers a mail we sent its sender about the case.
func (r *Result) admit(ctx context.Context, m *parse.Message, o *Options, lk Lookup, ids []string, trusted bool) error {
	from := strings.ToLower(m.From.Address)
	fb, found, err := lk.CaseExists(ctx, r.Case)
	if err != nil {
		return fmt.Errorf("classify: look up %s: %w", r.Case, err)
	}
	if !found {
		r.set(Quarantine, fmt.Sprintf("refers to %s (by %s), which does not exist", r.Case, r.Via))
		return nil
	}
	r.Forbund = fb
	if !r.answers {
		for _, id := range ids {
			sent, err := lk.SentTo(ctx, id, r.Case, from)
			if err != nil {
				return fmt.Errorf("classify: look up %q: %w", id, err)
			}
			if sent {
				r.answers = true
				break
			}
		}
	}
	if o.isProcessLeader(from, fb) {
		if o.AuthservID != "" {
			if ok, why := Verified(m.Header.Values("Authentication-Results"), o.AuthservID, from); !ok {
				r.Refused = true
				r.set(Quarantine, fmt.Sprintf("from a process leader's address on %s, but not verified: %s", r.Case, why))
			}
		}
		return nil
	}
	ok, err := lk.IsParticipant(ctx, r.Case, from)
	if err != nil {
		return fmt.Errorf("classify: participants of %s: %w", r.Case, err)
	}
	if !ok {
		how := "found by " + r.Via
		if trusted {
			how += ", a valid reference"
		}
		r.set(Quarantine, fmt.Sprintf("%s is not a participant of %s (%s)", from, r.Case, how))
	}
	return nil
}

func (o *Options) isOurAddress(a string) bool {
	if o.Address == "" || a == "" {
		return false
	}
	if a == o.Address {
		return true
	}
	bl, bd, _ := strings.Cut(o.Address, "@")
	al, ad, _ := strings.Cut(a, "@")
	return ad == bd && strings.HasPrefix(al, bl+"+")
}

func (o *Options) isProcessLeader(addr, slug string) bool {
	for _, f := range o.Forbund {
		if slug != "" && f.Slug != slug {
			continue
		}
		if slices.Contains(f.ProcessLeaders, addr) {
			return true
		}
	}
	return false
}

// routeForbund picks the förbund of a new case: the one the blanket names,
// else the one whose address the mail was sent to, else the mailbox's,
// else the first configured.
func (o *Options) routeForbund(m *parse.Message, written string) string {
	if w := fold(written); w != "" {
		for _, f := range o.Forbund {
			names := append([]string{f.Slug, f.Name}, f.Aliases...)
			for _, n := range names {
				n = fold(n)
				if n != "" && (w == n || strings.Contains(w, n) || strings.Contains(n, w) && len(w) >= 4) {
					return f.Slug
				}
			}
		}
	}
	for _, a := range recipientsOf(m) {
		for _, f := range o.Forbund {
			for _, fa := range f.Addresses {
				if strings.EqualFold(a, fa) {
					return f.Slug
				}
			}
		}
	}
	if o.MailboxForbund != "" {
		return o.MailboxForbund
	}
	if len(o.Forbund) > 0 {
		return o.Forbund[0].Slug
	}
	return ""
}

func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "samordningsförbundet ")
	return strings.TrimSpace(s)
}

func recipientsOf(m *parse.Message) []string {
	var out []string
	out = append(out, m.DeliveredTo...)
	for _, l := range [][]parse.Address{m.To, m.Cc} {
		for _, a := range l {
			out = append(out, a.Address)
		}
	}
	return out
}

// bounceCase finds the case and our Message-IDs a bounce returns.
func (r *Result) bounceCase(m *parse.Message, o *Options) {
	ids := append(slices.Clone(m.ReportedMessageIDs), m.InReplyTo...)
	ids = append(ids, m.References...)
	// A plain-text bounce quotes the returned header in its body.
	ids = append(ids, parse.MsgIDs(msgIDLines(m.Text))...)
	for _, id := range ids {
		// Any ID of our domain: the outbox is searched for it exactly, so
		// a forged one marks nothing.
		local, domain, _ := strings.Cut(id, "@")
		if !strings.EqualFold(domain, o.Signer.Domain) || slices.Contains(r.Bounced, id) {
			continue
		}
		r.Bounced = append(r.Bounced, id)
		if c := o.Signer.FindCaseID(local); r.Case == "" && c != "" && strings.HasPrefix(local, c) {
			r.Case = c
		}
	}
	if r.Case == "" {
		r.Case = o.Signer.FindSubjectTag(m.Subject)
	}
}

var msgIDLineRe = regexp.MustCompile(`(?im)^\s*message-id:\s*(<[^>\s]+>)`)

func msgIDLines(s string) string {
	var out []string
	for _, m := range msgIDLineRe.FindAllStringSubmatch(s, 20) {
		out = append(out, m[1])
	}
	return strings.Join(out, " ")
}

func bounce(m *parse.Message) string {
	if m.MediaType == "multipart/report" {
		if m.ReportType == "" || m.ReportType == "delivery-status" {
			return "a delivery status notification (multipart/report)"
		}
	}
	local, _, _ := strings.Cut(strings.ToLower(m.From.Address), "@")
	if local == "mailer-daemon" || local == "postmaster" {
		return "sent by " + local
	}
	return ""
}

// automatic returns why m is automatic mail not to be answered, or "": an
// automatic header, else an out-of-office subject or text
// (outOfOfficeMail).
func automatic(m *parse.Message) string {
	h := m.Header
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "List-Id", "List-Unsubscribe", "X-Autogenerated"} {
		if h.Has(k) {
			return k + " header"
		}
	}
	switch p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p {
	case "bulk", "junk", "list", "auto_reply":
		return "Precedence: " + p
	}
	return outOfOfficeMail(m)
}

// replyText is what m says itself on a case: its text less the quoted
// history, and nothing when its only text is an attachment's (someone
// else's words are never relayed as the sender's).
func replyText(m *parse.Message) string {
	if m.FromAttachment {
		return ""
	}
	return quote.Cut(m.Text)
}

// unreadable reports whether m's structure could not be read whole in a
// way that may hide what it says: parts nested too deeply or none found;
// too many parts only when no text was found either.
func unreadable(m *parse.Message) bool {
	if m.Fault == nil {
		return false
	}
	if errors.Is(m.Fault, parse.ErrTooDeep) || errors.Is(m.Fault, parse.ErrNoPart) {
		return true
	}
	return strings.TrimSpace(m.Text) == ""
}

// reportWords say that a mail with a document attached is a report: the
// blanket is then likely in the document. Other mail with documents
// (an invoice, a party's answer that lost its thread) goes to a person.
var reportWords = regexp.MustCompile(`(?i)anmäl|blankett|formulär|lex\s*heller|avvikelse|mellan stolarna|report form`)

// documentTypes are the attachments a blanket may be written in.
var documentTypes = map[string]bool{
	".doc": true, ".docx": true, ".odt": true, ".rtf": true, ".pdf": true, ".pages": true,
	"application/msword": true, "application/pdf": true, "application/rtf": true, "text/rtf": true,
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": true,
	"application/vnd.oasis.opendocument.text":                                 true,
}

// documents names m's attachments that are documents (by type or name).
func documents(m *parse.Message) []string {
	var out []string
	for _, a := range m.Attachments {
		ext := strings.ToLower(path.Ext(a.Filename))
		if documentTypes[ext] || documentTypes[strings.ToLower(a.ContentType)] {
			name := a.Filename
			if name == "" {
				name = a.ContentType
			}
			out = append(out, name)
		}
	}
	return out
}

var formRequestRe = regexp.MustCompile(`(?i)\b(blankett(en)?|formulär(et)?|form|lex heller-blankett)\b`)

func isFormRequest(m *parse.Message, text string) bool {
	if text == "" && len(m.Attachments) == 0 {
		return true
	}
	subj := stripPrefixes(m.Subject)
	return formRequestRe.MatchString(subj) && len(text) < 1000
}

var prefixRe = regexp.MustCompile(`(?i)^\s*((sv|vb|re|fw|fwd|vs|aw|wg|antw)\s*(\[\d+\])?\s*:\s*)+`)

// stripPrefixes removes reply and forward prefixes (SV:, VB:, Re:, Fwd:).
func stripPrefixes(s string) string { return strings.TrimSpace(prefixRe.ReplaceAllString(s, "")) }

var commandRe = regexp.MustCompile(`^/\p{L}`)

// isCommand reports whether any line of text is a command line ("/nivå …").
func isCommand(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if commandRe.MatchString(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}

// conversation returns the conversation part of an Outlook Thread-Index
// (its first 22 bytes), base64-encoded, or "".
func conversation(v string) string {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(b) < 22 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b[:22])
}

// wordDoc is an attached Word document's name and text.
type wordDoc struct{ name, text string }

// wordBlanket reads the first Word document attached to m (docx.Text):
// nil when there is none, an error when there is one that cannot be read.
func wordBlanket(m *parse.Message) (*wordDoc, error) {
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if !docx.IsDocx(a.Filename, a.ContentType) {
			continue
		}
		if !a.Kept() {
			return nil, fmt.Errorf("the document was not kept: %s", a.Dropped)
		}
		var r io.ReaderAt = bytes.NewReader(a.Content)
		size := int64(len(a.Content))
		if a.Content == nil {
			f, err := os.Open(a.File)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return nil, err
			}
			r, size = f, fi.Size()
		}
		text, err := docx.Text(r, size, docx.Limits{})
		if err != nil {
			return nil, err
		}
		return &wordDoc{name: a.Filename, text: text}, nil
	}
	return nil, nil
}

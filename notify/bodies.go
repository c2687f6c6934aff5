package notify

import (
	"time"

	"lexheller/intake/form"
	"lexheller/intake/store"
)

// Body is what a mail of one kind says: one of the types below, each
// with the fields its template needs. Its type is the mail's kind.
type Body interface {
	Kind() Kind
	fill(d *Data, lang string)
}

// Ack acknowledges a new case to the reporter.
type Ack struct {
	PIIMasked  bool    // personnummer were masked: the mail says so
	Contact    Contact // whom the reporter may ask, the förbund's process leader
	NewsWithin string  // when the reporter hears from us, in the mail's language, e.g. "inom två veckor"
	PrivacyURL string  // the förbund's page on personal data
	KeepDays   int     // days personal data is kept after the case is closed; 0 leaves it unsaid
	// Document is the attached Word document the blanket was read from,
	// or that filled in what the mail's text left out (DocumentFilled).
	Document       string
	DocumentFilled bool
	FormURL        string // the web form, for the next report; "" says none
}

// NewCase tells the process leaders of a new case.
type NewCase struct {
	PIIMasked   bool
	Attachments []store.Attachment
	Similar     []SimilarCase     // earlier cases like this one
	Names       []string          // what in the text looks like a person's name
	NoAck       string            // why the reporter got no acknowledgement; "" when they did
	Unreadable  []form.Unreadable // values under a label that could not be read, not stored
}

// Incomplete asks the sender of a blanket for what is missing.
type Incomplete struct {
	Fields    *form.Fields // what was understood
	Written   []string     // keys of the fields the sender wrote; nil means all
	Missing   []string     // keys of the fields missing
	PIIMasked bool
	Name      string   // whom to greet
	Attached  []string // documents received instead of a blanket in the text
}

// BlankForm sends the blank form to whoever asked for it, with the Word
// blanket attached when Files has it.
type BlankForm struct{ Files []File }

// ReplyNotice passes a reporter's reply on to the process leaders.
type ReplyNotice struct {
	From      string // who wrote
	Text      string // what they wrote, personnummer masked
	PIIMasked bool
}

// SendFailed tells the process leaders that a mail could not be sent.
type SendFailed struct{ Failed *store.OutMail }

// BounceNotice tells the process leaders that a mail bounced.
type BounceNotice struct {
	Failed *store.OutMail
	Reason string
}

// Quarantined tells the process leaders of a message that could not be
// handled and was moved to Karantän.
type Quarantined struct {
	From    string // the sender, if the message could be read
	Subject string // its subject, personnummer masked
	Where   string // mailbox and UID
	Reason  string
}

// ForwardCopy is a forward exactly as the party got it, to the process
// leaders.
type ForwardCopy struct {
	Forward *store.Forward
	Subject string
	Text    string
}

// Question is a process leader's question to the reporter.
type Question struct {
	Text    string
	Greeted bool // the text greets the reporter itself, so the mail does not
}

// Forward is the case, de-identified, to a party's representative.
type Forward struct {
	Forward     *store.Forward
	Question    string
	WithContact bool      // the reporter's contact details go along
	AnswerBy    time.Time // the date by which an answer is wanted; zero says none
}

// AnswerNotice passes a party's answer on to the process leaders.
type AnswerNotice struct {
	Forward   *store.Forward
	Open      []*store.Forward // forwards still waiting for an answer
	Text      string
	PIIMasked bool
}

// Feedback is the förbund's feedback to the reporter.
type Feedback struct {
	Text    string
	Answers []*store.Forward // the parties' answers, quoted
	Greeted bool
	Closing bool // the case is closed with it: the mail says so
}

// StatusNotice tells the reporter what has happened on their case since
// the last notice: forwarded, answered, raised, closed.
type StatusNotice struct{ Notices []*store.Notice }

// Status answers /status: where the case stands, and its timeline as the
// one who asked may see it.
type Status struct {
	Role     store.Role
	Timeline []TimelineEntry
	Open     []*store.Forward // forwards still waiting, for a process leader
}

// TimelineEntry is one line of a case's timeline as someone is shown it.
type TimelineEntry struct {
	At   time.Time
	Text string
}

// Digest is what a party's representative gets on a schedule: their open
// forwards, what they answered since the last digest and their party's
// cases closed since, with the feedback given.
type Digest struct{ Digest *DigestData }

// CommandResult tells the sender of commands what they did, or why
// nothing was done.
type CommandResult struct {
	Changes  []string  // what changed, one line each
	Problems []string  // why nothing was applied
	Help     []HelpRow // the command table, when asked for or needed
	Text     string    // what was relayed, for a plain reply
}

// Refused answers commands from someone who may not give them.
type Refused struct {
	Command string // the first command line, personnummer masked
}

// Reminder reminds a representative of an unanswered forward (Copy: the
// process leaders' copy).
type Reminder struct {
	Forward     *store.Forward
	WithContact bool
	Days        int // days waited
	AnswerBy    time.Time
	Copy        bool
}

// Quiet reminds the process leaders of a case with no event for a while.
type Quiet struct {
	Open []*store.Forward
	Days int
}

// AgendaMail is the meeting's agenda, to the förbundschef.
type AgendaMail struct{ Agenda *Agenda }

// PatternReport is the pattern report, to the working group.
type PatternReport struct {
	Period string // as a person reads it
	Total  int    // cases in the period
	Text   string
	HTML   string // the HTML alternative
	Files  []File // attached
}

func (Ack) Kind() Kind           { return KindAck }
func (NewCase) Kind() Kind       { return KindNotifyNew }
func (Incomplete) Kind() Kind    { return KindIncomplete }
func (BlankForm) Kind() Kind     { return KindForm }
func (ReplyNotice) Kind() Kind   { return KindReplyNotice }
func (SendFailed) Kind() Kind    { return KindSendFailed }
func (BounceNotice) Kind() Kind  { return KindBounceNotice }
func (Quarantined) Kind() Kind   { return KindQuarantined }
func (ForwardCopy) Kind() Kind   { return KindForwardCopy }
func (Question) Kind() Kind      { return KindQuestion }
func (Forward) Kind() Kind       { return KindForward }
func (AnswerNotice) Kind() Kind  { return KindAnswerNotice }
func (Feedback) Kind() Kind      { return KindFeedback }
func (CommandResult) Kind() Kind { return KindCommandResult }
func (Refused) Kind() Kind       { return KindRefused }
func (Reminder) Kind() Kind      { return KindReminder }
func (Quiet) Kind() Kind         { return KindQuiet }
func (AgendaMail) Kind() Kind    { return KindAgenda }
func (PatternReport) Kind() Kind { return KindReport }
func (StatusNotice) Kind() Kind  { return KindNotice }
func (Status) Kind() Kind        { return KindStatus }
func (Digest) Kind() Kind        { return KindDigest }

func (b Ack) fill(d *Data, _ string) {
	d.PIIMasked, d.Contact, d.NewsWithin, d.PrivacyURL, d.KeepDays = b.PIIMasked, b.Contact, b.NewsWithin, b.PrivacyURL, b.KeepDays
	d.Document, d.DocumentFilled, d.FormURL = b.Document, b.DocumentFilled, b.FormURL
}

func (b NewCase) fill(d *Data, lang string) {
	d.PIIMasked, d.Attachments, d.Similar, d.Names, d.Reason = b.PIIMasked, b.Attachments, b.Similar, b.Names, b.NoAck
	for _, u := range b.Unreadable {
		d.Unreadable = append(d.Unreadable, Field{Label: Label(lang, u.Field), Value: u.Text})
	}
}

func (b Incomplete) fill(d *Data, lang string) {
	d.PIIMasked, d.Name, d.Attached = b.PIIMasked, b.Name, b.Attached
	if b.Fields != nil {
		d.Fields = formFields(lang, b.Fields, b.Written)
	}
	for _, k := range b.Missing {
		d.Missing = append(d.Missing, Label(lang, k))
	}
}

func (BlankForm) fill(*Data, string) {}

func (b BlankForm) attached() []File     { return b.Files }
func (b PatternReport) attached() []File { return b.Files }

func (b ReplyNotice) fill(d *Data, _ string) {
	d.From, d.Text, d.PIIMasked = b.From, b.Text, b.PIIMasked
}
func (b SendFailed) fill(d *Data, _ string) { d.Failed = b.Failed }
func (b BounceNotice) fill(d *Data, _ string) {
	d.Failed, d.Reason = b.Failed, b.Reason
}

func (b Quarantined) fill(d *Data, _ string) {
	d.From, d.Name, d.Text, d.Reason = b.From, b.Subject, b.Where, b.Reason
}

func (b ForwardCopy) fill(d *Data, _ string) {
	d.Forward, d.Name, d.Text = b.Forward, b.Subject, b.Text
}
func (b Question) fill(d *Data, _ string) { d.Text, d.Greeted = b.Text, b.Greeted }
func (b Forward) fill(d *Data, _ string) {
	d.Forward, d.Text, d.WithContact, d.AnswerBy = b.Forward, b.Question, b.WithContact, b.AnswerBy
}

func (b AnswerNotice) fill(d *Data, _ string) {
	d.Forward, d.Open, d.Text, d.PIIMasked = b.Forward, b.Open, b.Text, b.PIIMasked
}

func (b Feedback) fill(d *Data, _ string) {
	d.Text, d.Answers, d.Greeted, d.Closing = b.Text, b.Answers, b.Greeted, b.Closing
}

func (b StatusNotice) fill(d *Data, _ string) { d.Notices = b.Notices }
func (b Status) fill(d *Data, _ string) {
	d.Role, d.Timeline, d.Open = string(b.Role), b.Timeline, b.Open
}
func (b Digest) fill(d *Data, _ string) { d.Digest = b.Digest }
func (b CommandResult) fill(d *Data, _ string) {
	d.Changes, d.Problems, d.Help, d.Text = b.Changes, b.Problems, b.Help, b.Text
}

func (b Refused) fill(d *Data, _ string) { d.Text = b.Command }
func (b Reminder) fill(d *Data, _ string) {
	d.Forward, d.WithContact, d.Days, d.AnswerBy, d.Copy = b.Forward, b.WithContact, b.Days, b.AnswerBy, b.Copy
}

func (b Quiet) fill(d *Data, _ string)         { d.Open, d.Days = b.Open, b.Days }
func (b AgendaMail) fill(d *Data, _ string)    { d.Agenda = b.Agenda }
func (b PatternReport) fill(d *Data, _ string) { d.Period, d.Total, d.Text = b.Period, b.Total, b.Text }

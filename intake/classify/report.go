package classify

import (
	"bytes"
	"context"
	"strings"

	"lexheller/intake/form"
	"lexheller/intake/parse"
)

// Report is the JSON object `lexheller inspect --json` prints (DESIGN.md,
// "Interfaces that scripts and tests rely on"). Case is the case of a
// reply, command or bounce, or the one an automatic reply answers
// (Result.AutoCase).
type Report struct {
	Kind      Kind          `json:"kind"`
	Reason    string        `json:"reason"`
	From      parse.Address `json:"from"`
	Subject   string        `json:"subject"`
	MessageID string        `json:"message_id"`
	Case      *string       `json:"case"`
	Fields    *form.Fields  `json:"fields"`
	Missing   []string      `json:"missing"`
	// Unreadable are the blanket's values that could not be read (an
	// event date that is no date, …): not stored, shown here.
	Unreadable []form.Unreadable `json:"unreadable,omitempty"`
	// Attached names the documents received instead of a blanket in the
	// text (InvalidForm).
	Attached    []string           `json:"attached,omitempty"`
	PII         []form.PII         `json:"pii"`
	Text        string             `json:"text"`
	Attachments []ReportAttachment `json:"attachments"`
	Problems    []string           `json:"problems,omitempty"`
}

// ReportAttachment describes one attachment in a Report.
type ReportAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// NewReport builds the inspect report of a classified message.
func NewReport(m *parse.Message, r *Result) *Report {
	rep := &Report{
		Kind:        r.Kind,
		Reason:      r.Reason,
		From:        m.From,
		Subject:     m.Subject,
		MessageID:   m.MessageID,
		Text:        r.Text,
		PII:         form.FindPII(m.Subject + "\n" + m.Text),
		Attachments: []ReportAttachment{},
		Problems:    m.Problems,
	}
	if rep.Text == "" {
		// Every kind has its text: a person looking at Karantän needs it
		// most. Quoted history is cut from replies only.
		rep.Text = strings.TrimSpace(m.Text)
	}
	if c := r.Case; c != "" {
		rep.Case = &c
	} else if c := r.AutoCase; c != "" {
		// An automatic reply names the case it answers, as found.
		rep.Case = &c
	}
	rep.Attached = r.Attached
	if r.Form != nil {
		f := r.Form.Fields
		rep.Fields = &f
		rep.Missing, rep.Unreadable = r.Form.Missing, r.Form.Unreadable
		if rep.Missing == nil {
			rep.Missing = []string{}
		}
	}
	for _, a := range m.Attachments {
		rep.Attachments = append(rep.Attachments, ReportAttachment{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size})
	}
	return rep
}

// Inspect runs one raw message through decoding, classification and the
// blanket's parser, touching no mailbox and sending nothing: what
// `lexheller inspect` prints. lk may be nil (no store).
func Inspect(ctx context.Context, raw []byte, o *Options, lk Lookup) (*Report, error) {
	m, err := parse.Parse(bytes.NewReader(raw), nil)
	if err != nil {
		return &Report{Kind: Quarantine, Reason: err.Error(), PII: []form.PII{}, Attachments: []ReportAttachment{}}, nil
	}
	res, err := Classify(ctx, m, o, lk)
	if err != nil {
		return nil, err
	}
	return NewReport(m, res), nil
}

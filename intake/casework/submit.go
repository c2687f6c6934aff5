package casework

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"time"
)

// MailboxWeb is the ledger's mailbox of the web form's submissions.
const MailboxWeb = "web"

// Submission is a blanket from the web form: the same "Label: value"
// text a mailed blanket has, from the address the reporter typed.
type Submission struct {
	Forbund string // the förbund's slug
	Name    string // the reporter's name and address, as typed
	Email   string
	Text    string
	// Key identifies the form the submission came from (its token): the
	// same key and text again (a double click, the back button) is the
	// same message, and makes no second case.
	Key   string
	Files []SubmittedFile
	// Hold: the address is outside the förbund's member agencies; the
	// case waits for a process leader's /godkänn before its reporter is
	// acknowledged.
	Hold bool
	At   time.Time
}

// SubmittedFile is a file attached in the web form.
type SubmittedFile struct {
	Name, ContentType string
	Data              []byte
}

// Submit records a submission through the same path as the mailbox's
// blankets: it becomes a message of the ledger (mailbox "web"), is
// classified, masked and made a case, and the acknowledgement and the
// process leaders' notification are queued in the same transaction. It
// returns when that has committed.
func (p *Processor) Submit(ctx context.Context, s Submission) (Outcome, error) {
	raw, err := submissionMessage(s, p.Classify.Address, p.Classify.Signer.Domain)
	if err != nil {
		return Outcome{}, err
	}
	p.webMu.Lock()
	defer p.webMu.Unlock()
	uid, err := p.Store.NextUID(ctx, MailboxWeb)
	if err != nil {
		return Outcome{}, err
	}
	outs, err := p.Process(ctx, []Incoming{{Mailbox: MailboxWeb, UIDValidity: 1, UID: uid, Raw: raw, Forbund: s.Forbund, Hold: s.Hold}})
	if err != nil {
		return Outcome{}, err
	}
	if err := p.Store.MarkMoved(ctx, []int64{outs[0].Ledger}, p.now()); err != nil {
		return outs[0], err
	}
	return outs[0], nil
}

// submissionMessage is s as the mail a reporter would have sent: From
// the address typed, to ours, the text as its body and the files
// attached. Its Message-ID comes from the form's key.
func submissionMessage(s Submission, to, domain string) ([]byte, error) {
	var b bytes.Buffer
	from := (&mailAddress{s.Name, s.Email}).String()
	at := s.At
	if at.IsZero() {
		at = time.Now()
	}
	h := []string{
		"From: " + from,
		"To: <" + to + ">",
		"Subject: " + mime.QEncoding.Encode("utf-8", "Lex Heller-anmälan från webbformuläret"),
		"Date: " + at.Format(time.RFC1123Z),
		"Message-ID: <web." + safeKey(s.Key) + "@" + domain + ">",
		"MIME-Version: 1.0",
	}
	body := strings.ReplaceAll(strings.ReplaceAll(s.Text, "\r\n", "\n"), "\n", "\r\n")
	if len(s.Files) == 0 {
		h = append(h, "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64")
		b.WriteString(strings.Join(h, "\r\n") + "\r\n\r\n" + wrap64([]byte(body)))
		return b.Bytes(), nil
	}
	var parts bytes.Buffer
	mw := multipart.NewWriter(&parts)
	text, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"base64"}})
	if err != nil {
		return nil, err
	}
	text.Write([]byte(wrap64([]byte(body))))
	for _, f := range s.Files {
		ct := f.ContentType
		if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
			ct = "application/octet-stream"
		}
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {ct},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": f.Name})},
			"Content-Transfer-Encoding": {"base64"}})
		if err != nil {
			return nil, err
		}
		w.Write([]byte(wrap64(f.Data)))
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	h = append(h, "Content-Type: multipart/mixed; boundary="+mw.Boundary())
	b.WriteString(strings.Join(h, "\r\n") + "\r\n\r\n")
	b.Write(parts.Bytes())
	return b.Bytes(), nil
}

// mailAddress formats a name and address for a From header.
type mailAddress struct{ name, addr string }

func (a *mailAddress) String() string {
	addr := strings.TrimSpace(a.addr)
	if strings.ContainsAny(addr, "<>\r\n\" ") || addr == "" {
		addr = "okand@invalid" // none a mail can go to: the case is made, no acknowledgement
	}
	if n := strings.TrimSpace(a.name); n != "" {
		return mime.QEncoding.Encode("utf-8", n) + " <" + addr + ">"
	}
	return "<" + addr + ">"
}

// safeKey keeps what may stand in a Message-ID's left part.
func safeKey(k string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return -1
	}, k)
}

// wrap64 is data in base64, 76 characters a line.
func wrap64(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

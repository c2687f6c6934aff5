package casework

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"lexheller/intake/form"
)

// MailboxWeb is the ledger's mailbox of the web form's submissions (no
// IMAP folder is called so).
const MailboxWeb = "lexheller:web"

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
	// Form is the blanket field by field, as the form gave it: it stands
	// for what would be read from Text (see Incoming.Form).
	Form *form.Result
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
	outs, err := p.Process(ctx, []Incoming{{Mailbox: MailboxWeb, UIDValidity: 1, UID: uid, Raw: raw, Forbund: s.Forbund, Hold: s.Hold, Form: s.Form}})
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
// attached. Its Message-ID and MIME boundary come from the form's key, so
// the same form sent twice is the same message.
func submissionMessage(s Submission, to, domain string) ([]byte, error) {
	at := s.At
	if at.IsZero() {
		at = time.Now()
	}
	addr := strings.TrimSpace(s.Email)
	if _, err := mail.ParseAddress(addr); err != nil || strings.ContainsAny(addr, "<>,\"\r\n ") {
		addr = "okand@invalid" // none a mail can go to: the case is made, and no acknowledgement
	}
	from := (&mail.Address{Name: strings.Join(strings.Fields(s.Name), " "), Address: addr}).String()
	key := safeKey(s.Key)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <web.%s@%s>\r\nMIME-Version: 1.0\r\n",
		from, to, mime.QEncoding.Encode("utf-8", "Lex Heller-anmälan från webbformuläret"), at.Format(time.RFC1123Z), key, domain)
	body := []byte(strings.ReplaceAll(strings.ReplaceAll(s.Text, "\r\n", "\n"), "\n", "\r\n"))
	if len(s.Files) == 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		err := write64(&b, body)
		return b.Bytes(), err
	}
	size := len(body)
	for _, f := range s.Files {
		size += len(f.Data)
	}
	b.Grow(size*4/3 + size/38 + 4096) // base64 and its line breaks
	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary("lexheller-web-" + key[:min(len(key), 40)]); err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%s\r\n\r\n", mw.Boundary())
	text, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"base64"}})
	if err != nil {
		return nil, err
	}
	if err := write64(text, body); err != nil {
		return nil, err
	}
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
		if err := write64(w, f.Data); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), mw.Close()
}

// safeKey keeps what may stand in a Message-ID's left part and a MIME
// boundary.
func safeKey(k string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return -1
	}, k)
}

// write64 writes data to w in base64, 76 characters a line, without a
// copy of the whole.
func write64(w io.Writer, data []byte) error {
	const chunk = 57 // bytes that make one line of 76
	line := make([]byte, 0, 78)
	for len(data) > 0 {
		n := min(chunk, len(data))
		line = base64.StdEncoding.AppendEncode(line[:0], data[:n])
		line = append(line, '\r', '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

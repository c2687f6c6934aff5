// Package parse decodes one raw RFC 5322 message into the parts lexheller
// works with: addresses, the decoded subject, threading headers, the best
// text body and the attachments.
//
// It does no I/O beyond the given reader and keeps going wherever it can: a
// part that cannot be read is recorded in Message.Problems and skipped, so a
// valid blanket that carries something hostile is still read. Only a message
// whose header cannot be read at all is an error.
//
// # Charsets
//
// Text is decoded with the declared charset (every charset of
// github.com/emersion/go-message/charset), then, when the label is missing,
// wrong or unknown, as UTF-8 when the bytes are valid UTF-8 and otherwise as
// Windows-1252. An "iso-8859-1" or "us-ascii" label is read as Windows-1252,
// as browsers and Outlook do (WHATWG Encoding, "latin1").
//
// # Bodies
//
// text/plain is preferred; format=flowed (RFC 3676) is unwrapped; a message
// with only HTML is converted to text (tables become "cell: cell" lines); a
// message whose body is empty but carries a text/plain attachment is read
// from that attachment.
package parse

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"lexheller/intake/form"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding/charmap"
)

// Limits of what Parse reads, chosen so that no message can make it hang or
// exhaust memory.
const (
	maxHeaderBytes = 1 << 20 // of a report's returned header
	maxDepth       = 20      // nesting of multiparts
	maxParts       = 500     // parts of one message
	// maxTextBytes is the text read from all the text parts of one
	// message together: a blanket is a few kilobytes, and everything
	// downstream (the parser, the masker, the store, the mails that quote
	// it) holds the text in memory. The raw message keeps the rest.
	maxTextBytes = 256 << 10
)

// ErrUnreadable is wrapped by the error Parse returns when a message has no
// readable header.
var ErrUnreadable = errors.New("parse: message is unreadable")

// Options tune Parse. A nil *Options is the zero value.
type Options struct {
	// MaxAttachmentBytes is how much attachment content Parse keeps for one
	// message; larger attachments are recorded (name, type, size, hash)
	// without their content. Zero means 25 MB.
	MaxAttachmentBytes int64
	// SpillDir, when set, is where the content of an attachment larger
	// than 1 MiB is written (Attachment.File) instead of being held in
	// memory; the caller removes the files (RemoveFiles).
	SpillDir string
}

// spillOver is the size above which an attachment is spilled to a file.
const spillOver = 1 << 20

func (o *Options) spillDir() string {
	if o == nil {
		return ""
	}
	return o.SpillDir
}

func (o *Options) maxAttachmentBytes() int64 {
	if o == nil || o.MaxAttachmentBytes <= 0 {
		return 25 << 20
	}
	return o.MaxAttachmentBytes
}

// Address is a decoded mailbox: a display name and an address.
type Address struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

func (a Address) String() string {
	if a.Name == "" {
		return a.Address
	}
	return (&mail.Address{Name: a.Name, Address: a.Address}).String()
}

// Attachment is one non-body part of a message.
type Attachment struct {
	Filename    string // sanitised: a base name without path or control characters
	ContentType string
	Size        int64
	SHA256      string // hex, over the decoded content
	Content     []byte // nil when not kept (see Dropped) or kept in File
	File        string // the file holding the content, when it was spilled (Options.SpillDir)
	Dropped     string // why the content was not kept, or ""
}

// Kept reports whether the attachment's content was kept.
func (a *Attachment) Kept() bool { return a.Content != nil || a.File != "" }

// RemoveFiles removes the files attachments were spilled to.
func (m *Message) RemoveFiles() {
	for _, a := range m.Attachments {
		if a.File != "" {
			os.Remove(a.File)
		}
	}
}

// Message is a decoded message. Header is the top-level header as received.
type Message struct {
	Header      textproto.Header
	From        Address
	Sender      Address
	ReplyTo     []Address
	To          []Address
	Cc          []Address
	DeliveredTo []string // Delivered-To, X-Original-To, Envelope-To
	Subject     string
	MessageID   string // without angle brackets; "" when missing
	InReplyTo   []string
	References  []string
	Date        time.Time

	MediaType string // of the top-level entity, e.g. "multipart/report"
	// ReportType is the report-type parameter of a multipart/report.
	ReportType string
	// ReportedMessageIDs are the Message-IDs found in the returned headers
	// of a delivery report (message/rfc822 or text/rfc822-headers parts).
	ReportedMessageIDs []string

	Text        string // the body as text, "" when none
	FromHTML    bool   // Text was converted from HTML
	Attachments []Attachment
	Problems    []string // what could not be read, one line each
}

// Parse reads a raw message. It returns an error wrapping ErrUnreadable only
// when the top-level header cannot be read; everything below that is best
// effort and recorded in Message.Problems.
func Parse(r io.Reader, opts *Options) (*Message, error) {
	br := bufio.NewReader(r)
	hdr, err := textproto.ReadHeader(br)
	if hdr.Len() == 0 {
		if err == nil {
			err = errors.New("no header fields")
		}
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	m := &Message{Header: hdr}
	if err != nil {
		m.Problems = append(m.Problems, fmt.Sprintf("header broken off: %v", err))
	}
	m.readHeaderFields()

	w := walker{msg: m, budget: opts.maxAttachmentBytes(), spill: opts.spillDir()}
	if l, ok := r.(interface{ Len() int }); ok {
		w.size = int64(l.Len())
	}
	mt, params := mediaType(hdr)
	m.MediaType = mt
	if mt == "multipart/report" {
		m.ReportType = strings.ToLower(params["report-type"])
	}
	w.entity(hdr, br, 0)
	m.chooseBody(&w)
	return m, nil
}

func (m *Message) readHeaderFields() {
	h := m.Header
	m.Subject = DecodeHeader(h.Get("Subject"))
	if l := addressList(h.Get("From")); len(l) > 0 {
		m.From = l[0]
	}
	if l := addressList(h.Get("Sender")); len(l) > 0 {
		m.Sender = l[0]
	}
	m.ReplyTo = addressList(h.Get("Reply-To"))
	m.To = addressList(strings.Join(h.Values("To"), ", "))
	m.Cc = addressList(strings.Join(h.Values("Cc"), ", "))
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range h.Values(k) {
			for _, a := range addressList(v) {
				m.DeliveredTo = append(m.DeliveredTo, a.Address)
			}
		}
	}
	if ids := MsgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = MsgIDs(h.Get("In-Reply-To"))
	m.References = MsgIDs(strings.Join(h.Values("References"), " "))
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		m.Date = d
	}
}

var wordDecoder = &mime.WordDecoder{CharsetReader: func(cs string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<16))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(DecodeText(b, cs)), nil
}}

// wordCharsetRe finds the charset of encoded-words labelled UTF-8,
// ISO-8859-1 or US-ASCII, which mime.WordDecoder decodes itself without
// asking its CharsetReader: Outlook's "=?iso-8859-1?Q?=96?=" would become a
// C1 control character instead of "–", and Latin-1 bytes in a word labelled
// UTF-8 would stay invalid UTF-8.
var wordCharsetRe = regexp.MustCompile(`(?i)=\?(utf-8|iso-8859-1|us-ascii)((?:\*[^?]*)?\?[bq]\?[^?\s]*\?=)`)

// relabelWords relabels such encoded-words ("utf8", "windows-1252") so that
// wordDecoder reads them like a body with the same label (see DecodeText).
func relabelWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	return wordCharsetRe.ReplaceAllStringFunc(s, func(w string) string {
		m := wordCharsetRe.FindStringSubmatch(w)
		if strings.EqualFold(m[1], "utf-8") {
			return "=?utf8" + m[2]
		}
		return "=?windows-1252" + m[2]
	})
}

// raw8bit reads a header value with raw 8-bit bytes that are not UTF-8 as
// Windows-1252; encoded-words, being ASCII, are unharmed.
func raw8bit(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
		return d
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// DecodeHeader decodes RFC 2047 encoded-words and removes control
// characters (CR, LF, tabs become spaces), so that a decoded value can never
// inject a header line.
func DecodeHeader(s string) string {
	s = raw8bit(s)
	if d, err := wordDecoder.DecodeHeader(relabelWords(s)); err == nil {
		s = d
	}
	return cleanLine(strings.ToValidUTF8(s, "\uFFFD"))
}

func cleanLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

var addrParser = &mail.AddressParser{WordDecoder: wordDecoder}

// addressList parses an address list leniently: where net/mail refuses the
// whole list, each comma-separated piece is tried on its own, and a bare
// address inside angle brackets is still found.
func addressList(s string) []Address {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	s = relabelWords(raw8bit(s))
	if l, err := addrParser.ParseList(s); err == nil {
		return convert(l)
	}
	var out []Address
	for _, piece := range strings.Split(s, ",") {
		if a, err := addrParser.Parse(piece); err == nil {
			out = append(out, convert([]*mail.Address{a})...)
			continue
		}
		if i, j := strings.LastIndexByte(piece, '<'), strings.LastIndexByte(piece, '>'); i >= 0 && j > i {
			if addr := strings.ToLower(strings.TrimSpace(piece[i+1 : j])); plainAddr(addr) {
				out = append(out, Address{Name: DecodeHeader(strings.Trim(piece[:i], ` "`)), Address: addr})
			}
		} else if addr := strings.ToLower(strings.TrimSpace(piece)); strings.Contains(addr, "@") && plainAddr(addr) {
			out = append(out, Address{Address: addr})
		}
	}
	return out
}

// plainAddr reports whether an address net/mail refused is still usable:
// no spaces or control characters (a lone CR would end a header line of a
// reply) and valid UTF-8.
func plainAddr(s string) bool {
	return s != "" && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

func convert(l []*mail.Address) []Address {
	out := make([]Address, 0, len(l))
	for _, a := range l {
		out = append(out, Address{Name: cleanLine(a.Name), Address: strings.ToLower(a.Address)})
	}
	return out
}

// MsgIDs returns the message identifiers in a Message-ID, In-Reply-To or
// References value, without angle brackets. Text outside brackets (some
// clients add comments) is ignored; a value without brackets is taken whole.
func MsgIDs(s string) []string {
	var ids []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(s[i+1 : i+j]); id != "" && !strings.ContainsAny(id, " \t\r\n") {
			ids = append(ids, id)
		}
		s = s[i+j+1:]
	}
	if len(ids) == 0 {
		if t := strings.TrimSpace(s); t != "" && strings.Contains(t, "@") && !strings.ContainsAny(t, " \t\r\n<>") {
			ids = append(ids, t)
		}
	}
	return ids
}

func mediaType(h textproto.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if v == "" {
		return "text/plain", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil {
		// Keep what can be read of a malformed value, e.g. a missing
		// closing quote on the boundary.
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
		params = map[string]string{}
		for _, p := range strings.Split(v, ";")[1:] {
			if k, val, ok := strings.Cut(p, "="); ok {
				params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
		if !strings.Contains(mt, "/") {
			mt = "text/plain"
		}
	}
	return mt, params
}

// body is one candidate text part.
type body struct {
	text   string
	html   bool
	flowed bool
}

type walker struct {
	msg    *Message
	spill  string // Options.SpillDir
	budget int64  // attachment bytes still allowed
	size   int64  // of the whole raw message, when the reader tells; 0 if not
	parts  int
	plain  []body
	html   []body
	txtAtt []body // text/plain attachments, a fallback body
	text   int    // bytes of text read so far (maxTextBytes in all)
}

func (w *walker) problem(format string, args ...any) {
	if len(w.msg.Problems) < 50 {
		w.msg.Problems = append(w.msg.Problems, fmt.Sprintf(format, args...))
	}
}

// entity reads one MIME entity whose header is h and whose body is r.
func (w *walker) entity(h textproto.Header, r io.Reader, depth int) {
	w.parts++
	if w.parts > maxParts {
		if w.parts == maxParts+1 {
			w.problem("more than %d parts; the rest was not read", maxParts)
		}
		return
	}
	mt, params := mediaType(h)
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	filename = DecodeHeader(filename)

	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxDepth {
			w.problem("multipart nested deeper than %d levels; the inner parts were not read", maxDepth)
			return
		}
		boundary := params["boundary"]
		if boundary == "" {
			w.problem("%s without a boundary; read as text", mt)
			w.leaf("text/plain", params, "", "", h, r)
			return
		}
		pre := &preamble{r: r}
		mr := textproto.NewMultipartReader(pre, boundary)
		for n := 0; ; n++ {
			p, err := mr.NextPart()
			if n == 0 {
				pre.done = true
				if err != nil && err != io.EOF {
					// The boundary occurs nowhere, or the first part is
					// broken: the body is still text.
					w.problem("%s with boundary %q unreadable (%v); read as text", mt, boundary, err)
					w.leaf("text/plain", params, "", "", h, io.MultiReader(bytes.NewReader(pre.buf.Bytes()), r))
					return
				}
				pre.buf = bytes.Buffer{}
			}
			if err == io.EOF {
				if n == 0 {
					w.problem("%s has no parts (boundary %q not found)", mt, boundary)
				}
				return
			}
			if err != nil {
				w.problem("broken %s: %v", mt, err)
				return
			}
			w.entity(p.Header, p, depth+1)
		}
	}
	if mt == "message/rfc822" || mt == "text/rfc822-headers" || mt == "message/global" || mt == "message/global-headers" {
		if w.msg.MediaType == "multipart/report" {
			w.reported(transferDecoder(h.Get("Content-Transfer-Encoding"), r))
			return
		}
	}
	w.leaf(mt, params, disp, filename, h, r)
}

// preamble records what a multipart reader reads until done is set (after
// the first part is found), so that a multipart whose boundary never occurs
// can still be read as text.
type preamble struct {
	r    io.Reader
	buf  bytes.Buffer
	done bool
}

func (p *preamble) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if !p.done && p.buf.Len() <= maxTextBytes {
		p.buf.Write(b[:n])
	}
	return n, err
}

// reported reads the returned header of a delivery report.
func (w *walker) reported(r io.Reader) {
	br := bufio.NewReader(io.LimitReader(r, maxHeaderBytes))
	h, err := textproto.ReadHeader(br)
	if err != nil && h.Len() == 0 {
		w.problem("unreadable returned message in report: %v", err)
		return
	}
	w.msg.ReportedMessageIDs = append(w.msg.ReportedMessageIDs, MsgIDs(h.Get("Message-Id"))...)
}

func (w *walker) leaf(mt string, params map[string]string, disp, filename string, h textproto.Header, r io.Reader) {
	cte := h.Get("Content-Transfer-Encoding")
	if !knownEncoding(cte) {
		w.problem("unknown Content-Transfer-Encoding %q in %s part; read as is", cte, mt)
	}
	dec := transferDecoder(cte, r)
	isText := mt == "text/plain" || mt == "text/html"
	if isText && disp != "attachment" && filename == "" {
		room := maxTextBytes - w.text
		if room <= 0 {
			w.problem("%s part not read: the message's text is over %d bytes (the raw message is kept whole)", mt, maxTextBytes)
			_, _ = io.Copy(io.Discard, dec)
			return
		}
		b, err := io.ReadAll(io.LimitReader(dec, int64(room)+1))
		if err != nil {
			w.problem("%s part partly unreadable: %v", mt, err)
		}
		if len(b) > room {
			w.problem("%s part cut: the message's text is over %d bytes (the raw message is kept whole)", mt, maxTextBytes)
			b = b[:room]
			// Do not cut the last UTF-8 sequence in two, or the text is
			// no longer valid UTF-8 and would be read as Windows-1252.
			for k := 1; k < utf8.UTFMax && k <= len(b); k++ {
				if utf8.RuneStart(b[len(b)-k]) {
					if !utf8.FullRune(b[len(b)-k:]) {
						b = b[:len(b)-k]
					}
					break
				}
			}
			_, _ = io.Copy(io.Discard, dec)
		}
		w.text += len(b)
		cs := params["charset"]
		if cs != "" && !knownCharset(cs) {
			w.problem("unknown charset %q in %s part; read as UTF-8 or Windows-1252", cs, mt)
		}
		text := DecodeText(b, cs)
		if mt == "text/html" {
			w.html = append(w.html, body{text: text, html: true})
		} else {
			flowed := strings.EqualFold(params["format"], "flowed")
			if flowed {
				text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
			}
			w.plain = append(w.plain, body{text: text, flowed: flowed})
		}
		return
	}
	w.attachment(mt, params, filename, dec)
}

func (w *walker) attachment(mt string, params map[string]string, filename string, r io.Reader) {
	a := Attachment{Filename: SanitizeFilename(filename, mt), ContentType: mt}
	hash := sha256.New()
	keep := w.budget
	dst := &spillWriter{keep: keep, dir: w.spill, text: mt == "text/plain"}
	// A decoded part is at most about 3/4 of the raw message: growing to
	// that at once spares a large attachment the doubling copies.
	if hint := min(keep+1, w.size*3/4+4096); hint > 64<<10 && dst.dir == "" {
		dst.buf.Grow(int(hint))
	}
	n, err := io.Copy(io.MultiWriter(hash, dst), r)
	a.Size = n
	a.SHA256 = hex.EncodeToString(hash.Sum(nil))
	if err != nil {
		w.problem("attachment %q partly unreadable: %v", a.Filename, err)
	}
	if ferr := dst.close(); ferr != nil {
		w.problem("attachment %q could not be kept: %v", a.Filename, ferr)
		n = keep + 1 // not kept
	}
	switch {
	case n <= keep && dst.file != nil:
		a.File = dst.file.Name()
		w.budget -= n
	case n <= keep:
		a.Content = dst.buf.Bytes()
		if cap(a.Content) > 2*len(a.Content)+4096 {
			a.Content = bytes.Clone(a.Content) // do not hold on to the hint
		}
		if a.Content == nil {
			a.Content = []byte{} // kept, and empty
		}
		w.budget -= n
	default:
		if dst.file != nil {
			os.Remove(dst.file.Name())
		}
		a.Dropped = fmt.Sprintf("larger than the %d MB kept per message", w.maxMB())
		w.problem("attachment %q (%d bytes) not kept: %s", a.Filename, n, a.Dropped)
	}
	if mt == "text/plain" && a.Content != nil {
		w.txtAtt = append(w.txtAtt, body{text: DecodeText(a.Content, params["charset"])})
	}
	w.msg.Attachments = append(w.msg.Attachments, a)
}

// spillWriter keeps up to keep bytes: in memory, or, past spillOver and
// with a directory to spill to, in a temporary file. What is past keep is
// discarded, so the whole stream is still hashed and counted.
type spillWriter struct {
	keep int64
	dir  string
	text bool // text/plain is read as a body too: kept in memory
	buf  bytes.Buffer
	file *os.File
	n    int64
	err  error
}

func (s *spillWriter) Write(p []byte) (int, error) {
	size := len(p)
	if room := s.keep - s.n; int64(len(p)) > room {
		p = p[:max(room, 0)]
	}
	s.n += int64(size)
	if len(p) == 0 || s.err != nil {
		return size, nil
	}
	if s.file == nil && s.dir != "" && !s.text && int64(s.buf.Len()+len(p)) > spillOver {
		f, err := os.CreateTemp(s.dir, "lexheller-attachment-*")
		if err != nil {
			s.err = err
			return size, nil
		}
		s.file = f
		_, s.err = f.Write(s.buf.Bytes())
		s.buf = bytes.Buffer{}
	}
	if s.file != nil {
		if s.err == nil {
			_, s.err = s.file.Write(p)
		}
		return size, nil
	}
	s.buf.Write(p)
	return size, nil
}

func (s *spillWriter) close() error {
	if s.file == nil {
		return s.err
	}
	err := errors.Join(s.err, s.file.Close())
	if err != nil {
		os.Remove(s.file.Name())
		s.file = nil
	}
	return err
}

func (w *walker) maxMB() int64 {
	total := w.budget
	for _, a := range w.msg.Attachments {
		if a.Kept() {
			total += a.Size
		}
	}
	return (total + 1<<19) >> 20
}

func (m *Message) chooseBody(w *walker) {
	join := func(bs []body) string {
		var parts []string
		for _, b := range bs {
			if t := strings.TrimSpace(b.text); t != "" {
				parts = append(parts, b.text)
			}
		}
		return strings.Join(parts, "\n")
	}
	plain := join(w.plain)
	switch {
	case strings.TrimSpace(plain) != "":
		m.Text = plain
	case len(w.html) > 0:
		var parts []string
		for _, b := range w.html {
			text, flat := htmlToText(b.text)
			if flat {
				w.problem("text/html part nested too deeply; read without its structure")
			}
			parts = append(parts, text)
		}
		m.Text = strings.Join(parts, "\n")
		m.FromHTML = true
	}
	if strings.TrimSpace(m.Text) == "" && len(w.txtAtt) > 0 {
		m.Text = join(w.txtAtt)
	}
	m.Text = normalizeNewlines(m.Text)
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\u00a0", " ")
}

func knownEncoding(enc string) bool {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "", "7bit", "8bit", "binary", "quoted-printable", "base64":
		return true
	}
	return false
}

func transferDecoder(enc string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &base64Cleaner{r: r})
	default:
		return r
	}
}

// base64Cleaner drops everything that is not base64 alphabet, as mail
// readers do, so stray spaces or a broken line do not end the part.
type base64Cleaner struct{ r io.Reader }

func (c *base64Cleaner) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		k := 0
		for _, b := range p[:n] {
			if b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '=' {
				p[k] = b
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

func knownCharset(cs string) bool {
	_, err := charset.Reader(cs, strings.NewReader(""))
	return err == nil
}

// DecodeText turns bytes labelled with charset cs into UTF-8: the declared
// charset when it is known and not a Latin-1 or ASCII label, else UTF-8 when
// the bytes are valid UTF-8, else Windows-1252. A byte order mark overrides
// the label and is removed.
func DecodeText(b []byte, cs string) string {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"`))
	// A byte order mark wins over the label, as in browsers (Notepad
	// writes one into .txt files).
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		b, cs = b[3:], "utf-8"
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		cs = "utf-16"
	}
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "x-unknown", "unknown-8bit":
		// Handled by the fallback chain below.
	default:
		if r, err := charset.Reader(cs, bytes.NewReader(b)); err == nil {
			if out, err := io.ReadAll(r); err == nil && utf8.Valid(out) {
				return string(out)
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// unflow joins the soft line breaks of a format=flowed body (RFC 3676
// section 4.2): a line ending in a space continues on the next line.
func unflow(s string, delsp bool) string {
	s = normalizeNewlines(s)
	lines := strings.Split(s, "\n")
	var out []string
	var cur strings.Builder
	open := false
	depth := 0 // quote depth of the open paragraph
	for _, l := range lines {
		quote := 0
		for quote < len(l) && l[quote] == '>' {
			quote++
		}
		if open && quote != depth {
			// A change of quote depth ends a paragraph (section 4.5),
			// so a quote never runs into the new text.
			out = append(out, cur.String())
			cur.Reset()
			open = false
		}
		depth = quote
		content := l[quote:]
		if strings.HasPrefix(content, " ") { // space-stuffing
			content = content[1:]
		}
		if quote == 0 && content == "-- " { // signature separator
			if open {
				out = append(out, cur.String())
				cur.Reset()
				open = false
			}
			out = append(out, "-- ")
			continue
		}
		if !open {
			cur.WriteString(strings.Repeat(">", quote))
		}
		if strings.HasSuffix(content, " ") {
			if delsp {
				content = content[:len(content)-1]
			}
			cur.WriteString(content)
			open = true
			continue
		}
		cur.WriteString(content)
		out = append(out, cur.String())
		cur.Reset()
		open = false
	}
	if open {
		out = append(out, cur.String())
	}
	return strings.Join(out, "\n")
}

// SanitizeFilename returns a safe base name for an attachment: no
// directories, no control or bidi characters, no leading dots, no
// personnummer, at most 120 characters, and a name made up from the type
// when nothing is left.
func SanitizeFilename(name, contentType string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '/', r == ':', r == '*', r == '?', r == '"', r == '<', r == '>', r == '|':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	name = strings.TrimSpace(strings.TrimLeftFunc(b.String(), func(r rune) bool { return r == '.' || unicode.IsSpace(r) }))
	// A file name is stored, listed to the process leaders and logged: a
	// personnummer in it is masked like one in the text.
	name = form.MaskPII(name)
	if utf8.RuneCountInString(name) > 120 {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		r := []rune(strings.TrimSuffix(name, ext))
		name = string(r[:120-utf8.RuneCountInString(ext)]) + ext
	}
	if name == "" {
		name = "bilaga"
		if ext, ok := extensions[contentType]; ok {
			name += ext
		} else if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

// extensions are the usual extensions of common types: mime.ExtensionsByType
// lists all the system knows, sorted, e.g. ".asc" first for text/plain.
var extensions = map[string]string{
	"text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics", "message/rfc822": ".eml",
	"application/pdf": ".pdf", "application/zip": ".zip", "image/jpeg": ".jpg", "image/png": ".png",
}

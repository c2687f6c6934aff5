package parse

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Limits of the lenient header reader.
const (
	// maxHeaderRead is how much of one header is kept; the rest of an
	// overlong header is skipped up to its blank line.
	maxHeaderRead = 4 << 20
	// maxJunkLines is how many lines that are no header field are skipped
	// at the top of a message (an mbox "From " line, an export's
	// "---- Original email message ----").
	maxJunkLines = 3
	// maxLookahead is how many lines without a colon are read ahead to
	// decide whether they continue a field or start the body.
	maxLookahead = 8
)

// lineReader reads lines of any length from br, with bytes given back
// (unread) read first.
type lineReader struct {
	br   *bufio.Reader
	back []byte
}

// chunk returns the next whole line, ending included, or a piece of a line
// longer than br's buffer; a piece never ends in the CR of a CRLF. The slice
// is valid until the next read.
func (lr *lineReader) chunk() ([]byte, error) {
	if len(lr.back) > 0 {
		i := bytes.IndexByte(lr.back, '\n') + 1
		if i == 0 {
			i = len(lr.back)
		}
		c := lr.back[:i]
		lr.back = lr.back[i:]
		return c, nil
	}
	c, err := lr.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		err = nil
		if len(c) > 1 && c[len(c)-1] == '\r' {
			_ = lr.br.UnreadByte() // ReadSlice's last byte can always be unread
			c = c[:len(c)-1]
		}
	}
	return c, err
}

// line returns a copy of the next line, ending included, or of its first
// max bytes (the rest is read next); nil and the error at the end.
func (lr *lineReader) line(max int) ([]byte, error) {
	var l []byte
	for {
		c, err := lr.chunk()
		if len(l)+len(c) > max {
			k := max - len(l)
			l = append(l, c[:k]...)
			lr.unread(bytes.Clone(c[k:]))
			return l, nil
		}
		l = append(l, c...)
		if err != nil || len(l) > 0 && l[len(l)-1] == '\n' {
			if len(l) > 0 && err == io.EOF {
				err = nil
			}
			return l, err
		}
	}
}

// unread gives b back, to be read before anything else.
func (lr *lineReader) unread(b []byte) {
	if len(b) == 0 {
		return
	}
	if len(lr.back) == 0 {
		lr.back = b
		return
	}
	lr.back = append(b[:len(b):len(b)], lr.back...)
}

func (lr *lineReader) Read(p []byte) (int, error) {
	if len(lr.back) > 0 {
		n := copy(p, lr.back)
		lr.back = lr.back[n:]
		return n, nil
	}
	return lr.br.Read(p)
}

// header is what readHeader found.
type header struct {
	h        textproto.Header
	junk     int      // lines skipped before the first field
	problems []string // what was repaired or skipped
	err      error    // a read error, if any
}

// headerReader reads one header block leniently, as mail readers do
// (enmime's header reader is the model): it skips an mbox "From " line and
// other junk at the top of a message, repairs a continuation line without
// indentation when known fields follow, and lets the first line that is no
// header field start the body. The fields it keeps are parsed by
// go-message's textproto.ReadHeader.
type headerReader struct {
	lr     *lineReader
	top    bool              // the message's own header, not a part's
	stop   func([]byte) bool // a line that ends the header unread (a boundary)
	fields [][]byte          // each field's lines, CRLF-ended
	orig   [][]byte          // each field's lines as read
	size   int               // bytes in fields
	skip   bool              // in a field without a name, being skipped
	fixed  int               // fields before a skipped one, which stay fields
	out    header
}

// readHeader reads a header from lr, leaving lr at the first byte of the
// body. top is true for a message's own header; stop, when not nil, tells a
// line (a multipart boundary) that ends the header and is left to the body.
func readHeader(lr *lineReader, top bool, stop func([]byte) bool) header {
	r := &headerReader{lr: lr, top: top, stop: stop}
	r.read()
	var block bytes.Buffer
	for _, f := range r.fields {
		block.Write(f)
	}
	block.WriteString("\r\n")
	h, err := textproto.ReadHeader(bufio.NewReader(&block))
	if err != nil {
		// Every field was checked; this is a bug, not a bad message.
		r.out.problems = append(r.out.problems, fmt.Sprintf("header partly unreadable: %v", err))
	}
	r.out.h = h
	if top && r.out.junk > 0 && !hasKnownField(r.fields) {
		// Junk followed by something field-like is no message.
		r.out.h = textproto.Header{}
	}
	return r.out
}

func (r *headerReader) read() {
	for {
		l, err := r.lr.line(maxHeaderRead - r.size + 1)
		if len(l) == 0 {
			if err != nil && err != io.EOF {
				r.out.err = err
			}
			r.unclosed(nil)
			return
		}
		switch {
		case isBlankLine(l):
			return
		case r.stop != nil && r.stop(l):
			r.unclosed(l)
			return
		case r.size+len(l) > maxHeaderRead:
			r.skipRest(l)
			return
		case l[0] == ':':
			// A field without a name is skipped, with its continuation
			// lines, as go-message and enmime do.
			r.out.problems = append(r.out.problems, "a header field without a name; skipped")
			r.skip, r.fixed = true, len(r.fields)
			continue
		case (l[0] == ' ' || l[0] == '\t') && r.skip:
			continue
		case r.top && len(r.fields) == 0 && (l[0] == ' ' || l[0] == '\t') && knownField(fieldName(bytes.TrimLeft(l, " \t"))):
			// The message's first field indented, which continues
			// nothing: read as a field.
			r.out.problems = append(r.out.problems, fmt.Sprintf("the first header field (%s) is indented; read as a field", fieldName(bytes.TrimLeft(l, " \t"))))
			r.add(0, l, false)
			r.fields[0] = bytes.TrimLeft(r.fields[0], " \t")
			continue
		case (l[0] == ' ' || l[0] == '\t') && len(r.fields) > 0:
			r.add(len(r.fields)-1, l, false)
			continue
		case l[0] != ' ' && l[0] != '\t' && fieldName(l) != "":
			r.skip = false
			r.add(len(r.fields), l, false)
			continue
		}
		r.skip = false
		if !r.notField(l) {
			return
		}
	}
}

// add appends line l to field i (a new one when i is len(r.fields)),
// ending it with CRLF; a repaired continuation is prefixed with a space.
func (r *headerReader) add(i int, l []byte, repaired bool) {
	if i == len(r.fields) {
		r.fields, r.orig = append(r.fields, nil), append(r.orig, nil)
	}
	r.orig[i] = append(r.orig[i], l...)
	l = bytes.TrimRight(l, "\r\n")
	if repaired {
		r.fields[i] = append(r.fields[i], ' ')
	}
	r.fields[i] = append(append(r.fields[i], l...), '\r', '\n')
	r.size += len(l) + 3
}

// giveBack leaves the fields from keep on and line l to the body, as they
// were read.
func (r *headerReader) giveBack(keep int, l []byte) {
	r.lr.unread(append(bytes.Join(r.orig[keep:], nil), l...))
	r.fields, r.orig = r.fields[:keep], r.orig[:keep]
}

// notField handles a line that is no header field; it returns false when
// the header ends there.
func (r *headerReader) notField(l []byte) bool {
	switch {
	case r.top && len(r.fields) == 0 && r.out.junk < maxJunkLines:
		r.out.junk++
		if !bytes.HasPrefix(l, []byte("From ")) {
			r.out.problems = append(r.out.problems, fmt.Sprintf("line %d of the header is no header field; skipped", r.out.junk))
		}
		return true
	case len(r.fields) > 0 && !r.ownBoundary(l) && r.knownFieldFollows():
		last := len(r.fields) - 1
		r.add(last, l, true)
		r.out.problems = append(r.out.problems, fmt.Sprintf("a continuation of the %s field was not indented; joined", fieldName(r.fields[last])))
		return true
	}
	// The body starts here.
	keep := r.bodyFields()
	r.giveBack(keep, l)
	r.out.problems = append(r.out.problems, fmt.Sprintf("header broken off after %d fields by a line that is no header field; read as text from there", keep))
	return false
}

// bodyFields returns how many fields to keep of a header that the body
// follows without a blank line: fields after the last one that mail
// programs write ("Namn: Anna") are the body's first lines.
func (r *headerReader) bodyFields() int {
	keep := len(r.fields)
	for keep > max(1, r.fixed) && !knownField(fieldName(r.fields[keep-1])) {
		keep--
	}
	return keep
}

// unclosed ends a header that no blank line ended, at a boundary line l
// or at the end of the input (l nil).
func (r *headerReader) unclosed(l []byte) {
	keep := r.bodyFields()
	if keep < len(r.fields) {
		r.out.problems = append(r.out.problems, fmt.Sprintf("header not ended by a blank line; %d fields after the last known one read as text", len(r.fields)-keep))
	}
	r.giveBack(keep, l)
}

// knownFieldFollows reads ahead over lines without a colon and reports
// whether the first field after them is one that mail programs write.
func (r *headerReader) knownFieldFollows() bool {
	var ahead [][]byte
	defer func() { r.lr.unread(bytes.Join(ahead, nil)) }()
	for range maxLookahead {
		l, _ := r.lr.line(maxHeaderRead - r.size + 1)
		if len(l) == 0 {
			return false
		}
		ahead = append(ahead, l)
		switch {
		case isBlankLine(l), r.stop != nil && r.stop(l):
			return false
		case l[0] == ' ' || l[0] == '\t':
			continue
		case fieldName(l) != "":
			return knownField(fieldName(l))
		case r.ownBoundary(l):
			return false
		}
	}
	return false
}

// ownBoundary reports whether l, a line that is no header field, is a
// boundary line of the multipart that the header read so far declares.
// The body starts there: a header that no blank line ends (Thunderbird's
// multipart, after a relay dropped the blank line) would otherwise take
// the first part's header fields for its own.
func (r *headerReader) ownBoundary(l []byte) bool {
	if !bytes.HasPrefix(l, []byte("--")) {
		return false
	}
	for i := len(r.fields) - 1; i >= 0; i-- {
		if !strings.EqualFold(fieldName(r.fields[i]), "Content-Type") {
			continue
		}
		_, v, _ := bytes.Cut(r.fields[i], []byte(":"))
		mt, params := parseMediaType(strings.ReplaceAll(string(v), "\r\n", ""))
		b := params["boundary"]
		return strings.HasPrefix(mt, "multipart/") && b != "" && matchBoundary(l, []byte("--"+b)) != notBoundary
	}
	return false
}

// skipRest skips an overlong header up to its blank line.
func (r *headerReader) skipRest(l []byte) {
	r.out.problems = append(r.out.problems, fmt.Sprintf("header over %d MB; the rest of it was skipped", maxHeaderRead>>20))
	start := true // l starts a line
	for {
		if start && isBlankLine(l) {
			return
		}
		start = len(l) > 0 && l[len(l)-1] == '\n'
		c, err := r.lr.chunk()
		if len(c) == 0 && err != nil {
			return
		}
		l = c
	}
}

func isBlankLine(l []byte) bool {
	return len(l) > 0 && len(bytes.TrimRight(l, "\r\n")) == 0
}

// fieldName returns the name of the header field that line l starts, or ""
// when l is no field: the name is printable ASCII without spaces (RFC 5322
// section 2.2), optionally followed by spaces before the colon (obsolete
// syntax, section 4.5.3).
func fieldName(l []byte) string {
	i := bytes.IndexByte(l, ':')
	if i <= 0 {
		return ""
	}
	name := bytes.TrimRight(l[:i], " \t")
	if len(name) == 0 {
		return ""
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return ""
		}
	}
	return string(name)
}

// knownFields are header fields that mail programs write; fields with
// knownPrefixes too.
var (
	knownFields = map[string]bool{
		"from": true, "sender": true, "reply-to": true, "to": true, "cc": true, "bcc": true,
		"subject": true, "date": true, "message-id": true, "in-reply-to": true, "references": true,
		"mime-version": true, "received": true, "return-path": true, "delivered-to": true,
		"envelope-to": true, "comments": true, "keywords": true, "organization": true,
		"user-agent": true, "importance": true, "priority": true, "precedence": true,
		"sensitivity": true, "auto-submitted": true, "thread-topic": true, "thread-index": true,
		"accept-language": true, "authentication-results": true, "received-spf": true,
		"dkim-signature": true, "domainkey-signature": true, "disposition-notification-to": true,
		"return-receipt-to": true, "errors-to": true, "mail-followup-to": true, "mail-reply-to": true,
		"autocrypt": true, "openpgp": true, "feedback-id": true,
	}
	knownPrefixes = []string{"x-", "list-", "content-", "resent-", "arc-", "original-"}
)

func knownField(name string) bool {
	name = strings.ToLower(name)
	if knownFields[name] {
		return true
	}
	for _, p := range knownPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func hasKnownField(fields [][]byte) bool {
	for _, f := range fields {
		if knownField(fieldName(f)) {
			return true
		}
	}
	return false
}

package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-message/textproto"
)

// FuzzParse checks that no message makes Parse panic or return text and
// names that are unsafe to store, show or answer. Its seeds are messages of
// testdata/corpus (testdata/fuzz/FuzzParse) and testdata/*.eml.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(bytes.NewReader(raw), &Options{MaxAttachmentBytes: 1 << 16})
		if err != nil {
			if !errors.Is(err, ErrUnreadable) || m != nil {
				t.Fatalf("Parse = %v, %v; want nil and an error wrapping ErrUnreadable", m, err)
			}
			return
		}
		if !utf8.ValidString(m.Text) {
			t.Errorf("Text is not valid UTF-8: %q", m.Text)
		}
		for _, s := range []string{m.Subject, m.From.Name, m.From.Address} {
			if strings.ContainsAny(s, "\r\n") {
				t.Errorf("header value %q has a line break", s)
			}
		}
		for _, a := range m.Attachments {
			if a.Filename == "" || strings.ContainsAny(a.Filename, `/\`) || strings.HasPrefix(a.Filename, ".") {
				t.Errorf("unsafe attachment name %q", a.Filename)
			}
		}
	})
}

// FuzzHeader checks the lenient header reader: it never panics, never
// loses or reorders a byte of the body (what it leaves to the body is a
// suffix of the input), keeps only fields with valid names and values
// without line breaks, and reads every header that go-message's strict
// reader reads, and ended by a blank line, to the same fields. Its seeds
// are the start of testdata/*.eml and testdata/fuzz/FuzzHeader.
func FuzzHeader(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b[:min(len(b), 2048)], true)
		}
	}
	f.Add([]byte("Content-Type: text/plain\r\nNamn: Anna\r\n--b--\r\n"), false)
	f.Fuzz(func(t *testing.T, raw []byte, top bool) {
		var stop func([]byte) bool
		if !top {
			stop = func(l []byte) bool { return matchBoundary(l, []byte("--b")) != notBoundary }
		}
		// A small buffer: lines longer than it come in pieces.
		lr := &lineReader{br: bufio.NewReaderSize(bytes.NewReader(raw), 16)}
		hd := readHeader(lr, top, stop)
		rest, err := io.ReadAll(lr)
		if err != nil || !bytes.HasSuffix(raw, rest) {
			t.Fatalf("readHeader(%q) left %q (%v), not a suffix of the input", raw, rest, err)
		}
		for fs := hd.h.Fields(); fs.Next(); {
			if fieldName([]byte(fs.Key()+":")) == "" || strings.ContainsAny(fs.Value(), "\n") {
				t.Fatalf("readHeader(%q): field %q: %q", raw, fs.Key(), fs.Value())
			}
		}
		if !top {
			return
		}
		end := bytes.Index(raw, []byte("\n\r\n"))
		if e := bytes.Index(raw, []byte("\n\n")); e >= 0 && (end < 0 || e < end) {
			end = e
		}
		strict, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
		if end < 0 || err != nil || strict.Len() == 0 {
			return
		}
		// The same fields, up to the stray CRs at line ends that the
		// lenient reader drops and go-message keeps, and the spaces
		// around them.
		noCR := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", " ")), " ") }
		want, got := strict.Fields(), hd.h.Fields()
		for want.Next() {
			if !got.Next() || got.Key() != want.Key() || noCR(got.Value()) != noCR(want.Value()) {
				t.Fatalf("readHeader(%q): fields differ from go-message's at %q: %q", raw, want.Key(), want.Value())
			}
		}
		if got.Next() {
			t.Fatalf("readHeader(%q): more fields than go-message's", raw)
		}
	})
}

// isDelimiterLine is RFC 2046's rule as mail readers apply it, written out
// again for FuzzBoundary: the line starts with "--" and the boundary,
// followed by the end of the line, a space or tab, or "--".
func isDelimiterLine(line, boundary []byte) bool {
	rest, ok := bytes.CutPrefix(line, append([]byte("--"), boundary...))
	return ok && (len(rest) == 0 || strings.ContainsRune("\r\n \t", rune(rest[0])) || bytes.HasPrefix(rest, []byte("--")))
}

// FuzzBoundary checks the multipart reader: it never panics and gives no
// more than its input on any body, and on a multipart built from two parts
// whose lines are no boundary lines (an inner "--X-1" is none) it gives
// back exactly those parts, whatever the boundary's length and the buffer.
func FuzzBoundary(f *testing.F) {
	f.Add("X", []byte("--X\r\n\r\na\r\n--X--\r\n"), []byte("--X-1\r\ntext"), []byte("b\r\n"), false)
	f.Add("=_mixed_5f1e", []byte("pre\n--=_mixed_5f1e \nContent-Type: text/plain\n\nx\n--=_mixed_5f1e--junk"), []byte(""), []byte("\r"), true)
	f.Add(strings.Repeat("b", 100), []byte{}, []byte(strings.Repeat("long line ", 50)), []byte("--"+strings.Repeat("b", 99)+"\r\n"), false)
	f.Fuzz(func(t *testing.T, boundary string, body, p1, p2 []byte, lf bool) {
		if boundary == "" || strings.ContainsAny(boundary, "\r\n") || len(boundary) > 200 {
			t.Skip()
		}
		parts := readParts(t, body, boundary)
		total := 0
		for _, p := range parts {
			total += len(p)
		}
		if total > len(body) {
			t.Fatalf("parts of %d bytes from a body of %d", total, len(body))
		}
		for _, p := range [][]byte{p1, p2} {
			for _, l := range bytes.SplitAfter(p, []byte("\n")) {
				if isDelimiterLine(l, []byte(boundary)) {
					t.Skip()
				}
			}
		}
		nl, dash := "\r\n", "--"+boundary
		if lf {
			nl = "\n"
		}
		built := dash + nl + nl + string(p1) + nl + dash + nl + nl + string(p2) + nl + dash + "--" + nl
		parts = readParts(t, []byte(built), boundary)
		if len(parts) != 2 || !bytes.Equal(parts[0], p1) || !bytes.Equal(parts[1], p2) {
			t.Fatalf("parts of %q with boundary %q = %q, want %q and %q", built, boundary, parts, p1, p2)
		}
	})
}

// readParts reads the bodies of a multipart's parts, with the smallest
// buffer the reader takes.
func readParts(t *testing.T, body []byte, boundary string) [][]byte {
	mr := newMultipartReaderSize(bytes.NewReader(body), boundary, 0)
	var parts [][]byte
	for {
		_, r, _, err := mr.NextPart()
		if err != nil {
			return parts
		}
		b, _ := io.ReadAll(r)
		parts = append(parts, b)
		if len(parts) > len(body)+1 {
			t.Fatalf("more parts than bytes")
		}
	}
}

package parse

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
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

package templates

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every command-line text exists in every language, and an empty
// override directory changes nothing.
func TestEveryCLITextInEveryLanguage(t *testing.T) {
	c, err := LoadCLI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range builtinCLI().t {
		if l, n, _ := strings.Cut(k, "/"); l == Languages[0] {
			names = append(names, n)
		}
	}
	if len(names) < 10 {
		t.Fatalf("texts %v", names)
	}
	for _, lang := range Languages {
		for _, n := range names {
			if _, ok := c.t[lang+"/"+n]; !ok {
				t.Errorf("cli/%s/%s.tmpl missing", lang, n)
			}
		}
	}
	if len(c.t) != len(names)*len(Languages) {
		t.Errorf("%d texts, want %d in each language", len(c.t), len(names))
	}
}

func TestCLIOverride(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "cli", "en"), 0o755)
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "cli", "en", "backup.tmpl"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Copied to {{.File}}.\n")
	c, err := LoadCLI(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.Print(&b, "en", "backup", map[string]any{"File": "x.db"}); err != nil || b.String() != "Copied to x.db.\n" {
		t.Errorf("overridden text = %q, %v", b.String(), err)
	}
	if s, err := c.Text("sv", "backup", map[string]any{"File": "x.db", "KB": 3, "Took": "1ms"}); err != nil || !strings.HasPrefix(s, "Säkerhetskopia skriven: x.db") {
		t.Errorf("the Swedish text beside an English override = %q, %v", s, err)
	}
	// A text missing a value fails whole: nothing is written.
	b.Reset()
	if err := c.Print(&b, "sv", "backup", map[string]any{"File": "x.db"}); err == nil || b.Len() > 0 {
		t.Errorf("a text without its values: %v, wrote %q", err, b.String())
	}
	write("{{.File")
	if _, err := LoadCLI(dir); err == nil || !strings.Contains(err.Error(), "backup.tmpl") {
		t.Errorf("a broken override: %v", err)
	}
	if _, err := LoadCLI(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing override directory loaded")
	}
	if _, err := (*CLI)(nil).Text("sv", "nope", nil); err == nil {
		t.Error("an unknown text rendered")
	}
}

func TestEventNames(t *testing.T) {
	if EventName("sv", "forwarded") != "vidarebefordrat" || EventName("en", "created") != "received" ||
		EventName("xx", "scrubbed") != "gallrat" || EventName("sv", "new_kind") != "new_kind" {
		t.Error("event names")
	}
	for kind := range eventNames["sv"] {
		if _, ok := eventNames["en"][kind]; !ok {
			t.Errorf("no English name for the event %q", kind)
		}
	}
}

package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOverrideDirectory(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sv"), 0o755)
	os.WriteFile(filepath.Join(dir, "sv", "form.tmpl"), []byte(`{{define "subject"}}Egen blankett{{end}}{{define "text"}}Hej från {{.}}{{end}}`), 0o644)
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Render("sv", "form", "oss")
	if err != nil || r.Subject != "Egen blankett" || r.Text != "Hej från oss" {
		t.Errorf("overridden form = %+v, %v", r, err)
	}
	if !strings.Contains(s.Form("sv"), "Berörda parter:") || !strings.Contains(s.Form("xx"), "Berörda parter:") {
		t.Error("blank form missing, or no Swedish fallback for an unknown language")
	}
	// A broken override names the file.
	os.WriteFile(filepath.Join(dir, "sv", "ack.tmpl"), []byte(`{{define "subject"}}{{.Oops`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "ack.tmpl") {
		t.Errorf("broken override: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing override directory loaded")
	}
}

func TestEveryTemplateInEveryLanguage(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	names := s.Names()
	if len(names) < 7 {
		t.Fatalf("templates %v", names)
	}
	for _, lang := range Languages {
		for _, n := range names {
			if _, ok := s.text[lang+"/"+n]; !ok {
				t.Errorf("%s/%s.tmpl missing", lang, n)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	wrap := funcs["wrap"].(func(string, int) string)
	for _, c := range []struct{ in, want string }{
		{"ett två tre fyra", "ett två\ntre fyra"},
		{"överlångaordetsomintefår plats", "överlångaordetsomintefår\nplats"},
		{"a\nb c", "a\nb c"},
		{"", ""},
	} {
		if got := wrap(c.in, 8); got != c.want {
			t.Errorf("wrap(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

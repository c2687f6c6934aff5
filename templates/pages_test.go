package templates

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPagesOverride(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "html"), 0o755)
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "html", name+".html.tmpl"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	render := func(p *Pages, name string, data any) string {
		t.Helper()
		var b bytes.Buffer
		if err := p.Render(&b, name, data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return b.String()
	}
	site := struct{ Site struct{ Title, Lang string } }{}
	site.Site.Title, site.Site.Lang = "<Mitt förbund>", "en"
	builtinIndex := render(nil, PageSiteIndex, struct {
		Site  struct{ Title, Lang string }
		Cases []struct{}
	}{Site: site.Site})

	write(PageSiteIndex, `<h1>{{.Site.Title}}</h1>{{say .Site.Lang "Hej" "Hello"}} {{signed 3}} {{scale 1 4 160}}`)
	p, err := LoadPages(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := render(p, PageSiteIndex, site); got != "<h1>&lt;Mitt förbund&gt;</h1>Hello &#43;3 40" {
		t.Errorf("overridden index = %q", got)
	}

	// A broken override is refused alone, with an error naming its file;
	// the built-in page stays in its place, the good override in its.
	for name, body := range map[string]string{
		PageSiteCase: `<h1>{{.Case.ID</h1>`,                 // does not parse
		PageReport:   `{{if .Lang}}<a href="{{end}}">x</a>`, // html/template cannot escape it
	} {
		write(name, body)
	}
	p, err = LoadPages(dir)
	if err == nil {
		t.Fatal("broken overrides loaded")
	}
	for _, name := range []string{PageSiteCase, PageReport} {
		want := filepath.Join(dir, "html", name+".html.tmpl") + " refused, the built-in page is used"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	if p.t[PageSiteCase] != builtinPages().t[PageSiteCase] || p.t[PageReport] != builtinPages().t[PageReport] {
		t.Error("a refused override replaced the built-in page")
	}
	if got := render(p, PageSiteIndex, site); !strings.HasPrefix(got, "<h1>") {
		t.Errorf("the good override is lost beside the broken ones: %q", got)
	}

	os.Remove(filepath.Join(dir, "html", PageSiteCase+".html.tmpl"))
	os.Remove(filepath.Join(dir, "html", PageReport+".html.tmpl"))
	write(PageSiteIndex, " \n")
	if p, err := LoadPages(dir); err == nil || !strings.Contains(err.Error(), "defines no page") ||
		render(p, PageSiteIndex, struct {
			Site  struct{ Title, Lang string }
			Cases []struct{}
		}{Site: site.Site}) != builtinIndex {
		t.Errorf("an empty override: %v", err)
	}

	if p, err := LoadPages(filepath.Join(dir, "missing")); err == nil || p == nil {
		t.Errorf("a missing override directory: %v, %v", p, err)
	}
	if err := p.Render(&bytes.Buffer{}, "nope", nil); err == nil {
		t.Error("an unknown page rendered")
	}
}

// Every page parses, and an empty override directory changes nothing.
func TestEveryPage(t *testing.T) {
	p, err := LoadPages(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range pageNames {
		if p.t[name] == nil || p.t[name] != builtinPages().t[name] {
			t.Errorf("page %s", name)
		}
	}
}

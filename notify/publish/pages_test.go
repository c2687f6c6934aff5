package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lexheller/templates"
)

// An operator's html/site_case.html.tmpl and html/site_index.html.tmpl in
// the templates directory are the site's pages; one that does not parse is
// refused, with an error naming it, and the built-in page is used.
func TestPagesOverride(t *testing.T) {
	cases, fws := fixture()
	var pub []Case
	for _, c := range cases {
		if Eligible(c, fws[c.ID]) {
			pub = append(pub, FromStore(c, fws[c.ID], "sv"))
		}
	}
	site := Site{Title: "Besvarade avvikelser", Lang: "sv"}
	builtin := t.TempDir()
	if err := Write(builtin, site, pub); err != nil {
		t.Fatal(err)
	}
	read := func(dir, name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	tdir := t.TempDir()
	os.MkdirAll(filepath.Join(tdir, "html"), 0o755)
	caseFile := filepath.Join(tdir, "html", "site_case.html.tmpl")
	os.WriteFile(caseFile, []byte(`<h1>{{say .Site.Lang "Ärende" "Case"}} {{.Case.ID}}</h1>{{range paras .Case.Description}}<p>{{.}}</p>{{end}}`), 0o644)
	os.WriteFile(filepath.Join(tdir, "html", "site_index.html.tmpl"), []byte(`<ul>{{range .Cases}}<li>{{.ID}}: {{.Excerpt 20}}</li>{{end}}</ul>`), 0o644)
	pages, err := templates.LoadPages(tdir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteOptions(dir, site, pub, Options{Pages: pages}); err != nil {
		t.Fatal(err)
	}
	if got := read(dir, "LH-2026-0001.html"); !strings.HasPrefix(got, "<h1>Ärende LH-2026-0001</h1><p>[…] på […] ([telefon], [e-post]) såg att personen ÅÅMMDD-XXXX ") ||
		strings.Contains(got, "Anna") || strings.Contains(got, "850312") {
		t.Errorf("the overridden case page:\n%s", got)
	}
	if got := read(dir, "index.html"); got != "<ul><li>LH-2026-0001: […] på […] ([telefo…</li></ul>" {
		t.Errorf("the overridden index:\n%s", got)
	}

	os.WriteFile(caseFile, []byte(`<h1>{{.Case.ID</h1>`), 0o644)
	pages, err = templates.LoadPages(tdir)
	if err == nil || !strings.Contains(err.Error(), caseFile+" refused, the built-in page is used") {
		t.Fatalf("a broken override: %v", err)
	}
	if err := WriteOptions(dir, site, pub, Options{Pages: pages}); err != nil {
		t.Fatal(err)
	}
	if read(dir, "LH-2026-0001.html") != read(builtin, "LH-2026-0001.html") {
		t.Error("beside a broken override, the case page is not the built-in one")
	}
	if read(dir, "index.html") == read(builtin, "index.html") {
		t.Error("the good override of the index is lost beside the broken one")
	}
}

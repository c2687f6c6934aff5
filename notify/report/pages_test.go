package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lexheller/templates"
)

// An operator's html/report.html.tmpl in the templates directory is the
// HTML report's page; one that does not parse is refused, with an error
// naming it, and the built-in page is used.
func TestHTMLOverride(t *testing.T) {
	builtin := render(t, build("sv"), (*Report).HTML)

	dir := t.TempDir()
	file := filepath.Join(dir, "html", "report.html.tmpl")
	os.MkdirAll(filepath.Dir(file), 0o755)
	os.WriteFile(file, []byte(`<h1>{{say .Lang "Vår rapport" "Our report"}} {{.Period}}</h1>
{{range .Dimensions}}<h2>{{$.Heading .Name}}</h2>{{$max := .Max}}{{range .Rows}}<p>{{.Key}} {{scale .Now $max 10}}</p>{{end}}{{end}}
`), 0o644)
	pages, err := templates.LoadPages(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := build("sv")
	r.Pages = pages
	page := render(t, r, (*Report).HTML)
	if !strings.HasPrefix(page, "<h1>Vår rapport 2026-07-01 – 2026-09-30</h1>") || !strings.Contains(page, "<h2>Berörda parter</h2><p>AF 10</p>") {
		t.Errorf("the overridden page:\n%s", page)
	}
	noPersonalData(t, "the overridden page", page)

	os.WriteFile(file, []byte(`<h1>{{say .Lang "Vår rapport" "Our report"}</h1>`), 0o644)
	pages, err = templates.LoadPages(dir)
	if err == nil || !strings.Contains(err.Error(), file+" refused, the built-in page is used") {
		t.Fatalf("a broken override: %v", err)
	}
	r.Pages = pages
	if page := render(t, r, (*Report).HTML); page != builtin {
		t.Errorf("beside a broken override, the page is not the built-in one:\n%s", page)
	}
}

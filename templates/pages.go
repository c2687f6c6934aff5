package templates

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"
)

//go:embed html
var embeddedPages embed.FS

// The pages, by name: the file html/NAME.html.tmpl.
const (
	// PageReport is the pattern report; its data is a
	// *lexheller/notify/report.Report.
	PageReport = "report"
	// PageSiteIndex is the published site's index; its data has the
	// fields Site and Cases.
	PageSiteIndex = "site_index"
	// PageSiteCase is one case of the published site; its data has the
	// fields Site and Case.
	PageSiteCase = "site_case"
)

var pageNames = []string{PageReport, PageSiteIndex, PageSiteCase}

func pageFile(name string) string { return "html/" + name + ".html.tmpl" }

// Pages are the parsed templates of the pages: the HTML documents
// lexheller writes that are not mails, the pattern report and the
// published site's index and case pages. A page's template is the file
// html/NAME.html.tmpl, one html/template document in both languages (its
// texts choose with say) with the functions lang, say, join, paras, signed
// and scale (pageFuncs). Like a mail template, it is embedded and
// overridable by the file of the same name in the templates directory
// (LoadPages).
//
// Pages are safe for concurrent use; a nil *Pages is the embedded pages.
type Pages struct {
	t map[string]*htmltemplate.Template
}

// builtinPages are the embedded pages, parsed once.
var builtinPages = sync.OnceValue(func() *Pages {
	p := &Pages{t: map[string]*htmltemplate.Template{}}
	for _, name := range pageNames {
		body, err := fs.ReadFile(embeddedPages, pageFile(name))
		if err == nil {
			p.t[name], err = parsePage(pageFile(name), body)
		}
		if err != nil {
			panic(fmt.Sprintf("templates: the embedded page %s: %v", name, err))
		}
	}
	return p
})

// LoadPages parses the embedded pages, with the files of dir (which may
// be "") in place of the embedded ones of the same name. Unlike a mail
// template, a page whose override cannot be used (it does not parse,
// defines no page, or html/template cannot escape it) is refused alone:
// the embedded page stays in its place and the error names the file. So
// the returned Pages are never nil, even with an error.
func LoadPages(dir string) (*Pages, error) {
	p := &Pages{t: map[string]*htmltemplate.Template{}}
	for name, t := range builtinPages().t {
		p.t[name] = t
	}
	if dir == "" {
		return p, nil
	}
	if _, err := os.Stat(dir); err != nil {
		return p, fmt.Errorf("templates: override directory: %w; the built-in pages are used", err)
	}
	override := os.DirFS(dir)
	var errs []error
	for _, name := range pageNames {
		file := pageFile(name)
		body, err := fs.ReadFile(override, file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var t *htmltemplate.Template
		if err == nil {
			t, err = parsePage(file, body)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("templates: %s refused, the built-in page is used: %w", filepath.Join(dir, file), err))
			continue
		}
		p.t[name] = t
	}
	return p, errors.Join(errs...)
}

// parsePage parses the page template file. It escapes the page at once
// (by executing it on no data, the result thrown away), so that a page
// html/template cannot make safe is refused here and not when it is
// first rendered.
func parsePage(file string, body []byte) (*htmltemplate.Template, error) {
	t, err := htmltemplate.New(file).Funcs(pageFuncs).Parse(string(body))
	if err != nil {
		return nil, err
	}
	if t.Tree == nil || parse.IsEmptyTree(t.Tree.Root) {
		return nil, fmt.Errorf("%s is empty: it defines no page", file)
	}
	var escape *htmltemplate.Error
	if err := t.Execute(io.Discard, nil); errors.As(err, &escape) {
		return nil, err
	}
	return t, nil
}

// Render writes page name with data.
func (p *Pages) Render(w io.Writer, name string, data any) error {
	if p == nil {
		p = builtinPages()
	}
	t, ok := p.t[name]
	if !ok {
		return fmt.Errorf("templates: no page %q", name)
	}
	return t.Execute(w, data)
}

// pageFuncs are the functions a page template may call.
var pageFuncs = htmltemplate.FuncMap{
	// lang is a language of the templates: lang, or the default.
	"lang": Lang,
	// say is sv, or en when lang is English: the page's texts in both
	// languages side by side.
	"say": func(lang, sv, en string) string {
		if Lang(lang) == "en" {
			return en
		}
		return sv
	},
	"join": strings.Join,
	// paras splits a text into its paragraphs (at empty lines), each
	// trimmed, the empty left out.
	"paras": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.TrimSpace(s), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	// signed writes a change with its sign: "+3", "-2", "0".
	"signed": func(n int) string {
		if n > 0 {
			return "+" + strconv.Itoa(n)
		}
		return strconv.Itoa(n)
	},
	// scale is n's share of max, as a length of at most width (a bar):
	// 0 when max is not positive.
	"scale": func(n, max, width int) int {
		if max <= 0 {
			return 0
		}
		return n * width / max
	},
}

// Package templates holds the texts of every mail lexheller sends and the
// blank form, in Swedish (sv, the default) and English (en), embedded in
// the binary and overridable file by file from a directory.
//
// A mail template is a file LANG/NAME.tmpl defining the text/template
// blocks "subject" and "text"; an optional LANG/NAME.html.tmpl defines
// "html" (html/template) for an HTML alternative. LANG/fields.tmpl holds
// shared blocks. The blank form is sv/blankett.txt and en/form.txt.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"text/template"
	"time"
	_ "time/tzdata" // Europe/Stockholm on machines without zoneinfo
)

//go:embed sv en
var embedded embed.FS

// Languages are the languages with templates; the first is the default.
var Languages = []string{"sv", "en"}

var formFile = map[string]string{"sv": "blankett.txt", "en": "form.txt"}

// Set is a parsed collection of templates. It is safe for concurrent use.
type Set struct {
	text  map[string]*template.Template // "sv/ack"
	html  map[string]*htmltemplate.Template
	forms map[string]string
}

// Rendered is one rendered mail.
type Rendered struct {
	Subject string
	Text    string
	HTML    string // "" when the mail has no HTML template
}

// Load parses the embedded templates, with the files of dir (which may be
// "") in place of the embedded ones of the same name.
func Load(dir string) (*Set, error) {
	var fsys fs.FS = embedded
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("templates: override directory: %w", err)
		}
		fsys = overlay{top: os.DirFS(dir), base: embedded}
	}
	s := &Set{text: map[string]*template.Template{}, html: map[string]*htmltemplate.Template{}, forms: map[string]string{}}
	for _, lang := range Languages {
		form, err := fs.ReadFile(fsys, lang+"/"+formFile[lang])
		if err != nil {
			return nil, fmt.Errorf("templates: blank form (%s): %w", lang, err)
		}
		s.forms[lang] = string(form)
		shared, err := fs.ReadFile(fsys, lang+"/fields.tmpl")
		if err != nil {
			return nil, fmt.Errorf("templates: %s/fields.tmpl: %w", lang, err)
		}
		names, err := fs.Glob(embedded, lang+"/*.tmpl")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			base := strings.TrimSuffix(path.Base(n), ".tmpl")
			if base == "fields" {
				continue
			}
			body, err := fs.ReadFile(fsys, n)
			if err != nil {
				return nil, fmt.Errorf("templates: %s: %w", n, err)
			}
			key := lang + "/" + strings.TrimSuffix(base, ".html")
			if strings.HasSuffix(base, ".html") {
				t, err := htmltemplate.New(n).Funcs(htmltemplate.FuncMap(funcsFor(lang))).Parse(string(shared) + string(body))
				if err != nil {
					return nil, fmt.Errorf("templates: %w", err)
				}
				s.html[key] = t
				continue
			}
			t, err := template.New(n).Funcs(funcsFor(lang)).Option("missingkey=error").Parse(string(shared) + string(body))
			if err != nil {
				return nil, fmt.Errorf("templates: %w", err)
			}
			if t.Lookup("subject") == nil || t.Lookup("text") == nil {
				return nil, fmt.Errorf("templates: %s must define both \"subject\" and \"text\"", n)
			}
			s.text[key] = t
		}
	}
	return s, nil
}

// overlay reads from top, falling back to base.
type overlay struct{ top, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	if f, err := o.top.Open(name); err == nil {
		return f, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}

// Lang returns lang when templates exist for it, else the default.
func Lang(lang string) string {
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	return Languages[0]
}

// Names returns the mail templates of the default language.
func (s *Set) Names() []string {
	var out []string
	for k := range s.text {
		if l, n, _ := strings.Cut(k, "/"); l == Languages[0] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Form returns the blank form in lang.
func (s *Set) Form(lang string) string { return s.forms[Lang(lang)] }

// Render renders mail template name in lang with data.
func (s *Set) Render(lang, name string, data any) (Rendered, error) {
	key := Lang(lang) + "/" + name
	t, ok := s.text[key]
	if !ok {
		return Rendered{}, fmt.Errorf("templates: no template %q", key)
	}
	var r Rendered
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "subject", data); err != nil {
		return r, fmt.Errorf("templates: %s subject: %w", key, err)
	}
	r.Subject = strings.Join(strings.Fields(b.String()), " ")
	b.Reset()
	if err := t.ExecuteTemplate(&b, "text", data); err != nil {
		return r, fmt.Errorf("templates: %s text: %w", key, err)
	}
	r.Text = strings.TrimLeft(b.String(), "\n")
	if h, ok := s.html[key]; ok {
		b.Reset()
		if err := h.ExecuteTemplate(&b, "html", data); err != nil {
			return r, fmt.Errorf("templates: %s html: %w", key, err)
		}
		r.HTML = b.String()
	}
	return r, nil
}

var funcs = template.FuncMap{
	"tag": func(id string) string { return "[" + id + "]" },
	// label ends a field's label with a colon, unless it is a question.
	"label": func(l string) string {
		if strings.HasSuffix(l, "?") {
			return l
		}
		return l + ":"
	},
	"indent": func(s, prefix string) string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i, l := range lines {
			if l != "" {
				lines[i] = prefix + l
			}
		}
		return strings.Join(lines, "\n")
	},
	"short": func(s string, n int) string {
		s = strings.Join(strings.Fields(s), " ")
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		cut := string(r[:n])
		if i := strings.LastIndexByte(cut, ' '); i > n/2 {
			cut = cut[:i]
		}
		return cut + "…"
	},
	// date shows a time in Swedish time, with its hour unless it is
	// midnight there (a date only).
	"date": func(v any) string {
		var t time.Time
		switch v := v.(type) {
		case time.Time:
			t = v
		case *time.Time:
			if v == nil {
				return ""
			}
			t = *v
		default:
			return fmt.Sprint(v)
		}
		t = t.In(Stockholm)
		if t.Hour() == 0 && t.Minute() == 0 {
			return t.Format("2006-01-02")
		}
		return t.Format("2006-01-02 15:04")
	},
	"join": strings.Join,
	// wrap breaks text into lines of at most n characters, at spaces.
	"wrap": func(s string, n int) string {
		var lines []string
		for _, para := range strings.Split(s, "\n") {
			line := ""
			for _, w := range strings.Fields(para) {
				if line != "" && len([]rune(line))+1+len([]rune(w)) > n {
					lines = append(lines, line)
					line = ""
				}
				if line != "" {
					line += " "
				}
				line += w
			}
			lines = append(lines, line)
		}
		return strings.Join(lines, "\n")
	},
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%d kB", n>>10)
		}
		return fmt.Sprintf("%d byte", n)
	},
}

// Names of statuses and levels, by language.
var (
	statusNames = map[string]map[string]string{
		"sv": {"new": "mottagen", "in_dialogue": "under utredning", "forwarded": "vidarebefordrad", "answered": "besvarad", "closed": "avslutad"}, // DESIGN.md
		"en": {"new": "received", "in_dialogue": "being looked into", "forwarded": "forwarded", "answered": "answered", "closed": "closed"},
	}
	levelNames = map[string]map[string]string{
		"sv": {"struktur": "struktur", "organisering": "organisering", "individ": "individ", "": "nivå ej satt"},
		"en": {"struktur": "structure", "organisering": "organisation", "individ": "individual", "": "level not set"},
	}
)

// StatusName is a case status as a person reads it in lang.
func StatusName(lang, status string) string {
	if n, ok := statusNames[Lang(lang)][status]; ok {
		return n
	}
	return status
}

// LevelName is a level as a person reads it in lang.
func LevelName(lang, level string) string {
	if n, ok := levelNames[Lang(lang)][level]; ok {
		return n
	}
	return level
}

// funcsFor returns the template functions with those that speak lang.
func funcsFor(lang string) template.FuncMap {
	m := template.FuncMap{
		"status": func(s string) string { return StatusName(lang, s) },
		"level":  func(s string) string { return LevelName(lang, s) },
	}
	for k, v := range funcs {
		m[k] = v
	}
	return m
}

// Stockholm is the time zone of every date a person reads.
var Stockholm = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Stockholm"); err == nil {
		return l
	}
	return time.UTC
}()

package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"text/template"
	"time"
)

//go:embed cli
var embeddedCLI embed.FS

// CLI is the catalogue of what the command line prints for a person (the
// case list, a case and its timeline, a person's data, the confirmations
// of the commands, the usage), in Swedish and English. A text is the file
// cli/LANG/NAME.tmpl, one text/template executed whole, with the mail
// templates' functions (status, level, date, join, …) and those of
// cliFuncs. Like a mail template, it is embedded and overridable by the
// file of the same name in the templates directory (LoadCLI).
//
// A CLI is safe for concurrent use; a nil *CLI is the embedded texts.
type CLI struct {
	t map[string]*template.Template // "sv/cases"
}

// builtinCLI are the embedded texts, parsed once.
var builtinCLI = sync.OnceValue(func() *CLI {
	c, err := loadCLI(embeddedCLI)
	if err != nil {
		panic(fmt.Sprintf("templates: the embedded command-line texts: %v", err))
	}
	return c
})

// LoadCLI parses the embedded command-line texts, with the files of dir
// (which may be "") in place of the embedded ones of the same name.
func LoadCLI(dir string) (*CLI, error) {
	if dir == "" {
		return builtinCLI(), nil
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("templates: override directory: %w", err)
	}
	return loadCLI(overlay{top: os.DirFS(dir), base: embeddedCLI})
}

func loadCLI(fsys fs.FS) (*CLI, error) {
	c := &CLI{t: map[string]*template.Template{}}
	for _, lang := range Languages {
		names, err := fs.Glob(embeddedCLI, "cli/"+lang+"/*.tmpl")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			body, err := fs.ReadFile(fsys, n)
			if err != nil {
				return nil, fmt.Errorf("templates: %s: %w", n, err)
			}
			t, err := template.New(n).Funcs(cliFuncs(lang)).Option("missingkey=error").Parse(string(body))
			if err != nil {
				return nil, fmt.Errorf("templates: %w", err)
			}
			c.t[lang+"/"+strings.TrimSuffix(path.Base(n), ".tmpl")] = t
		}
	}
	return c, nil
}

// Print writes text name in lang with data to w: all of it, or nothing
// when the text fails.
func (c *CLI) Print(w io.Writer, lang, name string, data any) error {
	s, err := c.Text(lang, name, data)
	if err == nil {
		_, err = io.WriteString(w, s)
	}
	return err
}

// Text is text name in lang with data.
func (c *CLI) Text(lang, name string, data any) (string, error) {
	if c == nil {
		c = builtinCLI()
	}
	key := Lang(lang) + "/" + name
	t, ok := c.t[key]
	if !ok {
		return "", fmt.Errorf("templates: no command-line text %q", key)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("templates: cli/%s.tmpl: %w", key, err)
	}
	return b.String(), nil
}

// cliFuncs are the functions of a command-line text in lang: the mail
// templates' and these.
func cliFuncs(lang string) template.FuncMap {
	m := funcsFor(lang)
	// event names a timeline event's kind: "mottaget", "vidarebefordrat".
	m["event"] = func(kind string) string { return EventName(lang, kind) }
	// line is s on one line, cut to at most n characters with "…".
	m["line"] = func(s string, n int) string {
		s = strings.Join(strings.Fields(s), " ")
		if r := []rune(s); len(r) > n {
			return string(r[:n-1]) + "…"
		}
		return s
	}
	m["trim"] = strings.TrimSpace
	// prefix starts every line of s, the first too, with p.
	m["prefix"] = func(s, p string) string { return p + strings.ReplaceAll(s, "\n", "\n"+p) }
	// stamp is a time (or *time.Time) in Swedish time, written by layout.
	m["stamp"] = func(layout string, v any) string {
		switch t := v.(type) {
		case time.Time:
			return t.In(Stockholm).Format(layout)
		case *time.Time:
			if t != nil {
				return t.In(Stockholm).Format(layout)
			}
		}
		return ""
	}
	// json is v as indented JSON, its lines after the first starting with
	// prefix.
	m["json"] = func(v any, prefix string) (string, error) {
		b, err := json.MarshalIndent(v, prefix, "  ")
		return string(b), err
	}
	return m
}

// eventNames name the kinds of timeline events, by language.
var eventNames = map[string]map[string]string{
	"sv": {"created": "mottaget", "received": "inkommet", "queued": "köat", "sent": "skickat", "send_failed": "ej skickat",
		"bounced": "i retur", "refused": "avvisat", "changed": "ändrat", "status": "status", "question": "fråga",
		"forwarded": "vidarebefordrat", "answer": "svar", "feedback": "återkoppling", "raised": "lyft",
		"decision": "beslut", "note": "notering", "reminder": "påminnelse", "scrubbed": "gallrat", "auto_reply": "autosvar"},
	"en": {"created": "received", "received": "mail in", "queued": "queued", "sent": "sent", "send_failed": "not sent",
		"bounced": "bounced", "refused": "refused", "changed": "changed", "status": "status", "question": "question",
		"forwarded": "forwarded", "answer": "answer", "feedback": "feedback", "raised": "raised",
		"decision": "decision", "note": "note", "reminder": "reminder", "scrubbed": "erased", "auto_reply": "automatic reply"},
}

// EventName is the kind of a timeline event as a person reads it in lang.
func EventName(lang, kind string) string {
	if n, ok := eventNames[Lang(lang)][kind]; ok {
		return n
	}
	return kind
}

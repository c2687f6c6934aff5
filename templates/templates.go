// Package templates holds the texts of every mail lexheller sends and the
// blank form, in Swedish (sv, the default) and English (en), embedded in
// the binary and overridable file by file from a directory.
//
// A mail template is a file LANG/NAME.tmpl defining the text/template
// blocks "subject" and "text"; an optional LANG/NAME.html.tmpl defines
// "html" (html/template) for an HTML alternative. LANG/fields.tmpl holds
// shared blocks. The blank form is sv/blankett.txt and en/form.txt.
//
// The HTML pages that are not mails (the pattern report, the published
// site) are html/NAME.html.tmpl, in both languages at once; see Pages.
// What the command line prints for a person is cli/LANG/NAME.tmpl; see
// CLI. The short texts of the workflow core (timeline summaries, the
// changes and problems a confirmation lists) are keyed messages; see
// Message. Unlike the files, they are not overridable.
package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/mail"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
	_ "time/tzdata" // Europe/Stockholm on machines without zoneinfo
	"unicode"
	"unicode/utf8"
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
	// upperFirst starts s with a capital letter (a sentence that begins
	// with "kommunens representant").
	"upperFirst": upperFirst,
	// sentence makes a phrase a sentence: a capital first, a full stop
	// last unless it ends in punctuation.
	"sentence": func(s string) string {
		s = strings.TrimSpace(s)
		if s == "" {
			return ""
		}
		if !strings.ContainsAny(s[len(s)-1:], ".!?:") {
			s += "."
		}
		return upperFirst(s)
	},
	// firstName is the first name of a person's name as written in a
	// blanket, a From header or the config ("Anna Andersson",
	// "Andersson, Anna", "anna andersson"), or "" when the name is no
	// person's ("FK:s representant", "Regionens representant", an
	// address): a greeting then says just "Hej!".
	"firstName": FirstName,
	// nameOf is the name in a From header ("Björn Åberg <b@fk.se>"), or
	// its address when it has no name.
	"nameOf": func(from string) string {
		name, addr := splitAddress(from)
		if name != "" {
			return name
		}
		return addr
	},
	// addressOf is the address in a From header.
	"addressOf": func(from string) string {
		_, addr := splitAddress(from)
		return addr
	},
	// sameAddress reports whether the address in a From header is addr.
	"sameAddress": func(from, addr string) bool {
		_, a := splitAddress(from)
		return a != "" && strings.EqualFold(a, strings.TrimSpace(addr))
	},
	// list joins the values that are not empty with ", ".
	"list": func(vals ...string) string {
		var out []string
		for _, v := range vals {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return strings.Join(out, ", ")
	},
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// splitAddress reads a From header as intake passes it ("Name <addr>",
// an RFC 2047-encoded name, or a bare address).
func splitAddress(from string) (name, addr string) {
	from = strings.TrimSpace(from)
	if a, err := mail.ParseAddress(from); err == nil {
		return strings.TrimSpace(a.Name), a.Address
	}
	if i := strings.LastIndexByte(from, '<'); i >= 0 && strings.HasSuffix(from, ">") {
		return strings.Trim(strings.TrimSpace(from[:i]), `"`), strings.TrimSpace(from[i+1 : len(from)-1])
	}
	if strings.Contains(from, "@") && !strings.ContainsAny(from, " \t") {
		return "", from
	}
	return from, ""
}

// roleWords are words of a name that is a role or an organisation, not
// a person: a representative configured as "FK:s representant".
var roleWords = map[string]bool{
	"representant": true, "representanten": true, "representative": true, "processledare": true, "processledaren": true,
	"handläggare": true, "kontaktperson": true, "samordnare": true, "funktionsbrevlåda": true, "brevlåda": true,
	"kansli": true, "kansliet": true, "förbundet": true, "samordningsförbundet": true,
	"försäkringskassan": true, "arbetsförmedlingen": true, "kommun": true, "kommunen": true, "region": true, "regionen": true,
	"stad": true, "staden": true, "team": true, "teamet": true, "enheten": true, "office": true,
}

// FirstName is the first name of a person's name, or "" when name is no
// person's (see "firstName" among the template functions).
func FirstName(name string) string {
	name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"'`))
	if last, first, ok := strings.Cut(name, ","); ok && strings.TrimSpace(first) != "" && !strings.Contains(strings.TrimSpace(last), " ") {
		name = strings.TrimSpace(first) // "Andersson, Anna"
	}
	words := strings.Fields(name)
	if len(words) == 0 || len(words) > 5 || strings.ContainsAny(name, "@:<>()/\\0123456789") {
		return ""
	}
	for _, w := range words {
		if roleWords[strings.ToLower(strings.Trim(w, ".,;"))] {
			return ""
		}
	}
	first := strings.Trim(words[0], ".,;")
	r := []rune(first)
	if len(r) < 2 || !unicode.IsLetter(r[0]) {
		return ""
	}
	if strings.ToUpper(first) == first {
		if len(r) <= 3 {
			return "" // a party's abbreviation: FK, AF, AME
		}
		first = strings.ToLower(first) // ANNA
	}
	return upperFirst(first)
}

// Names of statuses and levels, by language. A Swedish status describes
// "ärendet", so it is neuter.
var (
	statusNames = map[string]map[string]string{
		"sv": {"new": "mottaget", "in_dialogue": "i dialog", "forwarded": "vidarebefordrat", "answered": "besvarat", "closed": "avslutat"},
		"en": {"new": "received", "in_dialogue": "in dialogue", "forwarded": "forwarded", "answered": "answered", "closed": "closed"},
	}
	levelNames = map[string]map[string]string{
		"sv": {"struktur": "struktur", "organisering": "organisering", "individ": "individ", "vet ej": "vet ej (anmälarens svar)", "": "nivå inte satt"},
		"en": {"struktur": "structure", "organisering": "organisation", "individ": "individual", "vet ej": "don't know (the reporter's answer)", "": "level not set"},
	}
	// partyNames are the parties as a sentence names them ("svar från
	// kommunen"); partyOwners are their genitive ("kommunens
	// representant"). Both start with a small letter where Swedish
	// writes one: upperFirst them at the start of a sentence.
	partyNames = map[string]map[string]string{
		"sv": {"AF": "Arbetsförmedlingen", "FK": "Försäkringskassan", "Kommun": "kommunen", "Region": "regionen", "Annan": "den andra parten"},
		"en": {"AF": "Arbetsförmedlingen", "FK": "Försäkringskassan", "Kommun": "the municipality", "Region": "the region", "Annan": "the other party"},
	}
	partyOwners = map[string]map[string]string{
		"sv": {"AF": "Arbetsförmedlingens", "FK": "Försäkringskassans", "Kommun": "kommunens", "Region": "regionens", "Annan": "den andra partens"},
		"en": {"AF": "Arbetsförmedlingen's", "FK": "Försäkringskassan's", "Kommun": "the municipality's", "Region": "the region's", "Annan": "the other party's"},
	}
)

// PartyName is a party code as a sentence in lang names the party.
func PartyName(lang, code string) string {
	if n, ok := partyNames[Lang(lang)][code]; ok {
		return n
	}
	return code
}

// PartyOwner is the genitive of a party in lang: "Försäkringskassans",
// "kommunens".
func PartyOwner(lang, code string) string {
	if n, ok := partyOwners[Lang(lang)][code]; ok {
		return n
	}
	if Lang(lang) == "en" {
		return code + "'s"
	}
	if strings.ToUpper(code) == code {
		return code + ":s" // an abbreviation
	}
	if strings.HasSuffix(code, "s") || strings.HasSuffix(code, "x") || strings.HasSuffix(code, "z") {
		return code
	}
	return code + "s"
}

var numberWords = map[string][]string{
	"sv": {"noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv"},
	"en": {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"},
}

// Duration says a number of days as a person would: "två år", "sex
// månader", "två veckor", "45 dagar".
func Duration(lang string, days int) string {
	lang = Lang(lang)
	type unit struct {
		days      int
		one, many string // "ett år", and "år" after a number
	}
	units := map[string][]unit{
		"sv": {{365, "ett år", "år"}, {30, "en månad", "månader"}, {7, "en vecka", "veckor"}, {1, "en dag", "dagar"}},
		"en": {{365, "one year", "years"}, {30, "one month", "months"}, {7, "one week", "weeks"}, {1, "one day", "days"}},
	}[lang]
	for _, u := range units {
		if days <= 0 || days%u.days != 0 || u.days == 30 && days >= 365 {
			continue
		}
		n := days / u.days
		switch {
		case n == 1:
			return u.one
		case n <= 12:
			return numberWords[lang][n] + " " + u.many
		}
		return strconv.Itoa(n) + " " + u.many
	}
	return strconv.Itoa(days) + " " + units[len(units)-1].many
}

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
		// partyName names a party in a sentence: "Försäkringskassan",
		// "kommunen"; partyOwner is its genitive: "Försäkringskassans".
		"partyName":  func(code string) string { return PartyName(lang, code) },
		"partyOwner": func(code string) string { return PartyOwner(lang, code) },
		// whom names whom a forward went to: a party ("Försäkringskassan")
		// or a working group ("arbetsgruppen Primärvård och psykiatri");
		// whose is its answerer: "Försäkringskassans representant", or the
		// group.
		"whom": func(party, group string) string {
			if group != "" {
				return groupName(lang, group)
			}
			return PartyName(lang, party)
		},
		"whose": func(party, group string) string {
			if group != "" {
				return groupName(lang, group)
			}
			if lang == "en" {
				return PartyOwner(lang, party) + " representative"
			}
			return PartyOwner(lang, party) + " representant"
		},
		// sep goes before item i of n in a list read aloud: "", ", "
		// or " och ".
		"sep": func(i, n int) string {
			switch {
			case i == 0:
				return ""
			case i == n-1 && lang == "en":
				return " and "
			case i == n-1:
				return " och "
			}
			return ", "
		},
		// duration says a number of days: "två år", "två veckor".
		"duration": func(days int) string { return Duration(lang, days) },
		"size": func(n int64) string {
			var s string
			switch {
			case n >= 1<<20:
				s = fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
			case n >= 1<<10:
				return fmt.Sprintf("%d kB", n>>10)
			default:
				return fmt.Sprintf("%d byte", n)
			}
			if lang == "sv" {
				s = strings.Replace(s, ".", ",", 1)
			}
			return s
		},
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

// groupName is a working group as a sentence names it.
func groupName(lang, group string) string {
	if Lang(lang) == "en" {
		return "the working group " + group
	}
	return "arbetsgruppen " + group
}

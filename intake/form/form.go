// Package form reads the Lex Heller blanket out of a mail's text: its
// labelled fields in any order and spelling (FORM.md), ticked boxes, party
// names, dates and yes/no answers, and the Swedish personal identity numbers
// written anywhere in it.
//
// It is pure: text in, fields out. It knows nothing of mail or of the
// configured förbund; the caller resolves the förbund's name.
package form

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Keys of the blanket's fields, as in FORM.md and the inspect contract.
const (
	EventDate     = "event_date"
	ReporterName  = "reporter_name"
	ReporterEmail = "reporter_email"
	ReporterPhone = "reporter_phone"
	ReporterOrg   = "reporter_org"
	Forbund       = "forbund"
	Parties       = "parties"
	Description   = "description"
	Consequence   = "consequence"
	Level         = "level"
	Suggestion    = "suggestion"
	ContactOK     = "contact_ok"
	PublishOK     = "publish_ok"
)

// Required lists the fields a case cannot be opened without, in the order
// a reply about missing fields names them.
var Required = []string{ReporterName, ReporterOrg, Parties, Description}

// Party codes.
const (
	AF     = "AF"
	FK     = "FK"
	Kommun = "Kommun"
	Region = "Region"
	Annan  = "Annan"
)

// PartyCodes are all party codes, in their usual order.
var PartyCodes = []string{AF, FK, Kommun, Region, Annan}

// Levels are the values of Fields.Level.
var Levels = []string{"struktur", "organisering", "individ"}

// labels maps each accepted label, lower-case, to its field key.
var labels = map[string]string{
	"datum för händelsen": EventDate, "datum": EventDate, "händelsedatum": EventDate, "date of event": EventDate, "date": EventDate,
	"namn": ReporterName, "ditt namn": ReporterName, "anmälare": ReporterName, "name": ReporterName, "your name": ReporterName,
	"e-post": ReporterEmail, "e-postadress": ReporterEmail, "epost": ReporterEmail, "mejl": ReporterEmail, "email": ReporterEmail, "e-mail": ReporterEmail,
	"telefon": ReporterPhone, "tel": ReporterPhone, "telefonnummer": ReporterPhone, "phone": ReporterPhone,
	"organisation": ReporterOrg, "arbetsplats": ReporterOrg, "myndighet/organisation": ReporterOrg, "verksamhet": ReporterOrg, "organization": ReporterOrg,
	"samordningsförbund": Forbund, "förbund": Forbund, "coordination association": Forbund,
	"berörda parter": Parties, "parter": Parties, "vilka parter berörs": Parties, "parties involved": Parties,
	"vad hände": Description, "beskrivning": Description, "beskriv händelsen": Description, "händelse": Description, "what happened": Description,
	"konsekvens för individen": Consequence, "konsekvens": Consequence, "följder för individen": Consequence, "consequence": Consequence,
	"nivå": Level, "level": Level,
	"förslag på lösning": Suggestion, "förslag": Suggestion, "lösningsförslag": Suggestion, "suggested solution": Suggestion,
	"får vi kontakta dig": ContactOK, "kontakt": ContactOK, "may we contact you": ContactOK,
	"får ärendet publiceras anonymiserat": PublishOK, "publicering": PublishOK, "publiceras": PublishOK, "may it be published": PublishOK,
}

// labelList is labels' keys, longest first, so "datum för händelsen" wins
// over "datum".
var labelList = func() []string {
	l := make([]string, 0, len(labels))
	for k := range labels {
		l = append(l, k)
	}
	slices.SortFunc(l, func(a, b string) int { return len(b) - len(a) })
	return l
}()

// multiLine fields take every line up to the next label; the others take
// their first non-empty line.
var multiLine = map[string]bool{Description: true, Consequence: true, Suggestion: true, Parties: true}

// Fields are a blanket's values, normalised. Free text has personnummer
// masked (see MaskPII).
type Fields struct {
	EventDate     string   `json:"event_date,omitempty"` // ISO 8601, e.g. 2026-11-12
	ReporterName  string   `json:"reporter_name,omitempty"`
	ReporterEmail string   `json:"reporter_email,omitempty"`
	ReporterPhone string   `json:"reporter_phone,omitempty"`
	ReporterOrg   string   `json:"reporter_org,omitempty"`
	Forbund       string   `json:"forbund,omitempty"` // as written; the caller maps it to a slug
	Parties       []string `json:"parties,omitempty"` // codes, in order of first mention
	OtherParty    string   `json:"other_party,omitempty"`
	Description   string   `json:"description,omitempty"`
	Consequence   string   `json:"consequence,omitempty"`
	Level         string   `json:"level,omitempty"` // one of Levels, or ""
	Suggestion    string   `json:"suggestion,omitempty"`
	ContactOK     bool     `json:"contact_ok"`
	PublishOK     bool     `json:"publish_ok"`
}

// Result is what Parse found.
type Result struct {
	Fields Fields
	// Labels are the keys of the fields whose label was found, in order.
	Labels []string
	// Missing are the required fields with no value, in Required's order.
	Missing []string
	// PII are the identity numbers written anywhere in the text.
	PII []PII
}

// Found reports whether the text had any of the blanket's labels.
func (r *Result) Found() bool { return len(r.Labels) > 0 }

// Fallback is what the mail itself says of its sender, used where the
// blanket leaves the name or address out.
type Fallback struct {
	Name, Email string
	Date        time.Time // the mail's date: the year of "12 nov"
}

// Parse reads the blanket in text.
func Parse(text string, fb Fallback) *Result {
	res := &Result{PII: FindPII(text)}
	values := map[string][]string{}
	var cur string
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for _, line := range lines {
		if key, rest, ok := matchLabel(line); ok {
			cur = key
			if _, seen := values[key]; !seen {
				res.Labels = append(res.Labels, key)
				values[key] = nil
			} else {
				// A label written twice: its values follow each other.
				values[key] = append(values[key], "")
			}
			if rest != "" {
				values[key] = append(values[key], rest)
			}
			continue
		}
		if cur != "" {
			values[cur] = append(values[cur], line)
		}
	}
	f := &res.Fields
	f.ContactOK = true
	for key, vl := range values {
		v := cutTail(vl)
		if !multiLine[key] {
			v = firstLine(v)
		}
		v = MaskPII(v)
		switch key {
		case EventDate:
			f.EventDate = NormalizeDate(v, fb.Date)
		case ReporterName:
			f.ReporterName = v
		case ReporterEmail:
			f.ReporterEmail = extractEmail(v)
		case ReporterPhone:
			f.ReporterPhone = v
		case ReporterOrg:
			f.ReporterOrg = v
		case Forbund:
			f.Forbund = v
		case Parties:
			f.Parties, f.OtherParty = NormalizeParties(v)
		case Description:
			f.Description = v
		case Consequence:
			f.Consequence = v
		case Suggestion:
			f.Suggestion = v
		case Level:
			f.Level = NormalizeLevel(v)
		case ContactOK:
			if b, ok := YesNo(v); ok {
				f.ContactOK = b
			}
		case PublishOK:
			if b, ok := YesNo(v); ok {
				f.PublishOK = b
			}
		}
	}
	if f.ReporterName == "" {
		f.ReporterName = MaskPII(fb.Name)
	}
	if f.ReporterEmail == "" {
		f.ReporterEmail = fb.Email
	}
	for _, k := range Required {
		if f.value(k) == "" {
			res.Missing = append(res.Missing, k)
		}
	}
	return res
}

// Merge completes an earlier, incomplete blanket with a later answer to
// the request for the rest: a field the later one wrote replaces the
// earlier one's, the others stay.
func Merge(first, then *Result) *Result {
	out := &Result{Fields: first.Fields, PII: append(slices.Clone(first.PII), then.PII...)}
	out.Labels = slices.Clone(first.Labels)
	for _, k := range then.Labels {
		if !slices.Contains(out.Labels, k) {
			out.Labels = append(out.Labels, k)
		}
		out.Fields.set(k, &then.Fields)
	}
	for _, k := range Required {
		if out.Fields.value(k) == "" {
			out.Missing = append(out.Missing, k)
		}
	}
	return out
}

// set copies the field key from g.
func (f *Fields) set(key string, g *Fields) {
	switch key {
	case EventDate:
		f.EventDate = g.EventDate
	case ReporterName:
		f.ReporterName = g.ReporterName
	case ReporterEmail:
		f.ReporterEmail = g.ReporterEmail
	case ReporterPhone:
		f.ReporterPhone = g.ReporterPhone
	case ReporterOrg:
		f.ReporterOrg = g.ReporterOrg
	case Forbund:
		f.Forbund = g.Forbund
	case Parties:
		f.Parties, f.OtherParty = g.Parties, g.OtherParty
	case Description:
		f.Description = g.Description
	case Consequence:
		f.Consequence = g.Consequence
	case Level:
		f.Level = g.Level
	case Suggestion:
		f.Suggestion = g.Suggestion
	case ContactOK:
		f.ContactOK = g.ContactOK
	case PublishOK:
		f.PublishOK = g.PublishOK
	}
}

func (f *Fields) value(key string) string {
	switch key {
	case ReporterName:
		return f.ReporterName
	case ReporterOrg:
		return f.ReporterOrg
	case Parties:
		return strings.Join(f.Parties, ",")
	case Description:
		return f.Description
	}
	return ""
}

// matchLabel reports whether line starts with a label and returns its key
// and the rest of the line after the separator. A label ends in ":", "?",
// "?:" (with optional spaces); a multi-word label may also stand alone on
// its line.
func matchLabel(line string) (key, rest string, ok bool) {
	s := strings.TrimSpace(line)
	s = strings.TrimLeft(s, "*_•·- \t")
	if s == "" || len(s) > 4096 {
		return "", "", false
	}
	s = norm.NFC.String(s)
	lower := strings.ToLower(s)
	for _, l := range labelList {
		if !strings.HasPrefix(lower, l) {
			continue
		}
		// Take the rest from s to keep its case; ToLower rarely changes a
		// length, and then the lower-case rest has to do.
		after := s[len(l):]
		if len(lower) != len(s) {
			after = lower[len(l):]
		}
		after = strings.TrimLeft(after, "*_ \t")
		switch {
		case strings.HasPrefix(after, "?:"):
			return labels[l], strings.TrimSpace(after[2:]), true
		case strings.HasPrefix(after, ":"), strings.HasPrefix(after, "?"):
			return labels[l], strings.TrimSpace(strings.TrimLeft(after[1:], "*_")), true
		case after == "" && strings.Contains(l, " "):
			return labels[l], "", true
		}
	}
	return "", "", false
}

// tailRe matches the first line of what follows a blanket in a mail:
// signatures, disclaimers and quoted history. Words that also start lines of
// a report ("Sekretessen mellan AF och FK …", "Den läkare som skrev intyget
// …") end a value only in the shape of a disclaimer ("Sekretess: …") or of
// an attribution (with a time or an address).
var tailRe = regexp.MustCompile(`(?i)^(-- ?|--|_{10,}|-{5,}\s*(ursprungligt|original|vidarebefordrat|forwarded).*|` +
	`(med )?vänlig(a)? häls.*|mvh\b.*|hälsningar\b.*|bästa hälsningar.*|best regards.*|kind regards.*|regards,?|` +
	`skickat från min .*|sent from my .*|hämta outlook för .*|get outlook for .*|` +
	`detta e-?(post)?meddelande.*|denna e-?post.*|this e-?mail.*|this message (is|may).*|konfidentiel\w*\s*:.*|sekretess\w*\s*:.*|` +
	`(från|from):\s.*|den .*\d[:.]\d\d.* skrev .*|den .* skrev .*@.*|on .* wrote:?|.* skrev:|>.*)$`)

// cutTail trims a value's lines at the first line of a signature,
// disclaimer or quoted history, and trims blank lines around it.
func cutTail(lines []string) string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if tailRe.MatchString(strings.TrimSpace(l)) {
			break
		}
		out = append(out, strings.TrimRightFunc(l, unicode.IsSpace))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

var emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)

func extractEmail(s string) string {
	if m := emailRe.FindString(s); m != "" {
		return strings.ToLower(m)
	}
	return ""
}

// fold lower-cases s and removes the accents of å, ä, ö, é, so that
// "Försäkringskassan" and "forsakringskassan" compare equal.
func fold(s string) string {
	s = strings.ToLower(norm.NFD.String(s))
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// partyWords map words (folded) to codes; a phrase matches when it occurs
// as whole words.
var partyWords = []struct {
	phrase string
	code   string
}{
	{"arbetsformedlingen", AF}, {"af", AF}, {"arbetsformedling", AF},
	{"forsakringskassan", FK}, {"fk", FK}, {"forsakringskassa", FK},
	{"ekonomiskt bistand", Kommun}, {"forsorjningsstod", Kommun}, {"socialtjansten", Kommun}, {"socialtjanst", Kommun},
	{"stadsdelsforvaltning", Kommun}, {"stadsdelsforvaltningen", Kommun}, {"kommun", Kommun}, {"kommunen", Kommun},
	{"ame", Kommun}, {"lss", Kommun}, {"stad", Kommun}, {"socialkontoret", Kommun}, {"kommunal", Kommun},
	{"vardcentral", Region}, {"vardcentralen", Region}, {"vc", Region}, {"primarvard", Region}, {"primarvarden", Region},
	{"psykiatri", Region}, {"psykiatrin", Region}, {"habilitering", Region}, {"habiliteringen", Region},
	{"landsting", Region}, {"landstinget", Region}, {"sjukvard", Region}, {"sjukvarden", Region}, {"region", Region}, {"regionen", Region},
	{"halsocentral", Region}, {"vuxenpsykiatri", Region}, {"barn- och ungdomspsykiatri", Region}, {"bup", Region},
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}-]+`)

// PartyCode maps one party as written to its code; ok is false when it is
// none of the known parties (it is then Annan).
func PartyCode(s string) (string, bool) {
	words := wordRe.FindAllString(fold(s), -1)
	// Region names ("Region Västra Götaland") and municipalities whose name
	// ends in -kommun ("Göteborgs kommun", "Borås Stad").
	for _, w := range words {
		if strings.HasSuffix(w, "kommun") || strings.HasSuffix(w, "kommunen") {
			return Kommun, true
		}
	}
	joined := " " + strings.Join(words, " ") + " "
	for _, p := range partyWords {
		if strings.Contains(joined, " "+p.phrase+" ") {
			return p.code, true
		}
	}
	return Annan, false
}

var boxRe = regexp.MustCompile(`^\s*(\[\s*([xX✓✔*])?\s*\]|\(\s*([xX✓✔*])?\s*\)|[☒☑✅]|[☐□])\s*`)

// NormalizeParties reads a list of parties: names or abbreviations
// separated by commas, "och"/"and", slashes or lines, or ticked boxes. It
// returns the codes in order of first mention and the text of any "Annan".
func NormalizeParties(s string) (codes []string, other string) {
	lines := strings.Split(s, "\n")
	boxes := false
	for _, l := range lines {
		if boxRe.MatchString(l) {
			boxes = true
			break
		}
	}
	var others []string
	add := func(code string) {
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	for _, l := range lines {
		if boxes {
			m := boxRe.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			ticked := m[2] != "" || m[3] != "" || strings.ContainsAny(m[1], "☒☑✅")
			if !ticked {
				continue
			}
			l = l[len(m[0]):]
		}
		for _, item := range splitParties(l) {
			// "Annan: Kronofogden", "Annan (Kronofogden)", "Annat – …"
			f := fold(item)
			if strings.HasPrefix(f, "annan") || strings.HasPrefix(f, "annat") || strings.HasPrefix(f, "other") {
				rest := strings.TrimSpace(strings.TrimLeft(item[len(strings.Fields(item)[0]):], " :,–-()"))
				rest = strings.TrimRight(rest, ")")
				add(Annan)
				if rest != "" {
					others = append(others, rest)
				}
				continue
			}
			code, known := PartyCode(item)
			add(code)
			if !known {
				others = append(others, item)
			}
		}
	}
	return codes, strings.Join(others, ", ")
}

var partySepRe = regexp.MustCompile(`(?i)\s*(,|;|/|&|\+|\boch\b|\band\b|\bsamt\b)\s*`)

func splitParties(line string) []string {
	var out []string
	// "Annan: x, y" keeps its text whole.
	if f := fold(strings.TrimSpace(line)); strings.HasPrefix(f, "annan:") || strings.HasPrefix(f, "annat:") {
		return []string{strings.TrimSpace(line)}
	}
	for _, p := range partySepRe.Split(line, -1) {
		p = strings.Trim(strings.TrimSpace(p), ".-–")
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// NormalizeLevel maps a written level to one of Levels, or "" for "Vet
// ej" and anything unknown. Ticked boxes are honoured.
func NormalizeLevel(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if m := boxRe.FindStringSubmatch(l); m != nil {
			if m[2] == "" && m[3] == "" && !strings.ContainsAny(m[1], "☒☑✅") {
				continue
			}
			l = l[len(m[0]):]
		}
		f := fold(strings.TrimSpace(l))
		switch {
		case strings.HasPrefix(f, "strukt"):
			return "struktur"
		case strings.HasPrefix(f, "organis"):
			return "organisering"
		case strings.HasPrefix(f, "indiv"):
			return "individ"
		}
	}
	return ""
}

// YesNo reads Ja/Nej, yes/no, x or ticked boxes; ok is false when the
// answer cannot be read.
func YesNo(s string) (bool, bool) {
	f := fold(strings.TrimSpace(s))
	// "[x] Ja [ ] Nej"
	if strings.Contains(f, "[x] ja") || strings.Contains(f, "[x] yes") {
		return true, true
	}
	if strings.Contains(f, "[x] nej") || strings.Contains(f, "[x] no") {
		return false, true
	}
	w := wordRe.FindString(f)
	switch w {
	case "ja", "yes", "x", "javisst", "japp", "absolut", "gärna", "garna", "ok":
		return true, true
	case "nej", "no", "nix":
		return false, true
	}
	return false, false
}

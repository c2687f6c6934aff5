// Package form reads the Lex Heller blanket out of a mail's text: its
// labelled fields in any order and spelling (FORM.md), ticked boxes, party
// names, dates and yes/no answers, and the Swedish personal identity numbers
// written anywhere in it.
//
// What the blanket says is kept whole: a one-line value the mail wrapped
// onto the next lines, the text of "Annan: …" and a level of "Vet ej"
// (LevelUnknown). The header block of a forwarded or quoted message
// ("---------- Forwarded message ---------", "Från: … Skickat: …") is none
// of the blanket's fields. A value that cannot be read (an event date of
// "igår", a level of "både och") is not stored but named in
// Result.Unreadable, for a person to see.
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
	"unicode/utf8"

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

// Levels are the levels a process leader sets (/nivå) and a case keeps.
var Levels = []string{"struktur", "organisering", "individ"}

// LevelUnknown is Fields.Level of a blanket that answers "Vet ej" (don't
// know): the reporter said it, unlike a level left out (""). It is none of
// Levels: NormalizeLevel, and so /nivå, does not accept it.
const LevelUnknown = "vet ej"

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
	Level         string   `json:"level,omitempty"` // one of Levels, LevelUnknown, or ""
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
	// Unreadable are the values the blanket gives that could not be read,
	// in the order of their labels.
	Unreadable []Unreadable
}

// Unreadable is a value written under a label that could not be read: an
// event date that is no date ("igår", "v. 45"), a level that is none of
// the levels ("både och"), a yes/no question answered otherwise ("kanske").
// The field is left empty (event_date, level) or is no
// (contact_ok, publish_ok: only a clear yes counts); the caller can show Text, so the
// reporter or a process leader can say what was meant.
type Unreadable struct {
	Field string `json:"field"` // EventDate, Level, ContactOK or PublishOK
	Text  string `json:"text"`  // as written (its first line, at most maxUnreadable bytes), personnummer masked
}

// maxUnreadable is the most of an unreadable value Unreadable.Text keeps.
const maxUnreadable = 200

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
	values := res.collect(text)
	f := &res.Fields
	f.ContactOK = true
	for _, key := range res.Labels {
		res.read(key, cutTail(values[key]), fb)
	}
	if f.ReporterName == "" {
		f.ReporterName = MaskPII(fb.Name)
	}
	if f.ReporterEmail == "" {
		f.ReporterEmail = fb.Email
	}
	res.findMissing()
	return res
}

// FromValues is the blanket of a form whose fields come one by one (the
// web form): each value, by field key, read as Parse reads the value under
// its label, none of them searched for labels, signatures or quoted mail.
// keys gives the order.
func FromValues(values map[string]string, keys []string) *Result {
	res := &Result{}
	res.Fields.ContactOK = true
	var all []string
	for _, key := range keys {
		v := strings.TrimSpace(strings.ReplaceAll(values[key], "\r\n", "\n"))
		if v == "" {
			continue
		}
		all = append(all, v)
		res.Labels = append(res.Labels, key)
		res.read(key, v, Fallback{})
	}
	res.PII = FindPII(strings.Join(all, "\n"))
	res.findMissing()
	return res
}

// collect finds the labels in text, in order, and returns the lines of
// each one's value: the rest of the label's line and the lines below it,
// up to the next label or the header block of a forwarded or quoted
// message.
func (res *Result) collect(text string) map[string][]string {
	values := map[string][]string{}
	var cur string
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	header := headerLines(lines)
	for i, line := range lines {
		if header[i] {
			// A forwarded message's "Date:" is not the event's date,
			// and the block ends the value above it.
			cur = ""
			continue
		}
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
	return values
}

// read sets the field key from its value v (tail cut). Personnummer are
// masked in the value as written, where one may be broken over two lines,
// and again after its lines are joined.
func (res *Result) read(key, v string, fb Fallback) {
	f := &res.Fields
	v = MaskPII(v)
	switch key {
	case EventDate:
		res.readDate(v, fb.Date)
	case ReporterName:
		f.ReporterName = MaskPII(oneLine(v))
	case ReporterEmail:
		f.ReporterEmail = extractEmail(oneLine(v))
	case ReporterPhone:
		f.ReporterPhone = MaskPII(oneLine(v))
	case ReporterOrg:
		f.ReporterOrg = MaskPII(oneLine(v))
	case Forbund:
		f.Forbund = MaskPII(oneLine(v))
	case Parties:
		var other string
		f.Parties, other = NormalizeParties(v)
		f.OtherParty = MaskPII(other)
	case Description:
		f.Description = v
	case Consequence:
		f.Consequence = v
	case Suggestion:
		f.Suggestion = v
	case Level:
		res.readLevel(v)
	case ContactOK:
		res.readYesNo(key, v, &f.ContactOK)
	case PublishOK:
		res.readYesNo(key, v, &f.PublishOK)
	}
}

// unreadable records that the value v of the field key could not be read.
func (res *Result) unreadable(key, v string) {
	if len(v) > maxUnreadable {
		n := maxUnreadable
		for n > 0 && !utf8.RuneStart(v[n]) {
			n--
		}
		v = v[:n] + "…"
	}
	res.Unreadable = append(res.Unreadable, Unreadable{Field: key, Text: MaskPII(v)})
}

// readDate sets the event date from the first line of v, or names it
// unreadable. A line without a letter or digit ("-", "?") gives none.
func (res *Result) readDate(v string, ref time.Time) {
	line := firstLine(v)
	if strings.IndexFunc(line, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return
	}
	d := NormalizeDate(line, ref)
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		res.unreadable(EventDate, line)
		return
	}
	res.Fields.EventDate = d
}

// readLevel sets the level from the ticked box, or else the first line,
// of v, or names it unreadable. Boxes none of which is ticked give none.
func (res *Result) readLevel(v string) {
	var level string
	took, written := choose(v, func(s string) bool {
		level = blanketLevel(s)
		return level != ""
	})
	switch {
	case took:
		res.Fields.Level = level
	case written != "":
		res.unreadable(Level, written)
	}
}

// readYesNo sets *dst from the ticked box, or else the first line, of v,
// or names the answer unreadable and sets *dst to no.
func (res *Result) readYesNo(key, v string, dst *bool) {
	var yes bool
	took, written := choose(v, func(s string) bool {
		b, ok := YesNo(s)
		yes = b
		return ok
	})
	switch {
	case took:
		*dst = yes
	case written != "":
		// An answer that is neither yes nor no is no: contact details
		// go to a party, and a case is published, only on a clear yes.
		res.unreadable(key, written)
		*dst = false
	}
}

// choose offers read the texts of the ticked boxes of v in order, or, if
// v has no box, its first line, until read takes one. When none is taken,
// written is the first text offered, to name unreadable.
func choose(v string, read func(string) bool) (took bool, written string) {
	choices, boxed := boxes(v)
	if !boxed {
		choices = []box{{text: firstLine(v), ticked: true}}
	}
	for _, c := range choices {
		if !c.ticked || c.text == "" {
			continue
		}
		if read(c.text) {
			return true, ""
		}
		if written == "" {
			written = c.text
		}
	}
	return false, written
}

// Merge completes an earlier, incomplete blanket with a later answer to
// the request for the rest: a field the later one wrote replaces the
// earlier one's, the others stay.
func Merge(first, then *Result) *Result {
	out := &Result{Fields: first.Fields, PII: append(slices.Clone(first.PII), then.PII...)}
	out.Labels = slices.Clone(first.Labels)
	for _, u := range first.Unreadable {
		if !slices.Contains(then.Labels, u.Field) {
			out.Unreadable = append(out.Unreadable, u)
		}
	}
	out.Unreadable = append(out.Unreadable, then.Unreadable...)
	for _, k := range then.Labels {
		if !slices.Contains(out.Labels, k) {
			out.Labels = append(out.Labels, k)
		}
		out.Fields.set(k, &then.Fields)
	}
	out.findMissing()
	return out
}

// Fill is primary, a blanket in a mail's text, with the fields of
// secondary, one in a document attached to it, where primary has none: a
// field primary wrote with a value stays; one it left out or left empty
// (a yes/no question it did not answer) comes from secondary.
func Fill(primary, secondary *Result) *Result {
	out := &Result{Fields: primary.Fields, Labels: slices.Clone(primary.Labels), PII: append(slices.Clone(primary.PII), secondary.PII...),
		Unreadable: slices.Clone(primary.Unreadable)}
	for _, k := range secondary.Labels {
		written := slices.Contains(primary.Labels, k)
		if written && (primary.Fields.value(k) != "" || k == ContactOK || k == PublishOK) {
			continue
		}
		out.Fields.set(k, &secondary.Fields)
		if !written {
			out.Labels = append(out.Labels, k)
		}
		for _, u := range secondary.Unreadable {
			if u.Field == k {
				out.Unreadable = append(out.Unreadable, u)
			}
		}
	}
	out.findMissing()
	return out
}

// findMissing sets Missing: the required fields with no value, in
// Required's order.
func (res *Result) findMissing() {
	res.Missing = nil
	for _, k := range Required {
		if res.Fields.value(k) == "" {
			res.Missing = append(res.Missing, k)
		}
	}
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
	case EventDate:
		return f.EventDate
	case ReporterName:
		return f.ReporterName
	case ReporterEmail:
		return f.ReporterEmail
	case ReporterPhone:
		return f.ReporterPhone
	case ReporterOrg:
		return f.ReporterOrg
	case Forbund:
		return f.Forbund
	case Parties:
		return strings.Join(f.Parties, ",")
	case Description:
		return f.Description
	case Consequence:
		return f.Consequence
	case Level:
		return f.Level
	case Suggestion:
		return f.Suggestion
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

// One-line values (a name, an organisation, a phone number) that a mail
// wrapped onto more lines than these are text of something else.
const (
	maxWrappedLines = 4
	maxOneLine      = 200
)

// oneLine returns the value of a one-line field: its first line with the
// lines directly below it, up to a blank line, joined with ", " ("Region
// Halland" / "Habiliteringen, vuxen"). More than a one-line value can hold
// (maxWrappedLines, maxOneLine) is text of something else, and only the
// first line counts then.
func oneLine(s string) string {
	var parts []string
	n := 0
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			if len(parts) > 0 {
				break
			}
			continue
		}
		parts = append(parts, l)
		n += len(l)
	}
	if len(parts) == 0 {
		return ""
	}
	if len(parts) > maxWrappedLines || n > maxOneLine {
		return parts[0]
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(parts[i-1]); strings.ContainsRune(",;/-–", r) {
				b.WriteString(" ")
			} else {
				b.WriteString(", ")
			}
		}
		b.WriteString(p)
	}
	return b.String()
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

// boxRe matches a box at the start of a line: [ ], [x], ( ), (x), ☐, ☒ …
// boxMarkRe matches one anywhere on a line, where "(x)" may be text.
var (
	boxRe     = regexp.MustCompile(`^\s*(\[\s*([xX✓✔*])?\s*\]|\(\s*([xX✓✔*])?\s*\)|[☒☑✅]|[☐□])\s*`)
	boxMarkRe = regexp.MustCompile(`\[\s*[xX✓✔*]?\s*\]|[☒☑✅☐□]`)
	// parenBoxRe: "(x)" and "( )" count as boxes after their text only
	// where a line has two or more ("Ja ( )  Nej (x)").
	parenBoxRe = regexp.MustCompile(`\(\s*[xX✓✔*]?\s*\)`)
)

// box is one choice of a value written as boxes.
type box struct {
	text   string
	ticked bool
}

// boxes reads a value written as boxes, one or more to a line, before
// their text ("[x] FK [ ] AF", "☒ Nej") or after it ("Ja [ ] Nej [x]").
// A line without a box right below a line of boxes continues the last
// box's text where that asks for more ("[x] Annan:" / "Kronofogden"), and
// is else a choice the reporter wrote out ("[x] FK" / "Annan:
// Kronofogden"); such lines after a blank line, or before the first box
// (the blanket's instructions), are none. boxed is false when v has no box.
func boxes(v string) (choices []box, boxed bool) {
	var more []string // lines that continue the last box, joined at the end
	flush := func() {
		if len(more) > 0 {
			last := &choices[len(choices)-1]
			last.text = strings.TrimSpace(last.text + " " + strings.Join(more, " "))
			more = nil
		}
	}
	after := false // the previous line had boxes or continued them
	for _, l := range strings.Split(v, "\n") {
		var marks [][]int
		if m := boxRe.FindStringIndex(l); m != nil {
			marks = append(marks, m)
			for _, x := range boxMarkRe.FindAllStringIndex(l[m[1]:], -1) {
				marks = append(marks, []int{x[0] + m[1], x[1] + m[1]})
			}
		} else if marks = boxMarkRe.FindAllStringIndex(l, -1); len(marks) == 0 {
			if ps := parenBoxRe.FindAllStringIndex(l, -1); len(ps) >= 2 {
				marks = ps
			}
		}
		switch t := strings.TrimSpace(l); {
		case len(marks) > 0:
			flush()
			choices = append(choices, lineBoxes(l, marks)...)
			after = true
		case after && t != "":
			last := choices[len(choices)-1].text
			if len(more) > 0 {
				last = more[len(more)-1]
			}
			if asksMore(last, len(more) == 0) {
				more = append(more, t)
			} else {
				flush()
				choices = append(choices, box{text: t, ticked: true})
			}
		default:
			after = false
		}
	}
	flush()
	return choices, len(choices) > 0
}

// asksMore reports whether a box whose text (or the last line of it) is
// text asks for the line below it: text is empty or ends in ":" or ",",
// or, on the box's own line (first), is "Annan" alone.
func asksMore(text string, first bool) bool {
	if text == "" || strings.HasSuffix(text, ":") || strings.HasSuffix(text, ",") {
		return true
	}
	if !first {
		return false
	}
	text = norm.NFC.String(text)
	m := annanRe.FindStringIndex(text)
	return m != nil && m[1] == len(text)
}

// lineBoxes reads the boxes at marks in line l: their text follows them
// when the line starts with a box, else it goes before them.
func lineBoxes(l string, marks [][]int) []box {
	ticked := func(m []int) bool { return strings.ContainsAny(l[m[0]:m[1]], "xX✓✔*☒☑✅") }
	out := make([]box, len(marks))
	before := strings.TrimSpace(l[:marks[0][0]]) == ""
	for k, m := range marks {
		out[k].ticked = ticked(m)
		if before {
			end := len(l)
			if k+1 < len(marks) {
				end = marks[k+1][0]
			}
			out[k].text = strings.TrimSpace(l[m[1]:end])
			continue
		}
		begin := 0
		if k > 0 {
			begin = marks[k-1][1]
		}
		out[k].text = strings.TrimSpace(l[begin:m[0]])
	}
	if rest := strings.TrimSpace(l[marks[len(marks)-1][1]:]); !before && rest != "" {
		out[len(out)-1].text = strings.TrimSpace(out[len(out)-1].text + " " + rest)
	}
	return out
}

// NormalizeParties reads a list of parties: names or abbreviations
// separated by commas, "och"/"and", slashes or lines, or ticked boxes. It
// returns the codes in order of first mention and the text of any "Annan".
func NormalizeParties(s string) (codes []string, other string) {
	lines := strings.Split(s, "\n")
	if choices, boxed := boxes(s); boxed {
		lines = nil
		for _, c := range choices {
			if c.ticked {
				lines = append(lines, c.text)
			}
		}
	}
	var others []string
	add := func(code string) {
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	for _, l := range lines {
		for _, item := range splitParties(l) {
			// "Annan: Kronofogden", "Annan (Kronofogden)", "Annat – …"
			if rest, ok := otherText(item); ok {
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
	// "Annan: x, y", "Annan, nämligen x och y" keep their text whole.
	if m := annanRe.FindStringSubmatch(norm.NFC.String(strings.TrimSpace(line))); m != nil && (m[1] == ":" || m[2] != "") {
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

// annanRe matches "Annan" (other) at the start of a party as written, with
// the words that may follow it before the party's name: "Annan part:",
// "Annan (ange vilken):", "Annat, nämligen", "Other:". Group 1 is the ":"
// or "(" that introduces the name, group 2 "nämligen" if it does.
var annanRe = regexp.MustCompile(`(?i)^(?:annan|annat|andra|övriga|övrig|other)\b` +
	`(?:\s+(?:part|parter|aktör|aktörer|myndighet|myndigheter|organisation|verksamhet|party|parties|agency))?\s*` +
	`(?:\(\s*(?:ange vilken|ange vilka|ange|vilken|vilka|specify|please specify|which)\s*\)\s*)?` +
	`([:(]?)\s*[,;–—-]?\s*((?:nämligen|namely)\b\s*:?)?\s*`)

// otherText reads a party written as "Annan …": ok is false when item is
// not one, rest is the name it gives ("Kronofogden" of "Annan (ange
// vilken): Kronofogden"), if any.
func otherText(item string) (rest string, ok bool) {
	item = norm.NFC.String(strings.TrimSpace(item))
	m := annanRe.FindStringSubmatchIndex(item)
	if m == nil {
		return "", false
	}
	rest = strings.TrimSpace(item[m[1]:])
	if item[m[2]:m[3]] == "(" || strings.HasPrefix(rest, "(") {
		// "Annan (Kronofogden)": the name in parentheses.
		rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(rest, "("), ")"))
	}
	return rest, true
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

// unknownLevels are the ways to say "Vet ej" (folded, prefixes).
var unknownLevels = []string{"vet ej", "vet inte", "ej kant", "okant", "oklart", "osaker",
	"don't know", "dont know", "do not know", "not sure", "unsure", "unknown"}

// blanketLevel reads the level a blanket gives in s: one of Levels (also
// in the English blank form's words, "Structure"), LevelUnknown for "Vet
// ej" or "Don't know", or "".
func blanketLevel(s string) string {
	if l := NormalizeLevel(s); l != "" {
		return l
	}
	f := strings.ReplaceAll(fold(strings.TrimSpace(s)), "’", "'")
	if strings.HasPrefix(f, "struct") {
		return "struktur"
	}
	for _, u := range unknownLevels {
		if strings.HasPrefix(f, u) {
			return LevelUnknown
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
	words := wordRe.FindAllString(f, 3)
	if len(words) == 0 {
		return false, false
	}
	next := ""
	if len(words) > 1 {
		next = words[1]
	}
	switch w := words[0]; {
	case w == "x" && (next == "nej" || next == "no"):
		return false, true // "x Nej": the ticked answer
	case negation[next]:
		// "Absolut inte", "Gärna inte", "Ja, inte": the negation decides.
		return false, yesWords[w] || w == "helst"
	case yesWords[w]:
		return true, true
	case w == "nej" || w == "no" || w == "nix":
		return false, true
	}
	return false, false
}

var (
	yesWords = map[string]bool{"ja": true, "yes": true, "x": true, "javisst": true, "japp": true, "absolut": true,
		"gärna": true, "garna": true, "ok": true}
	negation = map[string]bool{"inte": true, "ej": true, "icke": true, "not": true, "aldrig": true, "never": true}
)

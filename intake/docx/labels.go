package docx

import (
	"strings"
	"unicode/utf8"
)

// known are the blanket's labels and their variants (FORM.md, Swedish and
// English), folded by foldLabel. The blanket parser (intake/form) has the
// full list; this copy only decides what reads like a label.
var known = map[string]bool{}

func init() {
	for _, l := range []string{
		"Datum för händelsen", "Datum", "Händelsedatum", "Date of event", "Date",
		"Namn", "Ditt namn", "Anmälare", "Name", "Your name",
		"E-post", "E-postadress", "Epost", "Mejl", "Email", "E-mail",
		"Telefon", "Tel", "Telefonnummer", "Phone",
		"Organisation", "Arbetsplats", "Myndighet/organisation", "Verksamhet", "Organization",
		"Samordningsförbund", "Förbund", "Coordination association",
		"Berörda parter", "Parter", "Vilka parter berörs", "Parties involved",
		"Vad hände", "Beskrivning", "Beskriv händelsen", "Händelse", "What happened",
		"Konsekvens för individen", "Konsekvens", "Följder för individen", "Consequence",
		"Nivå", "Level",
		"Förslag på lösning", "Förslag", "Lösningsförslag", "Suggested solution",
		"Får vi kontakta dig", "Kontakt", "May we contact you",
		"Får ärendet publiceras anonymiserat", "Publicering", "Publiceras", "May it be published",
	} {
		known[foldLabel(l)] = true
	}
}

// keyLabels are the canonical labels of FORM.md's field keys, for content
// controls tagged with a key ("reporter_name") rather than a label.
var keyLabels = map[string]string{
	"event_date":     "Datum för händelsen:",
	"reporter_name":  "Namn:",
	"reporter_email": "E-post:",
	"reporter_phone": "Telefon:",
	"reporter_org":   "Organisation:",
	"forbund":        "Samordningsförbund:",
	"parties":        "Berörda parter:",
	"description":    "Vad hände?",
	"consequence":    "Konsekvens för individen:",
	"level":          "Nivå:",
	"suggestion":     "Förslag på lösning:",
	"contact_ok":     "Får vi kontakta dig?",
	"publish_ok":     "Får ärendet publiceras anonymiserat?",
}

// foldLabel lower-cases s, makes its spaces single and drops what may
// follow a label: ":", "?" and a required-field "*".
func foldLabel(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimRight(s, ":?* ")
}

// isKnown reports whether s is one of the blanket's labels, with or without
// a trailing ":" or "?".
func isKnown(s string) bool { return known[foldLabel(s)] }

// maxLabel is the most characters a text reading like a label has.
const maxLabel = 60

// labelish reports whether s reads like a label: at most maxLabel
// characters ending in ":" or "?", or one of the blanket's labels.
func labelish(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > maxLabel {
		return false
	}
	return strings.HasSuffix(s, ":") || strings.HasSuffix(s, "?") || isKnown(s)
}

// withColon returns label s as it starts a line: a ":" added unless it
// ends with ":" or "?".
func withColon(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ":") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + ":"
}

// placeholders are the texts an empty content control shows, which are no
// value: Blank's, and Word's own.
var placeholders = map[string]bool{
	"skriv här": true, "write here": true,
	"klicka eller tryck här för att ange text.": true,
	"click or tap here to enter text.":          true,
	"klicka här för att ange text.":             true,
	"click here to enter text.":                 true,
}

// isPlaceholder reports whether s is only a content control's placeholder.
func isPlaceholder(s string) bool {
	return placeholders[strings.ToLower(strings.Join(strings.Fields(s), " "))]
}

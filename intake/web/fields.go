package web

import (
	"strings"

	"lexheller/intake/form"
)

// kind is how a field is asked for.
type kind string

const (
	kindText     kind = "text"
	kindEmail    kind = "email"
	kindTel      kind = "tel"
	kindDate     kind = "date"
	kindTextarea kind = "textarea"
	kindParties  kind = "parties"
	kindLevel    kind = "level"
	kindYesNo    kind = "yesno"
)

// spec is one field of the blanket (FORM.md): its key (the form's name
// and the blanket's label key), its label as the text blanket writes it
// (so the submission is parsed as a mailed blanket is), how it is asked,
// and its label and help in each language.
type spec struct {
	Key      string
	Blanket  string // the label in the text handed to the core
	Kind     kind
	Required bool
	Label    map[string]string
	Help     map[string]string
	Default  string // yes/no: "ja" or "nej"
}

var specs = []spec{
	{Key: form.EventDate, Blanket: "Datum för händelsen", Kind: kindDate,
		Label: map[string]string{"sv": "Datum för händelsen", "en": "Date of the event"},
		Help:  map[string]string{"sv": "Dagen det hände, om du vet. Lämna tomt om du inte vet.", "en": "The day it happened, if you know. Leave it empty if you do not."}},
	{Key: form.ReporterName, Blanket: "Ditt namn", Kind: kindText, Required: true,
		Label: map[string]string{"sv": "Ditt namn", "en": "Your name"},
		Help:  map[string]string{"sv": "Ditt eget namn, inte den enskildes.", "en": "Your own name, not the person's."}},
	{Key: form.ReporterEmail, Blanket: "E-post", Kind: kindEmail, Required: true,
		Label: map[string]string{"sv": "Din e-postadress", "en": "Your email address"},
		Help:  map[string]string{"sv": "Hit skickar vi bekräftelsen och frågor om anmälan.", "en": "We send the acknowledgement and questions about the report here."}},
	{Key: form.ReporterPhone, Blanket: "Telefon", Kind: kindTel,
		Label: map[string]string{"sv": "Ditt telefonnummer", "en": "Your phone number"}},
	{Key: form.ReporterOrg, Blanket: "Organisation", Kind: kindText, Required: true,
		Label: map[string]string{"sv": "Din organisation", "en": "Your organisation"},
		Help:  map[string]string{"sv": "Till exempel Arbetsförmedlingen Angered.", "en": "For example Arbetsförmedlingen Angered."}},
	{Key: form.Parties, Blanket: "Berörda parter", Kind: kindParties, Required: true,
		Label: map[string]string{"sv": "Berörda parter", "en": "Parties involved"},
		Help:  map[string]string{"sv": "Kryssa för alla som berörs.", "en": "Tick every party involved."}},
	{Key: form.Description, Blanket: "Vad hände?", Kind: kindTextarea, Required: true,
		Label: map[string]string{"sv": "Vad hände?", "en": "What happened?"},
		Help: map[string]string{"sv": "Beskriv vad som hände mellan myndigheterna. Skriv inte den enskildes namn, personnummer eller annat som kan peka ut personen.",
			"en": "Describe what happened between the agencies. Do not write the person's name, personal identity number or anything else that could identify them."}},
	{Key: form.Consequence, Blanket: "Konsekvens för individen", Kind: kindTextarea,
		Label: map[string]string{"sv": "Konsekvens för individen", "en": "Consequence for the person"}},
	{Key: form.Level, Blanket: "Nivå", Kind: kindLevel,
		Label: map[string]string{"sv": "Nivå", "en": "Level"},
		Help:  map[string]string{"sv": "Var ligger felet, tror du?", "en": "Where does the failure lie, do you think?"}},
	{Key: form.Suggestion, Blanket: "Förslag på lösning", Kind: kindTextarea,
		Label: map[string]string{"sv": "Förslag på lösning", "en": "Suggested solution"}},
	{Key: form.ContactOK, Blanket: "Får vi kontakta dig?", Kind: kindYesNo, Default: "ja",
		Label: map[string]string{"sv": "Får vi kontakta dig?", "en": "May we contact you?"}},
	{Key: form.PublishOK, Blanket: "Får ärendet publiceras anonymiserat?", Kind: kindYesNo, Default: "nej",
		Label: map[string]string{"sv": "Får ärendet publiceras anonymiserat?", "en": "May the case be published without names?"}},
}

// parties are the check boxes of Berörda parter, with the blanket's codes.
var parties = []struct{ Code, Sv, En string }{
	{form.AF, "Arbetsförmedlingen", "Arbetsförmedlingen"},
	{form.FK, "Försäkringskassan", "Försäkringskassan"},
	{form.Kommun, "Kommunen", "The municipality"},
	{form.Region, "Regionen (vården)", "The region (health care)"},
	{form.Annan, "Annan", "Other"},
}

// levels are the radio buttons of Nivå.
var levels = []struct{ Value, Sv, En string }{
	{"struktur", "Struktur (lagar, regler)", "Structure (laws, rules)"},
	{"organisering", "Organisering (rutiner)", "Organisation (routines)"},
	{"individ", "Individ (bemötande)", "Individual (conduct)"},
	{"vet ej", "Vet ej", "Don't know"},
}

// values are what a person wrote in the form, by field key; parties as
// codes, and the text of Annan.
type values struct {
	m       map[string]string
	parties []string
	other   string
}

func (v values) get(k string) string { return v.m[k] }

// blanket is the values as the text blanket the core reads: one label
// and its value a line (a text field's value on the lines below).
func (v values) blanket() string {
	var b strings.Builder
	for _, s := range specs {
		val := strings.TrimSpace(v.m[s.Key])
		switch s.Kind {
		case kindParties:
			var names []string
			for _, p := range v.parties {
				if p == form.Annan && strings.TrimSpace(v.other) != "" {
					names = append(names, "Annan: "+oneLine(v.other))
					continue
				}
				names = append(names, p)
			}
			val = strings.Join(names, ", ")
		case kindTextarea:
			if val != "" {
				b.WriteString(s.Blanket + "\n" + val + "\n")
			}
			continue
		}
		if val != "" {
			b.WriteString(s.Blanket + ": " + oneLine(val) + "\n")
		}
	}
	return b.String()
}

// oneLine keeps a one-line value on its line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// form is the values as the blanket's fields, each read on its own
// (form.FromValues): nothing typed in a text box is taken for a label.
func (v values) form() *form.Result {
	m := map[string]string{}
	var keys []string
	for _, s := range specs {
		keys = append(keys, s.Key)
		m[s.Key] = v.m[s.Key]
	}
	var names []string
	for _, p := range v.parties {
		if p == form.Annan && strings.TrimSpace(v.other) != "" {
			names = append(names, "Annan: "+oneLine(v.other))
			continue
		}
		names = append(names, p)
	}
	m[form.Parties] = strings.Join(names, ", ")
	return form.FromValues(m, keys)
}

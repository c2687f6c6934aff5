package web

import (
	"slices"
	"strings"

	"lexheller/intake/config"
	"lexheller/intake/form"
)

// page is what a page shows.
type page struct {
	Lang     string
	Forbund  []config.Forbund // the index
	NotFound bool
	Slug     string
	Name     string // the förbund's
	Fields   []*field
	Other    string // the text of the party Annan
	Summary  []problem
	Token    string
	CSRF     string
	// The confirmation.
	Case   string
	Masked bool
	Held   bool
	Email  string
	Doc    bool // a Word document was attached
	// Refile: files were attached to a form shown again, which does not
	// keep them.
	Refile bool
	// Message is an error page's key: too_large, csrf, token, honeypot,
	// rate, internal.
	Message string
}

// OtherLang is the page's other language, for the switch.
func (p *page) OtherLang() string {
	if p.Lang == "en" {
		return "sv"
	}
	return "en"
}

// field is one field as the form shows it.
type field struct {
	ID, Name, Label, Help string
	Kind                  kind
	Required              bool
	Value                 string
	Options               []option
	Error                 string
}

// option is a check box or radio button.
type option struct {
	ID, Value, Label string
	Checked          bool
}

// problem is one line of the error summary, linking to its field.
type problem struct{ ID, Message string }

// fieldsOf are the form's fields in lang, with v filled in.
func fieldsOf(lang string, v values) []*field {
	var out []*field
	for _, s := range specs {
		f := &field{ID: "f-" + s.Key, Name: s.Key, Label: s.Label[lang], Help: s.Help[lang], Kind: s.Kind, Required: s.Required,
			Value: v.get(s.Key)}
		switch s.Kind {
		case kindParties:
			for _, p := range parties {
				label := p.Sv
				if lang == "en" {
					label = p.En
				}
				f.Options = append(f.Options, option{ID: "f-party-" + p.Code, Value: p.Code, Label: label, Checked: slices.Contains(v.parties, p.Code)})
			}
		case kindLevel:
			for _, l := range levels {
				label := l.Sv
				if lang == "en" {
					label = l.En
				}
				f.Options = append(f.Options, option{ID: "f-level-" + strings.ReplaceAll(l.Value, " ", "-"), Value: l.Value, Label: label, Checked: f.Value == l.Value})
			}
		case kindYesNo:
			chosen := f.Value
			if chosen == "" {
				chosen = s.Default
			}
			yes, no := "Ja", "Nej"
			if lang == "en" {
				yes, no = "Yes", "No"
			}
			f.Options = []option{{ID: f.ID + "-ja", Value: "ja", Label: yes, Checked: chosen == "ja"},
				{ID: f.ID + "-nej", Value: "nej", Label: no, Checked: chosen == "nej"}}
		}
		out = append(out, f)
	}
	return out
}

// Group reports whether the field is a group of choices (a fieldset).
func (f *field) Group() bool {
	return f.Kind == kindParties || f.Kind == kindLevel || f.Kind == kindYesNo
}

// Input is the type of the field's input element.
func (f *field) Input() string {
	switch f.Kind {
	case kindEmail, kindTel, kindDate:
		return string(f.Kind)
	}
	return "text"
}

// Choice is the type of the group's inputs.
func (f *field) Choice() string {
	if f.Kind == kindParties {
		return "checkbox"
	}
	return "radio"
}

// Parties reports whether the field is the parties' group (it has the
// text field of Annan).
func (f *field) Parties() bool { return f.Kind == kindParties }

// Textarea reports whether the field takes many lines.
func (f *field) Textarea() bool { return f.Kind == kindTextarea }

// Autocomplete is the field's autocomplete token (WCAG 1.3.5).
func (f *field) Autocomplete() string {
	switch f.Name {
	case form.ReporterName:
		return "name"
	case form.ReporterEmail:
		return "email"
	case form.ReporterPhone:
		return "tel"
	case form.ReporterOrg:
		return "organization"
	}
	return "off"
}

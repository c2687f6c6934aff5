package form

import (
	"slices"
	"testing"
	"time"
)

// FuzzFormParse checks that Parse never panics, never returns a
// personnummer in a field or an unreadable value (all are masked), gives
// a level only of Levels or LevelUnknown, an event date only as a date,
// and names only required fields as missing.
func FuzzFormParse(f *testing.F) {
	f.Add("Namn: Anna\nOrganisation: AF\nParter: FK\nVad hände?: Person 850312-1231 sjukskrivs.", "Anna 19850312-1231")
	f.Add("---------- Forwarded message ---------\nFrom: A <a@af.se>\nDate: Wed, Nov 11, 2026 at 4:45 PM\n\nDatum: igår 850312-1231\n"+
		"Organisation: AF 850312\n1231\nParter:\n[x] Annan:\n850312-1231\nNivå: [ ] Struktur [x] Vet ej", "")
	f.Fuzz(func(t *testing.T, text, name string) {
		r := Parse(text, Fallback{Name: name, Email: "anna@af.se", Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
		f := r.Fields
		values := map[string]string{
			EventDate: f.EventDate, ReporterName: f.ReporterName, ReporterEmail: f.ReporterEmail,
			ReporterPhone: f.ReporterPhone, ReporterOrg: f.ReporterOrg, Forbund: f.Forbund,
			"other_party": f.OtherParty, Description: f.Description, Consequence: f.Consequence,
			Level: f.Level, Suggestion: f.Suggestion,
		}
		for i, p := range f.Parties {
			values[Parties+string(rune('0'+i%10))] = p
		}
		for i, u := range r.Unreadable {
			values["unreadable"+string(rune('0'+i%10))] = u.Text
		}
		for k, v := range values {
			if pii := FindPII(v); len(pii) > 0 {
				t.Errorf("field %s = %q holds %v", k, v, pii)
			}
		}
		if f.Level != "" && f.Level != LevelUnknown && !slices.Contains(Levels, f.Level) {
			t.Errorf("Level = %q", f.Level)
		}
		if _, err := time.Parse(time.DateOnly, f.EventDate); f.EventDate != "" && err != nil {
			t.Errorf("EventDate = %q is no date", f.EventDate)
		}
		for _, k := range r.Missing {
			if !slices.Contains(Required, k) {
				t.Errorf("Missing = %v: %q is not required", r.Missing, k)
			}
		}
	})
}

// FuzzMaskPII checks that masking never panics, that masking twice masks
// what masking once does, and that FindPII finds nothing in masked text,
// for MaskPII, MaskPIIOutgoing and Deidentify.
func FuzzMaskPII(f *testing.F) {
	f.Add("Personen 811218-9876 och 19850312-1231, tel 070-612 34 56.")
	f.Fuzz(func(t *testing.T, s string) {
		m := MaskPII(s)
		if again := MaskPII(m); again != m {
			t.Errorf("MaskPII(%q) = %q, but masked again %q", s, m, again)
		}
		if pii := FindPII(m); len(pii) > 0 {
			t.Errorf("MaskPII(%q) = %q still holds %v", s, m, pii)
		}
		if len(FindPII(s)) == 0 && m != s {
			t.Errorf("MaskPII(%q) = %q, but FindPII finds nothing", s, m)
		}
		o := MaskPIIOutgoing(s)
		if again := MaskPIIOutgoing(o); again != o {
			t.Errorf("MaskPIIOutgoing(%q) = %q, but masked again %q", s, o, again)
		}
		if pii := FindPII(o); len(pii) > 0 {
			t.Errorf("MaskPIIOutgoing(%q) = %q still holds %v", s, o, pii)
		}
		d := Deidentify(s, Who{Name: "Åsa Ek", Org: "AF Angered", Email: "asa.ek@af.example", Phone: "070-612 34 56"})
		if pii := FindPII(d); len(pii) > 0 {
			t.Errorf("Deidentify(%q) = %q still holds %v", s, d, pii)
		}
	})
}

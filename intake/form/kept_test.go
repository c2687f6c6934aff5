package form

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestBlanketKeptWhole: what a blanket says is kept whole, as staff write
// it in plain text, in Outlook's boxes and in the English form: the name
// of "Annan", an organisation wrapped onto the next line, a level of "Vet
// ej", the ticked one of "Ja"/"Nej".
func TestBlanketKeptWhole(t *testing.T) {
	tests := []struct {
		file    string
		org     string
		parties []string
		publish bool
	}{
		{"plain-kept-whole.txt", "Region Halland, Habiliteringen, vuxen", []string{Region, Annan}, false},
		{"outlook-boxes-kept-whole.txt", "Region Halland, Habiliteringen, vuxen", []string{FK, Region, Annan}, false},
		{"gmail-english-form-kept-whole.txt", "Region Halland, Habiliteringen vuxen", []string{Region, AF, Annan}, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "blankets", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r := Parse(string(b), Fallback{Name: "Sara Nilsson", Email: "sara.nilsson@regionhalland.se", Date: mailDate})
			f := r.Fields
			if f.ReporterOrg != tt.org {
				t.Errorf("ReporterOrg = %q, want %q", f.ReporterOrg, tt.org)
			}
			if !reflect.DeepEqual(f.Parties, tt.parties) || f.OtherParty != "Kronofogden" {
				t.Errorf("Parties = %v, OtherParty %q; want %v, Kronofogden", f.Parties, f.OtherParty, tt.parties)
			}
			if f.Level != LevelUnknown {
				t.Errorf("Level = %q, want %q", f.Level, LevelUnknown)
			}
			if f.EventDate != "2026-11-04" || f.ReporterName != "Sara Nilsson" || !f.ContactOK || f.PublishOK != tt.publish {
				t.Errorf("date %q, name %q, contact %v, publish %v", f.EventDate, f.ReporterName, f.ContactOK, f.PublishOK)
			}
			if len(r.Missing) != 0 || len(r.Unreadable) != 0 {
				t.Errorf("Missing %v, Unreadable %+v; want none", r.Missing, r.Unreadable)
			}
		})
	}
}

// TestOtherPartyKept: the name given for "Annan" in the ways staff write
// it.
func TestOtherPartyKept(t *testing.T) {
	tests := []struct {
		in    string
		codes []string
		other string
	}{
		{"Annan: Kronofogden", []string{Annan}, "Kronofogden"},
		{"AF, Annan:Kronofogden", []string{AF, Annan}, "Kronofogden"},
		{"AF, Annan(Kronofogden)", []string{AF, Annan}, "Kronofogden"},
		{"Annan (Kronofogden), FK", []string{Annan, FK}, "Kronofogden"},
		{"Annan (ange vilken): Kronofogden", []string{Annan}, "Kronofogden"},
		{"FK, annan myndighet: Kronofogden", []string{FK, Annan}, "Kronofogden"},
		{"Annan part – Kronofogden", []string{Annan}, "Kronofogden"},
		{"Annan, nämligen Kronofogden", []string{Annan}, "Kronofogden"},
		{"Other: Kronofogden", []string{Annan}, "Kronofogden"},
		{"[x] AF\n[x] Annan:\nKronofogden", []string{AF, Annan}, "Kronofogden"},
		{"[x] AF\n[x] Annan\nKronofogden", []string{AF, Annan}, "Kronofogden"},
		{"[x] FK\nAnnan: Kronofogden", []string{FK, Annan}, "Kronofogden"},
		{"[ ] AF [x] FK [ ] Kommun [x] Annan: Kronofogden", []string{FK, Annan}, "Kronofogden"},
		{"☐ AF ☒ Region ☐ Annan:", []string{Region}, ""},
		{"Annandag", []string{Annan}, "Annandag"},
	}
	for _, tt := range tests {
		codes, other := NormalizeParties(tt.in)
		if !reflect.DeepEqual(codes, tt.codes) || other != tt.other {
			t.Errorf("NormalizeParties(%q) = %v, %q; want %v, %q", tt.in, codes, other, tt.codes, tt.other)
		}
	}
}

// TestOneLineValueWrapped: a one-line field's value wrapped onto the
// lines below is kept whole, up to a blank line or the next label; more
// than a one-line value can hold keeps its first line.
func TestOneLineValueWrapped(t *testing.T) {
	long := "Personen sökte hjälp hos oss och fick höra att det var Försäkringskassans sak att utreda arbetsförmågan."
	tests := []struct{ in, org string }{
		{"Organisation: Region Halland\nHabiliteringen, vuxen\nTelefon: 035-13 10 00", "Region Halland, Habiliteringen, vuxen"},
		{"Organisation:\nGöteborgs Stad –\nSocialtjänsten Hisingen\n\nPersonen …", "Göteborgs Stad – Socialtjänsten Hisingen"},
		{"Organisation: AF Angered\n\nMed vänliga hälsningar", "AF Angered"},
		{"Organisation: AF Angered\n" + long + "\n" + long, "AF Angered"},
		{"Organisation: AF\nNamn: Anna", "AF"},
	}
	for _, tt := range tests {
		if got := Parse(tt.in, Fallback{}).Fields.ReporterOrg; got != tt.org {
			t.Errorf("Parse(%q).ReporterOrg = %q, want %q", tt.in, got, tt.org)
		}
	}
}

// TestLevelWritten: "Vet ej" is LevelUnknown, distinct from a level left
// out; boxes, the English form's words and an unreadable level.
func TestLevelWritten(t *testing.T) {
	tests := []struct {
		in, level string
		un        []Unreadable
	}{
		{"Nivå: Vet ej", LevelUnknown, nil},
		{"Nivå: vet inte", LevelUnknown, nil},
		{"Level: Don't know", LevelUnknown, nil},
		{"Nivå:", "", nil},
		{"Nivå: Organisering", "organisering", nil},
		{"Level: Structure (laws, rules)", "struktur", nil},
		{"Nivå:\n[ ] Struktur\n[x] Organisering\n[ ] Individ\n[ ] Vet ej", "organisering", nil},
		{"Nivå: [ ] Struktur [ ] Organisering [ ] Individ [x] Vet ej", LevelUnknown, nil},
		{"Nivå:\n[ ] Struktur\n[ ] Organisering", "", nil},
		{"Nivå: både och", "", []Unreadable{{Level, "både och"}}},
	}
	for _, tt := range tests {
		r := Parse(tt.in, Fallback{})
		if r.Fields.Level != tt.level || !reflect.DeepEqual(r.Unreadable, tt.un) {
			t.Errorf("Parse(%q): Level %q, Unreadable %+v; want %q, %+v", tt.in, r.Fields.Level, r.Unreadable, tt.level, tt.un)
		}
	}
	// /nivå accepts what it did: "vet ej" is no level a process leader sets.
	for in, want := range map[string]string{"vet ej": "", "Struktur": "struktur", "organisering": "organisering", "individ": "individ", "structure": ""} {
		if got := NormalizeLevel(in); got != want {
			t.Errorf("NormalizeLevel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestYesNoTicked: the ticked box answers, wherever the boxes stand; an
// answer that is neither keeps the default and is named unreadable.
func TestYesNoTicked(t *testing.T) {
	tests := []struct {
		in      string
		publish bool
		un      []Unreadable
	}{
		{"Får ärendet publiceras anonymiserat?\n[ ] Ja\n[x] Nej", false, nil},
		{"Får ärendet publiceras anonymiserat? ☐ Ja ☒ Nej", false, nil},
		{"Får ärendet publiceras anonymiserat? Ja [ ] Nej [x]", false, nil},
		{"Får ärendet publiceras anonymiserat? [x] Ja [ ] Nej", true, nil},
		{"Får ärendet publiceras anonymiserat?: Ja", true, nil},
		{"Får ärendet publiceras anonymiserat?: kanske", false, []Unreadable{{PublishOK, "kanske"}}},
		{"Får vi kontakta dig?: kanske", false, []Unreadable{{ContactOK, "kanske"}}},
		{"Får vi kontakta dig?: Helst inte", false, nil},
		{"Får ärendet publiceras anonymiserat?: Absolut inte", false, nil},
		{"Får ärendet publiceras anonymiserat? Ja ( )  Nej (x)", false, nil},
		{"Får vi kontakta dig? x Nej", false, nil},
	}
	for _, tt := range tests {
		r := Parse(tt.in, Fallback{})
		got := r.Fields.PublishOK
		if strings.HasPrefix(tt.in, "Får vi kontakta") {
			got = r.Fields.ContactOK // the answer to that question, "publish" in this table
		}
		if got != tt.publish || !reflect.DeepEqual(r.Unreadable, tt.un) {
			t.Errorf("Parse(%q): %v, Unreadable %+v; want %v, %+v", tt.in, got, r.Unreadable, tt.publish, tt.un)
		}
	}
}

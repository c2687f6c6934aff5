package form

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFindPII(t *testing.T) {
	tests := []struct {
		in   string
		want []PII
	}{
		{"pnr 850312-1231 här", []PII{{"personnummer", "850312-1231"}}},
		{"19850312-1231", []PII{{"personnummer", "19850312-1231"}}},
		{"198503121231", []PII{{"personnummer", "198503121231"}}},
		{"8503121231", []PII{{"personnummer", "8503121231"}}},
		{"850312+1231 (över hundra)", []PII{{"personnummer", "850312+1231"}}},
		{"850312 1231", []PII{{"personnummer", "850312 1231"}}},
		{"samordningsnr 850372-1238", []PII{{"samordningsnummer", "850372-1238"}}},
		{"a 850312-1231, b 811218-9876", []PII{{"personnummer", "850312-1231"}, {"personnummer", "811218-9876"}}},
		// Decoys: Luhn fails, phone numbers, dates, diary numbers.
		{"850312-1234", nil},
		{"ring 010-123 45 67 eller 070-1234567", nil},
		{"datum 20261112 och 2026-11-12", nil},
		{"Dnr 2026-001234", nil},
		{"851312-1231", nil},    // month 13
		{"12850312-12311", nil}, // inside longer numbers
	}
	for _, tt := range tests {
		got := FindPII(tt.in)
		if len(got) == 0 {
			got = nil
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FindPII(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMaskPII(t *testing.T) {
	in := "Person 850312-1231 och 19811218-9876, tel 070-1234567."
	want := "Person ÅÅMMDD-XXXX och ÅÅÅÅMMDD-XXXX, tel 070-1234567."
	if got := MaskPII(in); got != want {
		t.Errorf("MaskPII(%q) = %q, want %q", in, got, want)
	}
}

func TestNormalizeDate(t *testing.T) {
	ref := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	tests := map[string]string{
		"2026-11-12": "2026-11-12", "12/11 2026": "2026-11-12", "12 november 2026": "2026-11-12",
		"12 nov": "2026-11-12", "20261112": "2026-11-12", "12.11.2026": "2026-11-12", "3 mars": "2026-03-03",
		"30 december": "2025-12-30", "igår": "igår", "": "",
	}
	for in, want := range tests {
		if got := NormalizeDate(in, ref); got != want {
			t.Errorf("NormalizeDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeParties(t *testing.T) {
	tests := []struct {
		in    string
		codes []string
		other string
	}{
		{"Försäkringskassan, Arbetsförmedlingen", []string{FK, AF}, ""},
		{"FK och AF", []string{FK, AF}, ""},
		{"Göteborgs Stad\nvårdcentral", []string{Kommun, Region}, ""},
		{"[x] Försäkringskassan\n[ ] Region\n[X] Kommun", []string{FK, Kommun}, ""},
		{"AF, Annan: Kronofogden", []string{AF, Annan}, "Kronofogden"},
		{"psykiatrin / socialtjänsten", []string{Region, Kommun}, ""},
		{"Migrationsverket", []string{Annan}, "Migrationsverket"},
	}
	for _, tt := range tests {
		codes, other := NormalizeParties(tt.in)
		if !reflect.DeepEqual(codes, tt.codes) || other != tt.other {
			t.Errorf("NormalizeParties(%q) = %v, %q; want %v, %q", tt.in, codes, other, tt.codes, tt.other)
		}
	}
}

func TestParse(t *testing.T) {
	text := `LEX HELLER – ANMÄLAN AV AVVIKELSE I SAMVERKAN
Skriv inga namn eller personnummer på den enskilde.

Datum för händelsen: 12 nov
Namn: Anna Andersson
Organisation: Arbetsförmedlingen Angered
Telefon: 010-123 45 67
Berörda parter: Försäkringskassan, Arbetsförmedlingen
Nivå: Organisering
Vad hände?:
Person (850312-1231) med aktivitetsstöd sjukskrivs.
AF anser att personen är sjuk.
Konsekvens för individen:
Ingen ersättning.
Förslag på lösning:
Gemensam rutin.
Får vi kontakta dig?: Nej
Får ärendet publiceras anonymiserat?: Ja

Med vänliga hälsningar
Anna Andersson
Detta e-postmeddelande kan innehålla sekretess.`
	r := Parse(text, Fallback{Name: "Fel Namn", Email: "anna@af.se", Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
	want := Fields{
		EventDate: "2026-11-12", ReporterName: "Anna Andersson", ReporterEmail: "anna@af.se", ReporterPhone: "010-123 45 67",
		ReporterOrg: "Arbetsförmedlingen Angered", Parties: []string{FK, AF}, Level: "organisering",
		Description: "Person (ÅÅMMDD-XXXX) med aktivitetsstöd sjukskrivs.\nAF anser att personen är sjuk.",
		Consequence: "Ingen ersättning.", Suggestion: "Gemensam rutin.", ContactOK: false, PublishOK: true,
	}
	if !reflect.DeepEqual(r.Fields, want) {
		t.Errorf("Parse fields =\n%+v\nwant\n%+v", r.Fields, want)
	}
	if len(r.Missing) != 0 {
		t.Errorf("Missing = %v, want none", r.Missing)
	}
	if len(r.PII) != 1 || r.PII[0].Text != "850312-1231" {
		t.Errorf("PII = %v", r.PII)
	}

	r = Parse("Vad hände?: något\nParter: FK", Fallback{Email: "x@y.se"})
	if want := []string{ReporterName, ReporterOrg}; !reflect.DeepEqual(r.Missing, want) {
		t.Errorf("Missing = %v, want %v", r.Missing, want)
	}
}

func TestParseValueTail(t *testing.T) {
	tests := []struct{ in, want string }{
		// Lines of a report that look like the start of a tail.
		{"Vad hände?:\nPersonen nekades.\nSekretessen mellan AF och FK gör att ingen vet.\nKonsekvens: ingen",
			"Personen nekades.\nSekretessen mellan AF och FK gör att ingen vet."},
		{"Vad hände?:\nDen läkare som skrev intyget menade att personen var sjuk.\nFK godtog inte det.",
			"Den läkare som skrev intyget menade att personen var sjuk.\nFK godtog inte det."},
		{"Vad hände?: Konfidentiella uppgifter lämnades ut.", "Konfidentiella uppgifter lämnades ut."},
		// Tails still end the value.
		{"Vad hände?:\nFK nekade.\nSekretess: Detta meddelande kan innehålla sekretessbelagd information.", "FK nekade."},
		{"Vad hände?:\nFK nekade.\nKONFIDENTIELLT: endast för mottagaren.", "FK nekade."},
		{"Vad hände?:\nFK nekade.\n\nDen 12 nov. 2026 kl. 10:14 skrev Anna <a@b.se>:\n> x", "FK nekade."},
		{"Vad hände?:\nFK nekade.\nDen tors 12 nov. 2026 kl. 10:14 skrev Lex Heller <\nlexheller@x.se>:\n> x", "FK nekade."},
		{"Vad hände?:\nFK nekade.\nDen 12 november skrev Anna Andersson <anna@af.se>:", "FK nekade."},
		{"Vad hände?:\nFK nekade.\n\nMed vänliga hälsningar\nAnna", "FK nekade."},
		{"Vad hände?:\nFK nekade.\nDetta e-postmeddelande kan innehålla konfidentiell information.", "FK nekade."},
	}
	for _, tt := range tests {
		if got := Parse(tt.in, Fallback{}).Fields.Description; got != tt.want {
			t.Errorf("Parse(%q).Fields.Description = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Fill: the text's fields stay; the document's fill what the text left out
// or left empty.
func TestFill(t *testing.T) {
	body := Parse("Namn: Anna Andersson\nOrganisation:\nVad hände?\nFK och AF gav olika besked.\nFår vi kontakta dig? Nej\n", Fallback{})
	doc := Parse("Namn: Bo Berg\nOrganisation: Arbetsförmedlingen Angered\nBerörda parter: FK, AF\nVad hände?\nEtt annat ärende.\n"+
		"Telefon: 010-123 45 67\nFår vi kontakta dig? Ja\nFår ärendet publiceras anonymiserat? Ja\n", Fallback{})
	got := Fill(body, doc)
	f := got.Fields
	if f.ReporterName != "Anna Andersson" || f.Description != "FK och AF gav olika besked." || f.ContactOK {
		t.Errorf("the text's fields did not stay: %+v", f)
	}
	if f.ReporterOrg != "Arbetsförmedlingen Angered" || strings.Join(f.Parties, ",") != "FK,AF" || f.ReporterPhone != "010-123 45 67" || !f.PublishOK {
		t.Errorf("the document's fields did not fill the gaps: %+v", f)
	}
	if len(got.Missing) != 0 {
		t.Errorf("missing %v after filling", got.Missing)
	}
}

// FromValues reads each value as its own: a label, a signature or a
// quoted header inside a text is text.
func TestFromValues(t *testing.T) {
	res := FromValues(map[string]string{
		ReporterName: "Anna Andersson", ReporterOrg: "AF Angered", Parties: "FK, Annan: Kronofogden",
		Description: "Förbund: Borås\nFrån: någon\nNivå: struktur\nMvh\nPerson 850312-1231 fick avslag.", Level: "vet ej", PublishOK: "ja",
	}, []string{ReporterName, ReporterOrg, Parties, Description, Level, PublishOK})
	f := res.Fields
	if f.Forbund != "" || !strings.Contains(f.Description, "Förbund: Borås") || !strings.Contains(f.Description, "fick avslag") ||
		strings.Contains(f.Description, "850312") || f.Level != "vet ej" || !f.PublishOK || !f.ContactOK ||
		strings.Join(f.Parties, ",") != "FK,Annan" || f.OtherParty != "Kronofogden" || len(res.PII) != 1 || len(res.Missing) != 0 {
		t.Errorf("FromValues: %+v (pii %d, missing %v)", f, len(res.PII), res.Missing)
	}
}

package form

import (
	"strings"
	"testing"
)

func TestDeidentify(t *testing.T) {
	in := "Anna Andersson på AF Angered ringde 070-123 45 67 och mejlade anna.andersson@arbetsformedlingen.se " +
		"om personen 850312-1231. Anna fick inget svar; ring +46 31 123 45 67 eller 031-123456. Beslutet kom 2026-11-12, 3 st."
	got := Deidentify(in, Who{Name: "Anna Andersson", Org: "AF Angered"})
	for _, gone := range []string{"Anna", "Andersson", "AF Angered", "070-123", "arbetsformedlingen.se", "850312", "+46 31", "031-123456"} {
		if strings.Contains(got, gone) {
			t.Errorf("%q left in %q", gone, got)
		}
	}
	for _, kept := range []string{"2026-11-12", "3 st", "[telefon]", "[e-post]", "ÅÅMMDD-XXXX"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%q missing from %q", kept, got)
		}
	}
}

func TestDeidentifySwedishNames(t *testing.T) {
	got := Deidentify("Åsa Öberg ringde. Åsa sa att Öberg-utredningen (Åsas) och Åsa. Åsavägen, Öbergska gården.", Who{Name: "Åsa Öberg"})
	if strings.Contains(got, "Åsa ") || strings.Contains(got, "Åsa.") || strings.Contains(got, "Öberg ") || strings.Contains(got, "Öberg-") {
		t.Errorf("left a name: %q", got)
	}
	if strings.Contains(got, "Åsas") {
		t.Errorf("left the genitive: %q", got)
	}
	if !strings.Contains(got, "Åsavägen") || !strings.Contains(got, "Öbergska") {
		t.Errorf("a longer word was cut: %q", got)
	}
}

func TestDeidentifyKeepsTheAgency(t *testing.T) {
	got := Deidentify("Arbetsförmedlingen skrev ut hen; Arbetsförmedlingen Angered ringde.", Who{Org: "Arbetsförmedlingen Angered"})
	if got != "Arbetsförmedlingen skrev ut hen; […] ringde." {
		t.Errorf("got %q", got)
	}
}

func TestDeidentifyKeepsDatesAndTimes(t *testing.T) {
	for _, in := range []string{"den 2026-03-09 09:15", "2026-03-09 kl 09.15", "ärende LH-2026-0042", "03-09 09"} {
		if got := Deidentify(in, Who{}); got != in {
			t.Errorf("%q became %q", in, got)
		}
	}
}

func TestDeidentifyNames(t *testing.T) {
	who := Who{Name: "Åsa-Lena Ek Andersson"}
	tests := []struct{ in, want string }{
		{"ÅSA-LENA EK ANDERSSON ringde", "[…] ringde"},
		{"åsa-lena ek andersson ringde", "[…] ringde"},
		{"Asa-Lena Ek Andersson ringde", "[…] ringde"},
		{"Åsa-Lena Ek\nAndersson ringde", "[…] ringde"},
		{"Anderssons ärende, Åsas chef och Eks kollega", "[…] ärende, […] chef och […] kollega"},
		{"ANDERSSONS mejl, Lenas svar, Andersson's fråga", "[…] mejl, […] svar, […] fråga"},
		{"Asa ringde, ASA ringde, Lena ringde", "[…] ringde, […] ringde, […] ringde"},
		{"Andersons ärende", "Andersons ärende"}, // another name
		// A part in lower case is the name too (an everyday word that is
		// also the name goes with it: the price of a name that is a word).
		{"en ek i parken, lena ord, andersson ringde", "en […] i parken, […] ord, […] ringde"},
		{"Ek ringde, EK också", "[…] ringde, […] också"},
		{"åsas och anderssonens", "[…] och […]"},
		{"Ekonomin och Lenander", "Ekonomin och Lenander"},
	}
	for _, tt := range tests {
		if got := Deidentify(tt.in, who); got != tt.want {
			t.Errorf("Deidentify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// A particle alone is not the name.
	if got := Deidentify("AF ringde Anna af Klint, Klints chef på AF.", Who{Name: "Anna af Klint"}); got != "AF ringde […], […] chef på AF." {
		t.Errorf("got %q", got)
	}
	// -ens and a name that ends in s.
	if got := Deidentify("Lars' bil och Larsens hus, Holmens", Who{Name: "Lars Holm"}); got != "[…] bil och […] hus, […]" {
		t.Errorf("got %q", got)
	}
}

// In HTML, tag names, attributes and styles are not the name: a part in
// lower case is masked only outside tags.
func TestDeidentifyNamesInHTML(t *testing.T) {
	in := `<ul><li style="max-width:600px" title="Li Max">Li ringde, max och MAX.</li><li title="Maxs">li</li></ul>`
	want := `<ul><li style="max-width:600px" title="[…]">[…] ringde, […] och […].</li><li title="[…]">[…]</li></ul>`
	if got := Deidentify(in, Who{Name: "Li Max"}); got != want {
		t.Errorf("Deidentify\n = %q\nwant %q", got, want)
	}
}

func TestDeidentifyPhones(t *testing.T) {
	for _, p := range []string{
		"(070) 612 34 56", "(08) 123 456 78", "(031)-12 34 56",
		"070-612 34 56", "0706123456", "070 612 34 56", "070.612.34.56", "070-6123456", "070 - 612 34 56",
		"+46 70 612 34 56", "+46 (0)70-612 34 56", "+46(0)706123456", "+46706123456", "0046 70 612 34 56",
		"0046706123456", "08-123 456 78", "08 123 456 78", "031-12 34 56", "031-123456", "010-123 45 67",
		"0771-123 456", "+47 22 12 34 56", "+1 555 123 4567",
	} {
		in := "Ring " + p + " i morgon."
		if got := Deidentify(in, Who{}); got != "Ring [telefon] i morgon." {
			t.Errorf("Deidentify(%q) = %q", in, got)
		}
	}
	// The reporter's own number, however it is written.
	own := Who{Phone: "+46 (0)70-612 34 56"}
	for _, p := range []string{"0706123456", "70 612 34 56", "070/61 23 456", "+46706123456"} {
		in := "nås på " + p + "."
		if got := Deidentify(in, own); got != "nås på [telefon]." {
			t.Errorf("own phone: Deidentify(%q) = %q", in, got)
		}
	}
	// Not numbers to call.
	for _, in := range []string{
		"den 03.09.2026 kl 10", "03/09 2026", "kl 08.30-17.00", "kl. 08.30 – 17.00", "öppet 09.00-12.00 och 13.00-16.00",
		"2026-11-12", "LH-2026-0042", "Dnr 2026-001234", "12 345 kr", "412 96 Göteborg", "0042-2026",
	} {
		if got := Deidentify(in, Who{}); got != in {
			t.Errorf("Deidentify(%q) = %q", in, got)
		}
	}
}

func TestDeidentifyMail(t *testing.T) {
	for _, m := range []string{
		"anna.andersson@af.example", "Anna.Andersson@AF.example", "anna.andersson(at)af.example",
		"anna.andersson[at]af.example", "anna.andersson (at) af.example", "anna.andersson at af.example",
		"anna.andersson snabel-a af.example", "anna.andersson(a)af.example", "anna.andersson{at}af{dot}example",
		"anna.andersson(at)af(dot)example", "anna.andersson [at] af [dot] example", "anna.andersson at af dot example",
		"anna.andersson @ af.example", "anna.andersson(snabel-a)af.example", "anna.andersson (at) af (punkt) example",
		"anna.andersson＠af.example", "anna.andersson ＠ af.example", "anna.andersson﹫af.example", "anna.andersson(＠)af.example",
	} {
		in := "Skriv till " + m + " snarast."
		if got := Deidentify(in, Who{}); got != "Skriv till [e-post] snarast." {
			t.Errorf("Deidentify(%q) = %q", in, got)
		}
	}
	for _, in := range []string{"Mötet (at) nio", "kl. 9 at the office", "Vi ses at 10."} {
		if got := Deidentify(in, Who{}); got != in {
			t.Errorf("Deidentify(%q) = %q", in, got)
		}
	}
}

func TestDeidentifyOrg(t *testing.T) {
	who := Who{Org: "Göteborgs Stad, Socialtjänsten Centrum"}
	tests := []struct{ in, want string }{
		{"Från Göteborgs Stad, Socialtjänsten Centrum ringde de.", "Från […] ringde de."},
		{"Från GÖTEBORGS STAD,  Socialtjänsten\nCentrum ringde de.", "Från […] ringde de."},
		{"Goteborgs Stad, Socialtjansten Centrum", "[…]"},
		{"Göteborgs Stad och Socialtjänsten", "Göteborgs Stad och Socialtjänsten"},
	}
	for _, tt := range tests {
		if got := Deidentify(tt.in, who); got != tt.want {
			t.Errorf("Deidentify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDeidentifyAll(t *testing.T) {
	who := Who{Name: "Anna Andersson", Org: "Arbetsförmedlingen Angered", Email: "anna.andersson@af.example", Phone: "070-612 34 56"}
	in := "ANNA ANDERSSON på Arbetsförmedlingen Angered (anna.andersson(at)af.example, +46 (0)70-612 34 56) " +
		"skriver om pnr 8112189877 och 850312-1231. Anderssons chef på Arbetsförmedlingen svarade 2026-11-12."
	want := "[…] på […] ([e-post], [telefon]) skriver om pnr ÅÅMMDD-XXXX och ÅÅMMDD-XXXX. […] chef på Arbetsförmedlingen svarade 2026-11-12."
	if got := Deidentify(in, who); got != want {
		t.Errorf("Deidentify\n = %q\nwant %q", got, want)
	}
}

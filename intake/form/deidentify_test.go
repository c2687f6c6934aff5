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
	got := Deidentify("Åsa Öberg ringde. Åsa sa att Öberg-utredningen (Åsas) och Åsa.", Who{Name: "Åsa Öberg"})
	if strings.Contains(got, "Åsa ") || strings.Contains(got, "Åsa.") || strings.Contains(got, "Öberg ") {
		t.Errorf("left a name: %q", got)
	}
	if !strings.Contains(got, "Åsas") {
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

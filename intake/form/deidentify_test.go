package form

import (
	"strings"
	"testing"
)

func TestDeidentify(t *testing.T) {
	in := "Anna Andersson på AF Angered ringde 070-123 45 67 och mejlade anna.andersson@arbetsformedlingen.se " +
		"om personen 850312-1231. Anna fick inget svar; ring +46 31 123 45 67 eller 031-123456. Beslutet kom 2026-11-12, 3 st."
	got := Deidentify(in, "Anna Andersson", "AF Angered")
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

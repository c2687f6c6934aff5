package quote

import (
	"strings"
	"testing"
)

// FuzzCut checks that Cut never panics and only ever removes lines: every
// line it returns is (part of) a line of the input, in the input's order.
func FuzzCut(f *testing.F) {
	f.Add("Tack!\n\nDen 12 nov. 2026 kl. 10:14 skrev Anna <a@b.se>:\n> Fråga")
	f.Add("> Nivå?\nOrganisering.\n> Parter?\nFK")
	f.Fuzz(func(t *testing.T, in string) {
		out := Cut(in)
		inLines := strings.Split(strings.ReplaceAll(in, "\r\n", "\n"), "\n")
		j := 0
		for _, l := range strings.Split(out, "\n") {
			for j < len(inLines) && !strings.Contains(inLines[j], l) {
				j++
			}
			if j == len(inLines) {
				t.Fatalf("Cut(%q) = %q: line %q is not in the input, in order", in, out, l)
			}
			j++
		}
	})
}

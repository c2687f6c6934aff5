package similar

import (
	"math"
	"slices"
	"testing"
)

// FuzzSimilar indexes the labelled cases and two fuzzed texts (what
// happened, as a mail wrote it) and asks for cases like a third. Nothing
// may panic; at most k matches come back, best first, each once, with a
// score in (0, 1], none of the skipped; and a text that has a term is
// most like itself.
func FuzzSimilar(f *testing.F) {
	f.Add("Försäkringskassan drog in sjukpenningen.", "FK AF soc", "sjukpenningen", 3)
	f.Add("", "", "", 0)
	f.Add("ab cd ef", "åååååå ÅÅÅÅÅÅ", "\xff\xfe\x00", -1)
	f.Add("programmet programmet rapportering", "Aktivitetsstödet", "aktivitetsstöd program", 1)
	f.Add("ǅǅǅǅǅ ﬃﬃﬃﬃﬃ İİİİİ", "ǅǅǅǅǅ", "ﬃﬃﬃﬃﬃ", 10)
	f.Fuzz(func(t *testing.T, a, b, q string, k int) {
		x := New()
		for _, c := range labelled {
			x.Add(c.id, c.text)
		}
		x.Add("fuzz-a", a)
		x.Add("fuzz-b", b)
		if x.Len() != len(labelled)+2 {
			t.Fatalf("Len = %d", x.Len())
		}
		k = k % 20
		got := x.Similar(q, k, "A1")
		if len(got) > max(k, 0) {
			t.Errorf("Similar(k=%d) = %d matches", k, len(got))
		}
		seen := map[string]bool{}
		for i, m := range got {
			if m.ID == "A1" || seen[m.ID] {
				t.Errorf("match %q skipped or seen before: %v", m.ID, got)
			}
			seen[m.ID] = true
			if !(m.Score > 0 && m.Score <= 1) || math.IsNaN(m.Score) {
				t.Errorf("score %v for %q", m.Score, m.ID)
			}
			if i > 0 && better(got[i-1], m) > 0 {
				t.Errorf("not best first: %v", got)
			}
		}
		// A text is most like itself (or, tied, like a case with the
		// same terms).
		if tf := termFreqs(a); len(tf) > 0 {
			self := x.Similar(a, 1)
			if len(self) != 1 || self[0].Score < 0.999 {
				t.Errorf("Similar(%q) = %v, want fuzz-a (or its equal) first", a, self)
			}
			if !slices.ContainsFunc(x.Similar(a, len(labelled)+2), func(m Match) bool { return m.ID == "fuzz-a" }) {
				t.Errorf("Similar(%q) leaves out fuzz-a", a)
			}
		}
	})
}

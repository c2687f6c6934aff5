package similar

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// labelled is a small set written to come in four topics of three cases
// each; a case's two nearest must be the other two of its topic.
var labelled = []struct{ id, topic, text string }{
	{"A1", "sjukpenning", "Försäkringskassan drog in sjukpenningen eftersom personen ansågs ha arbetsförmåga. Arbetsförmedlingen bedömde samtidigt att hen saknar arbetsförmåga och skrev ut hen."},
	{"A2", "sjukpenning", "Sjukpenning nekades av FK med motiveringen full arbetsförmåga, men AF anser att arbetsförmågan är nedsatt och kan inte erbjuda insatser."},
	{"A3", "sjukpenning", "Motstridiga bedömningar av arbetsförmåga: FK stoppade sjukpenningen, AF avaktualiserade. Personen blev utan ersättning."},
	{"B1", "aktivitetsstöd", "Aktivitetsstödet betalades inte ut i tre månader eftersom rapporteringen till Arbetsförmedlingen inte registrerades."},
	{"B2", "aktivitetsstöd", "Utbetalningen av aktivitetsstöd försenades när programmet byttes; rapporterna i systemet saknades."},
	{"B3", "aktivitetsstöd", "Deltagaren i arbetsmarknadsprogram fick ingen utbetalning av aktivitetsstöd för att rapporten inte kom fram."},
	{"C1", "försörjningsstöd", "Kommunens försörjningsstöd krävde inskrivning hos Arbetsförmedlingen, men den nyanlända kvinnan kunde inte skrivas in utan tolk."},
	{"C2", "försörjningsstöd", "Ekonomiskt bistånd från socialtjänsten villkorades med inskrivning på AF; språkhinder och brist på tolk stoppade inskrivningen."},
	{"C3", "försörjningsstöd", "Nyanländ man nekades försörjningsstöd av kommunen när inskrivningen hos Arbetsförmedlingen drog ut på grund av tolkbrist."},
	{"D1", "läkarintyg", "Regionens psykiatri skrev inget läkarintyg, och Försäkringskassan kunde därför inte pröva rätten till sjukersättning."},
	{"D2", "läkarintyg", "Vårdcentralen i regionen vägrade utfärda intyg; FK krävde medicinskt underlag som psykiatrin inte tog fram."},
	{"D3", "läkarintyg", "Läkarintyget från psykiatrin saknades och regionen hänvisade till FK, som avslog ansökan i brist på medicinskt underlag."},
}

// The nearest case is always one of its own topic, and nearly all of the
// two nearest are (the set shares words across topics on purpose: FK,
// sjuk-, arbets- run through several).
func TestLabelledSetRanksItsTopicFirst(t *testing.T) {
	x := New()
	topic := map[string]string{}
	for _, c := range labelled {
		x.Add(c.id, c.text)
		topic[c.id] = c.topic
	}
	hits := 0
	for _, c := range labelled {
		got := x.Similar(c.text, 3, c.id)
		if len(got) < 2 {
			t.Fatalf("%s: %v", c.id, got)
		}
		if topic[got[0].ID] != c.topic {
			t.Errorf("%s (%s): the nearest is %s (%s): %v", c.id, c.topic, got[0].ID, topic[got[0].ID], got)
		}
		for _, m := range got[:2] {
			if topic[m.ID] == c.topic {
				hits++
			}
		}
		if got[0].Score <= 0 || got[0].Score > 1 {
			t.Errorf("%s: score %v", c.id, got[0].Score)
		}
	}
	t.Logf("precision at 2: %d of %d", hits, 2*len(labelled))
	if hits < 2*len(labelled)-2 {
		t.Errorf("precision at 2: %d of %d, want at least %d", hits, 2*len(labelled), 2*len(labelled)-2)
	}
}

func TestSimilarEdges(t *testing.T) {
	x := New()
	if got := x.Similar("vad som helst", 3); len(got) != 0 {
		t.Errorf("empty index: %v", got)
	}
	x.Add("A", "Sjukpenningen drogs in")
	x.Add("A", "något helt annat")
	if x.Len() != 1 {
		t.Errorf("adding an ID twice: %d cases", x.Len())
	}
	if got := x.Similar("aktivitetsstöd utbetalning", 3); len(got) != 0 {
		t.Errorf("no shared word but %v", got)
	}
	if got := x.Similar("sjukpenningen", 3); len(got) != 1 || got[0].ID != "A" {
		t.Errorf("stemmed match: %v", got)
	}
}

var vocabulary = strings.Fields(`sjukpenning arbetsförmåga aktivitetsstöd utbetalning försörjningsstöd inskrivning tolk
	läkarintyg psykiatri vårdcentral rehabilitering avstämning handlingsplan sjukskrivning ersättning beslut överklagan
	kommunen regionen försäkringskassan arbetsförmedlingen program insats praktik lönebidrag anställning skuld bostad
	hyra vräkning barn familj språk utbildning komvux missbruk beroende behandling boende hemlöshet ekonomi bistånd`)

func synthetic(r *rand.Rand) string {
	var b strings.Builder
	for i := 0; i < 40; i++ {
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
		b.WriteByte(' ')
	}
	return b.String()
}

// BenchmarkLookup50k is one similar-case lookup against 50,000 cases
// (target: under 50 ms).
func BenchmarkLookup50k(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := New()
	for i := 0; i < 50000; i++ {
		x.Add(fmt.Sprintf("LH-2026-%05d", i), synthetic(r))
	}
	q := synthetic(r)
	b.ResetTimer()
	for b.Loop() {
		x.Similar(q, 3)
	}
}

// Package similar finds earlier cases like a given one: TF-IDF weights
// over the stemmed words of what happened, its consequence and the
// suggestion (Swedish stop words left out, the Snowball Swedish stemmer),
// ranked by cosine similarity, from an inverted index held in memory. It
// needs no service outside the daemon.
package similar

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/kljensen/snowball/swedish"
)

// Match is a case and how like the query it is, from 0 to 1.
type Match struct {
	ID    string
	Score float64
}

// Index is safe for concurrent use.
type Index struct {
	mu       sync.RWMutex
	ids      []string
	norms    []float64 // at the IDF of the last reweigh
	terms    map[string][]posting
	byID     map[string]int
	reweighN int // the document count norms were computed at
}

type posting struct {
	doc int32
	tf  float32 // (1 + log(count)) × the term's weight
}

// New returns an empty index.
func New() *Index {
	return &Index{terms: map[string][]posting{}, byID: map[string]int{}}
}

// Len returns the number of cases indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Add indexes a case's text; adding an ID again does nothing.
func (x *Index) Add(id, text string) {
	tf := termFreqs(text)
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.byID[id]; ok {
		return
	}
	doc := len(x.ids)
	x.ids = append(x.ids, id)
	x.byID[id] = doc
	for t, w := range tf {
		x.terms[t] = append(x.terms[t], posting{int32(doc), float32(w)})
	}
	x.norms = append(x.norms, 0)
	// IDF shifts as cases come in: norms are computed again when the
	// collection has grown by a quarter, and for a new case at once.
	if n := len(x.ids); n > x.reweighN+x.reweighN/4 {
		x.reweigh()
	} else {
		x.norms[doc] = x.norm(tf)
	}
}

func (x *Index) idf(t string) float64 {
	return math.Log(1 + float64(len(x.ids))/float64(1+len(x.terms[t])))
}

func (x *Index) norm(tf map[string]float64) float64 {
	var s float64
	for t, w := range tf {
		v := w * x.idf(t)
		s += v * v
	}
	return math.Sqrt(s)
}

func (x *Index) reweigh() {
	sq := make([]float64, len(x.ids))
	for t, ps := range x.terms {
		idf := x.idf(t)
		for _, p := range ps {
			v := float64(p.tf) * idf
			sq[p.doc] += v * v
		}
	}
	for i, s := range sq {
		x.norms[i] = math.Sqrt(s)
	}
	x.reweighN = len(x.ids)
}

// Similar returns up to k cases most like text, best first, leaving out
// the IDs in skip and cases that share no word with it.
func (x *Index) Similar(text string, k int, skip ...string) []Match {
	if k <= 0 {
		return nil
	}
	q := termFreqs(text)
	x.mu.RLock()
	defer x.mu.RUnlock()
	scores := make([]float64, len(x.ids))
	var qn float64
	for t, w := range q {
		idf := x.idf(t)
		qv := w * idf
		qn += qv * qv
		f := qv * idf
		for _, p := range x.terms[t] {
			scores[p.doc] += f * float64(p.tf)
		}
	}
	qn = math.Sqrt(qn)
	var out []Match
	for doc, s := range scores {
		if s == 0 || x.norms[doc] == 0 || slices.Contains(skip, x.ids[doc]) {
			continue
		}
		m := Match{ID: x.ids[doc], Score: min(1, s/(qn*x.norms[doc]))}
		// Keep the best k only: out is short, sorted, best first.
		if len(out) == k && m.Score <= out[k-1].Score {
			continue
		}
		i, _ := slices.BinarySearchFunc(out, m, better)
		out = slices.Insert(out, i, m)
		if len(out) > k {
			out = out[:k]
		}
	}
	return out
}

// better orders matches best first, then by ID.
func better(a, b Match) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

// affix is how many letters of a word's start and end are terms of their
// own, at half weight: Swedish writes compounds as one word, and the
// definite forms the stemmer leaves ("aktivitetsstödet") still share
// their start with the bare word, a compound ("läkarintyg") its head
// with the simple word ("intyg").
const affix = 5

// termFreqs returns the terms of text that carry meaning (stems, and the
// starts and ends of longer ones), each with its log-scaled frequency
// times its weight.
func termFreqs(text string) map[string]float64 {
	counts := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if long, ok := abbreviations[w]; ok {
			w = long
		}
		if len([]rune(w)) < 3 || stopWords[w] {
			continue
		}
		stem := lighten(swedish.Stem(w, false))
		counts[stem]++
		if r := []rune(stem); len(r) >= affix {
			counts["<"+string(r[:affix])]++
			counts[">"+string(r[len(r)-affix:])]++
		}
	}
	tf := make(map[string]float64, len(counts))
	for t, n := range counts {
		w := 1.0
		if t[0] == '<' || t[0] == '>' {
			w = 0.5
		}
		tf[t] = (1 + math.Log(float64(n))) * w
	}
	return tf
}

// lighten takes off what the Snowball stemmer leaves on nouns: the
// definite -et/-en/-na and -ering/-ning, then a doubled last consonant
// ("programmet" → "program", "rapportering" → "rapport").
func lighten(stem string) string {
	for _, suf := range []string{"ering", "ning", "et", "en", "na"} {
		if r := []rune(strings.TrimSuffix(stem, suf)); len(r) >= 4 && len(r) < len([]rune(stem)) {
			stem = string(r)
			break
		}
	}
	if r := []rune(stem); len(r) >= 4 && r[len(r)-1] == r[len(r)-2] && !strings.ContainsRune("aeiouyåäö", r[len(r)-1]) {
		stem = string(r[:len(r)-1])
	}
	return stem
}

// abbreviations are the parties' short names, read as their long ones.
var abbreviations = map[string]string{"fk": "försäkringskassan", "af": "arbetsförmedlingen", "soc": "socialtjänsten"}

// stopWords are Swedish words too common to tell cases apart, and the
// words every Lex Heller case uses.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`alla allt att av blev bli blir blivit de dem den denna deras dess dessa det detta dig din dina
		ditt du där efter ej eller en er era ert ett från för har hade han hans har henne hennes hen hon honom hur här
		icke ingen inom inte jag ju kan kunde man med mellan men mig min mina mitt mot mycket ni nu när någon något några
		och om oss på samma sedan sig sin sina sitta själv skulle som så sådan sådana till under upp ut utan vad var vara
		varför varit varje vars vart vem vi vid vilka vilkas vilken vilket vår våra vårt än är åt över också får fick
		ska skall kommer kom bara även eftersom därför då dock ändå mer mest sina inga ens hela helt
		personen person individen individ klienten klient ärendet ärende handläggaren handläggare`) {
		m[w] = true
	}
	return m
}()

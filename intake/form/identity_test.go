package form

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The generated test of the reporter toward parties (issue 10): random
// reporters' names, telephone numbers and e-mail addresses, in the
// spellings people write them, in a blanket's free text, through
// Deidentify. No part of the name of two letters or more, no telephone
// number's digits and no local part of the address may survive.
// intake/casework's TestGeneratedIdentityForward sends the same through a
// forward.

var idFirst = []string{"Anna", "Åsa", "Björn", "Per", "Karl-Erik", "Zoë", "Mårten", "Eva", "Jörgen", "Li", "Lars", "Sören", "Ängla", "Hans", "Dag"}
var idLast = []string{"Andersson", "Öberg", "Ek", "Lindén", "Nyström", "Håkansson", "Al-Hassan", "Åkesson", "Berg", "Strand", "Müller", "Holm", "Lindqvist"}

// idReporter is a reporter as the case knows them (Who) and the parts a
// leak is looked for by.
type idReporter struct {
	first, last string
	phone       string // ten digits, 0 first
	local       string // the e-mail address's local part
	domain      string
}

func (r idReporter) name() string { return r.first + " " + r.last }

// nameParts are the name's parts of two letters or more, folded, and not
// particles.
func (r idReporter) nameParts() []string {
	var out []string
	for _, w := range splitPhrase(r.name(), true).words {
		if len([]rune(w)) >= 2 && !nameParticles[w] {
			out = append(out, w)
		}
	}
	return out
}

func randomReporter(rng *rand.Rand) idReporter {
	r := idReporter{first: idFirst[rng.IntN(len(idFirst))], last: idLast[rng.IntN(len(idLast))]}
	if rng.IntN(6) == 0 {
		r.last = "af " + r.last // a particle: not masked alone, so not looked for alone
	}
	switch rng.IntN(3) {
	case 0: // mobile
		r.phone = fmt.Sprintf("07%d%07d", []int{0, 2, 3, 6, 9}[rng.IntN(5)], rng.IntN(10_000_000))
	case 1: // Stockholm
		r.phone = fmt.Sprintf("08%08d", 10_000_000+rng.IntN(89_999_999))
	default: // Göteborg
		r.phone = fmt.Sprintf("031%07d", 1_000_000+rng.IntN(8_999_999))
	}
	plain := strings.ToLower(stripMarks(r.first + "." + strings.ReplaceAll(r.last, " ", "")))
	switch rng.IntN(4) {
	case 0:
		r.local = plain
	case 1:
		r.local = fmt.Sprintf("%s%d", plain, 1+rng.IntN(99))
	case 2:
		first, last := []rune(stripMarks(r.first)), []rune(stripMarks(r.last))
		r.local = strings.ToLower(string(first[:1]) + "_" + string(last[max(0, len(last)-3):]))
	default:
		r.local = fmt.Sprintf("handl.%c%c%d", 'a'+rng.IntN(26), 'a'+rng.IntN(26), 10+rng.IntN(90))
	}
	r.domain = []string{"af.se", "arbetsformedlingen.se", "goteborg.se", "gmail.com", "fk.example"}[rng.IntN(5)]
	return r
}

// stripMarks writes s without diacritics, as a keyboard without å, ä, ö
// does.
func stripMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeName writes a name part or the whole name in a random case, with or
// without diacritics, bare or in the genitive.
func writeName(rng *rand.Rand, s string) string {
	if rng.IntN(3) == 0 {
		s = stripMarks(s)
	}
	switch rng.IntN(5) {
	case 0:
		s = strings.ToUpper(s)
	case 1:
		s = strings.ToLower(s)
	}
	switch rng.IntN(7) {
	case 0:
		s += "s"
	case 1:
		s += "ens"
	case 2:
		s += ":s"
	case 3:
		s += "'s"
	case 4:
		if strings.HasSuffix(strings.ToLower(s), "s") {
			s += "'"
		}
	}
	return s
}

// phoneSpellings write ten digits (0 first) the ways issue 10 lists.
var phoneSpellings = []func(d string) string{
	func(d string) string { return d },
	func(d string) string { return areaCode(d) + "-" + grouped(rest(d)) },
	func(d string) string { return areaCode(d) + "-" + rest(d) },
	func(d string) string { return areaCode(d) + " " + grouped(rest(d)) },
	func(d string) string { return areaCode(d) + "." + strings.ReplaceAll(grouped(rest(d)), " ", ".") },
	func(d string) string { return "(" + areaCode(d) + ") " + grouped(rest(d)) },
	func(d string) string { return "+46 (0)" + areaCode(d)[1:] + "-" + grouped(rest(d)) },
	func(d string) string { return "+46 " + areaCode(d)[1:] + " " + grouped(rest(d)) },
	func(d string) string { return "+46" + d[1:] },
	func(d string) string { return "0046 " + areaCode(d)[1:] + " " + grouped(rest(d)) },
	func(d string) string { return "0046" + d[1:] },
	func(d string) string { return areaCode(d) + " - " + grouped(rest(d)) },
	func(d string) string { return areaCode(d) + "/" + rest(d) },
}

// areaCode is the area code of ten digits: 07X, 08 or 031.
func areaCode(d string) string {
	switch {
	case strings.HasPrefix(d, "07"), strings.HasPrefix(d, "03"):
		return d[:3]
	}
	return d[:2]
}

func rest(d string) string { return d[len(areaCode(d)):] }

// grouped writes a subscriber number the Swedish way: 612 34 56, 123 456 78.
func grouped(n string) string {
	switch len(n) {
	case 7:
		return n[:3] + " " + n[3:5] + " " + n[5:]
	case 8:
		return n[:3] + " " + n[3:6] + " " + n[6:]
	}
	return n
}

// mailSpellings write an address the ways people keep it from harvesters.
var mailSpellings = []func(local, domain string) string{
	func(l, d string) string { return l + "@" + d },
	func(l, d string) string { return strings.ToUpper(l + "@" + d) },
	func(l, d string) string { return "<" + l + "@" + d + ">" },
	func(l, d string) string { return "mailto:" + l + "@" + d },
	func(l, d string) string { return l + "(at)" + d },
	func(l, d string) string { return l + " (at) " + d },
	func(l, d string) string { return l + "[at]" + d },
	func(l, d string) string { return l + " [at] " + strings.ReplaceAll(d, ".", " [dot] ") },
	func(l, d string) string { return l + " at " + d },
	func(l, d string) string { return l + " AT " + strings.ReplaceAll(d, ".", " dot ") },
	func(l, d string) string { return l + " snabel-a " + d },
	func(l, d string) string { return l + "＠" + d },
	func(l, d string) string { return l + " ＠ " + d },
	func(l, d string) string { return l + "﹫" + d },
	func(l, d string) string { return l + "(a)" + d },
}

// idTexts put the reporter in a blanket's free text: %[1]s a name or name
// part, %[2]s a telephone number, %[3]s an address.
var idTexts = []string{
	"Jag, %[1]s, ringde FK den 2026-11-12 men fick inget svar.",
	"Ring mig på %[2]s eller mejla %[3]s.",
	"%[1]s klient fick avslag; %[1]s chef vet.",
	"Hälsningar\n%[1]s\nTel: %[2]s\nE-post: %[3]s",
	"Kontakta %[3]s (%[1]s) för frågor, telefon %[2]s.",
	"<p>Mvh %[1]s<br>%[2]s<br><a href=\"mailto:%[3]s\">%[3]s</a></p>",
	"Handläggare: %[1]s, %[2]s, %[3]s. Ärende LH-2026-0042, org.nr 556677-8899.",
	"Det gäller en person som %[1]s har träffat sedan i våras; nås på %[2]s vardagar 08.30–17.00.",
	"%[1]s\t%[2]s\t%[3]s",
}

// idLeaks returns what of r survives in out: name parts, the telephone
// number's subscriber digits, the address's local part.
func idLeaks(out string, r idReporter) []string {
	var leaks []string
	words := strings.FieldsFunc(norm.NFKC.String(out), func(c rune) bool { return !unicode.IsLetter(c) })
	for _, p := range r.nameParts() {
		for _, written := range words {
			if w := string(foldWord(nil, written)); sameWord(w, p, true) {
				leaks = append(leaks, "name part "+p+" as "+written)
			}
		}
	}
	// The subscriber number, without the area code: its last seven digits.
	if d := digitsOf(out); strings.Contains(d, r.phone[len(r.phone)-7:]) {
		leaks = append(leaks, "phone "+r.phone)
	}
	// The local part as a word of its own.
	lower := strings.ToLower(norm.NFKC.String(out))
	for i := 0; ; {
		k := strings.Index(lower[i:], r.local)
		if k < 0 {
			break
		}
		k += i
		before, after := byte(' '), byte(' ')
		if k > 0 {
			before = lower[k-1]
		}
		if e := k + len(r.local); e < len(lower) {
			after = lower[e]
		}
		if !isLocalByte(before) && !isLocalByte(after) {
			leaks = append(leaks, "e-mail "+r.local)
			break
		}
		i = k + 1
	}
	return leaks
}

func isLocalByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '+' || c >= 0x80
}

// TestGeneratedIdentity: random reporters in random spellings, fixed seed.
func TestGeneratedIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 6))
	n, leaked := 0, 0
	for range 3000 {
		r := randomReporter(rng)
		who := Who{Name: r.name(), Email: r.local + "@" + r.domain, Org: "Arbetsförmedlingen Angered"}
		// The phone as the blanket's field gives it, in a spelling of its
		// own; sometimes not given at all.
		if rng.IntN(5) != 0 {
			who.Phone = phoneSpellings[rng.IntN(len(phoneSpellings))](r.phone)
		}
		// The name the way the blanket's field gives it.
		switch rng.IntN(4) {
		case 0:
			who.Name = strings.ToUpper(who.Name)
		case 1:
			who.Name = strings.ToLower(who.Name)
		}
		for _, field := range []string{"Vad hände?", "Konsekvens", "Förslag"} {
			var name string
			switch parts := strings.Fields(r.name()); rng.IntN(3) {
			case 0:
				name = writeName(rng, r.name())
			default:
				name = writeName(rng, parts[rng.IntN(len(parts))])
			}
			phone := phoneSpellings[rng.IntN(len(phoneSpellings))](r.phone)
			mail := mailSpellings[rng.IntN(len(mailSpellings))](r.local, r.domain)
			text := fmt.Sprintf(idTexts[rng.IntN(len(idTexts))], name, phone, mail)
			out := Deidentify(text, who)
			n++
			if leaks := idLeaks(out, r); len(leaks) > 0 {
				leaked++
				if leaked <= 30 {
					t.Errorf("%s: %q\n  who %+v\n  → %q\n  leaks %v", field, text, who, out, leaks)
				}
			}
			// What stays: the dates, case and organisation numbers.
			for _, keep := range []string{"2026-11-12", "LH-2026-0042", "556677-8899", "08.30–17.00"} {
				if strings.Contains(text, keep) && !strings.Contains(out, keep) {
					t.Errorf("%q → %q lost %q", text, out, keep)
				}
			}
		}
	}
	if leaked > 0 {
		t.Errorf("%d of %d texts leaked", leaked, n)
	}
}

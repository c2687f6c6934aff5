package form

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Placeholders Deidentify writes.
const (
	maskMail  = "[e-post]"
	maskPhone = "[telefon]"
	maskWords = "[…]"
)

// E-mail addresses as written, also the ways people keep them from
// harvesters: anna.andersson(at)af.example, anna [at] af [dot] example,
// anna at af dot example, anna snabel-a af.example, anna(a)af.example,
// anna＠af.example (the full-width and the small @ NFKC reads as @).
var mailAddrRe = func() *regexp.Regexp {
	const (
		local = `[\p{L}\p{N}._%+\-]+`
		at    = `(?:\s*[@＠﹫]\s*|\s*[(\[{<]\s*(?:at|a|[@＠﹫]|snabel-?a)\s*[)\]}>]\s*|\s+(?:at|snabel-?a)\s+)`
		dot   = `(?:\.|\s*[(\[{<]\s*(?:dot|punkt|\.)\s*[)\]}>]\s*|\s+(?:dot|punkt)\s+)`
		label = `[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?`
	)
	return regexp.MustCompile(`(?i)` + local + at + label + `(?:` + dot + label + `)*` + dot + `\p{L}{2,}`)
}()

// mayHoldMail is a quick test before mailAddrRe, which is slow on long
// text.
func mayHoldMail(s string) bool {
	if strings.ContainsAny(s, "@([{<＠﹫") {
		return true
	}
	l := strings.ToLower(s)
	return strings.Contains(l, " at ") || strings.Contains(l, "snabel")
}

// Who is what identifies a reporter.
type Who struct {
	Name, Org, Email, Phone string
}

// Deidentify returns s with what identifies people taken out, for text
// that leaves the förbund (a published case, a report, a forward):
//
//   - personnummer and samordningsnummer masked as MaskPIIOutgoing does
//     (also mistyped ones written in their shape or after "pnr", "född"…);
//   - e-mail addresses, also written as anna(at)af.example, anna [at] af
//     [dot] example, anna snabel-a af.example, anna＠af.example, replaced
//     by "[e-post]";
//   - telephone numbers replaced by "[telefon]": Swedish ones however
//     grouped (070-612 34 56, 0706123456, 070.612.34.56, 08-123 456 78,
//     (070) 612 34 56, +46 70 612 34 56, +46 (0)70-612 34 56,
//     0046 70 612 34 56), foreign ones after + or 00, and the reporter's
//     own number in any spelling;
//   - the reporter's unit (who.Org) as written, in any case, with or
//     without diacritics, replaced by "[…]" (the agency alone stays:
//     "Arbetsförmedlingen Angered" leaves "Arbetsförmedlingen");
//   - the reporter's name replaced by "[…]": whole, and each part of two
//     letters or more as a word of its own, in any case (Anna, ANNA,
//     anna); in the genitive (Annas, Anderssons, Lars', -ens); with or
//     without diacritics (Åsa, Asa, ÅSA); a particle (af, von, de…) only
//     as part of the whole name.
//
// Names it is not told cannot be found; the process leader's /publicera
// is the check on those.
func Deidentify(s string, who Who) string {
	s = MaskPIIOutgoing(s)
	if mayHoldMail(s) {
		s = mailAddrRe.ReplaceAllString(s, maskMail)
	}
	if e := strings.TrimSpace(who.Email); utf8.RuneCountInString(e) >= 3 {
		s = maskPhrase(s, e, false)
	}
	s = maskPhones(s, who.Phone)
	if o := strings.TrimSpace(who.Org); utf8.RuneCountInString(o) >= 3 {
		s = maskPhrase(s, o, true)
	}
	s = maskName(s, who.Name)
	// Once more: taking out an address or a number can leave digits that
	// read as a personnummer where they did not before (a date followed by
	// a telephone number).
	return MaskPIIOutgoing(s)
}

// ---- names and units ----

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// wordEnd returns where the word starting at i ends.
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			break
		}
		i += size
	}
	return i
}

// foldWord appends w to b in lower case without diacritics: "Åsa" and
// "ASA" both fold to "asa".
func foldWord(b []byte, w string) []byte {
	for _, r := range w {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
			continue
		}
		switch r {
		case 'æ':
			b = append(b, "ae"...)
			continue
		case 'œ':
			b = append(b, "oe"...)
			continue
		case 'ß':
			b = append(b, "ss"...)
			continue
		case 'þ':
			b = append(b, "th"...)
			continue
		case 'ø':
			r = 'o'
		case 'đ', 'ð':
			r = 'd'
		case 'ł':
			r = 'l'
		case 'ı':
			r = 'i'
		default:
			var buf [utf8.UTFMax]byte
			n := utf8.EncodeRune(buf[:], r)
			if d := norm.NFD.Properties(buf[:n]).Decomposition(); len(d) > 0 {
				r, _ = utf8.DecodeRune(d)
			}
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}

// genitive endings a name may carry, folded.
var nameEndings = []string{"s", "es", "ens"}

// apostrophe endings: "Lars'", "Anna's", "AF:s".
var apostropheEndings = []string{"'s", "’s", ":s", "'", "’"}

// sameWord reports whether the folded word w is the folded name p, bare or
// with a genitive ending when inflect is set.
func sameWord(w, p string, inflect bool) bool {
	if w == p {
		return true
	}
	if !inflect || !strings.HasPrefix(w, p) {
		return false
	}
	for _, e := range nameEndings {
		if w[len(p):] == e {
			return true
		}
	}
	return false
}

// apostropheEnd returns where an apostrophe ending after i ends, or i.
func apostropheEnd(s string, i int) int {
	for _, e := range apostropheEndings {
		if strings.HasPrefix(s[i:], e) {
			j := i + len(e)
			if r, _ := utf8.DecodeRuneInString(s[j:]); j == len(s) || !isWordRune(r) {
				return j
			}
		}
	}
	return i
}

// phrase is a name or unit split for matching: its words folded, and what
// separates them (blanks collapsed to one space).
type phrase struct {
	words []string
	seps  []string
}

func splitPhrase(p string, hyphenIsBlank bool) phrase {
	var ph phrase
	var sep strings.Builder
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		if isWordRune(r) {
			j := wordEnd(p, i)
			if len(ph.words) > 0 {
				ph.seps = append(ph.seps, sep.String())
			}
			sep.Reset()
			ph.words = append(ph.words, string(foldWord(nil, p[i:j])))
			i = j
			continue
		}
		if len(ph.words) > 0 {
			if unicode.IsSpace(r) || hyphenIsBlank && unicode.Is(unicode.Pd, r) {
				if !strings.HasSuffix(sep.String(), " ") {
					sep.WriteByte(' ')
				}
			} else {
				sep.WriteRune(r)
			}
		}
		i += size
	}
	return ph
}

// matchPhrase reports where ph, starting at the word at i, ends in s, or
// -1. Blanks between the words may be any run of white space (a line
// break too); other separators must be as in ph. The last word may carry
// a genitive ending.
func matchPhrase(s string, i int, ph phrase, hyphenIsBlank, inflect bool, buf *[]byte) int {
	for k, w := range ph.words {
		j := wordEnd(s, i)
		if j == i {
			return -1
		}
		*buf = foldWord((*buf)[:0], s[i:j])
		last := k == len(ph.words)-1
		if !sameWord(string(*buf), w, last && inflect) {
			return -1
		}
		if last {
			if !inflect {
				return j
			}
			return apostropheEnd(s, j)
		}
		// The separator.
		want := ph.seps[k]
		i = j
		for _, wr := range want {
			if wr == ' ' {
				n := 0
				for i < len(s) && n < 8 {
					r, size := utf8.DecodeRuneInString(s[i:])
					if !unicode.IsSpace(r) && !(hyphenIsBlank && unicode.Is(unicode.Pd, r)) {
						break
					}
					i += size
					n++
				}
				if n == 0 {
					return -1
				}
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.ToLower(r) != unicode.ToLower(wr) {
				return -1
			}
			i += size
		}
	}
	return -1
}

// maskPhrase replaces p (a unit, an address) where it stands as whole
// words in s, in any case and with or without diacritics; with inflect,
// also in the genitive.
func maskPhrase(s, p string, inflect bool) string {
	ph := splitPhrase(p, false)
	if len(ph.words) == 0 {
		return s
	}
	return replaceWords(s, func(i int, _ bool, buf *[]byte) int {
		return matchPhrase(s, i, ph, false, inflect, buf)
	})
}

// nameParticles are not masked alone ("af" in "Anna af Klint" is not
// AF); the whole name is.
var nameParticles = map[string]bool{"af": true, "von": true, "van": true, "de": true, "der": true, "den": true, "la": true, "du": true, "di": true, "da": true}

// maskName replaces the reporter's name: whole, and each part of two
// letters or more as a word of its own, in any case, bare or in the
// genitive. A part is masked in lower case too ("anna", "öbergs"), where a
// reporter or a mail client wrote it so: that masks everyday words that
// are also the reporter's name ("en ek", "per dag" for Per Ek), the price
// of a name that cannot be told from a word. Inside an HTML tag a part is
// masked only with a capital, as in a title="Li Ek": tag names, attribute
// names and styles are lower case (<li>, max-width).
func maskName(s, name string) string {
	whole := splitPhrase(name, true)
	var parts []string
	for _, w := range whole.words {
		if utf8.RuneCountInString(w) >= 2 && !strings.ContainsFunc(w, unicode.IsDigit) && !nameParticles[w] {
			parts = append(parts, w)
		}
	}
	if len(parts) == 0 {
		return s
	}
	return replaceWords(s, func(i int, inTag bool, buf *[]byte) int {
		if len(whole.words) >= 2 {
			if end := matchPhrase(s, i, whole, true, true, buf); end > 0 {
				return end
			}
		}
		if first, _ := utf8.DecodeRuneInString(s[i:]); inTag && !unicode.IsUpper(first) && !unicode.IsTitle(first) {
			return -1
		}
		j := wordEnd(s, i)
		*buf = foldWord((*buf)[:0], s[i:j])
		for _, p := range parts {
			if sameWord(string(*buf), p, true) {
				return apostropheEnd(s, j)
			}
		}
		return -1
	})
}

// replaceWords walks the words of s; where match(i) returns an end, the
// text from the word at i to it is replaced by "[…]". inTag tells match
// whether the word stands inside an HTML tag (see tagAt).
func replaceWords(s string, match func(i int, inTag bool, buf *[]byte) int) string {
	var b strings.Builder
	var buf []byte
	prev, tagEnd := 0, 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '<' && i >= tagEnd {
			tagEnd = i + tagAt(s, i)
		}
		if !isWordRune(r) {
			i += size
			continue
		}
		if end := match(i, i < tagEnd, &buf); end > i {
			if prev == 0 && b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[prev:i])
			b.WriteString(maskWords)
			prev, i = end, end
			continue
		}
		i = wordEnd(s, i)
	}
	if b.Len() == 0 && prev == 0 {
		return s
	}
	b.WriteString(s[prev:])
	return b.String()
}

// ---- telephone numbers ----

// phoneSepRune reports whether r may stand between the digit groups of a
// telephone number.
func phoneSepRune(r rune) bool {
	switch r {
	case ' ', '\t', '-', '.', '/', '\u00A0', '\u202F', '\u2009', '\u2212':
		return true
	}
	return r > utf8.RuneSelf && unicode.Is(unicode.Pd, r)
}

// phoneNSN returns a number's national significant digits (the digits
// after 0, +46 or 0046), or "" for a number that is not Swedish.
func phoneNSN(d string, plus bool) string {
	switch {
	case plus && strings.HasPrefix(d, "46"):
		return d[2:]
	case !plus && strings.HasPrefix(d, "0046"):
		return d[4:]
	case !plus && strings.HasPrefix(d, "0") && !strings.HasPrefix(d, "00"):
		return d[1:]
	}
	return ""
}

type phoneGroup struct {
	end  int  // byte after the group
	nd   int  // digits up to and with this group
	sep  rune // the first non-blank separator before the next group, or ' '
	size int  // digits in the group
	val  int  // the group's value, for two-digit groups
}

// maskPhones replaces telephone numbers by "[telefon]": Swedish ones with
// 0 and 7–9 digits (8–10 in all) or with +46/0046 and an optional (0),
// foreign ones with + or 00 and 8–13 digits, and the reporter's own
// number (own) in any grouping, also without its 0. A number starts where
// no number stands right before it; dates (03.09.2026) and times (08.30–
// 17.00) that would pass for one are left.
func maskPhones(s, own string) string {
	ownNSN := ""
	if d := asciiDigits(strings.ReplaceAll(own, "(0)", "")); len(d) >= 6 {
		ownNSN = phoneNSN(d, strings.HasPrefix(strings.TrimSpace(own), "+"))
		if ownNSN == "" {
			ownNSN = strings.TrimLeft(d, "0")
		}
	}
	if asciiCount(s) < 6 {
		return s
	}
	var b strings.Builder
	prev := 0
	var d []byte
	var gs []phoneGroup
	for i := 0; i < len(s); {
		c := s[i]
		plus, paren := false, false
		switch {
		case c == '(':
			// (070) 612 34 56: the area code in brackets.
			j := skipDigits(s, i+1)
			if j == i+1 || j-i-1 > 4 || s[i+1] != '0' || j >= len(s) || s[j] != ')' || i > 0 && isASCIIDigit(s[i-1]) {
				i++
				continue
			}
			paren = true
		case c == '+':
			j := i + 1
			if j < len(s) && s[j] == ' ' {
				j++
			}
			if j >= len(s) || !isASCIIDigit(s[j]) || i > 0 && isASCIIDigit(s[i-1]) {
				i++
				continue
			}
			plus = true
		case isASCIIDigit(c):
			if precededByNumber(s, i) {
				i = skipDigits(s, i)
				continue
			}
		default:
			i++
			continue
		}
		d, gs = readPhone(s, i, plus, paren, d[:0], gs[:0])
		end := -1
		for k := len(gs) - 1; k >= 0 && end < 0; k-- {
			if phoneAt(string(d[:gs[k].nd]), plus, gs[:k+1], ownNSN) {
				end = gs[k].end
			}
		}
		if end < 0 {
			if plus || paren {
				i++
			} else {
				i = skipDigits(s, i)
			}
			continue
		}
		if b.Len() == 0 && prev == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[prev:i])
		b.WriteString(maskPhone)
		prev, i = end, end
	}
	if b.Len() == 0 && prev == 0 {
		return s
	}
	b.WriteString(s[prev:])
	return b.String()
}

// readPhone reads the digit groups of a would-be telephone number at i
// (at its '+' when plus is set, at the '(' of "(070)" when paren is).
func readPhone(s string, i int, plus, paren bool, d []byte, gs []phoneGroup) ([]byte, []phoneGroup) {
	switch {
	case plus:
		i++
		if s[i] == ' ' {
			i++
		}
	case paren:
		i++
	}
	for len(gs) < 8 && len(d) <= 15 {
		g := phoneGroup{}
		for i < len(s) && isASCIIDigit(s[i]) {
			d = append(d, s[i])
			g.val = g.val*10 + int(s[i]-'0')
			g.size++
			i++
		}
		g.end, g.nd, g.sep = i, len(d), ' '
		gs = append(gs, g)
		// The separator: up to three characters, and a trunk (0) after
		// the country code.
		j, n := i, 0
		if len(gs) == 1 && paren {
			j++ // the ')' after the area code
		}
		for j < len(s) && n < 3 {
			if len(gs) == 1 && strings.HasPrefix(s[j:], "(0)") && (plus || strings.HasPrefix(string(d), "0046")) {
				j += 3
				continue
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if !phoneSepRune(r) {
				break
			}
			if r != ' ' && gs[len(gs)-1].sep == ' ' {
				gs[len(gs)-1].sep = r
			}
			j += size
			n++
		}
		if j == i || j >= len(s) || !isASCIIDigit(s[j]) {
			break
		}
		i = j
	}
	return d, gs
}

// phoneAt reports whether the digits d, in groups gs, are a telephone
// number.
func phoneAt(d string, plus bool, gs []phoneGroup, ownNSN string) bool {
	if ownNSN != "" && (phoneNSN(d, plus) == ownNSN || !plus && d == ownNSN) {
		return true
	}
	if nsn := phoneNSN(d, plus); nsn != "" {
		if plus || strings.HasPrefix(d, "00") {
			return len(nsn) >= 7 && len(nsn) <= 9
		}
		if len(d) < 8 || len(d) > 10 {
			return false
		}
		// 03.09.2026, 03/09 26: a date; 08.30-17.00: times.
		if len(gs) >= 3 && gs[0].size <= 2 && gs[1].size <= 2 && gs[0].val <= 31 && gs[1].val >= 1 && gs[1].val <= 12 &&
			(gs[0].sep == '.' || gs[0].sep == '/' || gs[0].sep == '-') && (gs[2].size == 4 || gs[2].size == 2 && gs[1].sep == gs[0].sep) {
			return false
		}
		if len(gs) >= 2 && gs[0].size == 2 && gs[1].size == 2 && gs[0].val <= 23 && gs[1].val <= 59 && gs[0].sep == '.' {
			return false
		}
		return true
	}
	// Foreign: +1 555 123 4567, 0047 22 12 34 56.
	switch {
	case plus:
		return len(d) >= 8 && len(d) <= 13
	case strings.HasPrefix(d, "00"):
		return len(d)-2 >= 8 && len(d)-2 <= 13
	}
	return false
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipDigits(s string, i int) int {
	for i < len(s) && isASCIIDigit(s[i]) {
		i++
	}
	return i
}

// precededByNumber reports whether a digit or a digit and a joining
// character (2026-03-09: the 03 and 09) stands right before i.
func precededByNumber(s string, i int) bool {
	r, size := utf8.DecodeLastRuneInString(s[:i])
	if i == 0 {
		return false
	}
	if unicode.IsDigit(r) {
		return true
	}
	if r == '-' || r == '.' || r == '/' || r == ':' || r == ',' || r > utf8.RuneSelf && unicode.Is(unicode.Pd, r) {
		p, _ := utf8.DecodeLastRuneInString(s[:i-size])
		return unicode.IsDigit(p)
	}
	return false
}

func asciiDigits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if isASCIIDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func asciiCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isASCIIDigit(s[i]) {
			n++
		}
	}
	return n
}

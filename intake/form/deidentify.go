package form

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	mailAddrRe = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}`)
	// Swedish phone numbers as people write them: 070-123 45 67,
	// 031-123456, +46 70 123 45 67, 08 123 456 78.
	phoneRe = regexp.MustCompile(`(?:\+46[\s-]?|\b0)\d{1,3}[\s-]?\d{2,3}(?:[\s-]?\d{2,3}){1,3}\b`)
)

func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// replaceWord replaces w where it stands as a word in s (no letter or
// digit right before or after it: Go's \b knows only ASCII, and names
// start with Å, Ä and Ö), in any case when fold is set.
func replaceWord(s, w string, fold bool) string {
	if fold && !strings.Contains(strings.ToLower(s), strings.ToLower(w)) || !fold && !strings.Contains(s, w) {
		return s // most text does not hold w at all
	}
	expr := regexp.QuoteMeta(w)
	if fold {
		expr = "(?i)" + expr
	}
	var b strings.Builder
	last := 0
	for _, m := range regexp.MustCompile(expr).FindAllStringIndex(s, -1) {
		before, _ := utf8.DecodeLastRuneInString(s[:m[0]])
		after, _ := utf8.DecodeRuneInString(s[m[1]:])
		if m[0] > 0 && wordRune(before) || m[1] < len(s) && wordRune(after) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString("[…]")
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Who is what identifies a reporter.
type Who struct {
	Name, Org, Email, Phone string
}

// Deidentify returns s with what identifies people taken out, for text
// that leaves the förbund (a published case, a report, a forward):
// personnummer and samordningsnummer masked, e-mail addresses and phone
// numbers replaced, and the reporter's name (whole, and each part of it),
// unit, address and phone wherever they are written. Names it is not told
// cannot be found; the process leader's /publicera is the check on those.
func Deidentify(s string, who Who) string {
	s = MaskPII(s)
	// The expressions are slow on long text; most text has no address and
	// too few digits for a phone number.
	if strings.Contains(s, "@") {
		s = mailAddrRe.ReplaceAllString(s, "[e-post]")
	}
	if digits(s) >= 8 {
		s = phoneRe.ReplaceAllStringFunc(s, func(m string) string {
			if digits(m) < 8 { // "03-09 09": a date and a time, not a number to call
				return m
			}
			return "[telefon]"
		})
	}
	for _, k := range []string{who.Name, who.Org, who.Email, who.Phone} {
		if k = strings.TrimSpace(k); len([]rune(k)) >= 3 {
			s = replaceWord(s, k, true)
		}
	}
	// A name is also written in parts: "Anna Andersson" as "Anna". (Not
	// the unit's: "Arbetsförmedlingen Angered" must leave the agency.)
	for _, part := range strings.Fields(who.Name) {
		if first, _ := utf8.DecodeRuneInString(part); len([]rune(part)) >= 3 && unicode.IsUpper(first) {
			s = replaceWord(s, part, false)
		}
	}
	return s
}

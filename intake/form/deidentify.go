package form

import (
	"regexp"
	"strings"
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

// replaceWord replaces w where it stands as a word in s, in any case
// when fold is set. Most texts do not hold w at all, so that is looked
// for first, without a regular expression.
func replaceWord(s, w string, fold bool) string {
	if fold {
		if !strings.Contains(strings.ToLower(s), strings.ToLower(w)) {
			return s
		}
		return regexp.MustCompile(`(?i)\b`+regexp.QuoteMeta(w)+`\b`).ReplaceAllString(s, "[…]")
	}
	if !strings.Contains(s, w) {
		return s
	}
	return regexp.MustCompile(`\b`+regexp.QuoteMeta(w)+`\b`).ReplaceAllString(s, "[…]")
}

// Deidentify returns s with what identifies people taken out, for text
// that leaves the förbund (a published case, a report): personnummer and
// samordningsnummer masked, e-mail addresses and phone numbers replaced,
// and each of known (the reporter's name, unit, …) replaced wherever it
// is written. Names it is not told cannot be found; the process leader's
// /publicera is the check on those.
func Deidentify(s string, known ...string) string {
	s = MaskPII(s)
	// The expressions are slow on long text; most text has no address and
	// too few digits for a phone number.
	if strings.Contains(s, "@") {
		s = mailAddrRe.ReplaceAllString(s, "[e-post]")
	}
	if digits(s) >= 6 {
		s = phoneRe.ReplaceAllString(s, "[telefon]")
	}
	for _, k := range known {
		k = strings.TrimSpace(k)
		if len([]rune(k)) < 3 {
			continue
		}
		s = replaceWord(s, k, true)
		// A name is also written in parts: "Anna Andersson" as "Anna".
		for _, part := range strings.Fields(k) {
			if len([]rune(part)) >= 3 && strings.ToUpper(part[:1]) == part[:1] {
				s = replaceWord(s, part, false)
			}
		}
	}
	return s
}

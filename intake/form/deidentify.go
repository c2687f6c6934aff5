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

// Deidentify returns s with what identifies people taken out, for text
// that leaves the förbund (a published case, a report): personnummer and
// samordningsnummer masked, e-mail addresses and phone numbers replaced,
// and each of known (the reporter's name, unit, …) replaced wherever it
// is written. Names it is not told cannot be found; the process leader's
// /publicera is the check on those.
func Deidentify(s string, known ...string) string {
	s = MaskPII(s)
	s = mailAddrRe.ReplaceAllString(s, "[e-post]")
	s = phoneRe.ReplaceAllString(s, "[telefon]")
	for _, k := range known {
		k = strings.TrimSpace(k)
		if len([]rune(k)) < 3 {
			continue
		}
		re := regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(k) + `\b`)
		s = re.ReplaceAllString(s, "[…]")
		// A name is also written in parts: "Anna Andersson" as "Anna".
		for _, part := range strings.Fields(k) {
			if len([]rune(part)) >= 3 && strings.ToUpper(part[:1]) == part[:1] {
				s = regexp.MustCompile(`\b`+regexp.QuoteMeta(part)+`\b`).ReplaceAllString(s, "[…]")
			}
		}
	}
	return s
}

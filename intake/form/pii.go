package form

import (
	"regexp"
	"strings"
)

// PII is one Swedish personal identity number found in a text.
type PII struct {
	Kind string `json:"kind"` // "personnummer" or "samordningsnummer"
	Text string `json:"text"` // as written
}

// pnrRe finds candidates: an optional century, YYMMDD, an optional
// separator (-, + or a space) and four digits, not inside a longer number.
var pnrRe = regexp.MustCompile(`(^|[^0-9])((?:1[89]|20)?[0-9]{6})[ ]?([-+–]?)[ ]?([0-9]{4})($|[^0-9])`)

// Mask10 and Mask12 replace a personnummer in stored and sent text. They
// are the placeholders Swedish forms print for the number itself.
const (
	Mask10 = "ÅÅMMDD-XXXX"
	Mask12 = "ÅÅÅÅMMDD-XXXX"
)

type pnrMatch struct {
	start, end int // byte offsets of the number itself
	pii        PII
}

func findPNR(s string) []pnrMatch {
	var out []pnrMatch
	for off := 0; off < len(s); {
		loc := pnrRe.FindStringSubmatchIndex(s[off:])
		if loc == nil {
			break
		}
		date := s[off+loc[4] : off+loc[5]]
		last := s[off+loc[8] : off+loc[9]]
		start, end := off+loc[4], off+loc[9]
		if kind, ok := validPNR(date, last); ok {
			out = append(out, pnrMatch{start: start, end: end, pii: PII{Kind: kind, Text: s[start:end]}})
		}
		// Go on after the number, not after the character that ended
		// it, so that two numbers one character apart are both seen.
		off = end
	}
	return out
}

// validPNR reports whether date (YYMMDD or YYYYMMDD) and last (NNNC) form a
// personnummer or samordningsnummer with a valid Luhn check digit.
func validPNR(date, last string) (string, bool) {
	if len(date) == 8 {
		date = date[2:]
	}
	month := atoi2(date[2:4])
	day := atoi2(date[4:6])
	if month < 1 || month > 12 {
		return "", false
	}
	kind := "personnummer"
	switch {
	case day >= 1 && day <= 31:
	case day >= 61 && day <= 91:
		kind = "samordningsnummer"
	default:
		return "", false
	}
	if !luhn(date + last) {
		return "", false
	}
	return kind, true
}

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// luhn checks the last digit of a ten-digit number (weights 2,1,2,1,…).
func luhn(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		n := int(d[i] - '0')
		if i%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

// FindPII returns the personnummer and samordningsnummer in s, in order.
func FindPII(s string) []PII {
	ms := findPNR(s)
	out := make([]PII, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.pii)
	}
	return out
}

// MaskPII replaces every personnummer and samordningsnummer in s by a
// placeholder of the same form (Mask10 or Mask12).
func MaskPII(s string) string {
	ms := findPNR(s)
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, m := range ms {
		b.WriteString(s[prev:m.start])
		digits := 0
		for _, r := range m.pii.Text {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if digits == 12 {
			b.WriteString(Mask12)
		} else {
			b.WriteString(Mask10)
		}
		prev = m.end
	}
	b.WriteString(s[prev:])
	return b.String()
}

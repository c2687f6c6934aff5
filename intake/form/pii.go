package form

import "strings"

// PII is one Swedish personal identity number found in a text.
type PII struct {
	Kind string `json:"kind"` // "personnummer" or "samordningsnummer"
	Text string `json:"text"` // as written
}

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

// findPNR finds the personnummer and samordningsnummer in s: an optional
// century, YYMMDD, an optional separator ("-", "+" or "–", with or without
// a space around it, or a space alone) and four digits, not inside a
// longer number, with a valid date and Luhn check digit. It is a scanner
// rather than a regular expression because it runs over every field of
// every message.
func findPNR(s string) []pnrMatch {
	var out []pnrMatch
	digits := func(i int) int { // length of the digit run at i
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j - i
	}
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		run := digits(i)
		start, end := i, -1
		var date, last string
		switch run {
		case 10, 12:
			date, last, end = s[i:i+run-4], s[i+run-4:i+run], i+run
		case 6, 8:
			j := i + run
			if j < len(s) && s[j] == ' ' {
				j++
			}
			switch {
			case j < len(s) && (s[j] == '-' || s[j] == '+'):
				j++
			case strings.HasPrefix(s[j:], "–"):
				j += len("–")
			}
			if j < len(s) && s[j] == ' ' {
				j++
			}
			if j > i+run && digits(j) == 4 {
				date, last, end = s[i:i+run], s[j:j+4], j+4
			}
		}
		if end > 0 && (len(date) == 6 || date[:2] == "18" || date[:2] == "19" || date[:2] == "20") {
			if kind, ok := validPNR(date, last); ok {
				out = append(out, pnrMatch{start: start, end: end, pii: PII{Kind: kind, Text: s[start:end]}})
				i = end
				continue
			}
		}
		i += run
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

package form

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

var months = map[string]int{
	"januari": 1, "jan": 1, "january": 1,
	"februari": 2, "feb": 2, "february": 2,
	"mars": 3, "mar": 3, "march": 3,
	"april": 4, "apr": 4,
	"maj": 5, "may": 5,
	"juni": 6, "jun": 6, "june": 6,
	"juli": 7, "jul": 7, "july": 7,
	"augusti": 8, "aug": 8, "august": 8,
	"september": 9, "sep": 9, "sept": 9,
	"oktober": 10, "okt": 10, "oct": 10, "october": 10,
	"november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

var (
	isoRe     = regexp.MustCompile(`\b(20\d\d|19\d\d)-(\d{1,2})-(\d{1,2})\b`)
	compactRe = regexp.MustCompile(`\b(20\d\d|19\d\d)(\d\d)(\d\d)\b`)
	dmyRe     = regexp.MustCompile(`\b(\d{1,2})[/.](\d{1,2})(?:[ /.,-]+(\d{4}|\d{2}))?\b`)
	textRe    = regexp.MustCompile(`(?i)\b(\d{1,2})(?:\s*:e|\s*:a)?\.?\s+([a-zåäö]+)\.?(?:\s+(\d{4}))?\b`)
)

// NormalizeDate reads a date as staff write it (2026-11-12, 12/11 2026,
// 12 november 2026, 12 nov, 20261112) and returns it as ISO 8601. A date
// without a year takes the year of ref, or the year before when that would
// put it more than a month after ref. What cannot be read is returned as
// written.
func NormalizeDate(s string, ref time.Time) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if ref.IsZero() {
		ref = time.Now()
	}
	if m := isoRe.FindStringSubmatch(s); m != nil {
		return format(atoi(m[1]), atoi(m[2]), atoi(m[3]), s)
	}
	if m := compactRe.FindStringSubmatch(s); m != nil {
		return format(atoi(m[1]), atoi(m[2]), atoi(m[3]), s)
	}
	if m := textRe.FindStringSubmatch(s); m != nil {
		if mon, ok := months[strings.ToLower(m[2])]; ok {
			return format(year(m[3], mon, atoi(m[1]), ref), mon, atoi(m[1]), s)
		}
	}
	if m := dmyRe.FindStringSubmatch(s); m != nil {
		return format(year(m[3], atoi(m[2]), atoi(m[1]), ref), atoi(m[2]), atoi(m[1]), s)
	}
	return s
}

func year(y string, month, day int, ref time.Time) int {
	switch len(y) {
	case 4:
		return atoi(y)
	case 2:
		return 2000 + atoi(y)
	}
	t := time.Date(ref.Year(), time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.After(ref.AddDate(0, 1, 0)) {
		return ref.Year() - 1
	}
	return ref.Year()
}

func format(y, m, d int, orig string) string {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		return orig
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

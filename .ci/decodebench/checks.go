package main

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The checks below are applied, unchanged, to what each decoder returned.
// Each returns "" when the value passes, else a short reason.

// encodedWord matches an RFC 2047 encoded word left undecoded.
var encodedWord = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// checkSubject: non-empty, valid UTF-8, no leftover encoded word, not
// garbled.
func checkSubject(s string) string {
	if strings.TrimSpace(s) == "" {
		return "empty"
	}
	if why := checkTextCommon(s); why != "" {
		return why
	}
	if encodedWord.MatchString(s) {
		return "encoded word left: " + quote(encodedWord.FindString(s))
	}
	if n := strings.Count(s, "\uFFFD"); n > 0 {
		return fmt.Sprintf("%d replacement character(s)", n)
	}
	return ""
}

// checkSender: an address with an @ and something on both sides of it.
func checkSender(addr string) string {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "no address"
	}
	at := strings.LastIndex(addr, "@")
	if at <= 0 || at == len(addr)-1 {
		return "no user@domain: " + quote(addr)
	}
	if !utf8.ValidString(addr) {
		return "invalid UTF-8: " + quote(addr)
	}
	return ""
}

// checkBody: non-empty, valid UTF-8, no transfer encoding or MIME
// structure left in it, not garbled.
func checkBody(s string) string {
	if strings.TrimSpace(s) == "" {
		return "empty"
	}
	if why := checkTextCommon(s); why != "" {
		return why
	}
	if n := qpLeft(s); n >= 2 {
		return fmt.Sprintf("quoted-printable left (score %d)", n)
	}
	if m := mimeLeft.FindString(s); m != "" {
		return "MIME part left in text: " + quote(m)
	}
	if n := base64Lines(s); n >= 3 {
		return fmt.Sprintf("base64 left (%d lines)", n)
	}
	if n, letters := strings.Count(s, "\uFFFD"), countLetters(s); n > 0 && n*100 > letters {
		return fmt.Sprintf("%d replacement characters in %d letters", n, letters)
	}
	return ""
}

// checkTextCommon: valid UTF-8, no control characters (C0 but tab and
// line breaks, DEL, C1: a C1 character is a Windows-1252 byte read as
// Latin-1), no mojibake.
func checkTextCommon(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' || r >= 0x7f && r <= 0x9f {
			return fmt.Sprintf("control character %U", r)
		}
	}
	if m := mojibake(s); m != "" {
		return "mojibake " + quote(m)
	}
	return ""
}

// cp1252High is how Windows-1252 shows the bytes 0x80-0x9F; with
// U+0080-U+00BF (Latin-1) they are what a UTF-8 continuation byte looks
// like when UTF-8 is read as a single-byte charset.
const cp1252High = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

func isContinuationLook(r rune) bool {
	return r >= 0x80 && r <= 0xBF || strings.ContainsRune(cp1252High, r)
}

// mojibake returns the first sequence that looks like UTF-8 (or another
// multi-byte charset) read as Latin-1 or Windows-1252: a lead byte
// (Â-ß for two bytes, à-ï for three) followed by the continuation bytes
// it needs, e.g. "Ã¤" for "ä" or "â€™" for "’"; or "" when none does.
func mojibake(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		need := 0
		switch {
		case r >= 0xC2 && r <= 0xDF:
			need = 1
		case r >= 0xE0 && r <= 0xEF:
			need = 2
		default:
			continue
		}
		if i+need >= len(rs) {
			continue
		}
		ok := true
		for j := 1; j <= need; j++ {
			if !isContinuationLook(rs[i+j]) {
				ok = false
				break
			}
		}
		if ok {
			return string(rs[i : i+need+1])
		}
	}
	return ""
}

var (
	qpPair    = regexp.MustCompile(`=[0-9A-F]{2}=[0-9A-F]{2}`)
	qpEscaped = regexp.MustCompile(`=3D["']|=20\r?$|=09\r?$`)
)

// qpLeft scores signs of quoted-printable left in decoded text: two
// escapes in a row (an encoded multi-byte character) and an escaped quote
// mark or trailing blank count 2 each, a long line ending in a soft line
// break 1; checkBody fails a score of 2 or more.
func qpLeft(s string) int {
	n := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, "\r")
		n += 2 * len(qpPair.FindAllString(line, -1))
		n += 2 * len(qpEscaped.FindAllString(line, -1))
		if len(line) >= 60 && strings.HasSuffix(line, "=") && !strings.HasSuffix(line, "==") {
			n++
		}
	}
	return n
}

// mimeLeft matches a boundary line followed by part headers: a
// multipart shown as text instead of being split into its parts.
var mimeLeft = regexp.MustCompile(`(?im)^--[^\s]{2,}[ \t]*\r?\n(?:[a-z-]+:.*\r?\n){0,4}content-(?:type|transfer-encoding|disposition):`)

var b64Line = regexp.MustCompile(`^[A-Za-z0-9+/]{60,}={0,2}$`)

// base64Lines counts lines of base64 outside PGP armour.
func base64Lines(s string) int {
	n := 0
	armour := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "-----BEGIN "):
			armour = true
		case strings.HasPrefix(line, "-----END "):
			armour = false
		case !armour && b64Line.MatchString(line) && hasMixedCase(line):
			n++
		}
	}
	return n
}

// hasMixedCase tells base64 from a long run of one letter or digits.
func hasMixedCase(s string) bool {
	var lo, up, dig bool
	for _, r := range s {
		lo = lo || unicode.IsLower(r)
		up = up || unicode.IsUpper(r)
		dig = dig || unicode.IsDigit(r)
	}
	return lo && up && dig
}

func countLetters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// quote shortens s for a one-line report.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

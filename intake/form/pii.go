package form

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

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

const (
	kindPNR  = "personnummer"
	kindSamo = "samordningsnummer"
)

// A personnummer as people write it
//
// This is the one definition of a written personnummer; FindPII, MaskPII
// and MaskPIIOutgoing all use it.
//
// The number is ten digits YYMMDD NNNC, or twelve with the century (18,
// 19 or 20) in front. It is written as digit groups, and the groups it may
// be written in are
//
//	YYMMDDNNNC       YYYYMMDDNNNC       one group
//	YYMMDD NNNC      YYYYMMDD NNNC      date, number
//	YY MM DD NNNC    YYYY MM DD NNNC    date in parts, number
//
// A group is a maximal run of digits: decimal digits of any script
// (ASCII, full-width, Arabic-Indic…; unicode.IsDigit) and the characters
// NFKC turns into digits (superscript ⁸, subscript ₈, circled ⑧; ⑱ is two
// digits). Invisible format characters (Unicode Cf: soft hyphen,
// zero-width space and joiners, word joiner, BOM, direction marks, also as
// HTML entities) inside it are skipped, so a group is never part of a
// longer run of digits. A number broken inside a group at a line break
// ("81121\n> 8-9876", a wrapped or quoted line) is read again with line
// breaks inside groups skipped too, when it is no number as written.
// Between two groups stands a run of separators, of any length: white
// space of any kind, line breaks included, and after a line break the
// quote markers of a reply ("> >", "&gt;"); every dash (Unicode Pd) and
// U+2212 minus; '+', '.', '/' and the characters NFKC turns into them
// (full-width, superscript ⁻ and ⁺…); an HTML tag of up to maxTag bytes
// such as <br>, </p> or Outlook's <span style="…">; an HTML entity for any
// of these (&nbsp;, &ndash;, &#8209;…). The date must be a real one:
// month 1–12, day 1 to the month's last day (29 February only in a leap
// year), or that plus 60 for a samordningsnummer.
//
// The last group NNNC is not taken when it can be a year (1800–2099) and
// a month and a day follow it (and no number starts at them): "2026-11-12
// – 2026-11-20" is a range of dates, not 20261112-2026 and then 11-20;
// "811218-3555 12/11" is a personnummer and a date.
//
// With a valid Luhn check digit such a number is a personnummer (FindPII,
// MaskPII). Text that leaves the förbund masks more (MaskPIIOutgoing),
// whatever the check digit, when the date is valid and the number is
// written YYMMDD-NNNC or YYYYMMDD-NNNC (any separator before NNNC), or
// with the date in parts and a dash, minus or plus before NNNC, or in any
// spelling right after a word that says what it is ("personnummer",
// "pnr", "född", "f." …; see pnrWords).
//
// The scan is linear: a try at a number reads a bounded number of groups
// and the runs between them, so every byte is read a bounded number of
// times however long a run is; a group read across line breaks stops at
// 13 digits, and a tag is read up to the next '<'. It allocates nothing
// of its own.

// maxTag bounds the bytes of an HTML tag taken as a separator.
const maxTag = 4 << 10

// pnrScan modes.
const (
	modeLuhn     = iota // a valid check digit (FindPII, MaskPII)
	modeOutgoing        // also the shape or a word before it (MaskPIIOutgoing)
)

// pnrGroup is one group of digits.
type pnrGroup struct {
	start, end int // bytes, from the first digit to just after the last
	n          int // digits, counted up to a limit
	d          [12]byte
}

// pnrFound is one number found: its span and its digits.
type pnrFound struct {
	start, end int
	twelve     bool
	kind       string
}

// pnrScanner reads the numbers of one text.
type pnrScanner struct {
	s    string
	mode int
	// join: a line break (and quote markers) between two digits is inside
	// their group. wrapped: a group read without join ended at one.
	join, wrapped bool
}

// scanPNR calls emit, in order, for each number in s that mode takes.
func scanPNR(s string, mode int, emit func(pnrFound)) {
	sc := pnrScanner{s: s, mode: mode}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < '0' || c > '9' {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(s[i:]); !isDigitRune(r) {
			i += size
			continue
		}
		f, end, ok := sc.numberAt(i, true)
		if ok {
			emit(f)
			i = f.end
			continue
		}
		i = end
	}
}

// numberAt tries a number whose first group starts at i: as written, and
// then, if a group it read ended at a line break before a digit, with
// such breaks inside groups. Without a number, end is where the group at i
// ends as written. The check that a date does not follow is made when look
// is set.
func (sc *pnrScanner) numberAt(i int, look bool) (f pnrFound, end int, ok bool) {
	join, wrapped := sc.join, sc.wrapped
	sc.join, sc.wrapped = false, false
	g := sc.readGroup(i, -1)
	end = g.end
	f, ok = sc.matchPNR(&g, look)
	if !ok && sc.wrapped {
		// A joined group may run on past many line breaks: it is read up
		// to one digit more than a number has, so that no try reads far.
		sc.join = true
		g = sc.readGroup(i, 12)
		f, ok = sc.matchPNR(&g, look)
	}
	sc.join, sc.wrapped = join, wrapped
	return f, end, ok
}

// matchPNR tries a number whose first group is g0.
func (sc *pnrScanner) matchPNR(g0 *pnrGroup, look bool) (pnrFound, bool) {
	f, ok := sc.matchShaped(g0, look)
	if !ok && sc.mode == modeOutgoing {
		return sc.matchAnyGrouping(g0, look)
	}
	return f, ok
}

// matchAnyGrouping is for text that leaves the förbund: the ten or twelve
// digits of a valid, Luhn-checked number in any grouping ("8112 189876",
// "811 218 98 76"), not inside a longer run of groups.
func (sc *pnrScanner) matchAnyGrouping(g0 *pnrGroup, look bool) (pnrFound, bool) {
	var dig [12]byte
	if g0.n > 12 {
		return pnrFound{}, false
	}
	nd := copy(dig[:], g0.d[:g0.n])
	end := g0.end
	for nd < 10 {
		j, _, ok := sc.readSep(end)
		if !ok {
			return pnrFound{}, false
		}
		g := sc.readGroup(j, 12)
		if g.n > 12-nd {
			return pnrFound{}, false
		}
		nd += copy(dig[nd:], g.d[:g.n])
		end = g.end
	}
	// Twelve digits when the groups go on to two more; ten otherwise.
	if nd == 10 {
		if j, _, ok := sc.readSep(end); ok {
			if g := sc.readGroup(j, 3); g.n <= 2 && nd+g.n == 12 {
				copy(dig[nd:], g.d[:g.n])
				nd, end = 12, g.end
			}
		}
	}
	if nd != 10 && nd != 12 || nd == 12 && !(dig[0] == 1 && (dig[1] == 8 || dig[1] == 9) || dig[0] == 2 && dig[1] == 0) {
		return pnrFound{}, false
	}
	kind, ok := pnrDate(dig[:nd])
	if !ok || !luhnDigits(dig[nd-10:nd]) {
		return pnrFound{}, false
	}
	// A year followed by a month and a day is a date (as for the shaped
	// groupings).
	if look && yearLike(dig[nd-4:nd]) && sc.looksLikeDateAfter(end) {
		return pnrFound{}, false
	}
	// Not when more digits follow right after: part of a longer number.
	if j, _, ok := sc.readSep(end); ok {
		if g := sc.readGroup(j, 1); g.n > 0 && j-end <= 1 {
			return pnrFound{}, false
		}
	}
	return pnrFound{start: g0.start, end: end, twelve: nd == 12, kind: kind}, true
}

// matchShaped tries the groupings people write a number in (see the
// definition above).
func (sc *pnrScanner) matchShaped(g0 *pnrGroup, look bool) (pnrFound, bool) {
	var want []int // lengths of the groups after g0
	switch g0.n {
	case 10, 12:
	case 6, 8:
		want = []int{4}
	case 2, 4:
		want = []int{2, 2, 4}
	default:
		return pnrFound{}, false
	}
	var dig [12]byte
	nd := copy(dig[:], g0.d[:g0.n])
	end := g0.end
	dashBeforeLast := false
	for k, w := range want {
		j, dash, ok := sc.readSep(end)
		if !ok {
			return pnrFound{}, false
		}
		g := sc.readGroup(j, 13)
		if g.n != w {
			return pnrFound{}, false
		}
		nd += copy(dig[nd:], g.d[:g.n])
		end = g.end
		if k == len(want)-1 {
			dashBeforeLast = dash
		}
	}
	twelve := nd == 12
	if twelve && !(dig[0] == 1 && (dig[1] == 8 || dig[1] == 9) || dig[0] == 2 && dig[1] == 0) {
		return pnrFound{}, false
	}
	kind, ok := pnrDate(dig[:nd])
	if !ok {
		return pnrFound{}, false
	}
	switch {
	case luhnDigits(dig[nd-10 : nd]):
	case sc.mode != modeOutgoing:
		return pnrFound{}, false
	case len(want) == 1: // YYMMDD-NNNC, YYYYMMDD-NNNC
	case len(want) == 3 && dashBeforeLast: // 81 12 18-9876, 1981-12-18-9876
	case wordBefore(sc.s, g0.start):
	default:
		return pnrFound{}, false
	}
	if look && len(want) > 0 && yearLike(dig[nd-4:nd]) && sc.looksLikeDateAfter(end) {
		return pnrFound{}, false
	}
	return pnrFound{start: g0.start, end: end, twelve: twelve, kind: kind}, true
}

// readGroup reads the group of digits at i, counting at most limit+1
// digits when limit >= 0 (then n > limit says "too long" and end is
// wherever the count stopped).
func (sc *pnrScanner) readGroup(i, limit int) pnrGroup {
	s := sc.s
	g := pnrGroup{start: i, end: i}
	for i < len(s) {
		if v, n, size := digitAt(s, i); size > 0 {
			if n == 2 {
				g.add(v / 10)
				v %= 10
			}
			g.add(v)
			i += size
			g.end = i
			if limit >= 0 && g.n > limit {
				return g
			}
			continue
		}
		// Invisible characters inside the group, and with join line
		// breaks and quote markers, if a digit follows.
		j, broken := i, false
		for j < len(s) {
			if size := invisibleAt(s, j); size > 0 {
				j += size
				continue
			}
			size := lineBreakAt(s, j)
			if size == 0 || broken {
				break
			}
			k := quoteMarkers(s, j+size)
			if !sc.join {
				// Worth a try with join if a digit follows.
				if _, _, size := digitAt(s, k); size > 0 {
					sc.wrapped = true
				}
				break
			}
			j, broken = k, true
		}
		if j == i {
			break
		}
		if _, _, size := digitAt(s, j); size == 0 {
			break
		}
		i = j
	}
	return g
}

// add appends a digit, counting those beyond 12.
func (g *pnrGroup) add(v byte) {
	if g.n < len(g.d) {
		g.d[g.n] = v
	}
	g.n++
}

// readSep reads the run of separators at i: it returns where the next
// group starts, whether the run holds a dash, minus or plus, and whether
// it is a run of at least one separator followed by a digit.
func (sc *pnrScanner) readSep(i int) (next int, dash, ok bool) {
	s := sc.s
	start := i
	for i < len(s) {
		if _, _, size := digitAt(s, i); size > 0 {
			return i, dash, i > start
		}
		c := s[i]
		size, d := sepAt(s, i)
		if size == 0 {
			break
		}
		dash = dash || d
		i += size
		if c == '\n' || c == '\r' || c == '<' {
			// A line break or a tag: a reply's quote markers may follow.
			i = quoteMarkers(s, i)
		}
	}
	return i, dash, false
}

// lineBreakAt returns the size of the line break at s[i] ("\n", "\r\n",
// "\r"), or 0.
func lineBreakAt(s string, i int) int {
	switch {
	case s[i] == '\n':
		return 1
	case s[i] != '\r':
		return 0
	case i+1 < len(s) && s[i+1] == '\n':
		return 2
	}
	return 1
}

// quoteMarkers returns where the quote markers of a reply's line (">",
// "> >", ">>", "&gt; ") at i end.
func quoteMarkers(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == '>':
			i++
		case s[i] == ' ' || s[i] == '\t':
			i++
		case strings.HasPrefix(s[i:], "&gt;"):
			i += len("&gt;")
		default:
			return i
		}
	}
	return i
}

// looksLikeDateAfter reports whether the text at i (just after a
// four-digit group) goes on with two groups of two digits, as YYYY-MM-DD
// does: then the four digits are a year, not the end of a personnummer.
// Not when a number starts at either of the two groups: "1981-12-18-9876
// 81 12 18-9876" is two numbers. (Masking removes only groups that begin
// a number, so the answer is the same on masked text, and masking twice
// masks what masking once does.)
func (sc *pnrScanner) looksLikeDateAfter(i int) bool {
	s := sc.s
	var sep string
	for k := 0; k < 2; k++ {
		j, _, ok := sc.readSep(i)
		if !ok {
			return false
		}
		// A date's parts are joined by one "-", "/" or ".", the same
		// twice: "1858 12/11" is a number, then a date.
		if j-i != 1 || !strings.ContainsAny(s[i:j], "-/.") || k == 1 && s[i:j] != sep {
			return false
		}
		sep = s[i:j]
		g := sc.readGroup(j, 3)
		if g.n != 2 {
			return false
		}
		// A month, then a day: "3555 12/11" after a number is no date.
		if v := int(g.d[0])*10 + int(g.d[1]); v < 1 || k == 0 && v > 12 || k == 1 && v > 31 {
			return false
		}
		if _, _, ok := sc.numberAt(j, false); ok {
			return false
		}
		i = g.end
	}
	return true
}

// yearLike reports whether four digits can be a year (1800–2099), the
// only four-digit group a date YYYY-MM-DD starts with.
func yearLike(d []byte) bool {
	return len(d) == 4 && (d[0] == 1 && d[1] >= 8 || d[0] == 2 && d[1] == 0)
}

// digitAt returns the digits of the character at s[i] (see runeDigits)
// and its size, or size 0 when it stands for none.
func digitAt(s string, i int) (v byte, n, size int) {
	if i >= len(s) {
		return 0, 0, 0
	}
	c := s[i]
	if c < utf8.RuneSelf {
		if c >= '0' && c <= '9' {
			return c - '0', 1, 1
		}
		return 0, 0, 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if v, n := runeDigits(r); n > 0 {
		return v, n, size
	}
	return 0, 0, 0
}

// isDigitRune reports whether r stands for digits (see runeDigits).
func isDigitRune(r rune) bool {
	_, n := runeDigits(r)
	return n > 0
}

// runeDigits returns what r reads as after NFKC: one digit for a decimal
// digit of any script (Unicode Nd) and for a superscript, subscript or
// circled digit (¹, ⁸, ₈, ⑧, ⓪); two digits for a circled number ⑩–㊿
// (value 10–50). n is 0 for anything else. TestRuneDigits checks this
// against NFKC over all of Unicode.
func runeDigits(r rune) (v byte, n int) {
	switch {
	case r < utf8.RuneSelf:
		if r >= '0' && r <= '9' {
			return byte(r - '0'), 1
		}
		return 0, 0
	case r < 0x660: // no decimal digits between ASCII and Arabic-Indic
		switch r {
		case '¹':
			return 1, 1
		case '²':
			return 2, 1
		case '³':
			return 3, 1
		}
		return 0, 0
	case r >= 0x2070 && r <= 0x32BF: // no decimal digits here
		return compatDigits(r)
	}
	if v, ok := decimalDigit(r); ok {
		return v, 1
	}
	return 0, 0
}

// compatDigits is runeDigits from U+2070 to U+32BF.
func compatDigits(r rune) (byte, int) {
	switch {
	case r == 0x2070 || r == 0x24EA: // ⁰ ⓪
		return 0, 1
	case r >= 0x2074 && r <= 0x2079: // ⁴–⁹
		return byte(r - 0x2070), 1
	case r >= 0x2080 && r <= 0x2089: // ₀–₉
		return byte(r - 0x2080), 1
	case r >= 0x2460 && r <= 0x2468: // ①–⑨
		return byte(r - 0x245F), 1
	case r >= 0x2469 && r <= 0x2473: // ⑩–⑳
		return byte(r - 0x245F), 2
	case r >= 0x3251 && r <= 0x325F: // ㉑–㉟
		return byte(r - 0x3251 + 21), 2
	case r >= 0x32B1 && r <= 0x32BF: // ㊱–㊿
		return byte(r - 0x32B1 + 36), 2
	}
	return 0, 0
}

// digitValue is the value of a Unicode decimal digit (0 for others).
func digitValue(r rune) byte {
	v, _ := decimalDigit(r)
	return v
}

// decimalDigit reports whether r is a decimal digit (Unicode Nd, as
// unicode.IsDigit) and its value. Decimal digits come in runs of ten from
// zero to nine (a Unicode stability policy), and each range of unicode.Nd
// starts with a zero.
func decimalDigit(r rune) (byte, bool) {
	if r < 0x80 {
		return byte(r - '0'), r >= '0' && r <= '9'
	}
	if r <= 0xFFFF {
		t := unicode.Nd.R16
		lo, hi := 0, len(t)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			switch {
			case r < rune(t[m].Lo):
				hi = m
			case r > rune(t[m].Hi):
				lo = m + 1
			default:
				return byte((r - rune(t[m].Lo)) % 10), true
			}
		}
		return 0, false
	}
	t := unicode.Nd.R32
	lo, hi := 0, len(t)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case r < rune(t[m].Lo):
			hi = m
		case r > rune(t[m].Hi):
			lo = m + 1
		default:
			return byte((r - rune(t[m].Lo)) % 10), true
		}
	}
	return 0, false
}

// invisibleAt returns the size of the invisible (format) character at
// s[i], written as such or as an HTML entity, or 0.
func invisibleAt(s string, i int) int {
	if s[i] == '&' {
		if r, size := entityAt(s, i); size > 0 && unicode.Is(unicode.Cf, r) {
			return size
		}
		return 0
	}
	if s[i] < utf8.RuneSelf {
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if unicode.Is(unicode.Cf, r) {
		return size
	}
	return 0
}

// sepAt returns the size of the separator at s[i] (0 if there is none)
// and whether it is a dash, a minus or a plus.
func sepAt(s string, i int) (int, bool) {
	c := s[i]
	switch {
	case c == '<':
		return tagAt(s, i), false
	case c == '&':
		r, size := entityAt(s, i)
		if size == 0 {
			return 0, false
		}
		if ok, dash := sepRune(r); ok {
			return size, dash
		}
		return 0, false
	case c < utf8.RuneSelf:
		ok, dash := sepRune(rune(c))
		if ok {
			return 1, dash
		}
		return 0, false
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if ok, dash := sepRune(r); ok {
		return size, dash
	}
	return 0, false
}

// sepRune reports whether r separates the groups of a personnummer, and
// whether it is a dash, a minus or a plus.
func sepRune(r rune) (ok, dash bool) {
	switch r {
	case '-', '+', '\u2212', '\uFF0B', '\u2796', '\u2795', '\uFE62', '\uFB29', '\u207A', '\u208A', '\u207B', '\u208B':
		return true, true
	case '.', '/', '\uFF0E', '\uFF0F', '\u2044', '\u2215', '\u00B7', '\u0387', '\u2027', '\u2024', '\u3002', '\uFF61', '\uFE12', '\uFE52':
		return true, false
	}
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f', false
	}
	switch {
	case unicode.Is(unicode.Pd, r):
		return true, true
	case unicode.IsSpace(r), unicode.Is(unicode.Zs, r), unicode.Is(unicode.Cf, r):
		return true, false
	}
	return false, false
}

// tagAt returns the size of the HTML tag at s[i] ("<br>", "<br />",
// "</p>", "<span style=\"…\">", attributes over several lines too), or
// 0. A '>' inside a quoted attribute value does not end it; a '<' ends
// the try, so that each byte is read by one try at most.
func tagAt(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '/' {
		j++
	}
	if j >= len(s) || !('a' <= s[j]|0x20 && s[j]|0x20 <= 'z') {
		return 0
	}
	var quote byte
	for k := j; k < len(s) && k-i < maxTag; k++ {
		switch c := s[k]; {
		case c == '<':
			return 0
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return k + 1 - i
		}
	}
	return 0
}

var htmlEntities = map[string]rune{
	"nbsp": '\u00A0', "ensp": '\u2002', "emsp": '\u2003', "thinsp": '\u2009',
	"ndash": '\u2013', "mdash": '\u2014', "minus": '\u2212', "hyphen": '\u2010',
	"dash": '\u2010', "plus": '+', "period": '.', "sol": '/', "shy": '\u00AD',
	"zwj": '\u200D', "zwnj": '\u200C', "lrm": '\u200E', "rlm": '\u200F',
	"NewLine": '\n', "Tab": '\t', "NoBreak": '\u2060',
}

// entityAt decodes the HTML entity at s[i] ("&nbsp;", "&#8211;",
// "&#x2011;") when it is one this file cares about.
func entityAt(s string, i int) (rune, int) {
	end := strings.IndexByte(s[i+1:min(len(s), i+12)], ';')
	if end < 1 {
		return 0, 0
	}
	name := s[i+1 : i+1+end]
	size := end + 2
	if name[0] != '#' {
		r, ok := htmlEntities[name]
		if !ok {
			return 0, 0
		}
		return r, size
	}
	name = name[1:]
	base := rune(10)
	if name != "" && (name[0] == 'x' || name[0] == 'X') {
		base, name = 16, name[1:]
	}
	if name == "" || len(name) > 7 {
		return 0, 0
	}
	var r rune
	for k := 0; k < len(name); k++ {
		c := rune(name[k])
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case base == 16 && c|0x20 >= 'a' && c|0x20 <= 'f':
			c = (c | 0x20) - 'a' + 10
		default:
			return 0, 0
		}
		r = r*base + c
	}
	if r > unicode.MaxRune {
		return 0, 0
	}
	return r, size
}

// pnrDate checks the date of a ten- or twelve-digit number and tells a
// personnummer from a samordningsnummer (day + 60).
func pnrDate(d []byte) (string, bool) {
	year, leapKnown := 0, false
	if len(d) == 12 {
		year = int(d[0])*1000 + int(d[1])*100 + int(d[2])*10 + int(d[3])
		leapKnown = true
		d = d[2:]
	} else {
		year = int(d[0])*10 + int(d[1])
	}
	month := int(d[2])*10 + int(d[3])
	day := int(d[4])*10 + int(d[5])
	kind := kindPNR
	if day > 60 {
		day -= 60
		kind = kindSamo
	}
	if month < 1 || month > 12 || day < 1 {
		return "", false
	}
	last := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month]
	if month == 2 && year%4 == 0 && (!leapKnown || year%100 != 0 || year%400 == 0) {
		last = 29
	}
	if day > last {
		return "", false
	}
	return kind, true
}

// luhnDigits checks the last of ten digits (weights 2,1,2,1,…).
func luhnDigits(d []byte) bool {
	sum := 0
	for i, n := range d {
		v := int(n)
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// pnrWords say that the number after them is a personnummer. Lower case;
// a word ending in '.' is written with it.
var pnrWords = []string{
	"personnummer", "personnumret", "personnumer", "personnr", "personnr.", "pers.nr", "pers.nr.", "persnr",
	"pnr", "pnr.", "p-nr", "p-nr.", "p.nr", "p.nr.",
	"samordningsnummer", "samordningsnumret", "samordningsnr", "samordningsnr.", "samordnings-nr", "samo-nr",
	"född", "född den", "f.", "personal identity number", "personal number",
}

// wordBefore reports whether one of pnrWords stands right before i, with
// only blanks, ':' or '=' between.
func wordBefore(s string, i int) bool {
	j := i
	for n := 0; j > 0 && n < 4; n++ {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		if r != ':' && r != '=' && r != '(' && !unicode.IsSpace(r) {
			break
		}
		j -= size
	}
	for _, w := range pnrWords {
		if j < len(w) {
			continue
		}
		k := j - len(w)
		if !utf8.RuneStart(s[k]) || !strings.EqualFold(s[k:j], w) {
			continue
		}
		if prev, _ := utf8.DecodeLastRuneInString(s[:k]); k == 0 || !unicode.IsLetter(prev) && !unicode.IsDigit(prev) {
			return true
		}
	}
	return false
}

// FindPII returns the personnummer and samordningsnummer in s, in order:
// the numbers written as the comment on scanPNR describes, with a valid
// date and check digit.
func FindPII(s string) []PII {
	out := []PII{} // not nil: "pii": [] in JSON, as before
	scanPNR(s, modeLuhn, func(f pnrFound) {
		out = append(out, PII{Kind: f.kind, Text: s[f.start:f.end]})
	})
	return out
}

// MaskPII replaces every personnummer and samordningsnummer in s (those
// FindPII finds), with whatever separates its groups, by a placeholder of
// the same form (Mask10 or Mask12). The rest of s is kept byte for byte.
func MaskPII(s string) string { return maskPNR(s, modeLuhn) }

// MaskPIIOutgoing is MaskPII for text that leaves the förbund: a
// published case, a report, a forward (Deidentify uses it). Besides every
// number MaskPII masks, it masks a number with a valid date written in the
// shape of a personnummer, with a separator before the last four digits
// (YYMMDD-NNNN, YYYYMMDD-NNNN, 81 12 18-9876, any separator MaskPII
// knows), whatever its check digit, and a number in any spelling with a
// valid date right after a word such as personnummer, pnr, p-nr,
// personnr, samordningsnummer, samordningsnr, född or f. (in any case): a
// mistyped personnummer still points at a person. Intake keeps to the
// check digit (FindPII, MaskPII), so that dates and reference numbers in a
// case stay readable to the process leader.
//
// Candidates may overlap ("1881 12 1 8 9876 1881 12 18 99 18"): the scan
// takes one of two overlapping numbers, and masking it can leave the
// other whole. So the masking runs again until a pass changes nothing;
// each pass turns digits into letters, so it ends.
func MaskPIIOutgoing(s string) string {
	for {
		m := maskPNR(maskPNR(s, modeLuhn), modeOutgoing)
		if m == s {
			return s
		}
		s = m
	}
}

// maskPNR streams s into a builder, the numbers mode takes replaced.
func maskPNR(s string, mode int) string {
	var b strings.Builder
	prev, found := 0, false
	scanPNR(s, mode, func(f pnrFound) {
		if !found {
			// Sized to the input once; masks are at most a few bytes
			// longer than the numbers they replace.
			b.Grow(len(s) + len(s)/8 + len(Mask12))
			found = true
		}
		b.WriteString(s[prev:f.start])
		if f.twelve {
			b.WriteString(Mask12)
		} else {
			b.WriteString(Mask10)
		}
		prev = f.end
	})
	if !found {
		return s
	}
	b.WriteString(s[prev:])
	return b.String()
}

// Package quote strips quoted history from the text of a reply, so that a
// case's timeline holds what each person newly wrote.
//
// It recognises the blocks Swedish and English mail clients add: Outlook's
// "Från:/Skickat:/Till:/Ämne:" and "From:/Sent:" headers (with or without
// the line of underscores above them), "-----Ursprungligt meddelande-----"
// and "-----Original Message-----", the attribution lines "Den … skrev …:"
// and "On … wrote:" (also when a client wraps them over two lines), Apple
// Mail's "12 nov. 2026 kl. 10:14 skrev …:", and ">" quotes. A "-- "
// signature and "Skickat från min iPhone" are cut too.
package quote

import (
	"regexp"
	"strings"
)

var (
	separatorRe = regexp.MustCompile(`(?i)^\s*(-{3,}\s*(ursprungligt meddelande|original message|vidarebefordrat meddelande|forwarded message)\s*-*|_{20,}|begin forwarded message:|början på vidarebefordrat meddelande:)\s*$`)
	headerRe    = regexp.MustCompile(`(?i)^\s*\*?(från|from|skickat|sent|datum|date|till|to|ämne|subject|kopia|cc)\s*:\*?\s`)
	fromRe      = regexp.MustCompile(`(?i)^\s*\*?(från|from)\s*:\*?\s`)
	attribRe    = regexp.MustCompile(`(?i)^\s*(den|on|am|le|\d+)\b.*\b(skrev|wrote|schrieb|a écrit)\b.*:\s*$`)
	timeOrMail  = regexp.MustCompile(`\d{1,2}[:.]\d{2}|@`)
	sigRe       = regexp.MustCompile(`(?i)^(-- ?|skickat från min .*|sent from my .*|hämta outlook för .*|get outlook for .*)$`)
)

// Cut returns the lines of text before its quoted history begins. Quoted
// lines interleaved with new ones (inline answers) keep the new ones, also
// below the attribution line that introduces the quote.
func Cut(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	end := len(lines)
	drop := map[int]bool{}
	for i := 0; i < len(lines); i++ {
		if !isQuoteStart(lines, i) {
			continue
		}
		if n := attributionLines(lines, i); n > 0 && interleaved(lines[i+n:]) {
			// Inline answers: only the attribution goes.
			for k := i; k < i+n; k++ {
				drop[k] = true
			}
			i += n - 1
			continue
		}
		end = i
		break
	}
	var out []string
	for i, l := range lines[:end] {
		if drop[i] {
			continue
		}
		t := strings.TrimSpace(l)
		if sigRe.MatchString(t) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		out = append(out, strings.TrimRight(l, " \t"))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

func isQuoteStart(lines []string, i int) bool {
	l := lines[i]
	if separatorRe.MatchString(l) {
		return true
	}
	// An Outlook header block: "Från:" followed within four lines by
	// another header field.
	if fromRe.MatchString(l) {
		for j := i + 1; j < len(lines) && j <= i+4; j++ {
			if headerRe.MatchString(lines[j]) && !fromRe.MatchString(lines[j]) {
				return true
			}
		}
	}
	return attributionLines(lines, i) > 0
}

// attributionLines returns how many lines, from line i, an attribution
// takes: 1, 2 when the client wrapped it, or 0 when there is none.
func attributionLines(lines []string, i int) int {
	if isAttribution(lines[i]) {
		return 1
	}
	// Not a line of new text followed by a whole attribution line.
	if i+1 < len(lines) && !isAttribution(lines[i+1]) &&
		isAttribution(strings.TrimSpace(lines[i])+" "+strings.TrimSpace(lines[i+1])) {
		return 2
	}
	return 0
}

// interleaved reports whether the lines after an attribution answer its
// quote inline: ">" lines, then new text, then ">" lines again.
func interleaved(lines []string) bool {
	state := 0 // 0 before the quote, 1 in it, 2 in new text after it
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
		case strings.HasPrefix(t, ">"):
			if state == 2 {
				return true
			}
			state = 1
		case state == 0:
			return false // no ">" quote follows the attribution
		default:
			state = 2
		}
	}
	return false
}

// isAttribution reports whether l is a line like "Den 12 nov. 2026 kl.
// 10:14 skrev Anna <anna@…>:": it starts with a date word, names a time or
// an address, and ends in "skrev …:" or "wrote:".
func isAttribution(l string) bool {
	return len(l) < 400 && attribRe.MatchString(l) && timeOrMail.MatchString(l)
}

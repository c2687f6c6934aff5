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
	attribRe    = regexp.MustCompile(`(?i)^\s*(den|on|am|le|\d)\b.*\b(skrev|wrote|schrieb|a écrit)\b.*:\s*$`)
	timeOrMail  = regexp.MustCompile(`\d{1,2}[:.]\d{2}|@`)
	sigRe       = regexp.MustCompile(`(?i)^(-- ?|skickat från min .*|sent from my .*|hämta outlook för .*|get outlook for .*)$`)
)

// Cut returns the lines of text before its quoted history begins. Quoted
// lines interleaved with new ones (inline answers) keep the new ones.
func Cut(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	end := len(lines)
	for i := 0; i < len(lines); i++ {
		if isQuoteStart(lines, i) {
			end = i
			break
		}
	}
	var out []string
	for _, l := range lines[:end] {
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
	if isAttribution(l) {
		return true
	}
	// An attribution wrapped over two lines by the client.
	return i+1 < len(lines) && isAttribution(strings.TrimSpace(l)+" "+strings.TrimSpace(lines[i+1]))
}

// isAttribution reports whether l is a line like "Den 12 nov. 2026 kl.
// 10:14 skrev Anna <anna@…>:": it starts with a date word, names a time or
// an address, and ends in "skrev …:" or "wrote:".
func isAttribution(l string) bool {
	return len(l) < 400 && attribRe.MatchString(l) && timeOrMail.MatchString(l)
}

package form

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// forwardSepRe matches the line that opens a forwarded or quoted message
// in Gmail ("---------- Forwarded message ---------", "----------
// Vidarebefordrat meddelande ---------"), Outlook ("-----Original
// Message-----", "-----Ursprungligt meddelande-----"), Thunderbird and
// Apple Mail ("Begin forwarded message:", "Vidarebefordrat brev:").
var forwardSepRe = regexp.MustCompile(`(?i)^[-_ ]*(forwarded message|original message|begin forwarded message|` +
	`vidarebefordrat meddelande|vidarebefordrat e-?postmeddelande|vidarebefordrat brev|ursprungligt meddelande)\s*:?[-_ ]*$`)

// mailHeaderRe matches a line of a forwarded or quoted message's header
// block, in English or Swedish: "From: …", "Skickat: …", "Ämne: …".
var mailHeaderRe = regexp.MustCompile(`(?i)^[*_]*(from|från|sent|skickat|date|datum|to|till|cc|kopia|bcc|hemlig kopia|` +
	`subject|ämne|reply-to|svara till|importance|prioritet|attachments|bilagor|bifogade filer)[*_]*\s*:`)

// headerLines marks the lines of text that are the header block of a
// forwarded or quoted message: a separator line (forwardSepRe) and the
// header lines right below it, or, where the client writes no separator
// (Outlook: "Från:", "Skickat:", "Till:", "Ämne:"), a run of header lines
// that names both a sender and a date. A blanket line such as "Datum:
// 2026-11-12" stands among no other header line and is no header, even
// right below a separator.
func headerLines(lines []string) []bool {
	mark := make([]bool, len(lines))
	for i := 0; i < len(lines); {
		j := i
		sep := forwardSepRe.MatchString(strings.TrimSpace(lines[i]))
		if sep {
			j++
			for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
				j++
			}
		}
		var from, date, other bool
		for ; j < len(lines); j++ {
			name, ok := mailHeader(lines[j])
			if !ok {
				break
			}
			switch name {
			case "from", "från":
				from = true
			case "sent", "skickat", "date", "datum":
				date = true
			}
			other = other || (name != "date" && name != "datum")
		}
		if sep || (from && date) {
			end := j
			if !from && !other {
				// A separator with no header lines below it, or only
				// a "Datum:" that is the blanket's.
				end = i + 1
			}
			for k := i; k < end; k++ {
				mark[k] = true
			}
		}
		// A run of header lines that is no block holds none either.
		i = max(j, i+1)
	}
	return mark
}

// mailHeader returns the lower-case name of the mail header line starts
// with, if it starts with one.
func mailHeader(line string) (string, bool) {
	s := strings.TrimSpace(line)
	if s == "" || len(s) > 4096 {
		return "", false
	}
	m := mailHeaderRe.FindStringSubmatch(norm.NFC.String(s))
	if m == nil {
		return "", false
	}
	return strings.ToLower(m[1]), true
}

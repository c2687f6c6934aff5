package classify

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"lexheller/intake/form"
	"lexheller/intake/parse"
	"lexheller/intake/quote"
)

// Automatic replies that carry no automatic header (issue 12, class 8):
// webmail and older Exchange out-of-office replies, inbox rules replying
// with a template, vacation responders behind gateways that drop
// Auto-Submitted. They are recognised by their subject or, when the
// subject is an ordinary reply's, by a text that says nothing but that
// its writer is away.

const (
	// maxOOOText is the longest new text read as an out-of-office
	// message; anything longer says more than that.
	maxOOOText = 1500
	// maxOOOImage is the largest image an auto-reply may carry (a logo in
	// its signature); any other attachment makes it a person's mail.
	maxOOOImage = 100 << 10
	// maxSignature is how many lines after a sign-off are read as the
	// signature and not as text.
	maxSignature = 8
	// referralWindow is how many words after "kontakta", "ring",
	// "contact" or a subject matter ("ärenden som rör", "frågor om") may
	// be anything: the name of a unit, a colleague, a kind of matter.
	referralWindow = 3
)

var (
	// autoMarkerRe matches what an auto-responder puts at the start of
	// the subject it answers.
	autoMarkerRe = regexp.MustCompile(`(?i)^(?:(?:autosvar|auto-svar|automatiskt svar|automatiskt meddelande|frånvaromeddelande|franvaromeddelande|frånvarobesked|out of (?:the )?office|automatic reply|automatic response|auto[ -]?reply|auto[ -]?response|abwesenheitsnotiz|abwesenheit)\b|auto\s*:)`)
	// weakMarkerRe matches subject words of auto-responders that a person
	// may also begin a subject with ("Frånvaro från aktiviteten"): they
	// count only at the very start, as DESIGN.md lists them, not behind a
	// reply prefix, where they may be a case's own subject.
	weakMarkerRe  = regexp.MustCompile(`(?i)^(?:frånvaro|franvaro|frånvarande)\b`)
	replyPrefixRe = regexp.MustCompile(`(?i)^(?:sv|re|aw|antw)\s*(?:\[\d+\])?\s*:\s*`)
	// subjectTagRe matches a tag in brackets: our case tag, or "[EXTERN]"
	// that an organisation's own server adds to mail from outside.
	subjectTagRe = regexp.MustCompile(`^\[[^\[\]]{1,40}\]\s*`)

	// oooCueRe finds the phrase that says the writer is away (in
	// lower-case text with single spaces).
	oooCueRe = regexp.MustCompile(`automatiskt (?:svar|genererat|meddelande)` +
		`|\b(?:jag|han|hon|vi) (?:är|har|kommer att vara|befinner mig|blir)(?: \S+){0,2}? (?:ledig|tjänstledig|föräldraledig|semesterledig|sjukskriven|sjuk|frånvarande|borta|bortrest|semester|på semester|på kurs|på utbildning|på konferens|på tjänsteresa|ute på|inte på kontoret|ej på kontoret|inte i tjänst|ej i tjänst|inte på plats|ej på plats|inte anträffbar|ej anträffbar|inte tillgänglig|ej tillgänglig|otillgänglig)\b` +
		`|\b(?:läser|kollar|bevakar) (?:inte|ej) (?:min |mina )?(?:e-post|epost|mejl|mail)` +
		`|\b(?:inte|ej|begränsad) tillgång till (?:min |mina )?(?:e-post|epost|mejl|mail|dator)` +
		`|\bout of (?:the )?office\b` +
		`|\b(?:i am|i'm|i’m|i will be|i'll be|i’ll be)(?: \S+){0,2}? (?:away|unavailable|not available|on (?:annual |parental |sick |study )?leave|on vacation|on holiday|off work|travelling|traveling)\b` +
		`|\bautomatic(?:ally generated)? (?:reply|response|message)\b` +
		`|\b(?:limited|no) access to (?:my )?e-?mail`)
	// selfDeclaredRe finds a text that calls itself automatic: it may
	// then hold a few words the lexicon lacks.
	selfDeclaredRe = regexp.MustCompile(`automatiskt (?:svar|genererat)|\bautomatic(?:ally generated)? (?:reply|response)|\bthis is an auto`)

	signOffRe = regexp.MustCompile(`^(?:(?i:(?:med )?(?:vänlig|vänliga|bästa|varma|många)? ?hälsning(?:ar)?|mvh|vh|kind regards|best regards|warm regards|regards|best wishes|sincerely|yours sincerely|cheers))(?:[,\s]+\p{Lu}[\p{L}.\-]*){0,3}[,.!]?$|^/\s*\p{Lu}[\p{L}\-]*(?:\s+\p{Lu}[\p{L}\-]*)?$`)
	wordRe    = regexp.MustCompile(`[\p{L}\p{N}@][\p{L}\p{N}@._'’+\-]*`)
)

// subjectMark is how a subject marks an automatic reply.
type subjectMark int

const (
	noMark     subjectMark = iota
	leadMark               // the marker begins the subject, perhaps after a [tag]
	behindMark             // the marker follows reply prefixes ("SV: Autosvar: …")
)

// autoSubject reports how subject marks an automatic reply.
func autoSubject(subject string) subjectMark {
	s := strings.TrimSpace(subject)
	if weakMarkerRe.MatchString(s) {
		return leadMark
	}
	replied := false
	for {
		if loc := subjectTagRe.FindStringIndex(s); loc != nil {
			s = s[loc[1]:]
		} else if loc := replyPrefixRe.FindStringIndex(s); loc != nil {
			s, replied = s[loc[1]:], true
		} else {
			break
		}
	}
	switch {
	case !autoMarkerRe.MatchString(s):
		return noMark
	case replied:
		return behindMark
	}
	return leadMark
}

// outOfOfficeMail returns why m is an automatic reply by its subject or
// text though it has no automatic header, or "". A marker leading the
// subject is enough (DESIGN.md); one behind reply prefixes, or none, needs
// a new text that is empty (for a marked subject) or only an out-of-office
// message, and no attachment but a small image.
func outOfOfficeMail(m *parse.Message) string {
	const without = "automatic reply (out of office) without Auto-Submitted: "
	mark := autoSubject(m.Subject)
	if mark == leadMark {
		return fmt.Sprintf("%sthe subject %q", without, form.MaskPII(m.Subject))
	}
	if !onlyImages(m.Attachments) {
		return ""
	}
	cue, only := outOfOffice(quote.Cut(m.Text))
	switch {
	case !only:
		return ""
	case mark == behindMark:
		return fmt.Sprintf("%sthe subject %q, and the text is only an out-of-office message", without, form.MaskPII(m.Subject))
	case cue != "":
		return fmt.Sprintf("%sthe text is only an out-of-office message (%q)", without, cue)
	}
	return ""
}

// onlyImages reports whether every attachment is a small image, as the
// logo in a signature is.
func onlyImages(as []parse.Attachment) bool {
	for _, a := range as {
		if !strings.HasPrefix(strings.ToLower(a.ContentType), "image/") || a.Size > maxOOOImage {
			return false
		}
	}
	return true
}

// outOfOffice reads text, the new text of a mail, as an out-of-office
// message. cue is the phrase saying its writer is away ("" when none
// does); only is set when the text says nothing else: short, and, but for
// its sign-off and signature, made of words out-of-office messages use,
// names, dates, numbers and addresses. An empty text is only that too.
func outOfOffice(text string) (cue string, only bool) {
	text = strings.TrimSpace(text)
	if len(text) > maxOOOText {
		return "", false
	}
	lines := bodyLines(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"))
	flat := strings.ToLower(strings.Join(strings.Fields(strings.Join(lines, " ")), " "))
	cue = oooCueRe.FindString(flat)
	budget := 0
	if selfDeclaredRe.MatchString(flat) {
		budget = 2
	}
	return cue, uncovered(lines) <= budget
}

// bodyLines returns lines without the sign-off and the signature below it
// or, with no sign-off, without the trailing lines that look like a
// signature. Below a sign-off, sentences (a postscript) and lines past
// maxSignature are text again.
func bodyLines(lines []string) []string {
	for i, l := range lines {
		if !signOffRe.MatchString(strings.TrimSpace(l)) {
			continue
		}
		body, n := lines[:i:i], 0
		for _, s := range lines[i+1:] {
			if strings.TrimSpace(s) != "" {
				n++
			}
			if n > maxSignature || isSentence(s) {
				body = append(body, s)
			}
		}
		return body
	}
	end := len(lines)
	for end > 1 && len(lines)-end < maxSignature && (strings.TrimSpace(lines[end-1]) == "" || signatureLine(lines[end-1])) {
		end--
	}
	return lines[:end]
}

// isSentence reports whether l is a sentence of four words or more.
func isSentence(l string) bool {
	l = strings.TrimSpace(l)
	return len(strings.Fields(l)) >= 4 && strings.ContainsAny(l[len(l)-1:], ".!?")
}

// sigWords are the lower-case words a signature line may hold besides
// names, numbers and addresses.
var sigWords = words(`och & | - – för i på vid av the of and kommun kommunen stad staden region regionen
	förvaltning förvaltningen enhet enheten avdelning avdelningen sektion sektionen lokalkontor kontor`)

// signatureLine reports whether l looks like a line of a signature: a few
// words, no sentence, each capitalised, a number, an address or a word of
// sigWords.
func signatureLine(l string) bool {
	l = strings.TrimSpace(l)
	ws := strings.Fields(l)
	if len(ws) == 0 || len(ws) > 8 || strings.ContainsAny(l[len(l)-1:], ".!?:") {
		return false
	}
	for _, w := range ws {
		w = strings.TrimRight(w, ",")
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !strings.ContainsAny(w, "0123456789@") && !sigWords[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

// uncovered counts the words of lines that an out-of-office message would
// not use: not in the lexicon, no number, address or acronym, not a name
// (capitalised within a sentence, or followed by another capitalised
// word), and not within referralWindow words of a referral.
func uncovered(lines []string) int {
	n := 0
	for _, l := range lines {
		locs := wordRe.FindAllStringIndex(l, -1)
		window := 0
		var prev, prev2 string
		for i, loc := range locs {
			w := strings.TrimRight(l[loc[0]:loc[1]], ".'’-")
			lw := strings.ToLower(w)
			start := i == 0 || endsSentence(l[:loc[0]])
			next := ""
			if i+1 < len(locs) {
				next = l[locs[i+1][0]:locs[i+1][1]]
			}
			covered := window > 0 || oooWords[lw] || plainWord(w, start, next)
			if window > 0 {
				window--
			}
			switch {
			case referralWords[lw]:
				window = referralWindow
			case topicWords[lw] && (matterWords[prev] || matterWords[prev2]):
				window, covered = referralWindow, true
			}
			if !covered {
				n++
			}
			prev, prev2 = lw, prev
		}
	}
	return n
}

// endsSentence reports whether s, the text before a word, ends a sentence.
func endsSentence(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.ContainsAny(s[len(s)-1:], ".!?:")
}

// plainWord reports whether w is a word that needs no lexicon: a number,
// an address, an acronym, a single letter or a name.
func plainWord(w string, start bool, next string) bool {
	if strings.ContainsAny(w, "0123456789@") || strings.HasPrefix(strings.ToLower(w), "www.") || utf8.RuneCountInString(w) <= 1 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	if strings.ToUpper(w) == w {
		return true // FK, AF, IVO
	}
	nr, _ := utf8.DecodeRuneInString(next)
	return !start || unicode.IsUpper(nr)
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// autoReply sets r to IgnoreAuto for why. When m answers a case on which
// a reply of its sender would be accepted (found and checked as a reply's
// case), it keeps that case in AutoCase, with Via and Forbund, for the
// core to note; Case stays empty.
func (r *Result) autoReply(ctx context.Context, m *parse.Message, o *Options, lk Lookup, why string) (*Result, error) {
	t := &Result{Conversation: r.Conversation}
	if err := t.thread(ctx, m, o, lk); err != nil {
		return nil, err
	}
	leader := o.isProcessLeader(strings.ToLower(m.From.Address), t.Forbund)
	if t.Kind == "" && t.Case != "" && !(leader && o.AuthservID == "" && !t.answers) {
		r.AutoCase, r.Via, r.Forbund = t.Case, t.Via, t.Forbund
		why += fmt.Sprintf("; answers %s (found by %s)", t.Case, t.Via)
	}
	// Its new text goes on the case's timeline: when the person is back.
	r.Text = strings.TrimSpace(replyText(m))
	return r.set(IgnoreAuto, why), nil
}

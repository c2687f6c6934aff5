package main

import (
	"regexp"
	"strings"
	"unicode"
)

// rawLook is what a plain look at the raw file, without any MIME decoder,
// says the message has. It decides, with the decoders' own results, which
// messages count for a field (see expected in main.go).
type rawLook struct {
	subject bool // a Subject field with a non-blank value in the top header
	sender  bool // a From field with an @ in the top header
	body    bool // a letter or digit in a text/plain or text/html part (outside HTML markup), or in a body without Content-Type
}

var textPart = regexp.MustCompile(`(?i)^content-type:\s*"?text/(plain|html)\b`)

func lookRaw(raw []byte) rawLook {
	text := strings.ReplaceAll(string(raw), "\r\n", "\n")
	lines := strings.Split(text, "\n")
	var look rawLook

	// The top-level header: skip an mbox "From " line; fields end at the
	// first blank line. Continuation lines belong to the field before.
	i := 0
	if len(lines) > 0 && strings.HasPrefix(lines[0], "From ") {
		i = 1
	}
	var fields []string
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		if (lines[i][0] == ' ' || lines[i][0] == '\t') && len(fields) > 0 {
			fields[len(fields)-1] += " " + strings.TrimSpace(lines[i])
			continue
		}
		fields = append(fields, lines[i])
	}
	bodyStart := i
	hasCT := false
	for _, f := range fields {
		name, value, ok := strings.Cut(f, ":")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		switch name {
		case "subject":
			look.subject = look.subject || value != ""
		case "from":
			look.sender = look.sender || strings.Contains(value, "@")
		case "content-type":
			hasCT = true
		}
	}

	if !hasCT && hasText(lines[min(bodyStart, len(lines)):], false) {
		look.body = true
	}
	// Any text/plain or text/html part with non-blank content before the
	// next boundary line.
	for j := 0; j < len(lines) && !look.body; j++ {
		if !textPart.MatchString(lines[j]) {
			continue
		}
		k := j + 1
		for k < len(lines) && strings.TrimSpace(lines[k]) != "" {
			k++
		}
		end := k
		for end < len(lines) && !strings.HasPrefix(lines[end], "--") {
			end++
		}
		html := strings.Contains(strings.ToLower(lines[j]), "html")
		if k < len(lines) && hasText(lines[k:end], html) {
			look.body = true
		}
	}
	return look
}

var (
	htmlTag     = regexp.MustCompile(`(?s)<[^>]*>|&[#a-zA-Z0-9]+;`)
	qpSoftOrHex = regexp.MustCompile(`(?m)=\r?$|=[0-9A-Fa-f]{2}`)
)

// hasText reports whether lines hold a letter or digit once HTML tags and
// entities (for HTML) and quoted-printable escapes are taken out.
func hasText(lines []string, html bool) bool {
	s := strings.Join(lines, "\n")
	if html {
		s = htmlTag.ReplaceAllString(s, " ")
	}
	s = qpSoftOrHex.ReplaceAllString(s, " ")
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

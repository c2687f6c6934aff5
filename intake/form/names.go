package form

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// commonFirstNames are common Swedish first names (SCB's most frequent
// ones, with their usual spellings), lower-case.
var commonFirstNames = setOf(`
adam ahmed ali alexander alice alma amanda anders andreas anette anita anna anne annika anton arvid astrid axel
barbro bengt berit bertil birgitta bo britt britta camilla carina carl caroline cecilia charlotte christer christina
christoffer daniel david ebba elias elin elisabeth ella ellen elsa emil emilia emma eric erik eva evelina fatima felix
filip fredrik frida gabriel gunilla gunnar gustav hampus hanna hannes hans helen helena henrik hugo ida ingrid isabella
isak jakob jan jenny jessica joakim johan johanna johannes john jonas jonathan josefin julia kajsa kalle karin karl
kent kerstin kevin kim kristina lars lena leo liam linda linnea lisa louise lovisa lucas ludvig magnus maja malin
margareta maria marie marcus marianne martin mathias mats matilda mattias max maximilian mikael mohamed mohammed moa
monica nils nora olle olof oliver oscar oskar patrik per peter petra pia rasmus rebecka robert robin sara sebastian
signe simon siv sofia sofie stefan stig susanne sven tobias tomas tove ulf ulla ulrika viktor vilma william wilma
yvonne åsa åke örjan`)

// nameCues are words after which the next capitalised word is likely the
// name of the person a report is about.
var nameCues = []string{"deltagaren", "klienten", "personen", "individen", "brukaren", "patienten", "den enskilde",
	"hen heter", "han heter", "hon heter", "som heter"}

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// LikelyNames returns what in text looks like a person's name, in order and
// once each: a common Swedish first name followed by a capitalised word
// ("Kalle Svensson"), or a capitalised word after "deltagaren",
// "klienten", "personen", "hen heter"… A program cannot find every name;
// this is a prompt for the process leader, who reads the text before it
// is forwarded.
func LikelyNames(text string) []string {
	words := wordsOf(text)
	var out []string
	add := func(n string) {
		for _, o := range out {
			if o == n {
				return
			}
		}
		out = append(out, n)
	}
	for i, w := range words {
		if commonFirstNames[strings.ToLower(w.text)] && capitalised(w.text) && i+1 < len(words) &&
			capitalised(words[i+1].text) && words[i+1].adjacent {
			add(w.text + " " + words[i+1].text)
			continue
		}
		for _, cue := range nameCues {
			n := len(strings.Fields(cue))
			if i+n >= len(words) || !words[i+n].adjacent {
				continue
			}
			var got []string
			for k := 0; k < n; k++ {
				got = append(got, strings.ToLower(words[i+k].text))
			}
			if strings.Join(got, " ") != cue || !capitalised(words[i+n].text) {
				continue
			}
			name := words[i+n].text
			if i+n+1 < len(words) && capitalised(words[i+n+1].text) && words[i+n+1].adjacent {
				name += " " + words[i+n+1].text
			}
			add(name)
		}
	}
	return out
}

type word struct {
	text     string
	adjacent bool // only spaces between it and the word before (no punctuation)
}

// wordsOf splits text into words of letters (and hyphens inside them).
func wordsOf(text string) []word {
	var out []word
	adjacent := false
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) {
			if r != ' ' && r != '\t' {
				adjacent = false
			}
			i += n
			continue
		}
		j := i
		for j < len(text) {
			r, m := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r) && r != '-' {
				break
			}
			j += m
		}
		out = append(out, word{text: strings.TrimRight(text[i:j], "-"), adjacent: adjacent})
		adjacent = true
		i = j
	}
	return out
}

func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || utf8.RuneCountInString(w) < 2 {
		return false
	}
	// Not a word in capitals (FK, AF, LSS): a name has lower-case letters.
	for _, r := range w {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

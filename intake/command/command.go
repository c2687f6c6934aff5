// Package command reads the commands a process leader writes at the top of
// a mail ("/nivå organisering", "/vidarebefordra FK", …): their names in
// Swedish or English, case- and accent-insensitive, their arguments, and
// the text below them. It knows nothing of cases or the store; what a
// command may do to a case is decided where it is applied.
package command

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"lexheller/intake/form"
	"lexheller/templates"
)

// Name is a command's canonical (English) name.
type Name string

// The commands.
const (
	Level    Name = "level"
	Parties  Name = "parties"
	Themes   Name = "themes"
	Forward  Name = "forward"
	Feedback Name = "feedback"
	Raise    Name = "raise"
	Decision Name = "decision"
	Note     Name = "note"
	Publish  Name = "publish"
	Close    Name = "close"
	Reopen   Name = "reopen"
	Help     Name = "help"
	Edit     Name = "edit"
	Status   Name = "status"  // the case's status and timeline, as the asker may see it
	Silence  Name = "quiet"   // no status notices to the reporter (or, "/tyst nej", again)
	Group    Name = "group"   // the case, de-identified, to a working group
	Release  Name = "release" // a held web form case: its reporter is acknowledged
)

// Spec describes one command for the help text.
type Spec struct {
	Name     Name
	Swedish  string // the Swedish spelling, as shown in help
	English  string
	Args     map[string]string // by language: what follows the command
	Does     map[string]string // by language
	TakeText bool              // the text below the commands belongs to it
}

// Example is the command as a person writes it in lang: its line, and for
// a command that takes text, a line of text below it.
func (s Spec) Example(lang string) string { return examples[s.Name][lang] }

// examples of each command, by language, for the help.
var examples = map[Name]map[string]string{
	Level:    {"sv": "/nivå organisering", "en": "/level organisering"},
	Parties:  {"sv": "/parter FK AF", "en": "/parties FK AF"},
	Themes:   {"sv": "/tema sjukskrivning", "en": "/themes sjukskrivning"},
	Forward:  {"sv": "/vidarebefordra FK\nHur ser ni på det här?", "en": "/forward FK\nWhat is your view on this?"},
	Group:    {"sv": "/grupp Primärvård och psykiatri\nKänner ni igen mönstret?", "en": "/group Primärvård och psykiatri\nDo you recognise the pattern?"},
	Feedback: {"sv": "/återkoppla\nTack för din anmälan. Vi har tagit upp den med Försäkringskassan.", "en": "/feedback\nThank you for your report. We have raised it with Försäkringskassan."},
	Raise:    {"sv": "/lyft\nSamma mönster som i tre tidigare ärenden.", "en": "/raise\nThe same pattern as in three earlier cases."},
	Decision: {"sv": "/beslut\nVi bjuder in FK och AF till nästa möte.", "en": "/decision\nWe invite FK and AF to the next meeting."},
	Note:     {"sv": "/notering Ringde anmälaren, hon återkommer.", "en": "/note Called the reporter, she will get back to us."},
	Edit:     {"sv": "/redigera\nDeltagaren blev sjukskriven men intyget godkändes inte.", "en": "/edit\nThe participant was put on sick leave but the certificate was not accepted."},
	Publish:  {"sv": "/publicera ja", "en": "/publish yes"},
	Close:    {"sv": "/stäng", "en": "/close"},
	Reopen:   {"sv": "/öppna", "en": "/reopen"},
	Help:     {"sv": "/hjälp", "en": "/help"},
	Release:  {"sv": "/godkänn", "en": "/release"},
	Status:   {"sv": "/status", "en": "/status"},
	Silence:  {"sv": "/tyst", "en": "/quiet"},
}

// Specs lists every command in the order of the help table.
var Specs = []Spec{
	{Level, "/nivå", "/level", map[string]string{"sv": "struktur|organisering|individ", "en": "struktur|organisering|individ"},
		map[string]string{"sv": "sätter ärendets nivå", "en": "sets the level"}, false},
	{Parties, "/parter", "/parties", map[string]string{"sv": "FK AF Kommun Region Annan", "en": "FK AF Kommun Region Annan"},
		map[string]string{"sv": "sätter berörda parter", "en": "sets the parties concerned"}, false},
	{Themes, "/tema", "/themes", map[string]string{"sv": "sjukskrivning aktivitetsstöd … (-tema tar bort)", "en": "sjukskrivning … (-theme removes)"},
		map[string]string{"sv": "lägger till teman för mönsterrapporten", "en": "themes for the pattern report"}, false},
	{Forward, "/vidarebefordra", "/forward", map[string]string{"sv": "FK [AF …] [med kontakt] + text", "en": "FK [AF …] [with contact] + text"},
		map[string]string{"sv": "skickar ärendet avidentifierat till partens representant, med texten som fråga",
			"en": "sends the case, de-identified, to each party's representative, with the text as the question"}, true},
	{Group, "/grupp", "/group", map[string]string{"sv": "NAMN + text", "en": "NAME + text"},
		map[string]string{"sv": "skickar ärendet avidentifierat till en arbetsgrupp, med texten som fråga",
			"en": "sends the case, de-identified, to a working group, with the text as the question"}, true},
	{Feedback, "/återkoppla", "/feedback", map[string]string{"sv": "[med svar] + text", "en": "[with answer] + text"},
		map[string]string{"sv": "skickar texten som återkoppling till anmälaren; skriv /återkoppla med svar så följer partens svar med",
			"en": "feedback to the reporter (with answer: quotes the party's answer)"}, true},
	{Raise, "/lyft", "/raise", map[string]string{"sv": "+ text", "en": "+ text"},
		map[string]string{"sv": "tar upp ärendet på nästa möte i beredningsgruppen", "en": "puts the case on the next meeting's agenda"}, true},
	{Decision, "/beslut", "/decision", map[string]string{"sv": "+ text", "en": "+ text"},
		map[string]string{"sv": "antecknar ett beslut i ärendets historik", "en": "records a decision on the timeline"}, true},
	{Note, "/notering", "/note", map[string]string{"sv": "+ text", "en": "+ text"},
		map[string]string{"sv": "en intern anteckning, skickas inte till någon", "en": "an internal note, sent to nobody"}, true},
	{Edit, "/redigera", "/edit", map[string]string{"sv": "+ text", "en": "+ text"},
		map[string]string{"sv": "beskrivningen som parterna och den publicerade sidan får, utan namn (anmälarens text finns kvar i ärendet)",
			"en": "the description the parties and the published site get, without names (the reporter's text stays on the case)"}, true},
	{Publish, "/publicera", "/publish", map[string]string{"sv": "ja|nej", "en": "yes|no"},
		map[string]string{"sv": "om ett besvarat ärende får publiceras (om anmälaren har tillåtit det)",
			"en": "whether an answered case may be published (if the reporter allowed it)"}, false},
	{Close, "/stäng", "/close", map[string]string{"sv": "", "en": ""},
		map[string]string{"sv": "avslutar ärendet", "en": "closes the case"}, false},
	{Reopen, "/öppna", "/reopen", map[string]string{"sv": "", "en": ""},
		map[string]string{"sv": "öppnar ärendet igen", "en": "reopens the case"}, false},
	{Status, "/status", "/status", map[string]string{"sv": "", "en": ""},
		map[string]string{"sv": "svarar med ärendets läge och historik. Anmälaren och parternas representanter kan också skriva /status",
			"en": "replies with the case's status and timeline. The reporter and the parties' representatives may write /status too"}, false},
	{Silence, "/tyst", "/quiet", map[string]string{"sv": "[nej]", "en": "[no]"},
		map[string]string{"sv": "anmälaren får inga fler statusmeddelanden om ärendet; skriv /tyst nej så får hen dem igen. Anmälaren kan också själv skriva /tyst",
			"en": "the reporter gets no more status messages about the case; write /quiet no for them to get them again. The reporter may write /quiet too"}, false},
	{Release, "/godkänn", "/release", map[string]string{"sv": "", "en": ""},
		map[string]string{"sv": "godkänner en anmälan från webbformuläret som väntar, så att anmälaren får sin bekräftelse",
			"en": "releases a web form report that waits, so that its reporter gets the acknowledgement"}, false},
	{Help, "/hjälp", "/help", map[string]string{"sv": "", "en": ""},
		map[string]string{"sv": "svarar med den här tabellen", "en": "replies with this table"}, false},
}

// names maps every accepted spelling, folded, to its command.
var names = map[string]Name{
	"niva": Level, "level": Level,
	"parter": Parties, "part": Parties, "parties": Parties, "party": Parties,
	"tema": Themes, "teman": Themes, "theme": Themes, "themes": Themes, "tag": Themes, "tags": Themes,
	"vidarebefordra": Forward, "forward": Forward, "skicka": Forward,
	"aterkoppla": Feedback, "aterkoppling": Feedback, "feedback": Feedback,
	"lyft": Raise, "raise": Raise,
	"beslut": Decision, "decision": Decision,
	"notering": Note, "anteckning": Note, "note": Note,
	"publicera": Publish, "publish": Publish,
	"stang": Close, "avsluta": Close, "close": Close,
	"oppna": Reopen, "ateroppna": Reopen, "reopen": Reopen, "open": Reopen,
	"hjalp": Help, "help": Help,
	"redigera": Edit, "edit": Edit, "avidentifiera": Edit,
	"status": Status, "lage": Status,
	"grupp": Group, "group": Group, "arbetsgrupp": Group,
	"godkann": Release, "release": Release, "slapp": Release,
	"tyst": Silence, "quiet": Silence, "tysta": Silence, "silence": Silence,
}

var contactWords = map[string]bool{"kontakt": true, "kontaktuppgifter": true, "contact": true}

// Command is one command line, read.
type Command struct {
	Name Name
	Line int    // 1-based line of the text it was on
	Raw  string // the line as written
	// Text is what the command carries: the rest of its line where that
	// is free text, then the text below the commands. Only for commands
	// that take text.
	Text string

	Level       string   // level: struktur, organisering or individ
	Parties     []string // parties, forward: party codes
	AddThemes   []string // themes
	DropThemes  []string // themes written "-x"
	WithContact bool     // forward … med kontakt: the reporter's contact details go along
	WithAnswer  bool     // återkoppla med svar: the party's answer is quoted
	Publish     bool     // publicera ja
	Quiet       bool     // tyst: true silences the notices, false ("/tyst nej") resumes them
	Group       string   // grupp: the working group's name as written
}

// Error is a command line that could not be read.
type Error struct {
	Line int
	Raw  string
	What Problem
	Arg  string // the word at fault, if any
}

// Problem is why a line could not be read; Describe says it in each
// language with the command_* messages of the catalogue (templates).
type Problem string

// The problems.
const (
	Unknown       Problem = "unknown"
	NoLevel       Problem = "no_level"
	BadLevel      Problem = "bad_level"
	NoParties     Problem = "no_parties"
	BadParty      Problem = "bad_party"
	NoThemes      Problem = "no_themes"
	NoText        Problem = "no_text"
	BadPublish    Problem = "bad_publish"
	ExtraArgs     Problem = "extra_args"
	NoParty       Problem = "no_representative" // set where the command is applied
	NotAllowed    Problem = "publish_not_allowed"
	NothingToSend Problem = "no_answer"   // återkoppla med svar without an answer
	NoReporter    Problem = "no_reporter" // återkoppla on a case with no reporter's address (imported)
	BadQuiet      Problem = "bad_quiet"   // tyst with something other than ja or nej
	NotYours      Problem = "not_yours"   // a command the sender's role may not give
	NoGroupName   Problem = "no_group"    // grupp without a name
	BadGroup      Problem = "bad_group"   // grupp naming no group of the förbund (set where it is applied)
	Held          Problem = "held"        // återkoppla on a held web form case: /godkänn first
)

func (e Error) Error() string {
	return fmt.Sprintf("line %d %q: %s", e.Line, e.Raw, Describe(e, "en"))
}

// Describe says what is wrong and what to write instead, in lang: a
// message of the catalogue (templates.Message).
func Describe(e Error, lang string) string {
	switch e.What {
	case Unknown:
		return templates.Message(lang, "command_unknown", e.Arg)
	case NoLevel:
		return templates.Message(lang, "command_no_level")
	case BadLevel:
		return templates.Message(lang, "command_bad_level", e.Arg)
	case NoParties:
		return templates.Message(lang, "command_no_parties", e.Arg)
	case BadParty:
		return templates.Message(lang, "command_bad_party", e.Arg)
	case NoThemes:
		return templates.Message(lang, "command_no_themes")
	case NoText:
		return templates.Message(lang, "command_no_text")
	case BadPublish:
		return templates.Message(lang, "command_bad_publish", e.Arg)
	case ExtraArgs:
		return templates.Message(lang, "command_extra_args", e.Arg)
	case NoParty:
		return templates.Message(lang, "command_no_representative", e.Arg)
	case NotAllowed:
		return templates.Message(lang, "command_publish_not_allowed")
	case NoReporter:
		return templates.Message(lang, "command_no_reporter")
	case NothingToSend:
		return templates.Message(lang, "command_no_answer")
	case BadQuiet:
		return templates.Message(lang, "command_bad_quiet", e.Arg)
	case NotYours:
		return templates.Message(lang, "command_not_yours")
	case NoGroupName:
		return templates.Message(lang, "command_no_group")
	case BadGroup:
		return templates.Message(lang, "command_bad_group", e.Arg)
	case Held:
		return templates.Message(lang, "command_held")
	}
	return string(e.What)
}

// Fold lower-cases s and strips its accents: "Nivå" → "niva".
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// afterFolded returns what follows the start of s that folds (Fold) to
// prefix, and whether there is such a start; combining marks right after
// it go with it.
func afterFolded(s, prefix string) (string, bool) {
	folded := ""
	for i, r := range s {
		f := Fold(string(r))
		if folded == prefix && f != "" {
			return s[i:], true
		}
		if folded += f; !strings.HasPrefix(prefix, folded) {
			return s, false
		}
	}
	return "", folded == prefix
}

// IsCommandLine reports whether a line is written as a command: a slash
// and a letter first.
func IsCommandLine(l string) bool {
	l = strings.TrimSpace(l)
	if len(l) < 2 || l[0] != '/' {
		return false
	}
	r := []rune(l[1:])[0]
	return unicode.IsLetter(r)
}

// Parse reads the commands in text (the new text of a mail, its quoted
// history cut off): every line that starts with "/" and a letter, wherever
// it stands, so that a command after a greeting ("Hej,") is still one.
// The other lines, less a greeting before the first command, are the text
// of the commands that take one. Parse returns the commands it read and
// an error for every line it could not; a caller applies nothing when
// there is any error.
func Parse(text string) ([]Command, []Error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var cmds []Command
	var errs []Error
	var body []string
	seen := false
	for i, raw := range lines {
		l := strings.TrimSpace(raw)
		if !IsCommandLine(l) {
			if !seen && (l == "" || IsGreeting(l)) {
				continue
			}
			body = append(body, strings.TrimRight(raw, " \t"))
			continue
		}
		seen = true
		c, err := parseLine(l, i+1)
		if err != nil {
			errs = append(errs, *err)
			continue
		}
		cmds = append(cmds, c)
	}
	text = strings.TrimSpace(strings.Join(body, "\n"))
	var out []Command
	for _, c := range cmds {
		if takesText(c.Name) {
			c.Text = strings.TrimSpace(strings.TrimSpace(c.Text) + "\n\n" + text)
			if c.Text == "" && needsText(c) {
				errs = append(errs, Error{Line: c.Line, Raw: c.Raw, What: NoText})
				continue
			}
		}
		out = append(out, c)
	}
	slices.SortFunc(errs, func(a, b Error) int { return a.Line - b.Line })
	return out, errs
}

// HasCommandLine reports whether any line of text is written as a
// command: such a mail is never passed on as a plain reply.
func HasCommandLine(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if IsCommandLine(l) {
			return true
		}
	}
	return false
}

// greetings open a mail; a line that is one of them and little more
// ("Hej,", "Hej Lex Heller!", "Hello,") is not part of a command's text.
var greetings = []string{"hej", "hejsan", "hallå", "halla", "tjena", "god morgon", "god dag", "goddag", "hi", "hello", "dear"}

// IsGreeting reports whether l is a greeting line.
func IsGreeting(l string) bool {
	f := strings.TrimRight(Fold(strings.TrimSpace(l)), "!,.:")
	if len(strings.Fields(f)) > 4 {
		return false
	}
	for _, g := range greetings {
		if f == g || strings.HasPrefix(f, g+" ") {
			return true
		}
	}
	return false
}

// level reads what follows /nivå: one word naming a level.
func level(s string) (string, Problem) {
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	if len(words) == 0 {
		return "", NoLevel
	}
	l := form.NormalizeLevel(s)
	if l == "" || len(words) > 1 {
		return "", BadLevel
	}
	return l, ""
}

// needsText reports whether c is nothing without its text.
func needsText(c Command) bool {
	return c.Name == Feedback && !c.WithAnswer || c.Name == Raise || c.Name == Decision || c.Name == Note || c.Name == Edit
}

// partyCodes turns what a person wrote for parties into their codes, each
// once; bad is the first word that names no party.
func partyCodes(words []string) (codes []string, bad string) {
	for _, w := range words {
		code, known := form.PartyCode(w)
		if f := Fold(w); !known && f != "annan" && f != "other" {
			return nil, w
		}
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	return codes, ""
}

// themes reads a themes line: words to add, and words written "-x" to
// drop. Themes go into reports and the published site: a personnummer
// written over several words ("81 12 18-9876") is masked before the line
// is split.
func themes(line string) (add, drop []string) {
	masked := form.MaskPIIOutgoing(strings.ToLower(line))
	for _, a := range strings.FieldsFunc(masked, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }) {
		t := strings.Trim(a, ".;")
		if strings.HasPrefix(t, "-") {
			if t = strings.TrimLeft(t, "-"); t != "" {
				drop = append(drop, t)
			}
		} else if t != "" && !slices.Contains(add, t) {
			add = append(add, t)
		}
	}
	return add, drop
}

// CheckAll checks commands built as values (Check): the checked
// commands, and the errors of those that are not right.
func CheckAll(cmds []Command) ([]Command, []Error) {
	var errs []Error
	out := make([]Command, len(cmds))
	for i, c := range cmds {
		checked, err := Check(c)
		if err != nil {
			errs = append(errs, *err)
		}
		out[i] = checked
	}
	return out, errs
}

// Check makes a command built as a value (by the CLI, not read from a
// mail) what Parse would have made of the same command written in a
// mail, by the same rules: the level and party codes normalised, themes
// lower-case and masked, and the text required where a command needs
// one. Raw is set to the command as it would be written, for messages.
func Check(c Command) (Command, *Error) {
	c.Raw = "/" + string(c.Name)
	fail := func(p Problem, arg string) (Command, *Error) {
		return Command{}, &Error{Raw: c.Raw, What: p, Arg: arg}
	}
	c.Text = strings.TrimSpace(c.Text)
	switch c.Name {
	case Level:
		l, p := level(c.Level)
		if p != "" {
			return fail(p, strings.TrimSpace(c.Level))
		}
		c.Level = l
	case Parties, Forward:
		var bad string
		if c.Parties, bad = partyCodes(c.Parties); bad != "" {
			return fail(BadParty, bad)
		}
		if len(c.Parties) == 0 {
			return fail(NoParties, c.Raw)
		}
	case Themes:
		c.AddThemes, c.DropThemes = themes(strings.Join(c.AddThemes, " ") + " -" + strings.Join(c.DropThemes, " -"))
		if len(c.AddThemes)+len(c.DropThemes) == 0 {
			return fail(NoThemes, "")
		}
	case Group:
		if c.Group = strings.TrimSpace(c.Group); c.Group == "" {
			return fail(NoGroupName, "")
		}
	case Feedback, Raise, Decision, Note, Edit, Publish, Close, Reopen, Help, Status, Silence, Release:
	default:
		return fail(Unknown, c.Raw)
	}
	if takesText(c.Name) && c.Text == "" && needsText(c) {
		return fail(NoText, "")
	}
	return c, nil
}

func takesText(n Name) bool {
	for _, s := range Specs {
		if s.Name == n {
			return s.TakeText
		}
	}
	return false
}

func parseLine(l string, line int) (Command, *Error) {
	word, rest, _ := strings.Cut(l[1:], " ")
	rest = strings.TrimSpace(rest)
	fail := func(p Problem, arg string) (Command, *Error) {
		return Command{}, &Error{Line: line, Raw: l, What: p, Arg: arg}
	}
	name, ok := names[Fold(strings.TrimRight(word, ":.,"))]
	if !ok {
		return fail(Unknown, "/"+word)
	}
	c := Command{Name: name, Line: line, Raw: l}
	args := strings.FieldsFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	switch name {
	case Level:
		var p Problem
		if c.Level, p = level(rest); p != "" {
			return fail(p, rest)
		}
	case Parties, Forward:
		for k := 0; k < len(args); k++ {
			a := Fold(args[k])
			if name == Forward && (a == "med" || a == "with") && k+1 < len(args) && contactWords[Fold(args[k+1])] {
				c.WithContact = true
				k++
				continue
			}
			c.Parties = append(c.Parties, args[k])
		}
		var bad string
		if c.Parties, bad = partyCodes(c.Parties); bad != "" {
			return fail(BadParty, bad)
		}
		if len(c.Parties) == 0 {
			return fail(NoParties, "/"+word)
		}
	case Themes:
		// Themes go into reports and the published site: a personnummer
		// written over several words ("81 12 18-9876") is masked before
		// the line is split into themes.
		c.AddThemes, c.DropThemes = themes(rest)
		if len(c.AddThemes)+len(c.DropThemes) == 0 {
			return fail(NoThemes, "")
		}
	case Publish:
		v, ok := form.YesNo(rest)
		if rest == "" || !ok {
			return fail(BadPublish, rest)
		}
		c.Publish = v
	case Feedback:
		f := Fold(rest)
		for _, p := range []string{"med svar", "with answer", "with answers", "med svaret", "med svaren"} {
			if f == p || strings.HasPrefix(f, p+" ") {
				c.WithAnswer = true
				// p is folded: cut rest where its folded start ends, not
				// at len(p) ("MÉD SVAR" is longer than "med svar").
				if after, ok := afterFolded(rest, p); ok {
					rest = strings.TrimSpace(after)
				}
				break
			}
		}
		c.Text = rest
	case Raise, Decision, Note:
		c.Text = rest
	case Group:
		if rest == "" {
			return fail(NoGroupName, "")
		}
		c.Group = rest
	case Close, Reopen, Help, Status, Release:
		if rest != "" {
			return fail(ExtraArgs, rest)
		}
	case Silence:
		c.Quiet = true
		if rest != "" {
			v, ok := form.YesNo(rest)
			if !ok {
				return fail(BadQuiet, rest)
			}
			c.Quiet = v
		}
	}
	return c, nil
}

// Allowed reports whether someone who is not a process leader may give
// every command of cmds: a reporter /status and /tyst, a party's
// representative or a working group's member /status. role is
// "reporter", "representative" or "group".
func Allowed(role string, cmds []Command) bool {
	if len(cmds) == 0 {
		return false
	}
	for _, c := range cmds {
		switch {
		case c.Name == Status && (role == "reporter" || role == "representative" || role == "group"):
		case c.Name == Silence && role == "reporter":
		default:
			return false
		}
	}
	return true
}

// signOffs end the text of a mail: what follows is a signature.
var signOffs = []string{"mvh", "med vanlig halsning", "med vanliga halsningar", "vanliga halsningar", "vanlig halsning",
	"halsningar", "halsning", "hilsen", "tack", "tack pa forhand", "best regards", "kind regards", "regards", "best", "cheers", "thanks"}

// Remainder is what a mail of commands says besides them: its text less
// the command lines, the greeting and, from the first sign-off line
// ("Med vänliga hälsningar", "Mvh"), the signature. "" when it says
// nothing else.
func Remainder(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []string
	for i, raw := range lines {
		l := strings.TrimSpace(raw)
		if IsCommandLine(l) || len(out) == 0 && (l == "" || IsGreeting(l)) {
			continue
		}
		if isSignOff(l) && signatureFollows(lines[i+1:]) {
			break
		}
		out = append(out, strings.TrimRight(raw, " \t"))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// signatureFollows reports whether lines, after a sign-off, are a
// signature: at most five short lines (a name, a unit, a phone), not
// text the writer went on with ("Tack!" and then more to say).
func signatureFollows(lines []string) bool {
	n := 0
	for _, l := range lines {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if n++; n > 5 || utf8.RuneCountInString(l) > 60 || strings.HasSuffix(l, ".") && len(strings.Fields(l)) > 4 {
			return false
		}
	}
	return true
}

// isSignOff reports whether l closes a mail: a sign-off ("Mvh", "Med
// vänliga hälsningar, Anna", "Tack!") on a short line, or "--".
func isSignOff(l string) bool {
	if l == "--" || strings.HasPrefix(l, "-- ") {
		return true
	}
	f := strings.TrimRight(Fold(l), "!,.:")
	if len(strings.Fields(f)) > 5 {
		return false
	}
	for _, s := range signOffs {
		if f == s || strings.HasPrefix(f, s+" ") || strings.HasPrefix(f, s+",") {
			return true
		}
	}
	return false
}

package command

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Command
		errs []Problem
	}{
		{"level, accent-insensitive", "/niva Organisering", []Command{{Name: Level, Line: 1, Level: "organisering"}}, nil},
		{"level Swedish", "/NIVÅ struktur\n", []Command{{Name: Level, Line: 1, Level: "struktur"}}, nil},
		{"level English", "/level individ", []Command{{Name: Level, Line: 1, Level: "individ"}}, nil},
		{"level unknown", "/nivå hög", nil, []Problem{BadLevel}},
		{"level missing", "/nivå", nil, []Problem{NoLevel}},
		{"parties", "/parter FK, AF kommun", []Command{{Name: Parties, Line: 1, Parties: []string{"FK", "AF", "Kommun"}}}, nil},
		{"parties long names", "/parter Försäkringskassan Arbetsförmedlingen", []Command{{Name: Parties, Line: 1, Parties: []string{"FK", "AF"}}}, nil},
		{"party unknown", "/parter FK Skatteverket", nil, []Problem{BadParty}},
		{"themes add and drop", "/tema sjukskrivning Aktivitetsstöd -intyg", []Command{{Name: Themes, Line: 1,
			AddThemes: []string{"sjukskrivning", "aktivitetsstöd"}, DropThemes: []string{"intyg"}}}, nil},
		{"a personnummer as a theme is masked", "/tema 850312-1231", []Command{{Name: Themes, Line: 1, AddThemes: []string{"ÅÅMMDD-XXXX"}}}, nil},
		{"forward with text", "/vidarebefordra FK AF\n\nKan ni svara på detta?\nTack.", []Command{{Name: Forward, Line: 1,
			Parties: []string{"FK", "AF"}, Text: "Kan ni svara på detta?\nTack."}}, nil},
		{"forward with contact", "/vidarebefordra FK med kontakt", []Command{{Name: Forward, Line: 1, Parties: []string{"FK"}, WithContact: true}}, nil},
		{"forward English", "/forward fk with contact\nQuestion?", []Command{{Name: Forward, Line: 1, Parties: []string{"FK"},
			WithContact: true, Text: "Question?"}}, nil},
		{"forward no party", "/vidarebefordra\ntext", nil, []Problem{NoParties}},
		{"feedback with answer", "/återkoppla med svar\nHär är svaret.", []Command{{Name: Feedback, Line: 1, WithAnswer: true,
			Text: "Här är svaret."}}, nil},
		{"feedback with answer, no text", "/aterkoppla med svar", []Command{{Name: Feedback, Line: 1, WithAnswer: true}}, nil},
		{"feedback text on the line", "/feedback Thanks for telling us.", []Command{{Name: Feedback, Line: 1,
			Text: "Thanks for telling us."}}, nil},
		{"feedback without text", "/återkoppla\n\n", nil, []Problem{NoText}},
		{"note", "/notering ringde FK\nmer text", []Command{{Name: Note, Line: 1, Text: "ringde FK\n\nmer text"}}, nil},
		{"raise needs text", "/lyft", nil, []Problem{NoText}},
		{"publish yes", "/publicera ja", []Command{{Name: Publish, Line: 1, Publish: true}}, nil},
		{"publish no English", "/publish no", []Command{{Name: Publish, Line: 1}}, nil},
		{"publish unreadable", "/publicera kanske", nil, []Problem{BadPublish}},
		{"close and reopen", "/stäng\n/Öppna", []Command{{Name: Close, Line: 1}, {Name: Reopen, Line: 2}}, nil},
		{"close with words", "/stäng nu", nil, []Problem{ExtraArgs}},
		{"help", "/hjälp", []Command{{Name: Help, Line: 1}}, nil},
		{"unknown", "/nivå individ\n/foo bar", []Command{{Name: Level, Line: 1, Level: "individ"}}, []Problem{Unknown}},
		{"blank lines between, then text", "\n/nivå individ\n\n/tema intyg\nText /stäng here", []Command{
			{Name: Level, Line: 2, Level: "individ"}, {Name: Themes, Line: 4, AddThemes: []string{"intyg"}}}, nil},
		{"a command after a greeting", "Hej\n/stäng", []Command{{Name: Close, Line: 2}}, nil},
		{"a slash inside a line is not a command", "Hej, stäng det /Anna", nil, nil},
		{"a path is not a command", "/ 2 st", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, errs := Parse(tt.text)
			for i := range cmds {
				cmds[i].Raw = ""
			}
			if !reflect.DeepEqual(cmds, tt.want) {
				t.Errorf("commands\n got %+v\nwant %+v", cmds, tt.want)
			}
			var got []Problem
			for _, e := range errs {
				got = append(got, e.What)
				if e.Line == 0 || e.Raw == "" {
					t.Errorf("error without its line: %+v", e)
				}
			}
			if !reflect.DeepEqual(got, tt.errs) {
				t.Errorf("errors: got %v, want %v", got, tt.errs)
			}
		})
	}
}

func TestDescribeNamesTheFix(t *testing.T) {
	for _, p := range []Problem{Unknown, NoLevel, BadLevel, NoParties, BadParty, NoThemes, NoText, BadPublish, ExtraArgs, NoParty, NotAllowed, NothingToSend, NoReporter} {
		for _, lang := range []string{"sv", "en"} {
			d := Describe(Error{Line: 1, Raw: "/x", What: p, Arg: "/parter"}, lang)
			if d == string(p) || len(d) < 30 {
				t.Errorf("%s/%s: no description: %q", p, lang, d)
			}
			if lang == "sv" && !strings.ContainsAny(d, "/") && p != NoText && p != BadParty && p != ExtraArgs && p != NoParty && p != NoReporter {
				t.Errorf("%s: the Swedish description shows no command to write: %q", p, d)
			}
		}
	}
}

func TestEverySpecHasAName(t *testing.T) {
	for _, s := range Specs {
		for _, sp := range []string{s.Swedish, s.English} {
			if n := names[Fold(strings.TrimPrefix(sp, "/"))]; n != s.Name {
				t.Errorf("%s resolves to %q, want %q", sp, n, s.Name)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"/nivå organisering\n/vidarebefordra FK med kontakt\nFråga", "/tema -x y", "/återkoppla med svar", "/", "/ä"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmds, errs := Parse(s)
		for _, c := range cmds {
			if c.Line < 1 || c.Name == "" {
				t.Fatalf("bad command %+v", c)
			}
			if utf8.ValidString(s) && !utf8.ValidString(c.Text) {
				t.Errorf("%q: text %q is cut inside a character", s, c.Text)
			}
		}
		for _, e := range errs {
			if e.Line < 1 {
				t.Fatalf("bad error %+v", e)
			}
		}
	})
}

// "med svar" written with capitals or accents is cut off by its spelling
// in the mail, not by its folded length: "/återkoppla MÉD SVAR Tack" once
// left "R Tack" as the text.
func TestFeedbackWithAnswerAsWritten(t *testing.T) {
	for in, want := range map[string]string{
		"/återkoppla MÉD SVAR Tack för svaret":  "Tack för svaret",
		"/återkoppla me\u0301d svar\u0301 Tack": "Tack",
		"/återkoppla With Answers Thanks":       "Thanks",
		"/återkoppla Med svaret Å ä":            "Å ä",
		"/återkoppla MED SVAR":                  "",
		"/återkoppla MED SVA\u0301R":            "", // was "\x81R", not UTF-8
	} {
		cmds, errs := Parse(in)
		if len(errs) > 0 || len(cmds) != 1 || !cmds[0].WithAnswer || cmds[0].Text != want {
			t.Errorf("Parse(%q) = %+v, %v; want the text %q with the answer", in, cmds, errs, want)
		}
	}
}

// A command anywhere in the new text is read, a greeting before it is not
// its text, and what follows is.
func TestParseCommandsAfterAGreeting(t *testing.T) {
	cmds, errs := Parse("Hej,\n\n/notering Ringde anmälaren, hon återkommer.\n\nMvh Pia")
	if len(errs) != 0 || len(cmds) != 1 || cmds[0].Name != Note || cmds[0].Text != "Ringde anmälaren, hon återkommer.\n\nMvh Pia" {
		t.Errorf("got %+v %+v", cmds, errs)
	}
	cmds, errs = Parse("Jag har pratat med FK.\n/vidarebefordra FK\nHur ser ni på det?")
	if len(errs) != 0 || len(cmds) != 1 || cmds[0].Text != "Jag har pratat med FK.\nHur ser ni på det?" {
		t.Errorf("text before the command: %+v %+v", cmds, errs)
	}
	if !HasCommandLine("Hej!\n  /Notering x") || HasCommandLine("Se https://x.example/notering") {
		t.Error("HasCommandLine")
	}
	for _, g := range []string{"Hej,", "Hej Lex Heller!", "Hallå", "Hello,", "God morgon!"} {
		if !IsGreeting(g) {
			t.Errorf("%q is a greeting", g)
		}
	}
	for _, g := range []string{"Hej då, nu stänger vi det här ärendet för gott", "Hejdå"} {
		if IsGreeting(g) {
			t.Errorf("%q is no greeting", g)
		}
	}
}

func TestRemainder(t *testing.T) {
	for in, want := range map[string]string{
		"/status": "",
		"Hej!\n\n/tyst\n\nMvh Anna\nArbetsförmedlingen":                                              "",
		"/status\n\nMed vänliga hälsningar,\nAnna":                                                   "",
		"/status\nHon har fått avslag igen.\n\nMvh Anna":                                             "Hon har fått avslag igen.",
		"/status\nTack för hjälpen, jag undrar också om ni har pratat med AF om det här?\n-- \nAnna": "Tack för hjälpen, jag undrar också om ni har pratat med AF om det här?",
	} {
		if got := Remainder(in); got != want {
			t.Errorf("Remainder(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAllowed(t *testing.T) {
	parse := func(s string) []Command { c, _ := Parse(s); return c }
	cases := []struct {
		role, text string
		want       bool
	}{
		{"reporter", "/status", true}, {"reporter", "/tyst", true}, {"reporter", "/tyst nej\n/status", true},
		{"representative", "/status", true}, {"representative", "/tyst", false},
		{"reporter", "/status\n/stäng", false}, {"", "/status", false}, {"reporter", "hej", false},
	}
	for _, c := range cases {
		if got := Allowed(c.role, parse(c.text)); got != c.want {
			t.Errorf("Allowed(%q, %q) = %v", c.role, c.text, got)
		}
	}
}

func TestRemainderKeepsWhatFollowsAThanks(t *testing.T) {
	in := "/status\nTack för svaret!\nJag vill lägga till att hon fick avslag igen i går, och att hon nu saknar ersättning helt.\n\nMvh Anna"
	if got := Remainder(in); !strings.Contains(got, "fick avslag igen") {
		t.Errorf("Remainder(%q) = %q: the text after a thanks is lost", in, got)
	}
}

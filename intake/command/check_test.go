package command

import (
	"slices"
	"testing"
)

// A command built as a value comes out as Parse makes the same command
// written in a mail.
func TestCheckMatchesParse(t *testing.T) {
	for _, c := range []struct {
		value Command
		line  string
	}{
		{Command{Name: Level, Level: "Organisering"}, "/nivå organisering"},
		{Command{Name: Forward, Parties: []string{"försäkringskassan", "AF", "FK"}, WithContact: true, Text: "Hur?"}, "/vidarebefordra FK AF med kontakt\nHur?"},
		{Command{Name: Themes, AddThemes: []string{"Sjukskrivning", "811218-9876"}, DropThemes: []string{"intyg"}}, "/tema sjukskrivning 811218-9876 -intyg"},
		{Command{Name: Feedback, WithAnswer: true}, "/återkoppla med svar"},
		{Command{Name: Close}, "/stäng"},
	} {
		got, err := Check(c.value)
		if err != nil {
			t.Errorf("%+v: %v", c.value, err)
			continue
		}
		want, errs := Parse(c.line)
		if len(errs) > 0 || len(want) != 1 {
			t.Fatalf("%q: %v", c.line, errs)
		}
		w := want[0]
		if got.Level != w.Level || !slices.Equal(got.Parties, w.Parties) || !slices.Equal(got.AddThemes, w.AddThemes) ||
			!slices.Equal(got.DropThemes, w.DropThemes) || got.WithContact != w.WithContact || got.WithAnswer != w.WithAnswer || got.Text != w.Text {
			t.Errorf("Check %+v\n  = %+v\nParse %q\n  = %+v", c.value, got, c.line, w)
		}
	}
	for _, c := range []struct {
		value Command
		want  Problem
	}{
		{Command{Name: Level, Level: "hög"}, BadLevel},
		{Command{Name: Level, Level: "individ, struktur"}, BadLevel},
		{Command{Name: Level, Level: "Struktur (lagar, regler)"}, BadLevel},
		{Command{Name: Level}, NoLevel},
		{Command{Name: Forward, Parties: []string{"FK", "Skatteverket"}}, BadParty},
		{Command{Name: Parties}, NoParties},
		{Command{Name: Themes}, NoThemes},
		{Command{Name: Note, Text: "  "}, NoText},
		{Command{Name: Feedback}, NoText},
		{Command{Name: "frobnicate"}, Unknown},
	} {
		if _, err := Check(c.value); err == nil || err.What != c.want {
			t.Errorf("Check(%+v) = %v, want %s", c.value, err, c.want)
		}
	}
}

package templates_test

import (
	"strings"
	"testing"
	"time"

	"lexheller/intake/form"
	"lexheller/intake/ident"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

// The texts as a person reads them: what the plain-Swedish pass (issue
// 16) promised, checked on the mails composed from the templates.

func composer(t *testing.T) *notify.Composer {
	t.Helper()
	set, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return &notify.Composer{Templates: set, Address: "lexheller@finsam.example", Name: "Lex Heller",
		Signer: &ident.Signer{Key: []byte("lexheller-test-key-0123456789abc"), Domain: "finsam.example", Prefix: "LH"}}
}

func aCase() *store.Case {
	t := time.Date(2026, 3, 9, 8, 15, 0, 0, time.UTC)
	return &store.Case{ID: "LH-2026-0042", Forbund: "goteborg", Status: store.StatusNew, Level: "organisering",
		Parties: []string{form.FK, form.AF}, ReporterName: "Anna Andersson", ReporterEmail: "anna@af.example",
		ReporterOrg: "Arbetsförmedlingen Angered", Description: "FK drog in sjukpenningen; AF skrev ut personen.",
		ContactOK: true, Language: "sv", CreatedAt: t, UpdatedAt: t}
}

func compose(t *testing.T, r notify.Request) *store.OutMail {
	t.Helper()
	if r.ForbundName == "" {
		r.ForbundName = "Samordningsförbundet Göteborg"
	}
	if r.To == nil {
		r.To = []string{"x@finsam.example"}
	}
	r.Now = time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	out, err := composer(t).Compose(r)
	if err != nil || len(out) != 1 {
		t.Fatalf("Compose(%s/%s): %d mails, %v", r.Lang, r.Kind(), len(out), err)
	}
	return out[0]
}

func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func lacks(t *testing.T, what, text string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(text, b) {
			t.Errorf("%s has %q:\n%s", what, b, text)
		}
	}
}

func TestFirstName(t *testing.T) {
	for in, want := range map[string]string{
		"Anna Andersson": "Anna", "Andersson, Anna": "Anna", "anna andersson": "Anna", "ANNA ANDERSSON": "Anna",
		"Eva-Lena Ek": "Eva-Lena", `"Björn Åberg"`: "Björn", "Fia": "Fia",
		"": "", "FK:s representant": "", "Regionens representant": "", "Kommunens kontaktperson": "",
		"anna@af.example": "", "FK": "", "Försäkringskassan": "", "Göteborgs Stad": "", "4711": "",
	} {
		if got := templates.FirstName(in); got != want {
			t.Errorf("FirstName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPartiesAndDurations(t *testing.T) {
	for _, c := range [][3]string{
		{"sv", "FK", "Försäkringskassans"}, {"sv", "AF", "Arbetsförmedlingens"}, {"sv", "Kommun", "kommunens"},
		{"sv", "Region", "regionens"}, {"sv", "AME", "AME:s"}, {"en", "Kommun", "the municipality's"},
	} {
		if got := templates.PartyOwner(c[0], c[1]); got != c[2] {
			t.Errorf("PartyOwner(%s, %s) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
	for _, c := range []struct {
		lang string
		days int
		want string
	}{{"sv", 730, "två år"}, {"sv", 365, "ett år"}, {"sv", 14, "två veckor"}, {"sv", 7, "en vecka"}, {"sv", 180, "sex månader"},
		{"sv", 45, "45 dagar"}, {"sv", 1, "en dag"}, {"en", 730, "two years"}, {"en", 1095, "three years"}} {
		if got := templates.Duration(c.lang, c.days); got != c.want {
			t.Errorf("Duration(%s, %d) = %q, want %q", c.lang, c.days, got, c.want)
		}
	}
	if templates.StatusName("sv", store.StatusNew) != "mottaget" || templates.StatusName("sv", store.StatusClosed) != "avslutat" {
		t.Error("a Swedish status describes ärendet: neuter")
	}
}

func TestGreetings(t *testing.T) {
	c := aCase()
	m := compose(t, notify.Request{Body: notify.Ack{}, Lang: "sv", Case: c})
	if !strings.HasPrefix(m.Body, "Hej Anna!\n\nTack ") {
		t.Errorf("ack greets %q", strings.SplitN(m.Body, "\n", 2)[0])
	}
	c.ReporterName = "anna@af.example"
	m = compose(t, notify.Request{Body: notify.Feedback{Text: "Tack."}, Lang: "sv", Case: c})
	if !strings.HasPrefix(m.Body, "Hej!\n\nHär ") {
		t.Errorf("feedback greets %q", strings.SplitN(m.Body, "\n", 2)[0])
	}
	// A representative configured by role, not by name.
	f := &store.Forward{Party: form.Region, Name: "Regionens representant", Address: "rep@region.example", At: c.CreatedAt}
	m = compose(t, notify.Request{Body: notify.Forward{Forward: f, Question: "Hur ser ni på det?"}, Lang: "sv", Case: aCase()})
	contains(t, "forward", m.Body, "Hej!\n\n", "till dig som regionens representant.")
	lacks(t, "forward", m.Body, "Region:s", "Hej Regionens", "Svara gärna senast")
	f.Name, f.Party = "Fia Karlsson", form.FK
	m = compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.Forward{Forward: f, Question: "Hur ser ni på det?",
		AnswerBy: time.Date(2026, 3, 23, 0, 0, 0, 0, templates.Stockholm)}})
	contains(t, "forward", m.Body, "Hej Fia!\n\n", "Försäkringskassans representant", "Svara gärna senast 2026-03-23.",
		"kan ditt svar också\npubliceras")
	m = compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.AnswerNotice{Forward: f, Text: "Vi ser över rutinen.",
		Open: []*store.Forward{{Party: form.AF}, {Party: form.Kommun}}}})
	contains(t, "answer notice", m.Subject+"\n"+m.Body, "Svar från Försäkringskassan",
		"Försäkringskassans representant Fia Karlsson har svarat", "svar från Arbetsförmedlingen och kommunen.")
	f.Name = "FK:s representant"
	m = compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.AnswerNotice{Forward: f, Text: "Svar."}})
	if !strings.HasPrefix(m.Body, "Försäkringskassans representant har svarat i ärende") {
		t.Errorf("answer notice starts %q", strings.SplitN(m.Body, "\n", 2)[0])
	}
}

func TestAcknowledgementTellsWhatHappens(t *testing.T) {
	m := compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.Ack{
		Contact:    notify.Contact{Name: "Per Persson", Email: "per@finsam.example", Phone: "031-12 34 56"},
		NewsWithin: "inom två veckor", PrivacyURL: "https://finsam.example/personuppgifter", KeepDays: 730}})
	contains(t, "ack", m.Body, "Vi hör av oss till dig inom två veckor",
		"Kontakta förbundets processledare:\nPer Persson, per@finsam.example, 031-12 34 56",
		"så länge ärendet\npågår och högst två år efter att det avslutats.",
		"Läs mer om hur vi hanterar personuppgifter: https://finsam.example/personuppgifter")
	m = compose(t, notify.Request{Body: notify.Ack{}, Lang: "sv", Case: aCase()})
	lacks(t, "ack without the förbund's details", m.Body, "Kontakta", "personuppgifter", "inom")
	m = compose(t, notify.Request{Lang: "en", Case: aCase(), Body: notify.Ack{KeepDays: 730, Contact: notify.Contact{Email: "per@finsam.example"}}})
	contains(t, "en ack", m.Body, "for at most two years after it is closed", "process leader:\nper@finsam.example\n")
}

func TestHelpReadsAsExamples(t *testing.T) {
	help := []notify.HelpRow{
		{Command: "/nivå", Args: "struktur|organisering|individ", Does: "sätter ärendets nivå", Example: "/nivå organisering"},
		{Command: "/vidarebefordra", Args: "FK [AF …] + text", Does: "skickar ärendet till partens representant",
			Example: "/vidarebefordra FK\nHur ser ni på det här?"},
		{Command: "/stäng", Does: "avslutar ärendet", Example: "/stäng"},
	}
	m := compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.CommandResult{Help: help}})
	if m.Subject != "[LH-2026-0042] Så här styr du ärendet med kommandon" {
		t.Errorf("help subject %q", m.Subject)
	}
	contains(t, "help", m.Body, "Sätter ärendets nivå.\n    /nivå organisering\n",
		"Skickar ärendet till partens representant.\n    /vidarebefordra FK\n    Hur ser ni på det här?\n")
	lacks(t, "help", m.Body, "|", "[AF", "+ text", "Det här är gjort")
	m = compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.CommandResult{Help: help, Problems: []string{"rad 1, \"/nivvå\": okänt kommando"}}})
	if !strings.Contains(m.Subject, "kunde inte genomföras") {
		t.Errorf("subject with problems and help %q", m.Subject)
	}
}

func TestConfirmationSaysWhatWent(t *testing.T) {
	m := compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.CommandResult{Text: "Vet du vilket kontor?",
		Changes: []string{"Ditt svar skickades till anmälaren som en fråga från förbundet"}}})
	if m.Subject != "[LH-2026-0042] Ditt mejl har skickats vidare" {
		t.Errorf("confirmation of a relay: subject %q", m.Subject)
	}
	contains(t, "confirmation", m.Body, "  - Ditt svar skickades till anmälaren som en fråga från förbundet\n\nDet här skickades:\n\n  Vet du vilket kontor?\n\nSå här ser ärendet ut nu:")
}

func TestReplyNoticeNamesTheReporter(t *testing.T) {
	m := compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.ReplyNotice{From: "Anna Andersson <Anna@af.example>", Text: "Kontoret i Angered."}})
	if m.Subject != "[LH-2026-0042] Svar från anmälaren Anna Andersson" {
		t.Errorf("subject %q", m.Subject)
	}
	m = compose(t, notify.Request{Lang: "sv", Case: aCase(), Body: notify.ReplyNotice{From: "=?utf-8?q?Bj=C3=B6rn_=C3=85berg?= <b@fk.example>", Text: "Hej."}})
	if m.Subject != "[LH-2026-0042] Meddelande från Björn Åberg" || !strings.HasPrefix(m.Body, "Björn Åberg (b@fk.example) har skrivit") {
		t.Errorf("subject %q, body %q", m.Subject, strings.SplitN(m.Body, "\n", 2)[0])
	}
}

// The blank forms parse as the blanket: the help lines above the fields
// hold no label, and a filled-in form gives every field.
func TestBlankFormsParse(t *testing.T) {
	set, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range templates.Languages {
		blank := set.Form(lang)
		if r := form.Parse(blank, form.Fallback{}); len(r.Labels) != 13 || r.Fields.Level != "" || len(r.Fields.Parties) != 0 {
			t.Errorf("%s: the blank form reads as labels %v, fields %+v", lang, r.Labels, r.Fields)
		}
		filled := strings.NewReplacer(
			"Ditt namn:", "Ditt namn: Anna Andersson", "Your name:", "Your name: Anna Andersson",
			"Organisation:", "Organisation: AF Angered", "Organization:", "Organization: AF Angered",
			"Berörda parter:", "Berörda parter: FK, AF", "Parties involved:", "Parties involved: FK, AF",
			"Nivå:", "Nivå: Organisering", "Level:", "Level: Organisation",
			"Vad hände?\n", "Vad hände?\nFK drog in sjukpenningen.\n", "What happened?\n", "What happened?\nFK drog in sjukpenningen.\n",
			"publiceras anonymiserat? Nej", "publiceras anonymiserat? Ja", "May it be published? No", "May it be published? Yes",
		).Replace(blank)
		r := form.Parse(filled, form.Fallback{Email: "anna@af.example"})
		f := r.Fields
		if len(r.Missing) > 0 || f.ReporterName != "Anna Andersson" || f.Level != "organisering" || f.Description != "FK drog in sjukpenningen." ||
			strings.Join(f.Parties, ",") != "FK,AF" || !f.ContactOK || !f.PublishOK {
			t.Errorf("%s: filled-in form reads as %+v, missing %v", lang, f, r.Missing)
		}
	}
	// The spellings of the forms before issue 16 still read.
	r := form.Parse("Namn: Anna\nOrganisation: AF\nBerörda parter: FK\nVad hände?:\nFK nekade.\nFår vi kontakta dig?: Nej\n", form.Fallback{})
	if len(r.Missing) > 0 || r.Fields.ReporterName != "Anna" || r.Fields.Description != "FK nekade." || r.Fields.ContactOK {
		t.Errorf("old labels read as %+v, missing %v", r.Fields, r.Missing)
	}
}

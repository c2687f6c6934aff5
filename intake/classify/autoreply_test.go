package classify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"lexheller/intake/parse"
)

// autoExpectation is one entry of testdata/autoreply/expect.json.
type autoExpectation struct {
	Kind           Kind   `json:"kind"`
	Case           string `json:"case"` // "" when none is expected
	ReasonContains string `json:"reason_contains"`
	Note           string `json:"note"`
}

// TestAutoReplyCorpus classifies out-of-office mails written the way
// Outlook (sv/en), Exchange without headers, Gmail's vacation responder,
// Office 365 webmail and kommun webmails write them, and real replies that
// mention being away, which must stay replies (issue 12, class 8).
func TestAutoReplyCorpus(t *testing.T) {
	dir := "testdata/autoreply"
	data, err := os.ReadFile(filepath.Join(dir, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expect map[string]autoExpectation
	if err := json.Unmarshal(data, &expect); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != len(expect) {
		t.Fatalf("%d messages, %d expectations", len(files), len(expect))
	}
	names := make([]string, 0, len(expect))
	for n := range expect {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		want := expect[name]
		t.Run(strings.TrimSuffix(name, ".eml"), func(t *testing.T) {
			m := parseFile(t, filepath.Join(dir, name))
			res, err := Classify(context.Background(), m, corpusOptions(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != want.Kind {
				t.Fatalf("kind = %s (%s), want %s (%s)", res.Kind, res.Reason, want.Kind, want.Note)
			}
			if !strings.Contains(res.Reason, want.ReasonContains) {
				t.Errorf("reason %q lacks %q", res.Reason, want.ReasonContains)
			}
			got := res.Case
			if res.Kind == IgnoreAuto {
				if res.Case != "" {
					t.Errorf("an automatic reply has Case %q: it would be threaded into the case", res.Case)
				}
				got = res.AutoCase
			} else if res.AutoCase != "" {
				t.Errorf("AutoCase %q on a %s", res.AutoCase, res.Kind)
			}
			if got != want.Case {
				t.Errorf("case = %q, want %q (%s)", got, want.Case, want.Note)
			}
			rep := NewReport(m, res)
			if (rep.Case == nil) != (want.Case == "") || rep.Case != nil && *rep.Case != want.Case {
				t.Errorf("inspect case = %v, want %q", rep.Case, want.Case)
			}
		})
	}
}

func parseFile(t *testing.T, path string) *parse.Message {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := parse.Parse(f, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// TestOutOfOffice reads new texts as out-of-office messages: the ones
// auto-responders write, and people's replies that mention being away but
// say more, which must stay replies.
func TestOutOfOffice(t *testing.T) {
	long := strings.Repeat("Jag är ledig och läser inte min e-post. ", 40)
	tests := []struct {
		name string
		text string
		ooo  bool // a cue and nothing else
	}{
		{"ledig, tillbaka", "Jag är ledig och är tillbaka den 5 januari.", true},
		{"automatiskt svar", "Detta är ett automatiskt svar. Jag är tjänstledig till 2027-01-31.", true},
		{"föräldraledig, colleague, sign-off", "Hej!\n\nJag är föräldraledig till och med augusti 2027. Under tiden hanteras mina ärenden av Anna Svensson, anna.svensson@goteborg.se.\n\nMed vänlig hälsning\nKarin", true},
		{"english", "I am out of the office until 24 November with limited access to e-mail.", true},
		{"semester, växeln, Mvh", "Tack för ditt mejl! Jag har semester v. 28–32 och läser inte min e-post. Vid brådskande ärenden, ring växeln 031-365 00 00.\n\nMvh Per", true},
		{"utbildning", "Jag är på utbildning hela veckan och återkommer så snart jag kan.", true},
		{"annual leave", "Hej,\nI'm currently on annual leave and will return on Monday 3 August. For urgent matters, please contact my colleague Sara Berg.\nBest regards\nDavid", true},
		{"signature with unit", "Jag är sjukskriven tills vidare.\n\nMed vänliga hälsningar\nPer Holm\nSocialsekreterare\nIndivid- och familjeomsorgen\nTel 0300-83 40 00", true},
		{"matter referral", "Jag är tjänstledig. Ärenden som rör ekonomiskt bistånd hänvisas till Mottagningen, telefon 031-365 00 00.", true},
		{"brief: here is the answer", "jag är ledig nästa vecka men här är svaret: beslutet kom den 3 november", false},
		{"decision waits", "Jag är ledig nästa vecka, så beslutet får vänta.", false},
		{"contact with news", "Jag är ledig. Kontakta Anna Svensson på FK, hon har beslutet.", false},
		{"talked to FK", "Jag är på semester men har pratat med Försäkringskassan och de ändrar beslutet.", false},
		{"english question", "I'm away next week, can we talk about the certificate on Monday?", false},
		{"postscript", "Jag är ledig till måndag.\n\nHälsningar\nKarin\n\nPS. Personen har fått sitt beslut.", false},
		{"colleague takes over", "Jag är föräldraledig från december. Ärendet tas över av min kollega Per som har alla papper.", false},
		{"back with a question", "Jag är tillbaka nu. Har ni fått intyget från vårdcentralen?", false},
		{"call me about it", "Jag är ledig i morgon, ring mig på 031-365 12 34 i dag om beslutet från FK så förklarar jag.", false},
		{"too long", long, false},
		{"no cue", "Tack för ditt mejl!", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cue, only := outOfOffice(tt.text)
			if got := cue != "" && only; got != tt.ooo {
				t.Errorf("out of office = %v (cue %q, only %v), want %v", got, cue, only, tt.ooo)
			}
		})
	}
}

func TestAutoSubject(t *testing.T) {
	tests := []struct {
		subject string
		want    subjectMark
	}{
		{"Autosvar: Remiss", leadMark},
		{"Automatiskt svar: [LH-2026-0042] Fråga från processledaren", leadMark},
		{"Frånvaromeddelande: SV: [LH-2026-0042] Ärende", leadMark},
		{"Frånvaro: [LH-2026-0042] Ärende", leadMark},
		{"Frånvaro från aktiviteten", leadMark}, // DESIGN.md: a subject starting with Frånvaro
		{"[EXTERN] Autosvar: [LH-2026-0042] Ärende", leadMark},
		{"[LH-2026-0042] Automatic reply: Forwarded case", leadMark},
		{"AUTO: Eva Ström är inte på kontoret (åter 2026-11-30)", leadMark},
		{"Out of Office AutoReply: Ärende", leadMark},
		{"Autoreply", leadMark},
		{"auto-reply: x", leadMark},
		{"SV: Automatiskt svar: [LH-2026-0042] Fråga", behindMark},
		{"RE: Automatic reply: [LH-2026-0042] Forwarded case", behindMark},
		{"Re: Re: Out of Office: x", behindMark},
		{"SV: [LH-2026-0042] Autosvar: x", behindMark},
		{"AW: Abwesenheitsnotiz: x", behindMark},
		{"SV: [LH-2026-0042] Frånvaro från aktiviteten", noMark},
		{"SV: Frånvaro: [LH-2026-0042] Ärende", noMark},
		{"SV: [LH-2026-0042] Vi har tagit emot din anmälan", noMark},
		{"VB: Autosvar: x", noMark},
		{"Autosvaret fungerar inte", noMark},
		{"Automatiserad hantering av intyg", noMark},
		{"Fråga om frånvaro", noMark},
		{"", noMark},
	}
	for _, tt := range tests {
		if got := autoSubject(tt.subject); got != tt.want {
			t.Errorf("autoSubject(%q) = %d, want %d", tt.subject, got, tt.want)
		}
	}
}

// TestAutoReplyCase checks which case an automatic reply keeps, with a
// store: the one a reply of its sender would be accepted on, never one
// its sender may not write to; Case stays empty, so nothing is threaded.
func TestAutoReplyCase(t *testing.T) {
	const leader = "processledare@goteborg.example"
	ooo := "\r\n\r\nJag är ledig och är tillbaka den 5 januari.\r\n"
	tests := []struct {
		name     string
		raw      string
		autoCase string
		via      string
	}{
		{"participant, subject tag",
			"From: anna@af.example\r\nSubject: SV: [LH-2026-0042] Vi har tagit emot din anmälan" + ooo, "LH-2026-0042", "subject-tag"},
		{"participant, references",
			"From: anna@af.example\r\nSubject: Semester\r\nReferences: <known.1@x.example>" + ooo, "LH-2026-0042", "references"},
		{"header-marked, references",
			"From: anna@af.example\r\nAuto-Submitted: auto-replied\r\nSubject: Re: x\r\nIn-Reply-To: <known.2@x.example>\r\n\r\nBorta.\r\n", "LH-2026-0042", "references"},
		{"not a participant",
			"From: someone@elsewhere.example\r\nSubject: SV: [LH-2026-0042] Ärende" + ooo, "", ""},
		{"no such case",
			"From: anna@af.example\r\nSubject: SV: [LH-2026-0999] Ärende" + ooo, "", ""},
		{"process leader, answers no mail of ours",
			"From: " + leader + "\r\nSubject: Automatiskt svar: [LH-2026-0042] Ärende\r\n\r\nJag är ledig.\r\n", "", ""},
		{"process leader, answers our mail",
			"From: " + leader + "\r\nSubject: Automatiskt svar: [LH-2026-0042] Ärende\r\nIn-Reply-To: <sent.3@finsam.example>\r\n\r\nJag är ledig.\r\n", "LH-2026-0042", "subject-tag"},
		{"null return path",
			"From: anna@af.example\r\nReturn-Path: <>\r\nSubject: SV: [LH-2026-0042] Ärende\r\nIn-Reply-To: <LH-2026-0042.fwd.x@finsam.example>" + ooo, "LH-2026-0042", "subject-tag"},
	}
	o := corpusOptions()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parse.Parse(strings.NewReader(tt.raw), nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Classify(context.Background(), m, o, fuzzLookup{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != IgnoreAuto || r.Case != "" || len(r.Bounced) != 0 {
				t.Fatalf("kind %s (%s), case %q, bounced %v; want ignore_auto with no case", r.Kind, r.Reason, r.Case, r.Bounced)
			}
			if r.AutoCase != tt.autoCase || tt.autoCase != "" && (r.Via != tt.via || r.Forbund != "goteborg") {
				t.Errorf("AutoCase %q by %q in %q, want %q by %q in goteborg (%s)", r.AutoCase, r.Via, r.Forbund, tt.autoCase, tt.via, r.Reason)
			}
			if (tt.autoCase != "") != strings.Contains(r.Reason, "answers "+tt.autoCase) {
				t.Errorf("reason %q", r.Reason)
			}
		})
	}
}

package notify_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"lexheller/intake/casework"
	"lexheller/intake/form"
	"lexheller/notify"
	"lexheller/templates"
)

// variantRequests are the reworded branches of the templates that the
// one-request-per-kind fixtures of TestGolden do not take, by name.
func variantRequests(lang string) map[string]notify.Request {
	v := map[string]notify.Request{}

	// The confirmation a process leader gets when a plain reply went to
	// the reporter as a question. The change line is what casework
	// writes, in Swedish, whatever the language of the mail.
	r := request(notify.KindCommandResult, lang)
	r.Case.Themes = nil
	r.Body = notify.CommandResult{
		Changes: []string{"Ditt svar skickades till anmälaren som en fråga från förbundet"},
		Text:    "Hej Anna!\n\nVet du vilket kontor på Försäkringskassan som fattade beslutet?\n\nHälsningar\nPer Persson, processledare"}
	v["relay_confirmation"] = r

	// /hjälp alone: the command table as casework gives it, nothing
	// changed.
	r = request(notify.KindCommandResult, lang)
	r.Case.Themes = nil
	r.Body = notify.CommandResult{Help: casework.HelpTable(lang)}
	v["help_only"] = r

	// A reply from the reporter: the From address is the case's
	// reporter's, which makes it "Svar från anmälaren …".
	r = request(notify.KindReplyNotice, lang)
	r.Body = notify.ReplyNotice{From: "Anna Andersson <" + reporterTo + ">",
		Text: "Hej,\n\nBeslutet kom från Försäkringskassans kontor i Angered.\n\nAnna"}
	v["reply_notice_reporter"] = r

	// A forward to a representative whose configured name is a role, with
	// a date to answer by.
	r = request(notify.KindForward, lang)
	f := fixtureForward(false)
	f.Party, f.Address, f.Name = form.Region, "representant@vgregion.example", "Regionens representant"
	r.To = []string{f.Address}
	r.Body = notify.Forward{Forward: f, Question: f.Question, AnswerBy: time.Date(2026, 3, 23, 0, 0, 0, 0, templates.Stockholm)}
	v["forward_role_answer_by"] = r

	// The acknowledgement with everything the config can give it.
	r = request(notify.KindAck, lang)
	within := "inom två veckor"
	if lang == "en" {
		within = "within two weeks"
	}
	r.Body = notify.Ack{PIIMasked: true,
		Contact:    notify.Contact{Name: "Per Persson", Email: leaderTo, Phone: "031-123 45 67"},
		NewsWithin: within, PrivacyURL: "https://finsamgoteborg.se/personuppgifter", KeepDays: 730}
	v["ack_contact"] = r

	return v
}

// TestGoldenVariants renders the variants in both languages and compares
// subject and body with testdata/golden/variants/<lang>_<name>.txt. Run
// with -update to rewrite.
func TestGoldenVariants(t *testing.T) {
	c := newComposer(t)
	for _, lang := range templates.Languages {
		for name, r := range variantRequests(lang) {
			t.Run(lang+"_"+name, func(t *testing.T) {
				m := composeOne(t, c, r)
				got := "Subject: " + m.Subject + "\n\n" + m.Body
				for _, p := range hygiene(m.Body) {
					t.Errorf("body: %s", p)
				}
				for _, p := range hygiene(m.Subject + "\n") {
					t.Errorf("subject: %s", p)
				}
				if !strings.HasPrefix(m.Subject, "["+testCaseID+"] ") {
					t.Errorf("subject %q lacks the case tag", m.Subject)
				}
				for _, p := range wording(m.Body) {
					t.Errorf("wording: %s", p)
				}
				for i, l := range strings.Split(m.Body, "\n") {
					if n := utf8.RuneCountInString(l); n > 78 {
						t.Logf("line %d is %d characters: %q", i+1, n, l)
					}
				}
				path := filepath.Join("testdata", "golden", "variants", lang+"_"+name+".txt")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./notify -run TestGoldenVariants -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
				}
			})
		}
	}
}

// wording returns the wording faults issue 16 names that show in text.
func wording(text string) []string {
	var p []string
	lines := strings.Split(text, "\n")
	greeting := lines[0]
	if strings.HasPrefix(greeting, "Hej") || strings.HasPrefix(greeting, "Hello") {
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "Hej") || strings.HasPrefix(l, "Hello") {
				p = append(p, "a second greeting: "+l)
			}
		}
		for _, l := range lines[1:] {
			if l == "" {
				continue
			}
			if r, _ := utf8.DecodeRuneInString(l); r >= 'a' && r <= 'z' || r == 'å' || r == 'ä' || r == 'ö' {
				p = append(p, "small letter after the greeting: "+l)
			}
			break
		}
		if strings.Contains(greeting, "representant") || strings.Contains(greeting, "representative") {
			p = append(p, "greets a role: "+greeting)
		}
	}
	if i := strings.LastIndex(text, "\nLex Heller\n"); i > 0 && !strings.HasSuffix(text[:i], "\n") {
		p = append(p, "the signature follows the text without a blank line")
	}
	for _, bad := range []string{"Region:s", "Kommun:s", "Annan:s", "Hej Anna Andersson", "Hello Anna Andersson",
		"Vad hände?:", "mottagen", "avslutad", "vidarebefordrad", "besvarad"} {
		if strings.Contains(text, bad) {
			p = append(p, "contains "+bad)
		}
	}
	return p
}

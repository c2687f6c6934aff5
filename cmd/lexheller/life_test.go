package main

import (
	"bytes"
	"context"
	"fmt"
	"lexheller/intake/casework"
	"lexheller/intake/config"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"lexheller/intake/devmail"
	"lexheller/intake/form"
	"lexheller/intake/parse"
	"lexheller/intake/store"
)

// replyTo is what a person's mail client sends when they answer m (the
// demo's reply): to its Reply-To, threaded, the original quoted below.
func replyTo(t *testing.T, m []byte, from, body string) (to, raw string) {
	t.Helper()
	to, headers, subject, quoted, err := devmail.ReplyHeaders(m)
	if err != nil {
		t.Fatal(err)
	}
	raw = fmt.Sprintf("From: <%s>\nTo: <%s>\nSubject: %s\nMessage-ID: <%d.%s>\n%s\n"+
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n\n%s\n",
		from, to, subject, time.Now().UnixNano(), from, strings.Join(headers, "\n"), body, quoted)
	return to, raw
}

// threaded checks the headers that keep a mail in its case's thread.
func threaded(t *testing.T, who string, m []byte, caseID string) {
	t.Helper()
	if refs := header(m, "References"); !strings.HasPrefix(refs, "<case."+caseID+"@") {
		t.Errorf("%s: References %q do not start with the case reference", who, refs)
	}
	if rt := header(m, "Reply-To"); !strings.Contains(rt, "+"+caseID+".") {
		t.Errorf("%s: Reply-To %q is not the case's plus address", who, rt)
	}
	if !strings.Contains(decoded(m), "["+caseID+"]") {
		t.Errorf("%s: no case tag in the subject", who)
	}
	if header(m, "Auto-Submitted") == "" || header(m, "X-Lexheller-Loop") == "" {
		t.Errorf("%s: lacks Auto-Submitted or the loop header", who)
	}
}

// lifeConfig is the test config with two representatives, a chief and the
// given authserv-id (none if "").
func lifeConfig(t *testing.T, e *mailEnv, authserv string) *config.Config {
	t.Helper()
	text := e.configTOML(t.TempDir()+"/life.db", `poll_interval = "100ms"
idle = false`)
	text = strings.Replace(text, "representatives = [", fmt.Sprintf("chief = %q\nrepresentatives = [{ party = \"AF\", name = \"AF\", email = %q }, ",
		e.Addr("chef"), e.Addr("af")), 1)
	if authserv != "" {
		text += fmt.Sprintf("[commands]\nauthserv_id = %q\n", authserv)
	}
	cfg, err := config.Parse("life.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// caseLife is a whole case's life by mail, asserting every person's
// INBOX after each step.
func caseLife(t *testing.T, e *mailEnv) {
	reporter, leader, fk, af := e.Addr("anna"), e.Addr("processledare"), e.Addr("fk"), e.Addr("af")
	cfg := lifeConfig(t, e, "")
	d := startDaemon(t, cfg, nil)

	// 1. The blanket, with identity numbers written four ways.
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "life-"+e.tag+"@af.example",
		"Personen 850312-1231 (i journalen 198503121231, i beslutet 19850312-1231, i mejlet 850312 1231)\n"+
			"fick avslag från FK och skrevs ut från AF samma vecka."))
	ack := e.WaitFor(reporter, "INBOX", "Vi har tagit emot din anm", 1)[0]
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	threaded(t, "ack", ack, caseID)
	notice := e.WaitFor(leader, "INBOX", "Nytt ärende", 1)[0]
	threaded(t, "notification", notice, caseID)
	status := func(want string) {
		t.Helper()
		c, err := d.store.Case(context.Background(), caseID)
		if err != nil || c.Status != want {
			t.Errorf("status %v (%v), want %s", c.Status, err, want)
		}
	}
	status(store.StatusNew)

	// 2. The process leader asks; the reporter gets the question.
	to, raw := replyTo(t, notice, leader, "Hej Anna! Vilket kontor på FK fattade beslutet?")
	e.Send(leader, to, raw)
	q := e.WaitFor(reporter, "INBOX", "Vilket kontor på FK", 1)[0]
	threaded(t, "question", q, caseID)
	if strings.Contains(decoded(q), leader) {
		t.Error("the question shows the process leader's address")
	}
	status(store.StatusInDialogue)

	// 3. The reporter answers; the process leader gets it.
	to, raw = replyTo(t, q, reporter, "Det var kontoret i Angered.")
	e.Send(reporter, to, raw)
	rn := e.WaitFor(leader, "INBOX", "kontoret i Angered", 1)[0]
	threaded(t, "reporter's answer", rn, caseID)

	// 4. Level and a forward to FK and AF.
	to, raw = replyTo(t, rn, leader, "/nivå organisering\n/vidarebefordra FK AF\nKan ni förklara hur besluten hängde ihop?")
	e.Send(leader, to, raw)
	e.WaitFor(leader, "INBOX", "Kommandona är genomförda", 1)
	fwdFK := e.WaitFor(fk, "INBOX", "hur besluten hängde ihop", 1)[0]
	fwdAF := e.WaitFor(af, "INBOX", "hur besluten hängde ihop", 1)[0]
	threaded(t, "forward to FK", fwdFK, caseID)
	status(store.StatusForwarded)
	// Redaction: nothing in either representative's mailbox identifies
	// the person or the reporter.
	for _, rep := range []string{fk, af} {
		for _, m := range e.Messages(rep, "INBOX") {
			if pii := form.FindPII(string(m) + decoded(m)); len(pii) > 0 {
				t.Errorf("%s's mailbox holds %v", rep, pii)
			}
			if strings.Contains(string(m), reporter) || strings.Contains(decoded(m), "Anna Andersson") {
				t.Errorf("%s's mailbox names the reporter", rep)
			}
		}
	}

	// 5. The representatives answer; the process leader gets each answer.
	to, raw = replyTo(t, fwdFK, fk, "FK följde reglerna men ser över rutinen för avstämning.")
	e.Send(fk, to, raw)
	an := e.WaitFor(leader, "INBOX", "ser över rutinen", 1)[0]
	threaded(t, "FK's answer", an, caseID)
	status(store.StatusForwarded) // AF has not answered yet
	to, raw = replyTo(t, fwdAF, af, "AF har ändrat sin rutin för utskrivning.")
	e.Send(af, to, raw)
	e.WaitFor(leader, "INBOX", "ändrat sin rutin", 1)
	status(store.StatusAnswered)

	// 6. Feedback with the answers; the reporter has it.
	to, raw = replyTo(t, an, leader, "/återkoppla med svar\nTack för anmälan! Så här svarade myndigheterna.")
	e.Send(leader, to, raw)
	fb := e.WaitFor(reporter, "INBOX", "Återkoppling på din anmälan", 1)[0]
	threaded(t, "feedback", fb, caseID)
	for _, want := range []string{"Så här svarade myndigheterna", "ser över rutinen", "ändrat sin rutin"} {
		if !strings.Contains(decoded(fb), want) {
			t.Errorf("feedback lacks %q", want)
		}
	}

	// The reporter heard that the case went to FK and AF (one notice; the
	// answers came within the day, so they wait for the next).
	reporterNotice := decoded(e.WaitFor(reporter, "INBOX", "Nytt i ditt ärende", 1)[0])
	for _, want := range []string{"Försäkringskassans representant", "Arbetsförmedlingens representant"} {
		if !strings.Contains(reporterNotice, want) {
			t.Errorf("the reporter's notice lacks %q:\n%s", want, reporterNotice)
		}
	}

	// 7. Close.
	to, raw = replyTo(t, an, leader, "/stäng")
	e.Send(leader, to, raw)
	e.WaitFor(leader, "INBOX", "Kommandona är genomförda", 3)
	status(store.StatusClosed)

	// Each person's INBOX holds what they should, and nothing more.
	for _, c := range []struct {
		addr string
		n    int
	}{{reporter, 4}, {leader, 10}, {fk, 1}, {af, 1}} { // the reporter: ack, question, a notice, feedback; the leader: 7, the relay's confirmation, a copy of each forward
		if got := len(e.Messages(c.addr, "INBOX")); got != c.n {
			t.Errorf("%s: %d mails in INBOX, want %d", c.addr, got, c.n)
		}
	}
	e.WaitFor(e.Shared, casework.FolderDone, "", 8)
	d.stop()

	// The timeline, through the CLI.
	out, code := runCLI(t, "", "case", "show", caseID, "--db", cfg.Database)
	if code != 0 {
		t.Fatalf("case show: exit %d\n%s", code, out)
	}
	for _, want := range []string{"mottaget", "fråga", "inkommet", "ändrat", "Nivå: organisering", "vidarebefordrat",
		"Vidarebefordrat till FK", "Vidarebefordrat till AF", "svar", "Svar från Försäkringskassans representant", "Svar från Arbetsförmedlingens representant", "återkoppling",
		"Ärendet avslutat", "avslutat", "besvarat"} {
		if !strings.Contains(out, want) {
			t.Errorf("case show lacks %q:\n%s", want, out)
		}
	}
	if len(form.FindPII(out)) > 0 {
		t.Errorf("case show prints a personnummer:\n%s", out)
	}
}

func TestCaseLifeDovecotPostfix(t *testing.T) { caseLife(t, newE2EEnv(t)) }

func TestCaseLifeInProcess(t *testing.T) { caseLife(t, newDevEnv(t, devmail.Options{})) }

// Commands from the reporter, an outsider, and a forged process leader
// are refused; nothing of the case changes.
func TestCommandRefusalsDovecotPostfix(t *testing.T) {
	e := newE2EEnv(t)
	reporter, leader, outsider := e.Addr("anna"), e.Addr("processledare"), e.Addr("mallory")
	cfg := lifeConfig(t, e, "mx.example.test")
	d := startDaemon(t, cfg, nil)
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "ref-"+e.tag+"@af.example", "FK och AF talade inte med varandra."))
	ack := e.WaitFor(reporter, "INBOX", "Vi har tagit emot din anm", 1)[0]
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	notice := e.WaitFor(leader, "INBOX", "Nytt ärende", 1)[0]

	// The reporter: refused and told; the text still reaches the leader.
	to, raw := replyTo(t, ack, reporter, "/stäng\nJag vill avsluta.")
	e.Send(reporter, to, raw)
	e.WaitFor(reporter, "INBOX", "Bara processledare kan ge kommandon", 1)
	e.WaitFor(leader, "INBOX", "Jag vill avsluta", 1)

	// An outsider who got hold of the plus address: quarantined.
	to, raw = replyTo(t, notice, outsider, "/stäng")
	e.Send(outsider, to, raw)
	e.WaitFor(e.Shared, casework.FolderQuarantine, outsider, 1)

	// The process leader's address, but Postfix here adds no
	// Authentication-Results for mx.example.test: refused.
	to, raw = replyTo(t, notice, leader, "/stäng")
	e.Send(leader, to, raw)
	e.WaitFor(e.Shared, casework.FolderQuarantine, leader, 1)
	c, err := d.store.Case(context.Background(), caseID)
	if err != nil || c.Status == store.StatusClosed {
		t.Errorf("case %s closed by a refused command (%v)", caseID, err)
	}
	for _, m := range e.Messages(outsider, "INBOX") {
		t.Errorf("the outsider got mail: %s", header(m, "Subject"))
	}
	tl, _ := d.store.Timeline(context.Background(), caseID)
	refused := 0
	for _, ev := range tl {
		if ev.Kind == store.EventRefused {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d refusals on the timeline, want 2 (the reporter's, the unverified leader's)", refused)
	}
}

// The scheduled pattern report reaches the working group through Postfix
// and Dovecot, its workbook attached and readable.
func TestScheduledReportDovecotPostfix(t *testing.T) {
	e := newE2EEnv(t)
	group := e.Addr("arbetsgrupp")
	cfg := lifeConfig(t, e, "")
	cfg.Report.To = []string{group}
	startDaemon(t, cfg, nil)
	raw := e.WaitFor(group, "INBOX", "mönsterrapport", 1)[0]
	m, err := parse.Parse(bytes.NewReader(raw), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || !strings.HasSuffix(m.Attachments[0].Filename, ".xlsx") {
		t.Fatalf("attachments: %+v", m.Attachments)
	}
	f, err := excelize.OpenReader(bytes.NewReader(m.Attachments[0].Content))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !slices.Contains(sheets, "Ärenden") || !slices.Contains(sheets, "Berörda parter") {
		t.Errorf("sheets: %q", sheets)
	}
	if h := header(raw, "Content-Type"); !strings.HasPrefix(h, "multipart/mixed") {
		t.Errorf("Content-Type %q", h)
	}
	if !strings.Contains(string(raw), "text/html") {
		t.Error("no HTML alternative")
	}
}

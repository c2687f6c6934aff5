package casework

import (
	"context"
	"strings"
	"testing"
	"time"

	"lexheller/intake/classify"
	"lexheller/notify"
)

const webBlanket = "Ditt namn: Anna Andersson\nE-post: anna@af.example\nOrganisation: Arbetsförmedlingen Angered\n" +
	"Berörda parter: FK, AF\nVad hände?\nPerson 850312-1231 sjukskrivs men FK godkänner inte.\n"

// A web form submission takes the mailbox's path: a case, the
// acknowledgement and the notification; the same form sent twice is one
// case; one held waits for /godkänn.
func TestSubmit(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	p.FormURL = "https://finsam.example/lexheller"
	log := &mailLog{t: t, p: p}
	ctx := context.Background()
	s := Submission{Forbund: "goteborg", Name: "Anna Andersson", Email: reporter, Text: webBlanket, Key: "k1", At: now}
	out, err := p.Submit(ctx, s)
	if err != nil || out.Kind != classify.NewCase || out.Case == "" {
		t.Fatalf("Submit: %+v, %v", out, err)
	}
	ms := log.next()
	ack := only(t, ms, string(notify.KindAck), reporter)
	only(t, ms, string(notify.KindNotifyNew), leader)
	if !strings.Contains(ack.Body, "ÅÅMMDD-XXXX") || !strings.Contains(ack.Body, "https://finsam.example/lexheller") {
		t.Errorf("the acknowledgement:\n%s", ack.Body)
	}
	c := caseNow(t, p, out.Case)
	if strings.Contains(c.Description, "850312") || c.ReporterOrg != "Arbetsförmedlingen Angered" {
		t.Errorf("the case: %+v", c)
	}
	// The same form again (a double click): the same case, nothing sent.
	again, err := p.Submit(ctx, s)
	if err != nil || !again.Duplicate || again.Case != out.Case || len(log.next()) != 0 {
		t.Errorf("a double submit: %+v, %v", again, err)
	}
	// From outside the member agencies: held, the leaders told, no ack.
	held := Submission{Forbund: "goteborg", Name: "X", Email: "x@gmail.example", Text: strings.Replace(webBlanket, "anna@af.example", "x@gmail.example", 1),
		Key: "k2", Hold: true, At: now}
	out, err = p.Submit(ctx, held)
	if err != nil || out.Kind != classify.NewCase {
		t.Fatalf("held: %+v, %v", out, err)
	}
	ms = log.next()
	if len(to(ms, "x@gmail.example")) != 0 {
		t.Fatalf("a held submission was acknowledged")
	}
	n := only(t, ms, string(notify.KindNotifyNew), leader)
	if !strings.Contains(n.Body, "/godkänn") || !caseNow(t, p, out.Case).Held {
		t.Errorf("the leaders' notification of a held case:\n%s", n.Body)
	}
	// /godkänn: the acknowledgement goes now.
	process(t, p, reply(t, n, leader, "/godkänn"))
	ms = log.next()
	only(t, ms, string(notify.KindAck), "x@gmail.example")
	if caseNow(t, p, out.Case).Held {
		t.Error("still held after /godkänn")
	}
}

// The name typed cannot add a recipient; the same form with a file sent
// twice is one message; a held submission that is incomplete mails nobody.
func TestSubmitHardened(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	ctx := context.Background()
	s := Submission{Forbund: "goteborg", Name: "Anna <victim@gmail.example>, x", Email: reporter, Text: webBlanket, Key: "h1", At: now,
		Files: []SubmittedFile{{Name: "beslut.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 beslut")}}}
	out, err := p.Submit(ctx, s)
	if err != nil || out.Case == "" {
		t.Fatalf("Submit: %+v %v", out, err)
	}
	for _, m := range log.next() {
		if strings.Contains(m.To, "victim") {
			t.Errorf("the name typed sent %s to %s", m.Kind, m.To)
		}
	}
	again, err := p.Submit(ctx, s)
	if err != nil || !again.Duplicate || again.Case != out.Case {
		t.Errorf("the same form with a file again: %+v %v", again, err)
	}
	held := Submission{Forbund: "goteborg", Name: "X", Email: "x@gmail.example", Text: "Ditt namn: X\nOrganisation: Mvh\n", Key: "h2", Hold: true, At: now}
	if _, err := p.Submit(ctx, held); err != nil {
		t.Fatal(err)
	}
	if ms := to(log.next(), "x@gmail.example"); len(ms) != 0 {
		t.Errorf("a held, incomplete submission mailed its address: %s", ms[0].Kind)
	}
}

// While held, a leader's question stays a note and feedback is refused.
func TestHeldCaseKeepsQuiet(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	held := Submission{Forbund: "goteborg", Name: "X", Email: "x@gmail.example", Text: strings.Replace(webBlanket, "anna@af.example", "x@gmail.example", 1),
		Key: "q1", Hold: true, At: now}
	if _, err := p.Submit(context.Background(), held); err != nil {
		t.Fatal(err)
	}
	n := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, n, leader, "Vem är du?"))
	process(t, p, reply(t, n, leader, "/återkoppla\nTack."))
	ms := log.next()
	if len(to(ms, "x@gmail.example")) != 0 {
		t.Errorf("a held case mailed its address")
	}
	var bodies []string
	for _, m := range to(ms, leader) {
		bodies = append(bodies, m.Body)
	}
	if all := strings.Join(bodies, "\n"); !strings.Contains(all, "väntar på /godkänn") || !strings.Contains(all, "Skriv /godkänn först") {
		t.Errorf("the leader is not told why:\n%s", all)
	}
}

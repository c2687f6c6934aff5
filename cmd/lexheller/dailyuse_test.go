package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
)

// dailyUse is what a process leader and a reporter do every day, through
// the mail system: a note after a greeting reaches nobody, a reply with
// only the missing field completes a blanket, and a mistyped personnummer
// reaches no party.
func dailyUse(t *testing.T, e *mailEnv) {
	reporter, leader, fk := e.Addr("anna"), e.Addr("processledare"), e.Addr("fk")
	cfg := lifeConfig(t, e, "")
	d := startDaemon(t, cfg, nil)

	// 1. A blanket without "Vad hände?": a request for it; the answer with
	// just that field makes the case.
	half := strings.Replace(blanket(reporter, e.Shared, "half-"+e.tag+"@af.example", ""), "Vad hände?:\n\n", "", 1)
	e.Send(reporter, e.Shared, half)
	req := e.WaitFor(reporter, "INBOX", "Svara på det här mejlet med det som saknas", 1)[0]
	to, raw := replyTo(t, req, reporter, "Vad hände?\nFörsäkringskassan drog in sjukpenningen. Personnummer 19850312-1234.")
	e.Send(reporter, to, raw)
	ack := e.WaitFor(reporter, "INBOX", "Vi har tagit emot din anmälan", 1)[0]
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	c, err := d.store.Case(context.Background(), caseID)
	if err != nil || !strings.Contains(c.Description, "drog in sjukpenningen") || c.ReporterOrg != "Arbetsförmedlingen Angered" {
		t.Fatalf("the completed case: %+v, %v", c, err)
	}

	// 2. A greeting, then a note: on the case, to nobody.
	notice := e.WaitFor(leader, "INBOX", "["+caseID+"] Nytt ärende", 1)[0]
	to, raw = replyTo(t, notice, leader, "Hej,\n\n/notering Ringde anmälaren, hon återkommer.")
	e.Send(leader, to, raw)
	e.WaitFor(leader, "INBOX", "Intern notering sparad", 1)
	for _, m := range e.Messages(reporter, "INBOX") {
		if strings.Contains(decoded(m), "Ringde anmälaren") {
			t.Errorf("the note reached the reporter:\n%s", decoded(m))
		}
	}

	// 3. A forward to FK: the mistyped personnummer (wrong check digit)
	// is not in FK's mailbox.
	to, raw = replyTo(t, notice, leader, "/vidarebefordra FK\nHur ser ni på detta?")
	e.Send(leader, to, raw)
	fwd := e.WaitFor(fk, "INBOX", "Hur ser ni på detta?", 1)[0]
	if text := decoded(fwd); strings.Contains(text, "19850312-1234") || strings.Contains(text, "850312") {
		t.Errorf("the mistyped personnummer reached FK:\n%s", text)
	}
	e.WaitFor(leader, "INBOX", "Kopia av det som skickades till Försäkringskassan", 1)
	tl, _ := d.store.Timeline(context.Background(), caseID)
	noted := false
	for _, ev := range tl {
		noted = noted || ev.Kind == store.EventNote && strings.Contains(ev.Body, "Ringde anmälaren")
	}
	if !noted {
		t.Error("the note is not on the timeline")
	}
}

func TestDailyUseInProcess(t *testing.T)      { dailyUse(t, newDevEnv(t, devmail.Options{})) }
func TestDailyUseDovecotPostfix(t *testing.T) { dailyUse(t, newE2EEnv(t)) }

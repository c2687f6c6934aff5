package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/devmail"
)

// followingTheCase is issue 15 by mail: a case forwarded to FK and to a
// working group; the reporter's notice and /status answer in the
// reporter's mailbox; the group's answer threaded back to the process
// leaders; FK's digest in FK's mailbox.
func followingTheCase(t *testing.T, e *mailEnv) {
	reporter, leader, fk, group := e.Addr("anna"), e.Addr("processledare"), e.Addr("fk"), e.Addr("pvpsyk")
	cfg := lifeConfig(t, e, "")
	cfg.Forbund[0].Groups = []config.Group{{Name: "Primärvård och psykiatri", Addresses: []string{group}}}
	cfg.Forbund[0].Digest.Every = config.EveryNever
	d := startDaemon(t, cfg, nil)

	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "follow-"+e.tag+"@af.example", "Vårdcentralen och FK gav motstridiga besked."))
	ack := e.WaitFor(reporter, "INBOX", "Vi har tagit emot din anm", 1)[0]
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	if !strings.Contains(decoded(ack), "/status") {
		t.Errorf("the acknowledgement does not tell how to ask for the status")
	}
	notice := e.WaitFor(leader, "INBOX", "Nytt ärende", 1)[0]

	to, raw := replyTo(t, notice, leader, "/vidarebefordra FK\nHur ser ni på det här?\n/grupp Primärvård och psykiatri\nKänner ni igen mönstret?")
	e.Send(leader, to, raw)
	e.WaitFor(fk, "INBOX", caseID, 1)
	gf := e.WaitFor(group, "INBOX", caseID, 1)[0]
	if body := decoded(gf); !strings.Contains(body, "till er i arbetsgruppen Primärvård och psykiatri") || strings.Contains(body, "Anna") {
		t.Errorf("the group's mail:\n%s", body)
	}
	n := decoded(e.WaitFor(reporter, "INBOX", "Nytt i ditt ärende", 1)[0])
	for _, want := range []string{"Försäkringskassans representant", "arbetsgruppen Primärvård och psykiatri"} {
		if !strings.Contains(n, want) {
			t.Errorf("the reporter's notice lacks %q:\n%s", want, n)
		}
	}

	// The group answers its mail; the leaders get it in the case's thread.
	to, raw = replyTo(t, gf, group, "Ja, vi ser samma sak på flera vårdcentraler.")
	e.Send(group, to, raw)
	an := e.WaitFor(leader, "INBOX", "Svar från Arbetsgruppen", 1)[0]
	threaded(t, "the group's answer", an, caseID)
	if !strings.Contains(decoded(an), "samma sak på flera vårdcentraler") {
		t.Errorf("the group's answer:\n%s", decoded(an))
	}

	// The reporter asks for the status.
	to, raw = replyTo(t, ack, reporter, "/status\n\nMvh Anna")
	e.Send(reporter, to, raw)
	st := decoded(e.WaitFor(reporter, "INBOX", "Läget i ärendet", 1)[0])
	for _, want := range []string{"lämnades till Försäkringskassans representant", "lämnades till arbetsgruppen Primärvård och psykiatri",
		"Arbetsgruppen Primärvård och psykiatri svarade"} {
		if !strings.Contains(st, want) {
			t.Errorf("the reporter's status lacks %q:\n%s", want, st)
		}
	}
	if strings.Contains(st, "samma sak på flera vårdcentraler") || strings.Contains(st, leader) {
		t.Errorf("the reporter's status shows what the group wrote or who:\n%s", st)
	}
	d.stop()

	// FK's digest, once the förbund sends them daily (from midnight).
	midnight := 0
	cfg.Forbund[0].Digest = config.Digest{Every: config.EveryDay, Weekday: "monday", Day: time.Monday, Hour: &midnight}
	d = startDaemon(t, cfg, nil)
	dg := decoded(e.WaitFor(fk, "INBOX", "dina ärenden", 1)[0])
	for _, want := range []string{"Väntar på ditt svar (1)", caseID, "Hur ser ni på det här?"} {
		if !strings.Contains(dg, want) {
			t.Errorf("FK's digest lacks %q:\n%s", want, dg)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if got := len(e.Messages(fk, "INBOX")); got != 2 {
		t.Errorf("FK has %d mails, want the forward and one digest", got)
	}
	d.stop()
}

func TestFollowingTheCaseInProcess(t *testing.T) {
	followingTheCase(t, newDevEnv(t, devmail.Options{}))
}

func TestFollowingTheCaseDovecotPostfix(t *testing.T) { followingTheCase(t, newE2EEnv(t)) }

package main

import (
	"context"
	"fmt"
	"lexheller/intake/casework"
	"regexp"
	"strings"
	"testing"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
)

// hostile sends what an attacker or a careless sender would, through the
// mail system, and checks that intake goes on: a From that cannot be
// answered, two blankets under one Message-ID, a forged command, a
// representative who filed the blanket and answers it.
func hostile(t *testing.T, e *mailEnv) {
	reporter, leader, fk := e.Addr("anna"), e.Addr("processledare"), e.Addr("fk")
	cfg := lifeConfig(t, e, "")
	d := startDaemon(t, cfg, nil)
	t.Cleanup(func() {
		if t.Failed() {
			dumpState(t, d) // what the daemon had done, for a failure seen once under load
		}
	})

	// 1. A From address that parses but cannot be sent to, then a valid
	// blanket: the poison is a case without an acknowledgement, the
	// leader is told; the next blanket is acknowledged.
	poison := strings.Replace(blanket(reporter, e.Shared, "poison-"+e.tag+"@x", "Giftig avsändare."),
		"From: Anna Andersson <"+reporter+">", `From: <"a b"@kommun.example>`, 1)
	e.Send(reporter, e.Shared, poison)
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "after-poison-"+e.tag+"@x", "Efter giftet."))
	e.WaitFor(reporter, "INBOX", "Vi har tagit emot", 1)
	e.WaitFor(leader, "INBOX", "inte fått någon bekräftelse", 1)
	e.WaitFor(e.Shared, casework.FolderDone, "poison-"+e.tag, 1)

	// 2. Two different blankets under one Message-ID: two cases.
	same := "same-" + e.tag + "@webform.example"
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, same, "Första blanketten med samma id."))
	e.WaitFor(reporter, "INBOX", "Vi har tagit emot", 2)
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, same, "Andra blanketten med samma id."))
	acks := e.WaitFor(reporter, "INBOX", "Vi har tagit emot", 3)
	ids := map[string]bool{}
	for _, a := range acks {
		ids[regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(a))[1]] = true
	}
	if len(ids) != 3 {
		t.Errorf("acknowledgements name %d cases, want 3", len(ids))
	}
	e.WaitFor(e.Shared, casework.FolderDone, same, 2)

	// 3. A forged command: the leader's address, the case tag, the plain
	// address. Refused, the case stays open, the leader is told.
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(acks[0]))[1]
	e.Send(e.Addr("mallory"), e.Shared, fmt.Sprintf("From: <%s>\nTo: %s\nSubject: [%s] avsluta\nMessage-ID: <forged-%s@evil.example>\n\n/stäng\n",
		leader, e.Shared, caseID, e.tag))
	e.WaitFor(leader, "INBOX", "Ingenting genomfördes och ingenting skickades vidare", 1)
	if c, err := d.store.Case(context.Background(), caseID); err != nil || c.Status == store.StatusClosed {
		t.Errorf("case %s after a forged /stäng: %v, %v", caseID, c.Status, err)
	}

	// 4. FK's representative files a blanket, the leader forwards it to
	// FK, the representative answers: FK's answer, the case answered.
	e.Send(fk, e.Shared, blanket(fk, e.Shared, "fk-self-"+e.tag+"@x", "FK:s egen anmälan."))
	ack := e.WaitFor(fk, "INBOX", "Vi har tagit emot", 1)[0]
	fkCase := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	notice := e.WaitFor(leader, "INBOX", "["+fkCase+"] Nytt ärende", 1)[0]
	to, raw := replyTo(t, notice, leader, "/vidarebefordra FK\nHur ser FK på detta?")
	e.Send(leader, to, raw)
	fwd := e.WaitFor(fk, "INBOX", "Hur ser FK på detta?", 1)[0]
	to, raw = replyTo(t, fwd, fk, "FK ändrar rutinen.")
	e.Send(fk, to, raw)
	e.WaitFor(leader, "INBOX", "FK ändrar rutinen", 1)
	if c, err := d.store.Case(context.Background(), fkCase); err != nil || c.Status != store.StatusAnswered {
		t.Errorf("FK's case after FK's answer: %v, %v; want answered", c.Status, err)
	}
}

func TestHostileInProcess(t *testing.T)      { hostile(t, newDevEnv(t, devmail.Options{})) }
func TestHostileDovecotPostfix(t *testing.T) { hostile(t, newE2EEnv(t)) }

// The crafted Authentication-Results headers that crashed classify.Verified,
// through the mail system with authserv_id set: the daemon keeps running,
// each mail is in Karantän with its reason, the case is unchanged, and a
// blanket sent afterwards is acknowledged.
func craftedAuthResults(t *testing.T, e *mailEnv) {
	reporter, leader := e.Addr("anna"), e.Addr("processledare")
	cfg := lifeConfig(t, e, "mx.example.test")
	d := startDaemon(t, cfg, nil)
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "ar-"+e.tag+"@x", "Före."))
	ack := e.WaitFor(reporter, "INBOX", "Vi har tagit emot", 1)[0]
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	headers := []string{";", " ; ;; ", "(comment only)", `"quoted; dkim=pass"`, "(unbalanced; dkim=pass header.d=example.test", "mx.example.test; (", ")"}
	for i, h := range headers {
		e.Send(leader, e.Shared, fmt.Sprintf("From: <%s>\nTo: %s\nSubject: [%s] x\nMessage-ID: <ar%d-%s@x>\nAuthentication-Results: %s\n\n/stäng\n",
			leader, e.Shared, caseID, i, e.tag, h))
	}
	e.WaitFor(e.Shared, casework.FolderQuarantine, "Authentication-Results", len(headers))
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "ar-after-"+e.tag+"@x", "Efter."))
	e.WaitFor(reporter, "INBOX", "Vi har tagit emot", 2)
	if c, err := d.store.Case(context.Background(), caseID); err != nil || c.Status != store.StatusNew {
		t.Errorf("case %s after the crafted mails: %v, %v", caseID, c.Status, err)
	}
	ledger, err := d.store.Counts(context.Background(), "messages", "kind")
	if err != nil || ledger["quarantine"] != len(headers) {
		t.Errorf("quarantined %v (%v), want %d", ledger, err, len(headers))
	}
	// Each is recorded with the reason: in a process leader's name, not
	// vouched for by the inbound server.
	rows, err := d.store.DB().Query(`SELECT reason FROM messages WHERE kind = 'quarantine'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var reasons []string
	vouched := 0
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, r)
		if strings.HasPrefix(r, "from a process leader's address on "+caseID+", but not verified") {
			vouched++
		}
	}
	if vouched != len(headers) {
		t.Errorf("%d of %d quarantined with the reason; reasons: %v", vouched, len(headers), reasons)
	}
}

func TestCraftedAuthResultsInProcess(t *testing.T) {
	craftedAuthResults(t, newDevEnv(t, devmail.Options{}))
}
func TestCraftedAuthResultsDovecotPostfix(t *testing.T) { craftedAuthResults(t, newE2EEnv(t)) }

// dumpState logs the daemon's ledger, pending messages, cases and outbox.
func dumpState(t *testing.T, d *daemon) {
	ctx := context.Background()
	total, unmoved, err := d.store.LedgerStats(ctx)
	n, oldest, _ := d.store.PendingStats(ctx)
	t.Logf("ledger: %d messages, %d not moved (%v); pending: %d since %v; watchers: %+v", total, unmoved, err, n, oldest, d.watchers[0].Status())
	cases, _ := d.store.Cases(ctx, store.CaseFilter{})
	for _, c := range cases {
		mails, _ := d.store.Outbox(ctx, c.ID)
		for _, m := range mails {
			t.Logf("%s: %s to %s: %s, %d attempts, next %v (%s)", c.ID, m.Kind, m.To, m.Status, m.Attempts, m.NextAttemptAt, m.LastError)
		}
	}
	t.Logf("sender: %+v", d.sender.Health())
}

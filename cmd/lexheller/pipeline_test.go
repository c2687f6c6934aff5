package main

import (
	"context"
	"fmt"
	"lexheller/intake/casework"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
)

// lifecycle is the scenario both the in-process and the Dovecot + Postfix
// tests run: a backlog, a blanket arriving while the daemon waits, an
// auto-reply that gets no answer, a reply with the case tag.
func lifecycle(t *testing.T, e *mailEnv) {
	reporter, leader := e.Addr("anna"), e.Addr("processledare")
	// Backlog: in INBOX before the daemon starts.
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "backlog-"+e.tag+"@af.example", "Sjukskrivningen godkänns inte av FK."))
	e.Send(e.Addr("semester"), e.Shared, fmt.Sprintf(`From: Per Holm <%s>
To: %s
Subject: Frånvaro: Lex Heller
Auto-Submitted: auto-replied
Message-ID: <oof-%s@kommun.example>

Jag är på semester till och med 30 november.
`, e.Addr("semester"), e.Shared, e.tag))
	e.WaitFor(e.Shared, "INBOX", "", 2)

	d := startDaemon(t, e.Config(""), nil)
	acks := e.WaitFor(reporter, "INBOX", "Vi har tagit emot din anm", 1)
	ack := acks[0]
	subject := header(ack, "Subject")
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))
	if caseID == nil {
		t.Fatalf("ack has no case tag:\n%s", ack)
	}
	for _, h := range []string{"In-Reply-To", "References", "Reply-To", "Auto-Submitted", "X-Auto-Response-Suppress", "Message-Id"} {
		if header(ack, h) == "" {
			t.Errorf("ack lacks %s", h)
		}
	}
	if got := header(ack, "In-Reply-To"); got != "<backlog-"+e.tag+"@af.example>" {
		t.Errorf("ack In-Reply-To = %q", got)
	}
	if got := header(ack, "Auto-Submitted"); got != "auto-replied" {
		t.Errorf("ack Auto-Submitted = %q", got)
	}
	if refs := header(ack, "References"); !strings.HasPrefix(refs, "<case."+caseID[1]+"@") {
		t.Errorf("ack References = %q, want the case reference first", refs)
	}
	t.Logf("ack subject %q", subject)
	e.WaitFor(leader, "INBOX", "Nytt ärende", 1)
	e.WaitFor(e.Shared, casework.FolderDone, "backlog-"+e.tag, 1)
	e.WaitFor(e.Shared, casework.FolderIgnored, "oof-"+e.tag, 1)

	// A blanket arriving while the daemon waits (IDLE or poll).
	second := e.Addr("karin")
	e.Send(second, e.Shared, blanket(second, e.Shared, "live-"+e.tag+"@fk.example", "Aktivitetsstödet drogs in."))
	e.WaitFor(second, "INBOX", "Vi har tagit emot din anm", 1)

	// The reporter replies to the ack with the tag in the subject.
	e.Send(reporter, e.Shared, fmt.Sprintf(`From: Anna Andersson <%s>
To: %s
Subject: SV: %s
Message-ID: <reply-%s@af.example>
In-Reply-To: %s

Ett tillägg: beslutet kom den 3 november.

Den 12 nov. 2026 kl. 10:14 skrev Lex Heller <%s>:
> Vi har tagit emot din anmälan
`, reporter, e.Shared, subject, e.tag, header(ack, "Message-Id"), e.Shared))
	notice := e.WaitFor(leader, "INBOX", "beslutet kom den 3 november", 1)[0]
	if strings.Contains(decoded(notice), "> Vi har tagit emot") {
		t.Errorf("the quoted history reached the process leader:\n%s", notice)
	}
	// An outsider quoting the tag is quarantined, not attached.
	e.Send(e.Addr("outsider"), e.Shared, fmt.Sprintf("From: %s\nTo: %s\nSubject: Re: [%s]\nMessage-ID: <out-%s@x.example>\n\nJag vill också vara med.\n",
		e.Addr("outsider"), e.Shared, caseID[1], e.tag))
	e.WaitFor(e.Shared, casework.FolderQuarantine, "out-"+e.tag, 1)

	// Nobody answered the auto-reply.
	if n := len(e.Messages(e.Addr("semester"), "INBOX")); n != 0 {
		t.Errorf("the out-of-office sender got %d mails", n)
	}
	d.stop()

	st, err := store.Open(context.Background(), d.cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tl, err := st.Timeline(context.Background(), caseID[1])
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range tl {
		kinds = append(kinds, ev.Kind)
	}
	joined := strings.Join(kinds, ",")
	for _, want := range []string{store.EventCreated, store.EventSent, store.EventReceived} {
		if !strings.Contains(joined, want) {
			t.Errorf("timeline of %s = %s, lacks %s", caseID[1], joined, want)
		}
	}
	if left := e.Messages(e.Shared, "INBOX"); len(left) != 0 {
		t.Errorf("%d messages left in INBOX", len(left))
	}
}

func TestLifecycleInProcess(t *testing.T) {
	lifecycle(t, newDevEnv(t, devmail.Options{}))
}

func TestLifecyclePollingCopyExpunge(t *testing.T) {
	// A server without IDLE and MOVE: polling, COPY + STORE + EXPUNGE.
	lifecycle(t, newDevEnv(t, devmail.Options{NoIdle: true, NoMove: true}))
}

func TestLifecycleDovecotPostfix(t *testing.T) {
	lifecycle(t, newE2EEnv(t))
}

func TestReconnectAfterServerRestart(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	d := startDaemon(t, e.Config(""), nil)
	r1 := e.Addr("r1")
	e.Send(r1, e.Shared, blanket(r1, e.Shared, "a-"+e.tag+"@x", "Första."))
	e.WaitFor(r1, "INBOX", "Vi har tagit emot", 1)
	if err := e.Dev.RestartIMAP(); err != nil {
		t.Fatal(err)
	}
	r2 := e.Addr("r2")
	e.Send(r2, e.Shared, blanket(r2, e.Shared, "b-"+e.tag+"@x", "Andra."))
	e.WaitFor(r2, "INBOX", "Vi har tagit emot", 1)
	if st := d.watchers[0].Status(); st.Reconnects < 1 || !st.Connected {
		t.Errorf("watcher status after restart = %+v, want a reconnect and connected", st)
	}
}

func TestSMTPRefusesThenAccepts(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	var refusals atomic.Int32
	reporter := e.Addr("anna")
	e.Dev.SetRejectRcpt(func(to string) error {
		if strings.EqualFold(to, reporter) && refusals.Add(1) <= 3 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	})
	d := startDaemon(t, e.Config(""), nil)
	e.Send(reporter, e.Shared, blanket(reporter, e.Shared, "c-"+e.tag+"@x", "Tredje."))
	e.WaitFor(reporter, "INBOX", "Vi har tagit emot", 1)
	if n := refusals.Load(); n < 4 {
		t.Errorf("server saw %d attempts, want 4 (3 refused)", n)
	}
	// The mail is in the INBOX as soon as the server has it; the row is
	// marked sent right after the server's answer.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out, err := d.store.Outbox(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		var ack *store.OutMail
		for _, m := range out {
			if m.To == reporter {
				ack = m
			}
		}
		if ack != nil && ack.Status == store.OutSent {
			if ack.Attempts != 4 {
				t.Errorf("ack row: sent after %d attempts, want 4", ack.Attempts)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ack row not marked sent within 5 s: %+v", ack)
		}
	}

	// A permanent refusal ends the row failed and tells the process leader.
	bad := e.Addr("finnsinte")
	e.Dev.SetRejectRcpt(func(to string) error {
		if strings.EqualFold(to, bad) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	})
	e.Send(bad, e.Shared, blanket(bad, e.Shared, "d-"+e.tag+"@x", "Fjärde."))
	e.WaitFor(e.Addr("processledare"), "INBOX", "kunde inte skickas", 1)
	time.Sleep(100 * time.Millisecond)
	out, _ := d.store.Outbox(context.Background(), "")
	for _, m := range out {
		if m.To == bad && (m.Status != store.OutFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "550")) {
			t.Errorf("row to %s: status %s, attempts %d, error %q; want failed once with 550", bad, m.Status, m.Attempts, m.LastError)
		}
	}
}

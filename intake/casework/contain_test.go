package casework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lexheller/intake/classify"
	"lexheller/intake/ident"
	"lexheller/intake/store"
	"lexheller/notify"
)

// processUIDs is process with explicit UIDs, returning the error too.
func processUIDs(p *Processor, uids []uint32, raws ...string) ([]Outcome, error) {
	var in []Incoming
	for i, r := range raws {
		in = append(in, Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uids[i], Raw: []byte(r)})
	}
	return p.Process(context.Background(), in)
}

// A From address that parses but cannot be sent to makes a case without
// an acknowledgement; the process leaders are told; the next blanket is
// acknowledged.
func TestUnanswerableReporterIsStillACase(t *testing.T) {
	for _, from := range []string{`"a b"@kommun.example`, `a..b@kommun.example`, `a@b@kommun.example`} {
		t.Run(from, func(t *testing.T) {
			p := newProcessor(t)
			poison := strings.Replace(blanketMsg("x", "poison@kommun.example"), "Anna <x>", "<"+from+">", 1)
			if from == `a@b@kommun.example` {
				poison = strings.Replace(blanketMsg("x", "poison@kommun.example"), "Anna <x>", "x <"+from+">", 1)
			}
			outs, err := processUIDs(p, []uint32{1, 2}, poison, blanketMsg("anna@af.example", "good@af.example"))
			if err != nil {
				t.Fatal(err)
			}
			if outs[0].Kind != classify.NewCase || outs[0].Case == "" || outs[0].Folder != FolderDone {
				t.Fatalf("poison = %+v, want a new case", outs[0])
			}
			if outs[1].Kind != classify.NewCase || outs[1].Folder != FolderDone {
				t.Fatalf("next blanket = %+v", outs[1])
			}
			var acks, notes int
			for _, m := range outbox(t, p) {
				if err := ident.Deliverable(m.To); err != nil {
					t.Errorf("queued to %q: %v", m.To, err)
				}
				switch {
				case m.Kind == string(notify.KindAck):
					acks++
				case m.Kind == string(notify.KindNotifyNew) && m.CaseID == outs[0].Case:
					notes++
					if !strings.Contains(m.Body, "inte fått någon bekräftelse") {
						t.Errorf("notification lacks the note:\n%s", m.Body)
					}
				}
			}
			if acks != 1 || notes != 1 {
				t.Errorf("%d acks, %d notifications of the poison case; want 1, 1", acks, notes)
			}
		})
	}
}

// A panic while one message is read or recorded quarantines that message
// with the reason, tells the process leaders once, and the rest of the
// batch is handled.
func TestPanicInOneMessageQuarantinesIt(t *testing.T) {
	for _, stage := range []string{"read", "record"} {
		t.Run(stage, func(t *testing.T) {
			p := newProcessor(t)
			var logged bytes.Buffer
			p.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
			p.hook = func(s string, in Incoming) error {
				if s == stage && bytes.Contains(in.Raw, []byte("X-Poison")) {
					var m map[string]int
					m["boom"]++ // a nil map: a real runtime panic
				}
				return nil
			}
			poison := "X-Poison: 1\r\n" + blanketMsg("eve@kommun.example", "poison@kommun.example")
			outs, err := processUIDs(p, []uint32{1, 2, 3}, blanketMsg("anna@af.example", "a@af.example"), poison,
				blanketMsg("bo@af.example", "b@af.example"))
			if err != nil {
				t.Fatal(err)
			}
			if outs[1].Kind != classify.Quarantine || outs[1].Folder != FolderQuarantine || !strings.HasPrefix(outs[1].Reason, ReasonInternal) {
				t.Fatalf("poison = %+v", outs[1])
			}
			for _, i := range []int{0, 2} {
				if outs[i].Kind != classify.NewCase || outs[i].Folder != FolderDone {
					t.Errorf("message %d = %+v", i, outs[i])
				}
			}
			// The log names the message (UID and Message-ID, no body) and
			// carries the stack.
			if l := logged.String(); !strings.Contains(l, `"msg":"panic while handling a message; it goes to Karantän"`) ||
				!strings.Contains(l, `"uid":2`) || !strings.Contains(l, `"message_id":"poison@kommun.example"`) ||
				!strings.Contains(l, `"stack":"goroutine`) || strings.Contains(l, "Vad hände") {
				t.Errorf("the panic's log line:\n%s", l)
			}
			raw, ok, err := p.Store.RawMessage(context.Background(), outs[1].Ledger)
			if err != nil || !ok || !bytes.Equal(raw, []byte(poison)) {
				t.Errorf("raw message not kept: %v %v", ok, err)
			}
			if n := count(outbox(t, p), string(notify.KindQuarantined)); n != 1 {
				t.Errorf("%d quarantine notices, want 1", n)
			}
			// Seen again (a crash before the move): moved, not told again.
			outs, err = processUIDs(p, []uint32{2}, poison)
			if err != nil || outs[0].Folder != FolderQuarantine {
				t.Fatalf("again: %+v %v", outs, err)
			}
			if n := count(outbox(t, p), string(notify.KindQuarantined)); n != 1 {
				t.Errorf("%d quarantine notices after a second pass, want 1", n)
			}
		})
	}
}

func count(ms []*store.OutMail, kind string) int {
	n := 0
	for _, m := range ms {
		if m.Kind == kind {
			n++
		}
	}
	return n
}

// An error recording one message leaves it in INBOX, counted; at the third
// attempt it is quarantined with the error, and the others go on.
func TestFailingMessageIsQuarantinedAfterThreeAttempts(t *testing.T) {
	p := newProcessor(t)
	p.hook = func(s string, in Incoming) error {
		if s == "record" && bytes.Contains(in.Raw, []byte("X-Poison")) {
			return errors.New("CHECK constraint failed: the test says no")
		}
		return nil
	}
	poison := "X-Poison: 1\r\n" + blanketMsg("eve@kommun.example", "poison@kommun.example")
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		good := blanketMsg("anna@af.example", "good"+string(rune('0'+attempt))+"@af.example")
		outs, err := processUIDs(p, []uint32{7, uint32(10 + attempt)}, poison, good)
		if outs[1].Kind != classify.NewCase || outs[1].Folder != FolderDone {
			t.Fatalf("attempt %d: the good message = %+v", attempt, outs[1])
		}
		n, oldest, serr := p.Store.PendingStats(context.Background())
		if attempt < MaxAttempts {
			if err == nil || outs[0].Folder != "" {
				t.Fatalf("attempt %d: poison = %+v, err %v; want it left in INBOX with an error", attempt, outs[0], err)
			}
			if serr != nil || n != 1 || oldest.IsZero() {
				t.Errorf("attempt %d: pending %d since %v (%v), want 1", attempt, n, oldest, serr)
			}
			continue
		}
		if err != nil || outs[0].Folder != FolderQuarantine || !strings.Contains(outs[0].Reason, "efter 3 försök") ||
			!strings.Contains(outs[0].Reason, "the test says no") {
			t.Fatalf("attempt %d: poison = %+v, err %v", attempt, outs[0], err)
		}
		if n != 0 {
			t.Errorf("pending %d after the quarantine, want 0", n)
		}
	}
	if n := count(outbox(t, p), string(notify.KindQuarantined)); n != 1 {
		t.Errorf("%d quarantine notices, want 1", n)
	}
}

// Two different blankets under one Message-ID are two cases; the same one
// delivered twice (a relay adds a header) is one.
func TestReusedMessageIDIsANewMessage(t *testing.T) {
	p := newProcessor(t)
	a := blanketMsg("anna@af.example", "same@webform.example")
	b := strings.Replace(a, "sjukskrivs men FK godkänner inte", "får inget beslut från kommunen på fyra månader", 1)
	again := "Received: from relay2.example by mx.example; Tue, 1 Dec 2026 10:00:00 +0100\r\n" + a
	outs := process(t, p, a, b)
	outs = append(outs, process(t, p, again, b)...)
	if outs[0].Case == "" || outs[1].Case == "" || outs[0].Case == outs[1].Case || outs[1].Duplicate {
		t.Fatalf("two blankets, one Message-ID: %+v / %+v; want two cases", outs[0], outs[1])
	}
	if !outs[2].Duplicate || outs[2].Case != outs[0].Case || !outs[3].Duplicate || outs[3].Case != outs[1].Case {
		t.Errorf("re-deliveries: %+v / %+v; want duplicates of %s and %s", outs[2], outs[3], outs[0].Case, outs[1].Case)
	}
	tl, _ := p.Store.Timeline(context.Background(), outs[1].Case)
	noted := false
	for _, e := range tl {
		noted = noted || strings.Contains(e.Summary, "samma Message-ID")
	}
	if !noted {
		t.Error("the second case has no note of the reused Message-ID")
	}
}

// The crash-loop guard, with a message that kills the process: a child
// process (this test binary) handles the mailbox and exits on the marker.
// It dies CrashLoopDeaths times in a row with the message in hand, and
// at the next start the message is quarantined unread while the others
// are handled.
func TestCrashLoopGuard(t *testing.T) {
	if os.Getenv("LEXHELLER_CRASHLOOP_CHILD") != "" {
		crashLoopChild()
		return
	}
	dir := t.TempDir()
	run := func() int {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLoopGuard$")
		cmd.Env = append(os.Environ(), "LEXHELLER_CRASHLOOP_CHILD="+dir)
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return 0
	}
	// The poison alone in INBOX: deaths with it in hand alone.
	for i := 1; i <= CrashLoopDeaths; i++ {
		if code := run(); code != 3 {
			t.Fatalf("start %d: exit %d, want the poison to kill it (3)", i, code)
		}
	}
	if code := run(); code != 0 {
		t.Fatalf("start %d: exit %d, want 0", CrashLoopDeaths+1, code)
	}
	got, err := os.ReadFile(filepath.Join(dir, "outcomes"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "1 "+string(classify.Quarantine)+" "+FolderQuarantine+" "+ReasonInternal) ||
		!strings.HasPrefix(lines[1], "2 "+string(classify.NewCase)+" "+FolderDone) {
		t.Errorf("the last start's outcomes:\n%s", got)
	}
}

func crashLoopChild() {
	dir := os.Getenv("LEXHELLER_CRASHLOOP_CHILD")
	p, err := openProcessor(filepath.Join(dir, "x.db"))
	if err != nil {
		os.Exit(5)
	}
	p.hook = func(stage string, in Incoming) error {
		if stage == "read" && bytes.Contains(in.Raw, []byte("X-Kill")) {
			os.Exit(3)
		}
		return nil
	}
	poison := "X-Kill: 1\r\n" + blanketMsg("eve@kommun.example", "kill@kommun.example")
	batch := []string{poison}
	if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
		batch = append(batch, blanketMsg("anna@af.example", "after@af.example"))
	}
	os.WriteFile(filepath.Join(dir, "started"), nil, 0o600)
	outs, err := processUIDs(p, []uint32{1, 2}[:len(batch)], batch...)
	if err != nil {
		os.Exit(4)
	}
	var b strings.Builder
	for i, o := range outs {
		b.WriteString(strings.Join([]string{string(rune('1' + i)), string(o.Kind), o.Folder, o.Reason}, " ") + "\n")
	}
	os.WriteFile(filepath.Join(dir, "outcomes"), []byte(b.String()), 0o600)
	os.Exit(0)
}

// A message recorded before the process died with it in hand again and
// again (the deaths came after its commit) is moved, not quarantined.
func TestCrashLoopGuardMovesWhatWasRecorded(t *testing.T) {
	p := newProcessor(t)
	raw := blanketMsg("anna@af.example", "recorded@af.example")
	first := process(t, p, raw)[0]
	ctx := context.Background()
	for i := 0; i <= CrashLoopDeaths; i++ {
		if err := p.Store.TakeInHand(ctx, "INBOX", 1, []uint32{1}, store.HandAlone, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	outs := process(t, p, raw)
	if !outs[0].Duplicate || outs[0].Folder != FolderDone || outs[0].Case != first.Case {
		t.Errorf("outcome %+v, want a duplicate of %s moved to %s", outs[0], first.Case, FolderDone)
	}
	if n, _, _ := p.Store.PendingStats(ctx); n != 0 {
		t.Errorf("%d pending after the move", n)
	}
}

// A scheduled item that panics or fails holds up none of the others: the
// other case's reminder goes out, the digest and the agenda too, and the
// panic is logged with its stack.
func TestScheduledWorkGoesOnPastAFault(t *testing.T) {
	start := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	now := start
	p := lifeProcessor(t, &now)
	var logged bytes.Buffer
	p.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	log := &mailLog{t: t, p: p}
	var ids []string
	for i := range 3 {
		id := process(t, p, blanketMsg(reporter, fmt.Sprintf("sched%d@af.example", i)))[0].Case
		n := only(t, log.next(), string(notify.KindNotifyNew), leader)
		process(t, p, reply(t, n, leader, "/vidarebefordra FK\nFråga?"))
		log.next()
		ids = append(ids, id)
	}
	p.scheduleHook = func(what string) error {
		switch what {
		case "reminder of " + ids[0]:
			var m map[string]int
			m["boom"]++ // a real runtime panic
		case "reminder of " + ids[1]:
			return errors.New("a failing item")
		}
		return nil
	}
	now = start.Add(15 * 24 * time.Hour)
	n, err := p.Remind(context.Background(), now)
	if err == nil || !strings.Contains(err.Error(), ids[0]) || !strings.Contains(err.Error(), ids[1]) {
		t.Errorf("Remind's error %v does not name the two failing items", err)
	}
	ms := log.next()
	var reminded []string
	for _, m := range ms {
		if m.Kind == string(notify.KindReminder) && m.To == fkRep {
			reminded = append(reminded, m.CaseID)
		}
	}
	if len(reminded) != 1 || reminded[0] != ids[2] || n != len(ms) {
		t.Errorf("reminded %v (queued %d of %d), want only %s", reminded, n, len(ms), ids[2])
	}
	if l := logged.String(); !strings.Contains(l, `"msg":"panic in scheduled work; the rest goes on"`) || !strings.Contains(l, `"stack":"goroutine`) {
		t.Errorf("the panic is not logged with its stack:\n%s", l)
	}
	// Once the fault is gone, the next round sends what waited.
	p.scheduleHook = nil
	if _, err := p.Remind(context.Background(), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, m := range log.next() {
		if m.Kind == string(notify.KindReminder) && m.To == fkRep {
			got++
		}
	}
	if got != 2 {
		t.Errorf("%d reminders after the fault, want the 2 that waited", got)
	}
}

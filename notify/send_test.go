package notify_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/devmail"
	"lexheller/intake/store"
	"lexheller/notify"
)

// With the server out of reach, every due mail waits for its retry: none
// is left due, to be tried again at once in a tight loop.
func TestUnreachableServerDefersEveryMail(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	err = st.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 30; i++ {
			m := &store.OutMail{Kind: "form", MessageID: fmt.Sprintf("m%d@x", i), From: "lexheller@x.example",
				To: fmt.Sprintf("r%d@x.example", i), Subject: "s", Body: "b", Raw: []byte("Subject: s\r\n\r\nb\r\n"),
				CreatedAt: now, NextAttemptAt: now}
			if _, err := tx.QueueMail(m, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	s := &notify.Sender{Store: st, SMTP: config.Server{Address: addr, Security: "none", Timeout: time.Second},
		Workers: 4, RetryBase: time.Minute}
	n, err := s.SendDue(ctx)
	if err != nil || n != 30 {
		t.Fatalf("SendDue = %d, %v", n, err)
	}
	due, err := st.Due(ctx, time.Now(), 100)
	if err != nil || len(due) != 0 {
		t.Errorf("%d mails still due right after the failed round (%v)", len(due), err)
	}
	all, _ := st.Outbox(ctx, "")
	for _, m := range all {
		if m.Status != store.OutQueued || m.Attempts != 1 || !m.NextAttemptAt.After(now) || m.LastError == "" {
			t.Errorf("%s: status %s, attempts %d, next %v, error %q", m.To, m.Status, m.Attempts, m.NextAttemptAt, m.LastError)
		}
	}
}

// A panic while one mail is sent fails that mail for good; the others are
// sent.
func TestPanicWhileSendingFailsOneMail(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := devmail.Start(devmail.Options{Domain: "x.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	now := time.Now()
	err = st.Tx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 6; i++ {
			m := &store.OutMail{Kind: "form", MessageID: fmt.Sprintf("m%d@x", i), From: "lexheller@x.example",
				To: fmt.Sprintf("r%d@x.example", i), Subject: "s", Body: "b", Raw: []byte("Subject: s\r\n\r\nb\r\n"),
				CreatedAt: now, NextAttemptAt: now}
			if _, err := tx.QueueMail(m, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &notify.Sender{Store: st, SMTP: config.Server{Address: srv.SMTPAddr, Security: "none", Timeout: 5 * time.Second}, Workers: 2}
	notify.SetSendHook(s, func(m *store.OutMail) {
		if m.To == "r3@x.example" {
			var p *store.OutMail
			_ = p.To // a nil dereference
		}
	})
	for i := 0; i < 3; i++ {
		if _, err := s.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := st.Outbox(ctx, "")
	for _, m := range all {
		want := store.OutSent
		if m.To == "r3@x.example" {
			want = store.OutFailed
			if !strings.Contains(m.LastError, "internt fel vid sändning") {
				t.Errorf("failed mail's error %q", m.LastError)
			}
		}
		if m.Status != want {
			t.Errorf("%s: %s, want %s (%s)", m.To, m.Status, want, m.LastError)
		}
	}
	if n := srv.Delivered(); n != 5 {
		t.Errorf("%d delivered, want 5", n)
	}
}

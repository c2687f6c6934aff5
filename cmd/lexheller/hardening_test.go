package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"lexheller/intake/casework"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
)

// healthz returns the daemon's /healthz status and body.
func healthz(t *testing.T, d *daemon) (int, string) {
	t.Helper()
	addr := d.monitor.Addr()
	if addr == "" {
		return 0, ""
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The database on a full disk: no message leaves INBOX without its
// record, /healthz says so, the log says it once a minute, and once there
// is room again every blanket is a case with one acknowledgement.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("LEXHELLER_E2E_REQUIRED") != "" {
			t.Fatal("the disk-full test mounts a tmpfs and needs root")
		}
		t.Skip("needs root to mount a size-limited tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })

	e := newDevEnv(t, devmail.Options{})
	cfg := e.Config("")
	cfg.Database = filepath.Join(dir, "lexheller.db")
	d := startDaemon(t, cfg, func(a *app) {
		for _, w := range a.watchers {
			w.RetryAfter = 200 * time.Millisecond
		}
	})
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "before-"+e.tag+"@x", "Före."))
	e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)

	// Fill the disk.
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()

	const n = 3
	for i := 0; i < n; i++ {
		e.Send(r, e.Shared, blanket(r, e.Shared, fmt.Sprintf("full%d-%s@x", i, e.tag), fmt.Sprintf("Under fullt: %d.", i)))
	}
	c := e.login(t, e.Shared)
	defer c.Logout()
	var body string
	for deadline := time.Now().Add(20 * time.Second); ; {
		var code int
		code, body = healthz(t, d)
		if code == http.StatusServiceUnavailable && strings.Contains(body, "disk is full") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never said the disk is full: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // several passes fail meanwhile
	if got := e.count(t, c, "INBOX"); got != n {
		t.Errorf("INBOX holds %d messages while the disk is full, want all %d", got, n)
	}
	if got := len(e.Messages(r, "INBOX")); got != 1 {
		t.Errorf("the reporter has %d mails while the disk is full, want the first acknowledgement only", got)
	}

	// Room again: everything goes on.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	e.WaitFor(r, "INBOX", "Vi har tagit emot", n+1)
	for deadline := time.Now().Add(10 * time.Second); e.count(t, c, "INBOX") > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("INBOX still holds %d messages after the disk was freed", e.count(t, c, "INBOX"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, body := healthz(t, d); code != http.StatusOK {
		t.Errorf("healthz after the disk was freed: %d %s", code, body)
	}
	time.Sleep(500 * time.Millisecond)
	if got := len(e.Messages(r, "INBOX")); got != n+1 {
		t.Errorf("the reporter has %d acknowledgements, want %d (one per blanket)", got, n+1)
	}
	cases, err := d.store.Cases(context.Background(), store.CaseFilter{})
	if err != nil || len(cases) != n+1 {
		t.Errorf("%d cases (%v), want %d", len(cases), err, n+1)
	}
}

// A server with neither MOVE nor UIDPLUS: handled messages are copied out
// and flagged, nothing is expunged (a message a person flagged \Deleted
// stays), and none is copied twice.
func TestNoMoveNoUIDPlusExpungesNothing(t *testing.T) {
	e := newDevEnv(t, devmail.Options{NoMove: true, NoUIDPlus: true})
	// A person's message, flagged \Deleted, in the shared INBOX.
	e.Send(e.Addr("kollega"), e.Shared, "From: "+e.Addr("kollega")+"\r\nSubject: gammalt\r\nMessage-ID: <old-"+e.tag+"@x>\r\n\r\nGammalt mejl.\r\n")
	c := e.login(t, e.Shared)
	defer c.Logout()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	cfg := e.Config("")
	d := startDaemon(t, cfg, nil)
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "nomove-"+e.tag+"@x", "Utan MOVE."))
	e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)
	time.Sleep(time.Second) // several polls
	if got := e.count(t, c, "INBOX"); got != 2 {
		t.Errorf("INBOX holds %d messages, want both (nothing expunged)", got)
	}
	if got := e.count(t, c, casework.FolderDone); got != 1 {
		t.Errorf("%s holds %d messages, want the blanket once", casework.FolderDone, got)
	}
	if got := e.count(t, c, casework.FolderQuarantine); got != 1 {
		t.Errorf("%s holds %d messages, want the person's message once", casework.FolderQuarantine, got)
	}
	// A restart does not copy them again.
	d.stop()
	d = startDaemon(t, cfg, nil)
	time.Sleep(time.Second)
	if got := e.count(t, c, casework.FolderDone); got != 1 {
		t.Errorf("after a restart %s holds %d messages, want 1", casework.FolderDone, got)
	}
	d.stop()
}

// expunge_without_uidplus, on a server with neither MOVE nor UIDPLUS:
// handled messages are copied out and INBOX is expunged, with what a
// person flagged \Deleted (the warning says so).
func TestNoMoveNoUIDPlusExpungeOptIn(t *testing.T) {
	e := newDevEnv(t, devmail.Options{NoMove: true, NoUIDPlus: true})
	e.Send(e.Addr("kollega"), e.Shared, "From: "+e.Addr("kollega")+"\r\nSubject: gammalt\r\nMessage-ID: <old2-"+e.tag+"@x>\r\n\r\nGammalt mejl.\r\n")
	c := e.login(t, e.Shared)
	defer c.Logout()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	cfg := e.Config("")
	cfg.IMAP.ExpungeWithoutUIDPlus = true
	var logged strings.Builder
	var mu sync.Mutex
	d := startDaemon(t, cfg, func(a *app) {
		for _, w := range a.watchers {
			w.Logger = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, nil))
		}
	})
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "expunge-"+e.tag+"@x", "Utan MOVE, med expunge."))
	e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)
	for deadline := time.Now().Add(10 * time.Second); e.count(t, c, "INBOX") > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("INBOX holds %d messages, want none (expunged)", e.count(t, c, "INBOX"))
		}
	}
	if got := e.count(t, c, casework.FolderDone); got != 1 {
		t.Errorf("%s holds %d messages, want the blanket once", casework.FolderDone, got)
	}
	d.stop()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), "INBOX is expunged, which also removes messages a person flagged") {
		t.Errorf("no warning that INBOX is expunged:\n%s", logged.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// report --out replaces a symbolic link planted at the path; the file it
// pointed to is left alone.
func TestReportOutDoesNotFollowSymlinks(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.csv")
	if err := os.Symlink(victim, out); err != nil {
		t.Fatal(err)
	}
	if o, code := runCLI(t, "", "report", "--db", db, "--format", "csv", "--out", out); code != 0 {
		t.Fatalf("report: %d %s", code, o)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("the link's target was written: %q", b)
	}
	fi, err := os.Lstat(out)
	if err != nil || fi.Mode()&os.ModeSymlink != 0 || fi.Mode().Perm() != 0o640 {
		t.Errorf("report file %v (%v), want a regular file, mode 0640", fi.Mode(), err)
	}
}

// Sending that fails round after round (here: nothing listens on the SMTP
// port) makes /healthz say so, although each mail waits for its retry.
func TestHealthzSaysSendingFails(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	cfg := e.Config("")
	cfg.SMTP.Address = closed
	d := startDaemon(t, cfg, func(a *app) { a.monitor.SendFailingFor = -1 }) // say so at once
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "smtpdown-"+e.tag+"@x", "Utan SMTP."))
	for deadline := time.Now().Add(20 * time.Second); ; {
		code, body := healthz(t, d)
		if code == http.StatusServiceUnavailable && strings.Contains(body, "outbox: no mail could be sent") && strings.Contains(body, closed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

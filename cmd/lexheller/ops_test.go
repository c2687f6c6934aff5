package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitHTTP returns the daemon's health and metrics address once it
// listens.
func waitHTTP(t *testing.T, d *daemon) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if p := d.monitor.Addr(); p != "" {
			return "http://" + p
		}
	}
	t.Fatal("/healthz not served within 10 s")
	return ""
}

func TestHealthAndMetricsScraped(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	d := startDaemon(t, e.Config(""), nil)
	base := waitHTTP(t, d)
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "ops-"+e.tag+"@x", "FK och AF talade inte med varandra."))
	e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)

	var code int
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if code, body = get(t, base+"/healthz"); code == 200 {
			break
		}
	}
	if code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	// The notification to the process leader may still be on its way, and
	// a mail is marked sent just after the server took it.
	e.WaitFor(e.Addr("processledare"), "INBOX", "Nytt ärende", 1)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, body = get(t, base+"/metrics")
		if code != 200 {
			t.Fatalf("/metrics: %d", code)
		}
		if strings.Contains(body, `lexheller_outbox_queued 0`) || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []string{
		`lexheller_messages_total{kind="new_case"} 1`,
		`lexheller_messages_total{kind="quarantine"} 0`,
		`lexheller_cases{status="new"} 1`,
		`lexheller_outbox_queued 0`,
		`lexheller_outbox_mails_total{status="sent"} 2`,
		`lexheller_outbox_mails_total{status="failed"} 0`,
		`lexheller_imap_connected{mailbox="shared"} 1`,
		`lexheller_messages_failing 0`,
		`lexheller_messages_failing_oldest_age_seconds 0`,
		`lexheller_imap_reconnects_total{mailbox="shared"} 0`,
		`lexheller_imap_last_sync_timestamp_seconds{mailbox="shared"} 1.`,
		`go_goroutines `,
		`process_resident_memory_bytes `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The IMAP server goes away: unhealthy, and the body says why.
	e.Dev.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if code, body = get(t, base+"/healthz"); code != 200 {
			break
		}
	}
	if code != 503 || !strings.Contains(body, "mailbox shared: not connected to "+e.IMAP) {
		t.Errorf("/healthz with the IMAP server gone: %d %q", code, body)
	}
}

// A mail due long ago and not sent means the outbox is stuck.
func TestHealthSeesAStuckOutbox(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	cfg := e.Config("")
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	long := time.Now().Add(-time.Hour)
	err = a.store.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.QueueMail(&store.OutMail{Kind: "form", MessageID: "stuck@x", From: cfg.Address, To: "anna@x.example",
			Subject: "s", Body: "b", Raw: []byte("x"), CreatedAt: long, NextAttemptAt: long}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Join(a.monitor.Problems(context.Background()), "\n")
	for _, want := range []string{"mailbox shared: not connected", "outbox: stuck: 1 mails queued", cfg.SMTP.Address} {
		if !strings.Contains(p, want) {
			t.Errorf("health lacks %q:\n%s", want, p)
		}
	}
}

// SIGHUP reads the templates again; SIGTERM stops the daemon with exit
// status 0 well within 10 s.
func TestSIGHUPReloadsTemplatesAndSIGTERMExits(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	dir := t.TempDir()
	tdir := filepath.Join(dir, "templates")
	if err := os.MkdirAll(filepath.Join(tdir, "sv"), 0o755); err != nil {
		t.Fatal(err)
	}
	ack := func(version string) {
		text := `{{define "subject"}}{{tag .Case.ID}} Mottaget, ` + version + `{{end}}
{{define "text"}}Tack, {{.Case.ReporterName}}.
{{end}}
`
		if err := os.WriteFile(filepath.Join(tdir, "sv", "ack.tmpl"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ack("version 1")
	path, _ := e.writeConfig(t, dir, `poll_interval = "100ms"`)
	b, _ := os.ReadFile(path)
	text := strings.Replace(string(b), "[imap]", fmt.Sprintf("templates_dir = %q\n[imap]", tdir), 1)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, path, filepath.Join(dir, "daemon.log"))
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "hup1-"+e.tag+"@x", "Första."))
	e.WaitFor(r, "INBOX", "Mottaget, version 1", 1)

	ack("version 2")
	if err := c.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if log, _ := os.ReadFile(filepath.Join(dir, "daemon.log")); strings.Contains(string(log), "templates reloaded") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no reload logged within 10 s of SIGHUP")
		}
	}
	e.Send(r, e.Shared, blanket(r, e.Shared, "hup2-"+e.tag+"@x", "Andra."))
	e.WaitFor(r, "INBOX", "Mottaget, version 2", 1)

	start := time.Now()
	if err := c.term(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stopped %v after SIGTERM, want within 10 s", d)
	}
}

// The demo plays every step through the daemon and ends with the whole
// timeline.
func TestDemo(t *testing.T) {
	t.Chdir(t.TempDir()) // the dev database must not be touched
	out, code := runCLI(t, "", "demo")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"1. Anmälaren skickar blanketten", "← Från: \"Lex Heller\"", "Vi har tagit emot din anmälan",
		"2. Processledaren frågar anmälaren", "Fråga om din anmälan",
		"3. Anmälaren svarar", "Svar från anmälaren",
		"4. Processledaren sätter nivå och vidarebefordrar till FK", "Till: fk@lexheller.localhost",
		"5. FK:s representant svarar", "Svar från Försäkringskassan",
		"6. Processledaren återkopplar", "Återkoppling på din anmälan",
		"7. Processledaren avslutar ärendet",
		"8. Ärendet i Lex Heller", "(avslutat)", "Nivå:      organisering",
		// The timeline, complete.
		"mottaget        Anmälan mottagen", "fråga           Fråga till anmälaren", "inkommet        Svar från anna",
		"ändrat          Nivå: organisering", "vidarebefordrat Vidarebefordrat till FK", "svar            Svar från Försäkringskassans representant",
		"återkoppling    Återkoppling till anmälaren, med svar från FK", "status          Ärendet avslutat",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(out, "850312-1231") {
		t.Error("the demo prints the personnummer the reporter wrote, unmasked, from lexheller's side")
	}
	if _, err := os.Stat("lexheller-dev.db"); err == nil {
		t.Error("the demo wrote the dev database")
	}
}

// `lexheller backup` writes the file it is given, whatever its name holds
// ("#", "?", "%", spaces), 0600, with every row; the database's own name
// may hold them too.
func TestBackupCommandOddNames(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "lexheller #1?mode=ro.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	err = st.Tx(context.Background(), func(tx *store.Tx) error {
		return tx.InsertCase(&store.Case{ID: "LH-2026-0001", Year: 2026, Seq: 1, Forbund: "goteborg", CreatedAt: at})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bk#3.db", "x?mode=memory.db", "a%41.db", "with space.db"} {
		bdir := t.TempDir()
		dest := filepath.Join(bdir, name)
		out, code := runCLI(t, "", "backup", "--db", db, dest)
		if code != 0 || !strings.Contains(out, "Säkerhetskopia skriven: "+dest) {
			t.Errorf("backup %s: exit %d\n%s", name, code, out)
			continue
		}
		es, _ := os.ReadDir(bdir)
		if len(es) != 1 || es[0].Name() != name {
			t.Errorf("backup %s: files written: %v", name, es)
			continue
		}
		if fi, _ := os.Stat(dest); fi.Mode().Perm() != 0o600 {
			t.Errorf("backup %s: mode %v, want 0600", name, fi.Mode())
		}
		cp, err := store.Open(context.Background(), dest)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := cp.Case(context.Background(), "LH-2026-0001"); err != nil || c.Forbund != "goteborg" {
			t.Errorf("backup %s lacks the case: %v", name, err)
		}
		cp.Close()
	}
}

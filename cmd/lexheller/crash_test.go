package main

import (
	"context"
	"fmt"
	"lexheller/intake/casework"
	"lexheller/intake/config"
	"math/rand/v2"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"lexheller/intake/store"
)

// TestMain lets the test binary run as the daemon: a child started with
// LEXHELLER_TEST_CHILD set runs main's command line instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("LEXHELLER_TEST_CHILD") != "" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// child is the daemon running as a separate process.
type child struct {
	cmd  *exec.Cmd
	log  *os.File
	done bool
}

func startChild(t testing.TB, configPath, logPath string) *child {
	t.Helper()
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "serve", "--config", configPath, "--log-format", "json")
	cmd.Env = append(os.Environ(), "LEXHELLER_TEST_CHILD=1")
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, log: lf}
	t.Cleanup(c.kill) // also when the test fails half-way
	return c
}

func (c *child) kill() {
	if c.done {
		return
	}
	c.done = true
	c.cmd.Process.Kill()
	c.cmd.Wait()
	c.log.Close()
}

// term stops the daemon with SIGTERM and returns its exit error.
func (c *child) term() error {
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		c.done = true
		c.log.Close()
		return err
	case <-time.After(15 * time.Second):
		c.kill()
		return fmt.Errorf("did not stop within 15 s of SIGTERM")
	}
}

// logTail is the daemon log's last n lines that are not plain info.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.Contains(l, `"level":"INFO"`) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep[max(0, len(keep)-n):], "\n")
}

// writeConfig writes e's daemon config to a file and returns its path;
// imapExtra is added to its [imap] table.
func (e *mailEnv) writeConfig(t testing.TB, dir, imapExtra string) (string, *config.Config) {
	db := filepath.Join(dir, "lexheller.db")
	text := e.configTOML(db, imapExtra)
	cfg, err := config.Parse("lexheller.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lexheller.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, cfg
}

// sendMany submits raw messages over one SMTP session.
func (e *mailEnv) sendMany(t testing.TB, msgs []struct{ from, to, raw string }) {
	t.Helper()
	c, err := smtp.Dial(e.SMTP)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, m := range msgs {
		if err := c.Mail(m.from); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(m.to); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write(wire(m.raw))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	c.Quit()
}

// count returns how many messages a mailbox of addr holds.
func (e *mailEnv) count(t testing.TB, c *imapclient.Client, mailbox string) int {
	t.Helper()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0
	}
	return int(*st.NumMessages)
}

func (e *mailEnv) login(t testing.TB, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(e.IMAP, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(addr, e.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCrashSafety kills the daemon with SIGKILL at random moments while it
// works through a backlog of 500 blankets, restarting it each time. In the
// end every blanket must be exactly one case and every reporter must have
// at least one acknowledgement.
func TestCrashSafety(t *testing.T) {
	e := newE2EEnv(t)
	dir := t.TempDir()
	configPath, cfg := e.writeConfig(t, dir, "")
	const n = 500
	var msgs []struct{ from, to, raw string }
	reporter := func(i int) string { return e.Addr(fmt.Sprintf("reporter%03d", i)) }
	for i := 0; i < n; i++ {
		from := reporter(i)
		msgs = append(msgs, struct{ from, to, raw string }{from, e.Shared,
			blanket(from, e.Shared, fmt.Sprintf("crash-%d-%s@af.example", i, e.tag), fmt.Sprintf("Händelse nummer %d.", i))})
	}
	e.sendMany(t, msgs)
	shared := e.login(t, e.Shared)
	defer shared.Close()
	for deadline := time.Now().Add(60 * time.Second); e.count(t, shared, "INBOX") < n; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d blankets reached the mailbox", e.count(t, shared, "INBOX"), n)
		}
		time.Sleep(100 * time.Millisecond)
	}

	logPath := filepath.Join(dir, "daemon.log")
	handled := func() int {
		b, _ := os.ReadFile(logPath)
		return strings.Count(string(b), `"msg":"message handled"`)
	}
	kills := 0
	for i := 0; i < 25; i++ {
		// Each run is killed at a random moment once it has handled a
		// message: a message that dies twice in a row in hand is taken
		// for one that kills the process (the crash-loop guard), which a
		// healthy message killed once is not.
		before := handled()
		c := startChild(t, configPath, logPath)
		for deadline := time.Now().Add(10 * time.Second); handled() == before && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		c.kill()
		kills++
		if e.count(t, shared, "INBOX") == 0 && i >= 10 {
			break
		}
	}
	// Let it finish: INBOX empty and nothing left to send. The daemon must
	// be up before it is asked to stop: a SIGTERM before the process has
	// installed its handler ends it by the signal, as any program.
	started := func() int {
		b, _ := os.ReadFile(logPath)
		return strings.Count(string(b), `"msg":"lexheller started"`)
	}
	before := started()
	c := startChild(t, configPath, logPath)
	for deadline := time.Now().Add(30 * time.Second); started() == before; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not start within 30 s\n%s", logTail(logPath, 20))
		}
	}
	st, err := store.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for deadline := time.Now().Add(120 * time.Second); ; {
		stats, err := st.OutboxStats(context.Background())
		if err == nil && stats.Queued == 0 && e.count(t, shared, "INBOX") == 0 {
			cases, _ := st.Cases(context.Background(), store.CaseFilter{})
			if len(cases) >= n {
				break
			}
		}
		if time.Now().After(deadline) {
			c.kill()
			t.Fatalf("not done after 120 s: %+v, %d in INBOX", stats, e.count(t, shared, "INBOX"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := c.term(); err != nil {
		t.Errorf("daemon exit after SIGTERM: %v\n%s", err, logTail(logPath, 20))
	}

	cases, err := st.Cases(context.Background(), store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byReporter := map[string]int{}
	for _, cs := range cases {
		byReporter[cs.ReporterEmail]++
	}
	if len(cases) != n || len(byReporter) != n {
		t.Errorf("%d cases for %d reporters, want exactly %d of each", len(cases), len(byReporter), n)
	}
	if got := e.count(t, shared, casework.FolderDone); got != n {
		t.Errorf("%d messages in %s, want %d", got, casework.FolderDone, n)
	}
	// An acknowledgement handed to Postfix may still be on its way to
	// Dovecot (Postfix defers and retries under load): wait for those.
	got := make([]int, n)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(time.Second) {
		waiting := 0
		for i := 0; i < n; i++ {
			if got[i] == 0 {
				rc := e.login(t, reporter(i))
				got[i] = e.count(t, rc, "INBOX")
				rc.Close()
			}
			if got[i] == 0 {
				waiting++
			}
		}
		if waiting == 0 || time.Now().After(deadline) {
			break
		}
	}
	acks, missing := 0, 0
	byAddr := map[string]*store.Case{}
	for _, cs := range cases {
		byAddr[cs.ReporterEmail] = cs
	}
	for i := 0; i < n; i++ {
		acks += got[i]
		if got[i] > 0 {
			continue
		}
		missing++
		cs := byAddr[reporter(i)]
		if cs == nil {
			t.Errorf("%s: no case", reporter(i))
			continue
		}
		mails, err := st.Outbox(context.Background(), cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			t.Logf("%s %s: outbox %s to %s: %s after %d attempts (%s)", cs.ID, reporter(i), m.Kind, m.To, m.Status, m.Attempts, m.LastError)
		}
	}
	if missing > 0 {
		t.Errorf("%d reporters got no acknowledgement\n%s", missing, logTail(logPath, 20))
	}
	t.Logf("crash test: %d kills with SIGKILL, %d cases, %d acknowledgements for %d blankets: %d duplicate acknowledgements",
		kills, len(cases), acks, n, acks-n)
	fmt.Printf("crash safety: %d SIGKILLs over a backlog of %d blankets: %d cases, %d reporters without an ack, %d duplicate acks\n",
		kills, n, len(cases), missing, acks-n)
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/devmail"
	"lexheller/intake/parse"
)

// mailEnv is a mail system the daemon runs against in a test: the
// in-process dev mail system, or real Dovecot and Postfix.
type mailEnv struct {
	t        testing.TB
	IMAP     string
	SMTP     string
	Domain   string
	Password string
	Dev      *devmail.Server // nil for Dovecot + Postfix
	// Shared is this test's shared mailbox, unique per test so that tests
	// against one Dovecot do not see each other's mail.
	Shared string
	tag    string
}

func randTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newDevEnv(t testing.TB, o devmail.Options) *mailEnv {
	t.Helper()
	o.Domain = "example.test"
	srv, err := devmail.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &mailEnv{t: t, IMAP: srv.IMAPAddr, SMTP: srv.SMTPAddr, Domain: o.Domain, Password: "x", Dev: srv, tag: randTag()}
	e.Shared = e.Addr("lexheller")
	return e
}

// newE2EEnv uses the Dovecot and Postfix that .ci/mailservers.sh started;
// it skips without them, unless LEXHELLER_E2E_REQUIRED is set.
func newE2EEnv(t testing.TB) *mailEnv {
	t.Helper()
	imapAddr, smtpAddr := os.Getenv("LEXHELLER_E2E_IMAP"), os.Getenv("LEXHELLER_E2E_SMTP")
	if imapAddr == "" || smtpAddr == "" {
		if os.Getenv("LEXHELLER_E2E_REQUIRED") != "" {
			t.Fatal("LEXHELLER_E2E_REQUIRED is set but LEXHELLER_E2E_IMAP/SMTP are not: start .ci/mailservers.sh")
		}
		t.Skip("no Dovecot/Postfix: run through .ci/test to include the end-to-end tests")
	}
	e := &mailEnv{t: t, IMAP: imapAddr, SMTP: smtpAddr, Domain: os.Getenv("LEXHELLER_E2E_DOMAIN"),
		Password: os.Getenv("LEXHELLER_E2E_PASSWORD"), tag: randTag()}
	e.Shared = e.Addr("lexheller")
	return e
}

// Addr returns a test-unique address with the given local part.
func (e *mailEnv) Addr(local string) string {
	return fmt.Sprintf("%s-%s@%s", local, e.tag, e.Domain)
}

// Config returns a daemon config for this mail system; extra is appended
// to the TOML.
func (e *mailEnv) Config(extra string) *config.Config {
	e.t.Helper()
	text := e.configTOML(filepath.Join(e.t.TempDir(), "lexheller.db"), `poll_interval = "200ms"`) + extra
	cfg, err := config.Parse("test.toml", text)
	if err != nil {
		e.t.Fatal(err)
	}
	return cfg
}

// configTOML is the config file of a daemon on this mail system, with
// imapExtra in its [imap] table.
func (e *mailEnv) configTOML(database, imapExtra string) string {
	os.Setenv("LEXHELLER_TEST_PASSWORD", e.Password)
	return fmt.Sprintf(`
database = %q
address = %q
[imap]
address = %q
security = "none"
username = %q
password_env = "LEXHELLER_TEST_PASSWORD"
%s
[smtp]
address = %q
security = "none"
[[forbund]]
slug = "goteborg"
name = "Samordningsförbundet Göteborg"
process_leaders = [%q]
representatives = [{ party = "FK", name = "FK", email = %q }]
[http]
address = "127.0.0.1:0"
`, database, e.Shared, e.IMAP, e.Shared, imapExtra, e.SMTP, e.Addr("processledare"), e.Addr("fk"))
}

// daemon is a running app.
type daemon struct {
	*app
	cancel context.CancelFunc
	done   chan error
}

func startDaemon(t *testing.T, cfg *config.Config, tune func(*app)) *daemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	a.sender.RetryBase, a.sender.RetryMax = 50*time.Millisecond, 200*time.Millisecond
	for _, w := range a.watchers {
		w.BackoffMin, w.BackoffMax = 20*time.Millisecond, 200*time.Millisecond
	}
	if tune != nil {
		tune(a)
	}
	d := &daemon{app: a, cancel: cancel, done: make(chan error, 1)}
	go func() { d.done <- a.run(ctx) }()
	t.Cleanup(d.stop)
	return d
}

func (d *daemon) stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	<-d.done
	d.cancel = nil
	d.app.close()
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// wire prepares a test message for SMTP as a mail client would: CRLF line
// ends and a non-ASCII subject encoded (RFC 2047), since raw UTF-8 in a
// header makes Postfix require SMTPUTF8 of Dovecot's LMTP.
func wire(raw string) []byte {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	head, body, _ := strings.Cut(raw, "\n\n")
	lines := strings.Split(head, "\n")
	for i, l := range lines {
		if k, v, ok := strings.Cut(l, ": "); ok && strings.EqualFold(k, "Subject") {
			lines[i] = k + ": " + mime.QEncoding.Encode("utf-8", v)
		}
	}
	raw = strings.Join(lines, "\n") + "\n\n" + body
	return []byte(strings.ReplaceAll(raw, "\n", "\r\n"))
}

// Send submits raw over SMTP, as a mail client would.
func (e *mailEnv) Send(from, to, raw string) {
	e.t.Helper()
	if err := smtp.SendMail(e.SMTP, nil, from, []string{to}, wire(raw)); err != nil {
		e.t.Fatalf("send to %s: %v", to, err)
	}
}

// Messages returns the raw messages in a mailbox of addr.
func (e *mailEnv) Messages(addr, mailbox string) [][]byte {
	e.t.Helper()
	msgs, err := devmail.ReadMailbox(e.IMAP, addr, e.Password, mailbox)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs
}

// decoded is a message's raw header, decoded subject and text body, for
// matching.
func decoded(raw []byte) string {
	m, err := parse.Parse(bytes.NewReader(raw), nil)
	if err != nil {
		return string(raw)
	}
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		i = len(raw)
	}
	return string(raw[:i]) + "\n" + m.Subject + "\n" + m.Text
}

// WaitFor waits until a mailbox of addr holds n messages whose header,
// decoded subject or text contain substr, and returns them.
func (e *mailEnv) WaitFor(addr, mailbox, substr string, n int) [][]byte {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var found [][]byte
		for _, m := range e.Messages(addr, mailbox) {
			if strings.Contains(decoded(m), substr) {
				found = append(found, m)
			}
		}
		if len(found) >= n {
			return found
		}
		if time.Now().After(deadline) {
			var subjects []string
			for _, m := range e.Messages(addr, mailbox) {
				s, _ := new(mime.WordDecoder).DecodeHeader(header(m, "Subject"))
				subjects = append(subjects, s)
			}
			e.t.Fatalf("%s/%s: %d messages containing %q after 20 s, want %d; subjects: %q", addr, mailbox, len(found), substr, n, subjects)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// blanket returns a complete blanket from a reporter.
func blanket(from, to, msgID, description string) string {
	return fmt.Sprintf(`From: Anna Andersson <%s>
To: %s
Subject: Lex Heller-anmälan
Message-ID: <%s>
Date: Thu, 12 Nov 2026 10:00:00 +0100
Content-Type: text/plain; charset=utf-8

Datum för händelsen: 2026-11-12
Namn: Anna Andersson
Organisation: Arbetsförmedlingen Angered
Berörda parter: Försäkringskassan, Arbetsförmedlingen
Vad hände?:
%s
Konsekvens för individen:
Personen har ingen ersättning.
`, from, to, msgID, description)
}

func header(raw []byte, key string) string {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		i = len(raw)
	}
	for _, l := range strings.Split(strings.ReplaceAll(string(raw[:i]), "\r\n ", " "), "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// BenchmarkPipeline measures the daemon against Dovecot and Postfix, once
// (run it with -benchtime 1x): ingesting a backlog of 5,000 blankets beside
// a bare IMAP FETCH of the same mailbox, sending the outbox into Postfix,
// the acknowledgement's latency over 200 blankets sent one by one, and the
// daemon's memory.
func BenchmarkPipeline(b *testing.B) {
	e := newE2EEnv(b)
	const backlog = 5000
	dir := b.TempDir()

	// The backlog, submitted through Postfix.
	var msgs []struct{ from, to, raw string }
	for i := 0; i < backlog; i++ {
		from := e.Addr(fmt.Sprintf("r%04d", i))
		msgs = append(msgs, struct{ from, to, raw string }{from, e.Shared,
			blanket(from, e.Shared, fmt.Sprintf("bench-%d-%s@af.example", i, e.tag), fmt.Sprintf("Händelse %d i kön.", i))})
	}
	e.sendMany(b, msgs)
	shared := e.login(b, e.Shared)
	defer shared.Close()
	waitCount(b, e, shared, "INBOX", backlog, 120*time.Second)

	// A bare FETCH of the whole mailbox, for comparison.
	if _, err := shared.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	section := &imap.FetchItemBodySection{Peek: true}
	fetched, err := shared.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		b.Fatal(err)
	}
	bareFetch := time.Since(start)
	shared.Unselect().Wait()

	// Ingest: the watcher alone (fetch, parse, commit, move).
	cfg := e.Config("")
	cfg.Database = filepath.Join(dir, "bench.db")
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, discardLogger())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	ingest := timeIngest(b, ctx, a, backlog)
	cancel()
	time.Sleep(100 * time.Millisecond)

	// Sending: the outbox worker alone, into Postfix.
	ctx, cancel = context.WithCancel(context.Background())
	queued, sending := timeSending(b, ctx, a)
	cancel()
	b.StopTimer()
	a.close()

	// Postfix goes on delivering what it accepted; let it finish first.
	waitPostfixQueue(b, 5*time.Minute)

	// Postfix's own smtp-source over 4 sessions, with messages of the same
	// size, for comparison: what this Postfix accepts here.
	sourceRate := smtpSource(b, e, 2000, len(a.processor.Composer.Name)+3000)
	waitPostfixQueue(b, 5*time.Minute)

	// Latency and memory: the daemon as its own process, on a fresh
	// mailbox, first waiting with IDLE, then polling every 50 ms.
	idleLat, _, _ := latency(b, dir, "", 50)
	lat, c, e2 := latency(b, dir, "idle = false\npoll_interval = \"50ms\"", 200)
	defer c.kill()
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	rssSteady := procKB(c.cmd.Process.Pid, "VmHWM")

	// A blanket with a 25 MB attachment passing through.
	from := e2.Addr("stor")
	rc := e2.login(b, from)
	att := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("lexheller"), (25<<20)/9))
	var big strings.Builder
	big.WriteString(strings.Replace(blanket(from, e2.Shared, "big-"+e2.tag+"@af.example", "Med en stor bilaga."),
		"Content-Type: text/plain; charset=utf-8\n", "Content-Type: multipart/mixed; boundary=BB\n\n--BB\nContent-Type: text/plain; charset=utf-8\n", 1))
	big.WriteString("\n--BB\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=stor.pdf\n\n")
	for i := 0; i < len(att); i += 76 {
		big.WriteString(att[i:min(i+76, len(att))] + "\n")
	}
	big.WriteString("--BB--\n")
	t0 := sendOne(b, e2, from, big.String())
	for e2.count(b, rc, "INBOX") == 0 {
		if time.Since(t0) > 60*time.Second {
			b.Fatal("no acknowledgement of the 25 MB blanket within 60 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rc.Close()
	rssPeak := procKB(c.cmd.Process.Pid, "VmHWM")
	if err := c.term(); err != nil {
		b.Errorf("daemon exit: %v", err)
	}

	ingestRate := float64(backlog) / ingest.Seconds()
	sendRate := float64(queued) / sending.Seconds()
	b.ReportMetric(ingestRate, "ingest_msgs/s")
	b.ReportMetric(float64(bareFetch.Milliseconds()), "bare_fetch_ms")
	b.ReportMetric(sendRate, "send_mails/s")
	b.ReportMetric(sourceRate, "smtp_source_mails/s")
	b.ReportMetric(ms(idleLat[len(idleLat)/2]), "ack_idle_p50_ms")
	b.ReportMetric(float64(p50.Microseconds())/1000, "ack_p50_ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "ack_p99_ms")
	b.ReportMetric(float64(rssSteady)/1024, "rss_steady_MB")
	b.ReportMetric(float64(rssPeak)/1024, "rss_peak_25MB_MB")
	fmt.Printf(`
figures against Dovecot + Postfix on this machine:
  backlog of %d blankets ingested (fetch, parse, commit, move): %.2f s, %.0f messages/s
  bare FETCH 1:* BODY.PEEK[] of the same %d messages:           %d ms
  outbox: %d mails sent into Postfix:                            %.2f s, %.0f mails/s
  Postfix's smtp-source, 4 sessions, 2000 mails of 3 kB:        %.0f mails/s
  acknowledgement latency, Postfix accepting → ack in the reporter's INBOX, blankets sent one by one:
    polling every 50 ms (idle = false), %d blankets: p50 %.1f ms, p99 %.1f ms
    with IDLE (Dovecot 2.3 holds IDLE news back 500 ms), %d blankets: p50 %.1f ms, p99 %.1f ms
  daemon RSS: steady (peak during the latency run) %.1f MB; peak after a 25 MB attachment %.1f MB
`, backlog, ingest.Seconds(), ingestRate, len(fetched), bareFetch.Milliseconds(), queued, sending.Seconds(), sendRate, sourceRate,
		len(lat), ms(p50), ms(p99), len(idleLat), ms(idleLat[len(idleLat)/2]), ms(idleLat[len(idleLat)*99/100]),
		float64(rssSteady)/1024, float64(rssPeak)/1024)
}

// timeIngest runs the app's first watcher alone and returns how long it
// took to record and move n messages.
func timeIngest(tb testing.TB, ctx context.Context, a *app, n int) time.Duration {
	start := time.Now()
	go a.watchers[0].Run(ctx)
	for {
		total, unmoved, _ := a.store.LedgerStats(context.Background())
		if moved := total - unmoved; moved >= n {
			return time.Since(start)
		} else if time.Since(start) > 5*time.Minute {
			tb.Fatalf("ingested %d of %d in 5 minutes", moved, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// timeSending runs the app's sender alone and returns how many mails were
// queued and how long it took to send them.
func timeSending(tb testing.TB, ctx context.Context, a *app) (int, time.Duration) {
	st, _ := a.store.OutboxStats(context.Background())
	start := time.Now()
	go a.sender.Run(ctx)
	for {
		now, _ := a.store.OutboxStats(context.Background())
		if now.Queued == 0 {
			return st.Queued, time.Since(start)
		} else if time.Since(start) > 5*time.Minute {
			tb.Fatalf("%d mails still queued after 5 minutes", now.Queued)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitPostfixQueue waits until the test Postfix has delivered everything.
func waitPostfixQueue(tb testing.TB, d time.Duration) {
	dir := os.Getenv("LEXHELLER_E2E_DIR")
	if dir == "" {
		return
	}
	for deadline := time.Now().Add(d); ; {
		out, err := exec.Command("postqueue", "-c", filepath.Join(dir, "postfix"), "-p").CombinedOutput()
		if err == nil && strings.Contains(string(out), "Mail queue is empty") {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("Postfix queue not empty after %s: %s", d, out[:min(len(out), 500)])
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// smtpSource runs Postfix's smtp-source against the test Postfix and
// returns the mails per second it achieved; 0 when it is not installed.
func smtpSource(tb testing.TB, e *mailEnv, n, size int) float64 {
	path, err := exec.LookPath("smtp-source")
	if err != nil {
		for _, p := range []string{"/usr/sbin/smtp-source", "/usr/lib/postfix/sbin/smtp-source"} {
			if _, err := os.Stat(p); err == nil {
				path = p
			}
		}
	}
	if path == "" {
		return 0
	}
	start := time.Now()
	out, err := exec.Command(path, "-s", "4", "-m", strconv.Itoa(n), "-l", strconv.Itoa(size),
		"-f", e.Addr("source"), "-t", e.Addr("sink"), e.SMTP).CombinedOutput()
	if err != nil {
		tb.Logf("smtp-source: %v: %s", err, out)
		return 0
	}
	return float64(n) / time.Since(start).Seconds()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// latency runs the daemon as a child process with imapExtra in its [imap]
// config and sends n blankets one by one, each after the previous one's
// acknowledgement arrived; it returns the sorted latencies from Postfix
// accepting a blanket to its acknowledgement being in the reporter's
// INBOX, and leaves the daemon running.
func latency(b *testing.B, dir, imapExtra string, n int) ([]time.Duration, *child, *mailEnv) {
	e := newE2EEnv(b)
	configPath, _ := e.writeConfig(b, b.TempDir(), imapExtra)
	logPath := filepath.Join(dir, "latency.log")
	c := startChild(b, configPath, logPath)
	waitFolder(b, e, "Lex Heller/Behandlade", 10*time.Second)
	var lat []time.Duration
	for i := 0; i < n; i++ {
		from := e.Addr(fmt.Sprintf("lat%03d", i))
		rc := e.login(b, from)
		t0 := sendOne(b, e, from, blanket(from, e.Shared, fmt.Sprintf("lat-%d-%s@af.example", i, e.tag), "Latens."))
		for e.count(b, rc, "INBOX") == 0 {
			if time.Since(t0) > 10*time.Second {
				log, _ := os.ReadFile(logPath)
				b.Fatalf("no acknowledgement to %s within 10 s; daemon log:\n%s", from, log[max(0, len(log)-3000):])
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(t0))
		rc.Close()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if imapExtra == "" {
		c.kill()
	}
	return lat, c, e
}

// waitCount waits until a mailbox holds n messages.
func waitCount(tb testing.TB, e *mailEnv, c *imapclient.Client, mailbox string, n int, d time.Duration) {
	tb.Helper()
	for deadline := time.Now().Add(d); e.count(tb, c, mailbox) < n; {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: %d messages after %s, want %d", mailbox, e.count(tb, c, mailbox), d, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFolder waits until the daemon has created a folder of the shared
// mailbox, that is, until it is connected.
func waitFolder(tb testing.TB, e *mailEnv, folder string, d time.Duration) {
	tb.Helper()
	c := e.login(tb, e.Shared)
	defer c.Close()
	for deadline := time.Now().Add(d); ; {
		if _, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait(); err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the daemon did not create %q within %s", folder, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sendOne submits one message and returns when Postfix accepted it.
func sendOne(tb testing.TB, e *mailEnv, from, raw string) time.Time {
	tb.Helper()
	if err := smtp.SendMail(e.SMTP, nil, from, []string{e.Shared}, wire(raw)); err != nil {
		tb.Fatal(err)
	}
	return time.Now()
}

// procKB reads a "Vm…: N kB" line of /proc/PID/status.
func procKB(pid int, key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key+":") {
			n, _ := strconv.ParseInt(strings.Fields(l)[1], 10, 64)
			return n
		}
	}
	return 0
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

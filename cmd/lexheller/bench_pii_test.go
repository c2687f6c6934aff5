package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkPIIMessage measures the daemon's memory with a 33 MB message of
// text parts full of Luhn-valid personnummer in mixed spellings, through
// Dovecot and Postfix (run it with -benchtime 1x). The target: peak RSS
// under 100 MB.
func BenchmarkPIIMessage(b *testing.B) {
	e := newE2EEnv(b)
	dir := b.TempDir()
	configPath, _ := e.writeConfig(b, dir, "idle = false\npoll_interval = \"50ms\"")
	c := startChild(b, configPath, filepath.Join(dir, "pii.log"))
	defer c.kill()
	waitFolder(b, e, "Lex Heller/Behandlade", 10*time.Second)
	steady := procKB(c.cmd.Process.Pid, "VmHWM")

	from := e.Addr("tat")
	var msg strings.Builder
	msg.WriteString(fmt.Sprintf("From: Anna <%s>\nTo: %s\nSubject: Lex Heller\nMessage-ID: <pii-%s@af.example>\n"+
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=PP\n\n", from, e.Shared, e.tag))
	rng := rand.New(rand.NewPCG(1, 2))
	seps := []string{"-", "–", " ", ".", "+", "\t", "—"}
	const parts, perPart = 4, 8 << 20
	for p := 0; p < parts; p++ {
		msg.WriteString("--PP\nContent-Type: text/plain; charset=utf-8\n\n")
		if p == 0 {
			msg.WriteString("Namn: Anna Andersson\nOrganisation: AF\nBerörda parter: FK\nVad hände?\n")
		}
		n := 0
		for n < perPart {
			yy, mm, dd := rng.IntN(100), 1+rng.IntN(12), 1+rng.IntN(28)
			d := fmt.Sprintf("%02d%02d%02d%03d", yy, mm, dd, rng.IntN(1000))
			line := fmt.Sprintf("Personen %s%s%s%d fick avslag.\n", d[:6], seps[rng.IntN(len(seps))], d[6:], luhnDigit(d))
			msg.WriteString(line)
			n += len(line)
		}
	}
	msg.WriteString("--PP--\n")
	rc := e.login(b, from)
	defer rc.Close()
	b.ResetTimer()
	t0 := sendOne(b, e, from, msg.String())
	for e.count(b, rc, "INBOX") == 0 {
		if time.Since(t0) > 120*time.Second {
			b.Fatal("no acknowledgement of the 33 MB message within 120 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(t0)
	b.StopTimer()
	peak := procKB(c.cmd.Process.Pid, "VmHWM")
	b.ReportMetric(float64(peak)/1024, "rss_peak_MB")
	fmt.Printf("\n33 MB of text parts with %d MB of personnummer: acknowledged in %.1f s; daemon RSS steady %.1f MB, peak %.1f MB\n",
		msg.Len()>>20, took.Seconds(), float64(steady)/1024, float64(peak)/1024)
}

// luhnDigit is the check digit of the nine digits d.
func luhnDigit(d string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		n := int(d[i] - '0')
		if i%2 == 0 {
			if n *= 2; n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return (10 - sum%10) % 10
}

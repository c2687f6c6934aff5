package main

// The leak test of issue 10 through the mail system: a blanket whose
// fields carry personnummer and samordningsnummer in many spellings, a
// process leader's forward to FK and AF with a question holding one more,
// FK's answer holding another, /publicera ja; then no ten-digit core of
// any number may be in FK's or AF's mailbox, in the published site or in
// the pattern report (and no valid one in the process leader's or the
// reporter's mailbox). intake/leak_test.go is the generated test of every
// spelling and exit; this is one round of it through IMAP and SMTP.

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"lexheller/intake/casework"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"
	"github.com/xuri/excelize/v2"
	xhtml "golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"lexheller/intake/devmail"
	"lexheller/intake/parse"
)

// leakNumber is a number written in the test and where.
type leakNumber struct{ core, where, written string }

// leakPNR draws a valid personnummer (a samordningsnummer when samo is
// set) and returns its century, YYMMDD and last four.
func leakPNR(rng *rand.Rand, samo bool) (c, date, last string) {
	year := 1900 + rng.IntN(126)
	month := 1 + rng.IntN(12)
	day := 1 + rng.IntN(28)
	if samo {
		day += 60
	}
	date = fmt.Sprintf("%02d%02d%02d", year%100, month, day)
	nnn := fmt.Sprintf("%03d", rng.IntN(1000))
	for d := '0'; d <= '9'; d++ {
		if leakLuhn(date + nnn + string(d)) {
			return fmt.Sprint(year / 100), date, nnn + string(d)
		}
	}
	panic("no check digit")
}

func leakLuhn(d string) bool {
	sum := 0
	for i := 0; i < len(d); i++ {
		v := int(d[i] - '0')
		if i%2 == 0 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// leakSpellings are the spellings of YYMMDD and the last four,
// the century c written in front by some.
var leakSpellings = []struct {
	name  string
	write func(c, date, last string) string
}{
	{"811218-9876", func(c, d, l string) string { return d + "-" + l }},
	{"811218.9876", func(c, d, l string) string { return d + "." + l }},
	{"en dash", func(c, d, l string) string { return d + "–" + l }},
	{"em dash", func(c, d, l string) string { return d + "—" + l }},
	{"U+2212", func(c, d, l string) string { return d + "\u2212" + l }},
	{"U+2011", func(c, d, l string) string { return d + "\u2011" + l }},
	{"U+2010", func(c, d, l string) string { return d + "\u2010" + l }},
	{"tab", func(c, d, l string) string { return d + "\t" + l }},
	{"811218 - 9876", func(c, d, l string) string { return d + " - " + l }},
	{"81 12 18-9876", func(c, d, l string) string { return d[:2] + " " + d[2:4] + " " + d[4:] + "-" + l }},
	{"1981-12-18-9876", func(c, d, l string) string { return c + d[:2] + "-" + d[2:4] + "-" + d[4:] + "-" + l }},
	{"full-width", func(c, d, l string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r - '0' + '０'
			}
			return r
		}, d+"－"+l)
	}},
	{"zero-width space inside", func(c, d, l string) string { return d[:2] + "\u200b" + d[2:] + "-" + l[:2] + "\u200b" + l[2:] }},
	{"over two lines", func(c, d, l string) string { return d + "-\n" + l }},
	{"19811218-9876", func(c, d, l string) string { return c + d + "-" + l }},
	{"198112189876", func(c, d, l string) string { return c + d + l }},
	{"8112189876", func(c, d, l string) string { return d + l }},
}

// leakDigits is s after NFKC with its decimal digits (any script) as
// ASCII and everything else removed.
func leakDigits(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		if !unicode.IsDigit(r) {
			continue
		}
		for _, t := range unicode.Nd.R16 {
			if r >= rune(t.Lo) && r <= rune(t.Hi) {
				b.WriteByte('0' + byte((r-rune(t.Lo))%10))
			}
		}
		for _, t := range unicode.Nd.R32 {
			if r >= rune(t.Lo) && r <= rune(t.Hi) {
				b.WriteByte('0' + byte((r-rune(t.Lo))%10))
			}
		}
	}
	return b.String()
}

// leakTexts is what a reader of a raw message sees: its headers decoded,
// every part decoded (an HTML part also as text and entities decoded, an
// XLSX part's cells), attachment names.
func leakTexts(raw []byte) []string {
	out := []string{string(raw), decoded(raw)}
	if m, err := parse.Parse(bytes.NewReader(raw), nil); err == nil {
		for _, a := range m.Attachments {
			out = append(out, a.Filename)
		}
		m.RemoveFiles()
	}
	e, _ := gomessage.Read(bytes.NewReader(raw))
	if e == nil {
		return out
	}
	_ = e.Walk(func(_ []int, p *gomessage.Entity, err error) error {
		if p == nil {
			return nil
		}
		fields := p.Header.Fields()
		for fields.Next() {
			v, err := fields.Text()
			if err != nil {
				v = fields.Value()
			}
			out = append(out, fields.Key()+": "+v)
		}
		_, dp, _ := p.Header.ContentDisposition()
		mt, tp, _ := p.Header.ContentType()
		out = append(out, dp["filename"], tp["name"])
		if strings.HasPrefix(mt, "multipart/") {
			return nil
		}
		body, _ := io.ReadAll(p.Body)
		switch {
		case strings.Contains(mt, "spreadsheetml"):
			out = append(out, leakXLSX(body)...)
		case mt == "text/html":
			out = append(out, string(body), html.UnescapeString(string(body)), leakHTMLText(string(body)))
		default:
			out = append(out, string(body))
		}
		return nil
	})
	return out
}

func leakHTMLText(s string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			b.Write(z.Text())
		}
	}
}

func leakXLSX(data []byte) []string {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return []string{"unreadable xlsx: " + err.Error()}
	}
	defer f.Close()
	var out []string
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		var b strings.Builder
		for _, row := range rows {
			b.WriteString(strings.Join(row, "\t") + "\n")
		}
		out = append(out, sh, b.String())
	}
	return out
}

// leak is one round of the case's life through the mail system e.
func leak(t *testing.T, e *mailEnv) {
	reporter, leader, fk, af := e.Addr("anna"), e.Addr("processledare"), e.Addr("fk"), e.Addr("af")
	cfg := lifeConfig(t, e, "")
	d := startDaemon(t, cfg, nil)
	rng := rand.New(rand.NewPCG(1, 2))

	var nums []leakNumber
	next := 0
	// number writes a new number in the next spelling (in one line for
	// the subject).
	number := func(where string) string {
		sp := leakSpellings[next%len(leakSpellings)]
		next++
		for where == "Subject" && sp.name == "over two lines" {
			sp = leakSpellings[next%len(leakSpellings)]
			next++
		}
		c, date, last := leakPNR(rng, rng.IntN(3) == 0)
		w := sp.write(c, date, last)
		nums = append(nums, leakNumber{core: date + last, where: where + " (" + sp.name + ")", written: w})
		return w
	}
	var desc strings.Builder
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&desc, "Personen %s fick avslag från FK.\n", number("Vad hände?"))
	}
	body := fmt.Sprintf("Datum för händelsen: 2026-11-12\nNamn: Anna Andersson %s\nOrganisation: Arbetsförmedlingen Angered %s\n"+
		"Berörda parter: Försäkringskassan, Arbetsförmedlingen, Annan: hyresvärden för %s\nVad hände?:\n%s"+
		"Konsekvens för individen:\nHen (%s) har ingen ersättning.\nPnr: %s\n"+
		"Förslag på lösning:\nGemensam rutin för %s och %s.\nFår vi kontakta dig?: Ja\nFår ärendet publiceras anonymiserat?: Ja\n",
		number("Namn"), number("Organisation"), number("Annan"), desc.String(),
		number("Konsekvens"), number("Konsekvens"), number("Förslag"), number("Förslag"))
	e.Send(reporter, e.Shared, fmt.Sprintf("From: Anna Andersson <%s>\nTo: %s\nSubject: Anmälan %s\nMessage-ID: <leak-%s@af.example>\n"+
		"Date: Thu, 12 Nov 2026 10:00:00 +0100\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s",
		reporter, e.Shared, number("Subject"), e.tag, body))
	ack := e.WaitFor(reporter, "INBOX", "Vi har tagit emot din anm", 1)[0]
	caseID := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	notice := e.WaitFor(leader, "INBOX", "Nytt ärende", 1)[0]

	// The process leader forwards to FK and AF with a question.
	to, raw := replyTo(t, notice, leader, fmt.Sprintf("/vidarebefordra FK AF\nKan ni förklara beslutet om %s?\nSe även %s.",
		number("fråga"), number("fråga")))
	e.Send(leader, to, raw)
	fwd := e.WaitFor(fk, "INBOX", "Kan ni förklara beslutet", 1)[0]
	e.WaitFor(af, "INBOX", "Kan ni förklara beslutet", 1)

	// FK answers with a number of its own.
	to, raw = replyTo(t, fwd, fk, fmt.Sprintf("FK har gått igenom ärendet för %s och ändrar rutinen.", number("FK:s svar")))
	e.Send(fk, to, raw)
	an := e.WaitFor(leader, "INBOX", "ändrar rutinen", 1)[0]
	to, raw = replyTo(t, an, leader, "/publicera ja")
	e.Send(leader, to, raw)
	e.WaitFor(leader, "INBOX", "Får publiceras", 1)

	// The control: the detector sees every number in what was sent.
	var sent strings.Builder
	for _, m := range e.WaitFor(e.Shared, casework.FolderDone, "", 4) {
		sent.WriteString(strings.Join(leakTexts(m), "\n"))
	}
	for _, n := range nums {
		if !strings.Contains(leakDigits(sent.String()), n.core) {
			t.Errorf("the detector does not see %s, written %q, in the mail sent", n.where, n.written)
		}
	}

	found := 0
	// check looks for every core in out. Every number here is valid: the
	// process leader's and the reporter's mail are checked as strictly.
	check := func(exit, out string) {
		t.Helper()
		digits := leakDigits(out)
		for _, n := range nums {
			if strings.Contains(digits, n.core) {
				found++
				t.Errorf("LEAK %s: %s, written %q, is in …%q…", exit, n.where, n.written, excerpt(out, n))
			}
		}
	}
	mailbox := func(who, addr string) int {
		t.Helper()
		msgs := e.Messages(addr, "INBOX")
		for i, m := range msgs {
			for _, s := range leakTexts(m) {
				check(fmt.Sprintf("%s's INBOX, message %d", who, i+1), s)
			}
		}
		return len(msgs)
	}
	if n := mailbox("FK", fk); n != 1 {
		t.Errorf("FK's INBOX holds %d messages, want the forward", n)
	}
	if n := mailbox("AF", af); n != 1 {
		t.Errorf("AF's INBOX holds %d messages, want the forward", n)
	}
	mailbox("the process leader", leader)
	mailbox("the reporter", reporter)
	d.stop()

	// The published site.
	dir := t.TempDir()
	out, code := runCLI(t, "", "publish", "--out", dir, "--db", cfg.Database)
	if code != 0 || !strings.Contains(out, "1 ärenden publicerade") {
		t.Fatalf("publish: exit %d\n%s", code, out)
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		s := string(b)
		for _, x := range []string{s, html.UnescapeString(s), leakHTMLText(s)} {
			check("the site's "+filepath.Base(path), x)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, caseID+".html")); err != nil || files != 3 {
		t.Errorf("the site has %d files, want index.html, feed.xml and %s.html (%v)", files, caseID, err)
	}

	// The pattern report in every format.
	for _, format := range []string{"text", "csv", "html", "xlsx"} {
		args := []string{"report", "--format", format, "--db", cfg.Database, "--from", "2000-01-01", "--to", "2100-01-01"}
		file := filepath.Join(t.TempDir(), "r.xlsx")
		if format == "xlsx" {
			args = append(args, "--out", file)
		}
		out, code := runCLI(t, "", args...)
		if code != 0 {
			t.Fatalf("report --format %s: exit %d\n%s", format, code, out)
		}
		texts := []string{out, html.UnescapeString(out)}
		if format == "xlsx" {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			texts = leakXLSX(b)
		}
		for _, s := range texts {
			check("the report ("+format+")", s)
		}
	}
	t.Logf("%d numbers in %d spellings; %d leaks", len(nums), len(leakSpellings), found)
}

// excerpt is the part of out around n's core, after NFKC.
func excerpt(out string, n leakNumber) string {
	s := norm.NFKC.String(out)
	for i := range s {
		if d := leakDigits(s[i:min(len(s), i+80)]); strings.HasPrefix(d, n.core) {
			return strings.ToValidUTF8(s[max(0, i-60):min(len(s), i+80)], "")
		}
	}
	return ""
}

func TestLeakInProcess(t *testing.T)      { leak(t, newDevEnv(t, devmail.Options{})) }
func TestLeakDovecotPostfix(t *testing.T) { leak(t, newE2EEnv(t)) }

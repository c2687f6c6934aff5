// Command decodebench measures how well lexheller's MIME decoder
// (lexheller/intake/parse) reads real-world mail, beside
// github.com/jhillyerd/enmime/v2 in the same run (issue 12, "Real mail as
// it comes").
//
// It decodes every file under corpus/<project>/ (test mails of other
// open-source projects, see corpus/SOURCES.md) with both decoders and
// counts, per project and in total, the messages whose subject, sender
// and body text each decoder got right by the checks in checks.go. A
// message counts for a field ("of") when either decoder passes it or a
// plain look at the raw file shows the message has one (raw.go). Then it
// lists every message where lexheller fails a check that enmime passes.
//
// This program has its own go.mod so that enmime never enters the main
// module; it is not part of CI. See README.md.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"lexheller/intake/parse"
)

const (
	fSubject = iota
	fSender
	fBody
	nFields
)

var fieldNames = [nFields]string{"subject", "sender", "body"}

// maxFile is the largest corpus file read; larger ones are skipped.
const maxFile = 1 << 20

// timeout bounds one decoder on one message.
const timeout = 20 * time.Second

// decoded is what a decoder returned for the three fields.
type decoded [nFields]string

// verdict is one decoder's result on one message: the values it
// returned and, per field, "" for a pass or why it failed.
type verdict struct {
	got decoded
	why [nFields]string
}

type message struct {
	project, path string
	look          rawLook
	lh, en        verdict
	expected      [nFields]bool
}

func main() {
	corpus := flag.String("corpus", "", "corpus directory (default: corpus/ beside this program, found from the working directory)")
	all := flag.Bool("all", false, "also list the messages where enmime fails and lexheller passes, and where both fail")
	dump := flag.Bool("dump", false, "print what each decoder returned for every message")
	show := flag.String("show", "", "print in full what each decoder returned for the messages whose path contains this")
	goal := flag.Bool("goal", false, "exit 1 unless lexheller is ahead of enmime on every total count and reaches 99 % (subject, sender) and 97 % (body)")
	flag.Parse()

	dir := *corpus
	if dir == "" {
		dir = findCorpus()
	}
	msgs, err := run(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "decodebench:", err)
		os.Exit(2)
	}
	if *dump {
		for _, m := range msgs {
			for f := range nFields {
				fmt.Printf("%s %s\n  lh %s %s\n  en %s %s\n", m.path, fieldNames[f], verdictWord(m.lh.why[f]), quote(m.lh.got[f]), verdictWord(m.en.why[f]), quote(m.en.got[f]))
			}
		}
	}
	if *show != "" {
		for _, m := range msgs {
			if !strings.Contains(m.path, *show) {
				continue
			}
			for f := range nFields {
				fmt.Printf("== %s %s\n-- lexheller (%s):\n%s\n-- enmime (%s):\n%s\n", m.path, fieldNames[f],
					verdictWord(m.lh.why[f]), m.lh.got[f], verdictWord(m.en.why[f]), m.en.got[f])
			}
		}
		return
	}
	ok := report(os.Stdout, msgs, *all)
	if *goal && !ok {
		os.Exit(1)
	}
}

// findCorpus finds corpus/ whether the program runs from its own
// directory or from the repository root.
func findCorpus() string {
	for _, d := range []string{"corpus", filepath.Join(".ci", "decodebench", "corpus")} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return "corpus"
}

func run(dir string) ([]*message, error) {
	var msgs []*message
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		project, _, ok := strings.Cut(rel, "/")
		if !ok || !isMessage(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > maxFile {
			fmt.Fprintf(os.Stderr, "decodebench: skipping %s (%d bytes)\n", rel, info.Size())
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m := &message{project: project, path: rel, look: lookRaw(raw)}
		m.lh = judge(raw, decodeLexheller)
		m.en = judge(raw, decodeEnmime)
		m.expected = [nFields]bool{
			fSubject: m.look.subject,
			fSender:  m.look.sender,
			fBody:    m.look.body,
		}
		for f := range nFields {
			m.expected[f] = m.expected[f] || m.lh.why[f] == "" || m.en.why[f] == ""
		}
		msgs = append(msgs, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, fmt.Errorf("no messages under %s", dir)
	}
	return msgs, nil
}

// isMessage tells corpus messages from the notes beside them: SOURCES.md,
// each project's LICENSE, dot files.
func isMessage(name string) bool {
	return !strings.HasPrefix(name, ".") && !strings.HasSuffix(name, ".md") &&
		!strings.HasPrefix(name, "LICENSE") && !strings.HasPrefix(name, "NOTICE")
}

// judge runs one decoder on one message, bounded in time and safe from
// panics, and applies the checks to what it returned.
func judge(raw []byte, decode func([]byte) (decoded, error)) verdict {
	type outcome struct {
		d   decoded
		err error
	}
	ch := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- outcome{err: fmt.Errorf("panic: %v", p)}
			}
		}()
		d, err := decode(raw)
		ch <- outcome{d, err}
	}()
	var o outcome
	select {
	case o = <-ch:
	case <-time.After(timeout):
		o.err = fmt.Errorf("timed out after %v", timeout)
	}
	var v verdict
	v.got = o.d
	if o.err != nil {
		msg := "error: " + quote(o.err.Error())
		v.why = [nFields]string{msg, msg, msg}
		return v
	}
	v.why[fSubject] = checkSubject(o.d[fSubject])
	v.why[fSender] = checkSender(o.d[fSender])
	v.why[fBody] = checkBody(o.d[fBody])
	return v
}

func decodeLexheller(raw []byte) (decoded, error) {
	m, err := parse.Parse(bytes.NewReader(raw), nil)
	if err != nil {
		return decoded{}, err
	}
	m.RemoveFiles()
	return decoded{fSubject: m.Subject, fSender: m.From.Address, fBody: m.Text}, nil
}

// decodeEnmime uses enmime as its README shows: ReadEnvelope with the
// default parser, GetHeader for the subject, AddressList for the sender
// and Text for the body (enmime converts an HTML-only body to text).
func decodeEnmime(raw []byte) (decoded, error) {
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return decoded{}, err
	}
	d := decoded{fSubject: env.GetHeader("Subject"), fBody: env.Text}
	if list, err := env.AddressList("From"); err == nil {
		for _, a := range list {
			if strings.Contains(a.Address, "@") {
				d[fSender] = a.Address
				break
			}
		}
	}
	return d, nil
}

// counts are one row of the table.
type counts struct {
	n           int
	lh, en, exp [nFields]int
}

func (c *counts) add(m *message) {
	c.n++
	for f := range nFields {
		if !m.expected[f] {
			continue
		}
		c.exp[f]++
		if m.lh.why[f] == "" {
			c.lh[f]++
		}
		if m.en.why[f] == "" {
			c.en[f]++
		}
	}
}

// goals are the shares lexheller must reach (issue 12).
var goals = [nFields]float64{fSubject: 0.99, fSender: 0.99, fBody: 0.97}

// report prints the table and the failure lists; it returns whether
// lexheller meets the goals.
func report(out *os.File, msgs []*message, all bool) bool {
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].path < msgs[j].path })
	byProject := map[string]*counts{}
	var projects []string
	var total counts
	for _, m := range msgs {
		c := byProject[m.project]
		if c == nil {
			c = &counts{}
			byProject[m.project] = c
			projects = append(projects, m.project)
		}
		c.add(m)
		total.add(m)
	}

	fmt.Fprintf(out, "decodebench %s: lexheller/intake/parse vs enmime %s, %d messages\n\n",
		time.Now().Format(time.RFC3339), moduleVersion("github.com/jhillyerd/enmime/v2"), len(msgs))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "project\tn\tsubject lh/enmime/of\tsender lh/enmime/of\tbody lh/enmime/of\t")
	row := func(name string, c *counts) {
		fmt.Fprintf(tw, "%s\t%d\t", name, c.n)
		for f := range nFields {
			fmt.Fprintf(tw, "%d/%d/%d\t", c.lh[f], c.en[f], c.exp[f])
		}
		fmt.Fprintln(tw)
	}
	for _, p := range projects {
		row(p, byProject[p])
	}
	row("total", &total)
	tw.Flush()

	ok := true
	fmt.Fprintln(out)
	for f := range nFields {
		lh, en, exp := total.lh[f], total.en[f], total.exp[f]
		share := 1.0
		if exp > 0 {
			share = float64(lh) / float64(exp)
		}
		met := lh > en && share >= goals[f] || exp == 0
		ok = ok && met
		mark := "goal met"
		if !met {
			mark = "goal not met"
		}
		fmt.Fprintf(out, "%-8s lexheller %5.1f %%  enmime %5.1f %%  (goal: ahead of enmime and >= %.0f %%: %s)\n",
			fieldNames[f], pct(lh, exp), pct(en, exp), goals[f]*100, mark)
	}

	list := func(title string, pick func(m *message, f int) bool, show func(m *message, f int) string) {
		var lines []string
		for _, m := range msgs {
			for f := range nFields {
				if m.expected[f] && pick(m, f) {
					lines = append(lines, fmt.Sprintf("  %s %s: %s", m.path, fieldNames[f], show(m, f)))
				}
			}
		}
		fmt.Fprintf(out, "\n%s: %d\n", title, len(lines))
		for _, l := range lines {
			fmt.Fprintln(out, l)
		}
	}
	lhOnly := func(m *message, f int) bool { return m.lh.why[f] != "" && m.en.why[f] == "" }
	list("lexheller fails, enmime passes", lhOnly, func(m *message, f int) string {
		return fmt.Sprintf("lexheller %s; enmime got %s", m.lh.why[f], quote(m.en.got[f]))
	})
	if all {
		list("enmime fails, lexheller passes", func(m *message, f int) bool {
			return m.en.why[f] != "" && m.lh.why[f] == ""
		}, func(m *message, f int) string {
			return fmt.Sprintf("enmime %s; lexheller got %s", m.en.why[f], quote(m.lh.got[f]))
		})
		list("both fail", func(m *message, f int) bool {
			return m.en.why[f] != "" && m.lh.why[f] != ""
		}, func(m *message, f int) string {
			return fmt.Sprintf("lexheller %s; enmime %s", m.lh.why[f], m.en.why[f])
		})
	}
	return ok
}

func verdictWord(why string) string {
	if why == "" {
		return "ok"
	}
	return "FAIL(" + why + ")"
}

func pct(n, of int) float64 {
	if of == 0 {
		return 100
	}
	return 100 * float64(n) / float64(of)
}

// moduleVersion is the version of a dependency built into this program.
func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "(unknown version)"
}

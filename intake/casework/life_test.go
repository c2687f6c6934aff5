package casework

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"lexheller/intake/classify"
	"lexheller/intake/config"
	"lexheller/intake/form"
	"lexheller/intake/similar"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

const (
	leader   = "pl@goteborg.example"
	reporter = "anna@af.example"
	fkRep    = "fk.rep@fk.example"
	afRep    = "af.rep@af.example"
	chief    = "chef@goteborg.example"
)

// lifeProcessor is newProcessor with representatives, a chief, a meeting
// and a clock the test sets.
func lifeProcessor(t *testing.T, now *time.Time) *Processor {
	p := newProcessor(t)
	fb := &p.Classify.Forbund[0]
	fb.Chief = chief
	fb.Meetings = []config.Date{{Time: time.Date(2027, 1, 21, 0, 0, 0, 0, time.UTC)}}
	fb.Representatives = []config.Representative{{Party: "FK", Name: "Fia Karlsson", Email: fkRep}, {Party: "AF", Email: afRep}}
	p.Now = func() time.Time { return *now }
	return p
}

// reply is a reply from "from" to m, the way a mail client writes it: to
// the Reply-To, with In-Reply-To and the quoted original below.
func reply(t *testing.T, m *store.OutMail, from, body string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw)))
	if err != nil {
		t.Fatal(err)
	}
	to := msg.Header.Get("Reply-To")
	id := fmt.Sprintf("r%d.%d@%s", time.Now().UnixNano(), len(body), strings.SplitN(from, "@", 2)[1])
	quoted := "> " + strings.ReplaceAll(strings.TrimSpace(m.Body), "\n", "\n> ")
	return fmt.Sprintf("From: <%s>\r\nTo: %s\r\nSubject: SV: %s\r\nMessage-ID: <%s>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nDen 12 nov. 2026 skrev Lex Heller <lexheller@finsam.example>:\r\n%s\r\n",
		from, to, mimeWord(m.Subject), id, m.MessageID, m.MessageID, strings.ReplaceAll(body, "\n", "\r\n"), strings.ReplaceAll(quoted, "\n", "\r\n"))
}

func mimeWord(s string) string { return mime.QEncoding.Encode("utf-8", s) }

// mails returns the outbox rows queued since the last call.
type mailLog struct {
	t    *testing.T
	p    *Processor
	seen int
}

func (l *mailLog) next() []*store.OutMail {
	l.t.Helper()
	all := outbox(l.t, l.p)
	out := all[l.seen:]
	l.seen = len(all)
	return out
}

// only returns the one mail of kind to rcpt among ms, failing otherwise.
func only(t *testing.T, ms []*store.OutMail, kind, rcpt string) *store.OutMail {
	t.Helper()
	var found *store.OutMail
	for _, m := range ms {
		if m.Kind == kind && m.To == rcpt {
			if found != nil {
				t.Fatalf("two %s mails to %s", kind, rcpt)
			}
			found = m
		}
	}
	if found == nil {
		var got []string
		for _, m := range ms {
			got = append(got, m.Kind+"→"+m.To)
		}
		t.Fatalf("no %s mail to %s; queued: %v", kind, rcpt, got)
	}
	return found
}

func caseNow(t *testing.T, p *Processor, id string) *store.Case {
	t.Helper()
	c, err := p.Store.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCaseLife(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}

	outs := process(t, p, blanketMsg(reporter, "blanket@af.example"))
	id := outs[0].Case
	first := log.next()
	ack := only(t, first, string(notify.KindAck), reporter)
	notice := only(t, first, string(notify.KindNotifyNew), leader)

	// The process leader asks; the reporter gets the question, threaded.
	outs = process(t, p, reply(t, notice, leader, "Vilken handläggare på FK hade ärendet?"))
	if outs[0].Kind != classify.Reply {
		t.Fatalf("leader's question: %+v", outs[0])
	}
	q := only(t, log.next(), string(notify.KindQuestion), reporter)
	if !strings.Contains(q.Body, "Vilken handläggare på FK") || strings.Contains(q.Body, "> ") {
		t.Errorf("question body:\n%s", q.Body)
	}
	if c := caseNow(t, p, id); c.Status != store.StatusInDialogue {
		t.Errorf("status %s after the question, want in_dialogue", c.Status)
	}
	_ = ack

	// The reporter answers; the leaders get it.
	process(t, p, reply(t, q, reporter, "Det var handläggaren i Angered."))
	rn := only(t, log.next(), string(notify.KindReplyNotice), leader)
	if !strings.Contains(rn.Body, "handläggaren i Angered") {
		t.Errorf("reply notice:\n%s", rn.Body)
	}

	// Commands: level and a forward to FK.
	outs = process(t, p, reply(t, rn, leader, "/nivå organisering\n/vidarebefordra FK\nKan ni förklara varför?"))
	if outs[0].Kind != classify.Command {
		t.Fatalf("commands: %+v", outs[0])
	}
	ms := log.next()
	fwd := only(t, ms, string(notify.KindForward), fkRep)
	res := only(t, ms, string(notify.KindCommandResult), leader)
	if !strings.Contains(fwd.Body, "Kan ni förklara varför?") || strings.Contains(fwd.Body, "Anna") ||
		strings.Contains(fwd.Body, reporter) || strings.Contains(fwd.Body, "850312") {
		t.Errorf("forward is not de-identified or lacks the question:\n%s", fwd.Body)
	}
	if !strings.Contains(res.Body, "Nivå: organisering") || !strings.Contains(res.Body, "Vidarebefordrat till FK") {
		t.Errorf("confirmation:\n%s", res.Body)
	}
	if c := caseNow(t, p, id); c.Status != store.StatusForwarded || c.Level != "organisering" {
		t.Errorf("after the commands: status %s level %q", c.Status, c.Level)
	}

	// FK answers; the leaders get the answer; the case is answered.
	process(t, p, reply(t, fwd, fkRep, "Beslutet fattades enligt gällande regler, men vi ser över rutinen."))
	an := only(t, log.next(), string(notify.KindAnswerNotice), leader)
	if !strings.Contains(an.Body, "ser över rutinen") || !strings.Contains(an.Subject, "Försäkringskassan") {
		t.Errorf("answer notice %q:\n%s", an.Subject, an.Body)
	}
	if c := caseNow(t, p, id); c.Status != store.StatusAnswered {
		t.Errorf("status %s after the answer", c.Status)
	}

	// Feedback with the answer, then close.
	process(t, p, reply(t, an, leader, "/återkoppla med svar\nTack för anmälan. FK har svarat."))
	ms = log.next()
	fb := only(t, ms, string(notify.KindFeedback), reporter)
	only(t, ms, string(notify.KindCommandResult), leader)
	if !strings.Contains(fb.Body, "Tack för anmälan") || !strings.Contains(fb.Body, "ser över rutinen") {
		t.Errorf("feedback:\n%s", fb.Body)
	}
	process(t, p, reply(t, an, leader, "/stäng"))
	only(t, log.next(), string(notify.KindCommandResult), leader)
	c := caseNow(t, p, id)
	if c.Status != store.StatusClosed || c.ClosedAt == nil {
		t.Errorf("after /stäng: %s", c.Status)
	}

	tl, err := p.Store.Timeline(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, e.Kind)
	}
	want := []string{store.EventCreated, store.EventQuestion, store.EventReceived, store.EventReceived, store.EventChanged,
		store.EventForwarded, store.EventNotice, store.EventAnswer, store.EventReceived, store.EventFeedback, store.EventReceived, store.EventStatus}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Errorf("timeline\n got %v\nwant %v", kinds, want)
	}
}

func TestCommandsAllOrNothing(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "b2@af.example"))[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)

	// A good line, a party without a representative, an unknown command.
	process(t, p, reply(t, notice, leader, "/nivå struktur\n/vidarebefordra Region\n/flytta FK"))
	res := only(t, log.next(), string(notify.KindCommandResult), leader)
	for _, want := range []string{"rad 2", "/vidarebefordra Region", "ingen representant för Region",
		"rad 3", "\"/flytta\" är inget kommando", "/hjälp"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the answer lacks %q:\n%s", want, res.Body)
		}
	}
	if c := caseNow(t, p, id); c.Level != "" || c.Status != store.StatusNew {
		t.Errorf("something was applied: level %q status %s", c.Level, c.Status)
	}
	// Parse errors are refused the same way, naming the line.
	process(t, p, reply(t, notice, leader, "/tema sjukskrivning\n/återkoppla"))
	res = only(t, log.next(), string(notify.KindCommandResult), leader)
	if !strings.Contains(res.Body, "rad 2") || !strings.Contains(res.Body, "texten saknas") {
		t.Errorf("the answer:\n%s", res.Body)
	}
	if c := caseNow(t, p, id); len(c.Themes) != 0 {
		t.Errorf("themes applied: %v", c.Themes)
	}
	// /publicera ja needs the reporter's leave (the blanket gave none).
	process(t, p, reply(t, notice, leader, "/publicera ja"))
	if res := only(t, log.next(), string(notify.KindCommandResult), leader); !strings.Contains(res.Body, "inte tillåtit publicering") {
		t.Errorf("publish refused? %s", res.Body)
	}
	// /hjälp answers with the table.
	process(t, p, reply(t, notice, leader, "/hjälp"))
	res = only(t, log.next(), string(notify.KindCommandResult), leader)
	for _, cmd := range []string{"/nivå", "/parter", "/tema", "/vidarebefordra", "/återkoppla", "/lyft", "/beslut", "/notering", "/publicera", "/stäng", "/öppna"} {
		if !strings.Contains(res.Body, cmd) {
			t.Errorf("help lacks %s", cmd)
		}
	}
}

func TestCommandsFromOthersAreRefused(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "b3@af.example"))[0].Case
	ack := only(t, log.next(), string(notify.KindAck), reporter)

	// The reporter tries to close the case.
	outs := process(t, p, reply(t, ack, reporter, "/stäng\nJag vill stänga."))
	if outs[0].Kind != classify.Reply {
		t.Errorf("reporter's command mail is %s", outs[0].Kind)
	}
	ms := log.next()
	only(t, ms, string(notify.KindRefused), reporter)
	only(t, ms, string(notify.KindReplyNotice), leader)
	if c := caseNow(t, p, id); c.Status == store.StatusClosed {
		t.Error("the reporter closed the case")
	}
	tl, _ := p.Store.Timeline(context.Background(), id)
	if tl[len(tl)-1].Kind != store.EventRefused {
		t.Errorf("last event %s, want refused", tl[len(tl)-1].Kind)
	}

	// An outsider with the case's plus address: quarantined.
	outs = process(t, p, reply(t, ack, "mallory@evil.example", "/stäng"))
	if outs[0].Kind != classify.Quarantine {
		t.Errorf("outsider: %+v", outs[0])
	}
	if len(log.next()) != 0 {
		t.Error("mail sent for an outsider's message")
	}

	// A process leader's address not vouched for by the inbound server.
	p.Classify.AuthservID = "mx.goteborg.example"
	forged := reply(t, ack, leader, "/stäng")
	outs = process(t, p, forged)
	if outs[0].Kind != classify.Quarantine || !strings.Contains(outs[0].Reason, "not verified") {
		t.Errorf("forged: %+v", outs[0])
	}
	if c := caseNow(t, p, id); c.Status == store.StatusClosed {
		t.Error("a forged command closed the case")
	}
	tl, _ = p.Store.Timeline(context.Background(), id)
	if e := tl[len(tl)-1]; e.Kind != store.EventRefused || !strings.Contains(e.Summary, "Karantän") {
		t.Errorf("last event %+v", e)
	}
	// The same with the server's pass: accepted.
	verified := strings.Replace(reply(t, ack, leader, "/stäng"), "\r\n\r\n",
		"\r\nAuthentication-Results: mx.goteborg.example; dkim=pass header.d=goteborg.example header.s=s1; spf=pass smtp.mailfrom=pl@goteborg.example\r\n\r\n", 1)
	if outs = process(t, p, verified); outs[0].Kind != classify.Command {
		t.Errorf("verified: %+v", outs[0])
	}
	if c := caseNow(t, p, id); c.Status != store.StatusClosed {
		t.Errorf("verified /stäng: status %s", c.Status)
	}
}

// Redaction: a blanket with identity numbers in several spellings,
// forwarded to two parties with a question that has one more: nothing
// Luhn-valid reaches either representative.
func TestForwardsCarryNoPersonnummer(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	body := "Namn: Anna Andersson\nOrganisation: AF\nBerörda parter: FK, AF\nVad hände?:\n" +
		"Personen 850312-1231 (även skrivet 8503121231, 19850312-1231 och 198503121231) och\n" +
		"samordningsnummer 850372-1239 fick inget beslut.\nKonsekvens för individen: 850312 1231 står utan pengar.\n"
	raw := fmt.Sprintf("From: <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Anmälan\r\nMessage-ID: <pii@af.example>\r\n\r\n%s",
		reporter, strings.ReplaceAll(body, "\n", "\r\n"))
	if n := len(form.FindPII(body)); n < 5 {
		t.Fatalf("the test's blanket has %d identity numbers the scanner finds, want ≥ 5", n)
	}
	process(t, p, raw)
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK AF med kontakt\nGäller 19850312-1231, kan ni svara?"))
	ms := log.next()
	for _, to := range []string{fkRep, afRep} {
		m := only(t, ms, string(notify.KindForward), to)
		if pii := form.FindPII(string(m.Raw) + m.Body + m.Subject); len(pii) > 0 {
			t.Errorf("forward to %s carries %v", to, pii)
		}
	}
	// Their reminders neither.
	now = now.Add(15 * 24 * time.Hour)
	if _, err := p.Remind(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	ms = log.next()
	for _, to := range []string{fkRep, afRep} {
		m := only(t, ms, string(notify.KindReminder), to)
		if pii := form.FindPII(string(m.Raw) + m.Body); len(pii) > 0 {
			t.Errorf("reminder to %s carries %v", to, pii)
		}
	}
}

func TestRemindersOncePerDueDate(t *testing.T) {
	start := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	now := start
	p := lifeProcessor(t, &now)
	p.Classify.Forbund[0].Meetings = []config.Date{{Time: time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC)}}
	p.Classify.Forbund[0].Notices = noNotices() // the reporter's notices have a test of their own
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "b4@af.example"))[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK\nFråga?\n/lyft"))
	log.next()
	process(t, p, reply(t, notice, leader, "/lyft Tas upp i beredningsgruppen"))
	log.next()

	remind := func(at time.Time) []*store.OutMail {
		t.Helper()
		now = at
		if _, err := p.Remind(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		return log.next()
	}
	day := 24 * time.Hour
	if ms := remind(start.Add(13 * day)); len(ms) != 0 {
		t.Errorf("day 13: %d mails", len(ms))
	}
	ms := remind(start.Add(14*day + time.Minute))
	only(t, ms, string(notify.KindReminder), fkRep)
	cp := only(t, ms, string(notify.KindReminder), leader)
	if !strings.Contains(cp.Body, "Kopia till processledarna") {
		t.Errorf("copy:\n%s", cp.Body)
	}
	if ms := remind(start.Add(14*day + time.Hour)); len(ms) != 0 {
		t.Errorf("reminded twice for one due date: %d mails", len(ms))
	}
	// The agenda: 14 days before the meeting of 2026-12-17.
	ag := only(t, remind(start.Add(21*day)), string(notify.KindAgenda), chief)
	for _, want := range []string{id, "Ärenden att lyfta (1)", "Tas upp i beredningsgruppen", "Väntar på svar från en part (1)", "till FK"} {
		if !strings.Contains(ag.Body, want) {
			t.Errorf("agenda lacks %q:\n%s", want, ag.Body)
		}
	}
	// A restart: a new Processor on the same store sends nothing again.
	p2 := lifeProcessor(t, &now)
	p2.Store, p2.Classify.Forbund[0].Meetings = p.Store, p.Classify.Forbund[0].Meetings
	if n, err := p2.Remind(context.Background(), now); err != nil || n != 0 {
		t.Errorf("after a restart: %d mails, %v", n, err)
	}
	log.next()
	// Second and third reminders, then no more (at most 3).
	only(t, remind(start.Add(28*day+time.Minute)), string(notify.KindReminder), fkRep)
	ms = remind(start.Add(100 * day))
	only(t, ms, string(notify.KindReminder), fkRep)
	for _, m := range remind(start.Add(200 * day)) {
		if m.Kind == string(notify.KindReminder) && m.To == fkRep {
			t.Errorf("a fourth reminder")
		}
	}
	fs, _ := p.Store.Forwards(context.Background(), id)
	if fs[0].Reminders != 3 {
		t.Errorf("reminders recorded: %d, want 3", fs[0].Reminders)
	}
}

func TestQuietCaseReminder(t *testing.T) {
	start := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	now := start
	p := lifeProcessor(t, &now)
	p.Classify.Forbund[0].Meetings = nil // no agenda in this test
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "b5@af.example"))[0].Case
	log.next()
	day := 24 * time.Hour
	for _, d := range []time.Duration{29 * day, 31 * day, 31*day + time.Hour, 45 * day, 62 * day} {
		now = start.Add(d)
		if _, err := p.Remind(context.Background(), now); err != nil {
			t.Fatal(err)
		}
		ms := log.next()
		want := 0
		if d == 31*day || d == 62*day { // 30 days after the blanket, then 30 after the reminder
			want = 1
		}
		if len(ms) != want {
			t.Errorf("day %d: %d mails, want %d", int(d/day), len(ms), want)
		}
		for _, m := range ms {
			if m.Kind != string(notify.KindQuiet) || m.To != leader || !strings.Contains(m.Body, id) {
				t.Errorf("day %d: %s to %s", int(d/day), m.Kind, m.To)
			}
		}
	}
}

func TestNotificationListsSimilarCases(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	p.Similar = similar.New()
	log := &mailLog{t: t, p: p}
	send := func(id, what string) (string, *store.OutMail) {
		raw := fmt.Sprintf("From: <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Anmälan\r\nMessage-ID: <%s@af.example>\r\n\r\n"+
			"Namn: Anna\r\nOrganisation: AF\r\nBerörda parter: FK, AF\r\nVad hände?:\r\n%s\r\n", reporter, id, what)
		c := process(t, p, raw)[0].Case
		return c, only(t, log.next(), string(notify.KindNotifyNew), leader)
	}
	first, n1 := send("s1", "Försäkringskassan drog in sjukpenningen; Arbetsförmedlingen skrev ut personen samma vecka.")
	if strings.Contains(n1.Body, "Liknande") {
		t.Errorf("the first case lists similar ones:\n%s", n1.Body)
	}
	other, _ := send("s2", "Aktivitetsstödet betalades inte ut eftersom rapporten till programmet saknades.")
	_, n3 := send("s3", "Sjukpenningen drogs in av Försäkringskassan och Arbetsförmedlingen skrev ut hen.")
	if !strings.Contains(n3.Body, "Liknande tidigare ärenden:\n  "+first) {
		t.Errorf("the notification does not list %s first:\n%s", first, n3.Body)
	}
	if strings.Contains(n3.Body, other) {
		t.Errorf("the notification lists the unrelated %s:\n%s", other, n3.Body)
	}
}

// The pattern report goes out once a period, on its day, across restarts.
func TestScheduledReport(t *testing.T) {
	now := time.Date(2026, 10, 12, 9, 0, 0, 0, templates.Stockholm)
	p := lifeProcessor(t, &now)
	p.Classify.Forbund[0].Chief = ""
	p.Report = &ReportSchedule{To: []string{"arbetsgrupp@finsam.example"}, Months: 1, Day: 1}
	log := &mailLog{t: t, p: p}
	process(t, p, blanketMsg(reporter, "rep1@af.example"))
	log.next()
	remind := func(at time.Time) []*store.OutMail {
		t.Helper()
		if _, err := p.Remind(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		var out []*store.OutMail
		for _, m := range log.next() {
			if m.Kind == string(notify.KindReport) {
				out = append(out, m)
			}
		}
		return out
	}
	if ms := remind(time.Date(2026, 10, 31, 23, 0, 0, 0, templates.Stockholm)); len(ms) != 1 || !strings.Contains(ms[0].Subject, "2026-09-01 – 2026-09-30") {
		t.Fatalf("in October: %d reports, want September's", len(ms))
	}
	ms := remind(time.Date(2026, 11, 1, 0, 30, 0, 0, templates.Stockholm))
	if len(ms) != 1 {
		t.Fatalf("1 November: %d reports, want 1", len(ms))
	}
	m := ms[0]
	if !strings.Contains(m.Subject, "2026-10-01 – 2026-10-31") || !strings.Contains(m.Body, "ett ärende") ||
		!bytes.Contains(m.Raw, []byte("lexheller-2026-10.xlsx")) || !bytes.Contains(m.Raw, []byte("text/html")) {
		t.Errorf("the report: %s\n%s", m.Subject, m.Body)
	}
	if len(form.FindPII(string(m.Raw))) > 0 || strings.Contains(m.Body, "Anna") {
		t.Error("the report carries personal data")
	}
	if ms := remind(time.Date(2026, 11, 20, 9, 0, 0, 0, templates.Stockholm)); len(ms) != 0 {
		t.Errorf("sent again in the same period: %d", len(ms))
	}
	p2 := lifeProcessor(t, &now)
	p2.Store, p2.Report = p.Store, p.Report
	if n, err := p2.Remind(context.Background(), time.Date(2026, 11, 21, 9, 0, 0, 0, templates.Stockholm)); err != nil || n != 0 {
		t.Errorf("after a restart: %d mails, %v", n, err)
	}
}

// A case raised after an agenda went out is on the next one.
func TestAgendaCatchesWhatCameAfterTheLastOne(t *testing.T) {
	jan21 := time.Date(2027, 1, 21, 0, 0, 0, 0, templates.Stockholm)
	mar18 := time.Date(2027, 3, 18, 0, 0, 0, 0, templates.Stockholm)
	now := time.Date(2027, 1, 2, 9, 0, 0, 0, templates.Stockholm)
	p := lifeProcessor(t, &now)
	p.Classify.Forbund[0].Meetings = []config.Date{{Time: jan21}, {Time: mar18}}
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "ag@af.example"))[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	now = time.Date(2027, 1, 8, 9, 0, 0, 0, templates.Stockholm) // the January agenda goes out
	if _, err := p.Remind(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	jan := only(t, log.next(), string(notify.KindAgenda), chief)
	if strings.Contains(jan.Body, id) {
		t.Fatalf("the January agenda lists %s before it was raised", id)
	}
	now = time.Date(2027, 1, 14, 9, 0, 0, 0, templates.Stockholm)
	process(t, p, reply(t, notice, leader, "/lyft Tas upp i mars"))
	log.next()
	now = time.Date(2027, 3, 5, 9, 0, 0, 0, templates.Stockholm)
	if _, err := p.Remind(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	var mar *store.OutMail
	for _, m := range log.next() {
		if m.Kind == string(notify.KindAgenda) {
			mar = m
		}
	}
	if mar == nil || !strings.Contains(mar.Body, id) || !strings.Contains(mar.Body, "Tas upp i mars") {
		t.Errorf("the March agenda does not list %s:\n%v", id, mar)
	}
}

// When the reporter did not allow contact, a forward carries nothing of
// them, not even what they wrote about themselves in the free text.
func TestForwardWithoutContactLeavesTheReporterOut(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	raw := fmt.Sprintf("From: Åsa Öberg <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Anmälan\r\nMessage-ID: <nc@af.example>\r\n\r\n"+
		"Namn: Åsa Öberg\r\nOrganisation: AF Angered\r\nTelefon: 070-123 45 67\r\nBerörda parter: FK\r\nFår vi kontakta dig?: Nej\r\n"+
		"Vad hände?:\r\nJag, Åsa Öberg på AF Angered, ringde FK från 070-123 45 67 men fick inget svar.\r\n", reporter)
	process(t, p, raw)
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK med kontakt\nÅsa Öberg undrar varför."))
	fwd := only(t, log.next(), string(notify.KindForward), fkRep)
	for _, gone := range []string{"Åsa", "Öberg", "AF Angered", "070-123", reporter} {
		if strings.Contains(fwd.Body, gone) || strings.Contains(string(fwd.Raw), gone) {
			t.Errorf("the forward carries %q:\n%s", gone, fwd.Body)
		}
	}
	if !strings.Contains(fwd.Body, "ringde FK") {
		t.Errorf("the forward lost the case:\n%s", fwd.Body)
	}
}

// Without authserv_id, a command in a process leader's name counts only in
// a mail that answers one of ours to that leader: a mail to the plain
// address with the subject tag, or through the reporter's reply address,
// is refused (nothing applied, nothing relayed, the address told, the case
// noted); a reply to the leader's own notification is carried out.
func TestCommandsNeedAReplyToTheLeader(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "forge@af.example"))[0].Case
	ms := log.next()
	ack := only(t, ms, string(notify.KindAck), reporter)
	notice := only(t, ms, string(notify.KindNotifyNew), leader)

	forgeries := map[string]string{
		"plain address, subject tag":   fmt.Sprintf("From: <%s>\r\nTo: lexheller@finsam.example\r\nSubject: [%s] stäng\r\nMessage-ID: <f1@evil.example>\r\n\r\n/stäng\r\n", leader, id),
		"the reporter's reply address": reply(t, ack, leader, "/stäng"),
		"a case number in References":  fmt.Sprintf("From: <%s>\r\nTo: lexheller@finsam.example\r\nSubject: x\r\nMessage-ID: <f3@evil.example>\r\nReferences: <case.%s@finsam.example>\r\n\r\n/stäng\r\n", leader, id),
	}
	for name, raw := range forgeries {
		outs := process(t, p, raw)
		if outs[0].Kind != classify.Command || outs[0].Case != id {
			t.Errorf("%s: %+v", name, outs[0])
		}
		if c := caseNow(t, p, id); c.Status == store.StatusClosed {
			t.Fatalf("%s: a forged command closed the case", name)
		}
		sent := log.next()
		if len(sent) != 1 || sent[0].Kind != string(notify.KindCommandResult) || sent[0].To != leader ||
			!strings.Contains(sent[0].Body, "Ingenting genomfördes och ingenting skickades vidare") {
			t.Errorf("%s: mails %+v, want one refusal to the leader", name, sent)
		}
		tl, _ := p.Store.Timeline(context.Background(), id)
		if e := tl[len(tl)-1]; e.Kind != store.EventRefused || e.Role != store.RoleUnverified {
			t.Errorf("%s: last event %+v", name, e)
		}
	}
	// The leader answers the notification: carried out.
	if outs := process(t, p, reply(t, notice, leader, "/stäng")); outs[0].Kind != classify.Command {
		t.Fatalf("leader's reply: %+v", outs[0])
	}
	if c := caseNow(t, p, id); c.Status != store.StatusClosed {
		t.Errorf("the leader's /stäng: status %s", c.Status)
	}
}

// A representative who is also named as the reporter (or who filed the
// blanket) still answers as the party when the case is forwarded to them.
func TestRepresentativeAnswerWinsOverReporterRole(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	// FK's representative files the blanket themself.
	id := process(t, p, blanketMsg(fkRep, "self@fk.example"))[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK\nVad säger FK?"))
	fwd := only(t, log.next(), string(notify.KindForward), fkRep)
	outs := process(t, p, reply(t, fwd, fkRep, "FK svarar: vi ändrar rutinen."))
	if outs[0].Kind != classify.Reply {
		t.Fatalf("answer: %+v", outs[0])
	}
	only(t, log.next(), string(notify.KindAnswerNotice), leader)
	if c := caseNow(t, p, id); c.Status != store.StatusAnswered {
		t.Errorf("status %s, want answered", c.Status)
	}
}

// A process leader's note after a greeting reaches nobody; a plain reply
// is confirmed with what was sent; /redigera sets what the parties get,
// and the leaders get a copy of each forward as the party got it.
func TestLeaderNeverSendsWhatTheyDidNotMean(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	raw := strings.Replace(blanketMsg(reporter, "names@af.example"), "Person 850312-1231 sjukskrivs", "Deltagaren Kalle Svensson sjukskrivs", 1)
	id := process(t, p, raw)[0].Case
	ms := log.next()
	notice := only(t, ms, string(notify.KindNotifyNew), leader)
	if !strings.Contains(notice.Body, "Kalle Svensson") {
		t.Errorf("the notification does not point out the likely name:\n%s", notice.Body)
	}

	// A greeting, then a note: kept on the case, sent to nobody.
	outs := process(t, p, reply(t, notice, leader, "Hej,\n\n/notering Ringde anmälaren, hon återkommer."))
	if outs[0].Kind != classify.Command {
		t.Fatalf("greeting + note: %+v", outs[0])
	}
	sent := log.next()
	if len(sent) != 1 || sent[0].To != leader || sent[0].Kind != string(notify.KindCommandResult) {
		t.Fatalf("greeting + note sent %+v; want only the confirmation to the leader", sent)
	}
	for _, m := range sent {
		if m.To == reporter {
			t.Errorf("the note reached the reporter: %s", m.Body)
		}
	}
	// An unknown command word: the help, nothing relayed.
	process(t, p, reply(t, notice, leader, "Hej!\n/skickavidare FK"))
	sent = log.next()
	if len(sent) != 1 || sent[0].To != leader || !strings.Contains(sent[0].Body, "/hjälp") {
		t.Fatalf("unknown command: %+v", sent)
	}

	// A plain reply: the question to the reporter, and a confirmation with
	// what went.
	process(t, p, reply(t, notice, leader, "Vet du vilket kontor som fattade beslutet?"))
	sent = log.next()
	only(t, sent, string(notify.KindQuestion), reporter)
	conf := only(t, sent, string(notify.KindCommandResult), leader)
	if !strings.Contains(conf.Body, "Vet du vilket kontor som fattade beslutet?") {
		t.Errorf("the confirmation does not say what was sent:\n%s", conf.Body)
	}

	// /redigera, then a forward: the party gets the edited text, the
	// leaders a copy of it.
	process(t, p, reply(t, notice, leader, "/redigera\nDeltagaren sjukskrivs men FK godkänner inte intyget.\n"))
	c := caseNow(t, p, id)
	if !strings.Contains(c.Description, "Kalle Svensson") || c.Edited != "Deltagaren sjukskrivs men FK godkänner inte intyget." {
		t.Fatalf("after /redigera: description %q, edited %q", c.Description, c.Edited)
	}
	log.next()
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK\nHur ser ni på detta?"))
	sent = log.next()
	fwd := only(t, sent, string(notify.KindForward), fkRep)
	if strings.Contains(fwd.Body+fwd.Subject, "Kalle") || !strings.Contains(fwd.Body, "FK godkänner inte intyget") {
		t.Errorf("the forward does not carry the edited description:\n%s\n%s", fwd.Subject, fwd.Body)
	}
	cp := only(t, sent, string(notify.KindForwardCopy), leader)
	if !strings.Contains(cp.Body, strings.TrimSpace(fwd.Body)) {
		t.Errorf("the copy is not the forward as sent:\n%s", cp.Body)
	}
}

// The process leader's own greeting is not doubled by the mail's.
func TestGreetingNotDoubled(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	process(t, p, blanketMsg(reporter, "greet@af.example"))
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "Hej Anna,\n\nvet du vilket kontor som fattade beslutet?"))
	q := only(t, log.next(), string(notify.KindQuestion), reporter)
	if strings.Count(q.Body, "Hej") != 1 || !strings.Contains(q.Body, "Hej Anna,") {
		t.Errorf("question:\n%s", q.Body)
	}
	process(t, p, reply(t, notice, leader, "Vet du när det hände?"))
	q = only(t, log.next(), string(notify.KindQuestion), reporter)
	if !strings.HasPrefix(q.Body, "Hej Anna!") {
		t.Errorf("question without the leader's greeting:\n%s", q.Body)
	}
	process(t, p, reply(t, notice, leader, "/återkoppla\nHej Anna!\nTack, vi har tagit upp det med FK."))
	f := only(t, log.next(), string(notify.KindFeedback), reporter)
	if strings.Count(f.Body, "Hej") != 1 {
		t.Errorf("feedback:\n%s", f.Body)
	}
}

// Without authserv_id a plain reply in a leader's name that answers no
// mail of ours to that leader is not passed on to the reporter.
func TestForgedPlainReplyIsNotRelayed(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "forgedreply@af.example"))[0].Case
	log.next()
	forged := fmt.Sprintf("From: <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Re: [%s]\r\nMessage-ID: <fr@evil.example>\r\n\r\nSkicka ditt personnummer till mig på x@evil.example.\r\n", leader, id)
	outs := process(t, p, forged)
	if outs[0].Kind != classify.Reply || outs[0].Folder != FolderDone {
		t.Fatalf("forged reply: %+v", outs[0])
	}
	sent := log.next()
	for _, m := range sent {
		if m.To == reporter {
			t.Errorf("the forged reply reached the reporter:\n%s", m.Body)
		}
	}
	if len(sent) != 1 || sent[0].To != leader {
		t.Errorf("mails %+v, want one notice to the leader's address", sent)
	}
	tl, _ := p.Store.Timeline(context.Background(), id)
	if e := tl[len(tl)-1]; e.Kind != store.EventRefused {
		t.Errorf("last event %+v", e)
	}
}

// An out-of-office reply without Auto-Submitted, to a question on the
// case: nothing relayed or answered, one note on the case a day.
func TestOutOfOfficeIsNotedNotRelayed(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	outs := process(t, p, blanketMsg(reporter, "ooo-blanket@af.example"))
	id := outs[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "Vilken handläggare på FK hade ärendet?"))
	q := only(t, log.next(), string(notify.KindQuestion), reporter)

	ooo := func() string {
		r := reply(t, q, reporter, "Hej!\n\nJag är föräldraledig och är tillbaka den 3 januari.\n"+
			"Brådskande ärenden: kontakta växeln.\n\nMed vänlig hälsning\nAnna Andersson")
		return strings.Replace(r, "Subject: SV: ", "Subject: Autosvar: ", 1)
	}
	for i := 0; i < 2; i++ {
		outs = process(t, p, ooo())
		if outs[0].Kind != classify.IgnoreAuto {
			t.Fatalf("out-of-office reply %d: %+v", i+1, outs[0])
		}
		if ms := log.next(); len(ms) != 0 {
			t.Errorf("out-of-office reply %d queued %d mails (first: %s to %s)", i+1, len(ms), ms[0].Kind, ms[0].To)
		}
		now = now.Add(time.Hour)
	}
	events, err := p.Store.Timeline(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var notes []store.Event
	for _, e := range events {
		if e.Kind == store.EventAutoReply {
			notes = append(notes, e)
		}
	}
	if len(notes) != 1 || notes[0].Actor != reporter || !strings.Contains(notes[0].Summary, "Automatiskt svar") ||
		!strings.Contains(notes[0].Body, "tillbaka den 3 januari") || notes[0].Role != store.RoleReporter {
		t.Fatalf("auto-reply notes on the case: %+v", notes)
	}
	if c := caseNow(t, p, id); c.Status != store.StatusInDialogue {
		t.Errorf("status %s after an out-of-office reply, want in_dialogue", c.Status)
	}
	// A day later it is noted again.
	now = now.Add(24 * time.Hour)
	process(t, p, ooo())
	events, _ = p.Store.Timeline(context.Background(), id)
	n := 0
	for _, e := range events {
		if e.Kind == store.EventAutoReply {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d auto-reply notes after a day, want 2", n)
	}
}

// A process leader's reply with no text of its own and a forwarded mail
// attached: the attached mail is someone else's words and is never passed
// on to the reporter.
func TestAttachedMailIsNotRelayed(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	process(t, p, blanketMsg(reporter, "attached-blanket@af.example"))
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	r := reply(t, notice, leader, "")
	head, _, _ := strings.Cut(r, "Content-Type: text/plain; charset=utf-8\r\n\r\n")
	r = head + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n" +
		"--zz\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\r\n" +
		"--zz\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fran-fk.eml\"\r\n\r\n" +
		"From: handlaggare@fk.example\r\nSubject: Om klienten\r\n\r\nKlienten Lisa Svensson har skulder hos Kronofogden.\r\n--zz--\r\n"
	process(t, p, r)
	for _, m := range log.next() {
		if strings.Contains(m.Body, "Lisa Svensson") {
			t.Errorf("the attached mail's text went out in a %s to %s:\n%s", m.Kind, m.To, m.Body)
		}
	}
}

// A leader's reply that reaches the plain shared address (the client
// dropped the Reply-To) counts when its In-Reply-To names a mail we sent
// to that leader on the case; naming a mail we sent to someone else (the
// reporter, a representative) proves nothing.
func TestCommandsByMessageIDToTheLeader(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "byid@af.example"))[0].Case
	ms := log.next()
	ack := only(t, ms, string(notify.KindAck), reporter)
	notice := only(t, ms, string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK\nFråga?"))
	fwd := only(t, log.next(), string(notify.KindForward), fkRep)

	plain := func(inReplyTo, body string) string {
		return fmt.Sprintf("From: <%s>\r\nTo: lexheller@finsam.example\r\nSubject: SV: [%s]\r\nMessage-ID: <m%d@goteborg.example>\r\n"+
			"In-Reply-To: <%s>\r\nReferences: <%s>\r\n\r\n%s\r\n", leader, id, time.Now().UnixNano(), inReplyTo, inReplyTo, body)
	}
	for name, to := range map[string]*store.OutMail{"the reporter's ack": ack, "FK's forward": fwd} {
		process(t, p, plain(to.MessageID, "/nivå struktur"))
		if c := caseNow(t, p, id); c.Level == "struktur" {
			t.Fatalf("a reply naming %s changed the case", name)
		}
		if sent := log.next(); len(sent) != 1 || !strings.Contains(sent[0].Body, "Ingenting genomfördes") {
			t.Errorf("%s: want one refusal, got %d mails", name, len(sent))
		}
	}
	process(t, p, plain(notice.MessageID, "/nivå struktur"))
	if c := caseNow(t, p, id); c.Level != "struktur" {
		t.Errorf("a reply naming the leader's own notification: level %q, want struktur", c.Level)
	}
}

// A blanket whose E-post field names a representative's address: once the
// case is forwarded to that party, the representative's reply is their
// party's answer, not a reporter's reply.
func TestBlanketNamingARepresentative(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	raw := strings.Replace(blanketMsg(reporter, "namesrep@af.example"), "Organisation:", "E-post: "+fkRep+"\r\nOrganisation:", 1)
	id := process(t, p, raw)[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK\nFråga?"))
	fwd := only(t, log.next(), string(notify.KindForward), fkRep)
	process(t, p, reply(t, fwd, fkRep, "FK:s svar på frågan."))
	ms := log.next()
	only(t, ms, string(notify.KindAnswerNotice), leader)
	c := caseNow(t, p, id)
	fs, err := p.Store.Forwards(context.Background(), id)
	if err != nil || len(fs) != 1 || fs[0].AnsweredAt == nil || c.Status != store.StatusAnswered {
		t.Errorf("the representative's answer was not taken as FK's: status %s, forwards %+v", c.Status, fs)
	}
}

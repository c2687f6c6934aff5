package casework

import (
	"context"
	"strings"
	"testing"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/notify/report"
)

const (
	groupAddr1 = "pv-psyk@region.example"
	groupAddr2 = "psykiatrin@region.example"
	member     = "lisa@vc.example"
)

func groupProcessor(t *testing.T, now *time.Time) *Processor {
	p := lifeProcessor(t, now)
	p.Classify.Forbund[0].Groups = []config.Group{{Name: "Primärvård och psykiatri", Addresses: []string{groupAddr1, groupAddr2},
		Members: []string{member}, Themes: []string{"psykiatri"}, Parties: []string{"Region"}}}
	return p
}

func TestWorkingGroup(t *testing.T) {
	start := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	now := start
	p := groupProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "g1@af.example"))[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)

	// A theme the group follows: proposed, not sent.
	process(t, p, reply(t, notice, leader, "/tema psykiatri"))
	ms := log.next()
	res := only(t, ms, string(notify.KindCommandResult), leader)
	if !strings.Contains(res.Body, "Arbetsgruppen Primärvård och psykiatri följer ärenden som rör psykiatri") ||
		!strings.Contains(res.Body, "/grupp Primärvård och psykiatri") || len(to(ms, groupAddr1)) != 0 {
		t.Errorf("the proposal:\n%s", res.Body)
	}
	// A group the förbund does not have: nothing happens.
	process(t, p, reply(t, notice, leader, "/grupp Finns inte\nFråga?"))
	if res := only(t, log.next(), string(notify.KindCommandResult), leader); !strings.Contains(res.Body, "ingen arbetsgrupp som heter Finns inte") {
		t.Errorf("an unknown group:\n%s", res.Body)
	}

	// /grupp: to both addresses, de-identified, a copy to the leaders, the
	// reporter told.
	process(t, p, reply(t, notice, leader, "/grupp primärvård och psykiatri\nKänner ni igen mönstret? Anna Andersson på AF anmälde."))
	ms = log.next()
	f1 := only(t, ms, string(notify.KindForward), groupAddr1)
	only(t, ms, string(notify.KindForward), groupAddr2)
	if !strings.Contains(f1.Body, "till er i arbetsgruppen Primärvård och psykiatri") || !strings.Contains(f1.Body, "Känner ni igen mönstret?") ||
		strings.Contains(f1.Body, "Anna") || strings.Contains(f1.Body, "850312") {
		t.Errorf("the group's mail:\n%s", f1.Body)
	}
	if cp := to(ms, leader); len(cp) != 3 || !strings.Contains(cp[0].Subject+cp[1].Subject+cp[2].Subject, "Kopia av det som skickades till arbetsgruppen") {
		t.Errorf("the leaders got %d mails, want two copies and the confirmation", len(cp))
	}
	n := only(t, ms, string(notify.KindNotice), reporter)
	if !strings.Contains(n.Body, "Ärendet har lämnats till arbetsgruppen Primärvård och psykiatri") {
		t.Errorf("the reporter's notice:\n%s", n.Body)
	}
	if c := caseNow(t, p, id); c.Status != store.StatusForwarded {
		t.Errorf("status %s", c.Status)
	}

	// A member who is not one of the addresses answers: the group's answer.
	now = start.Add(3 * 24 * time.Hour)
	process(t, p, reply(t, f1, member, "Ja, vi ser samma sak på vårdcentralerna."))
	ms = log.next()
	an := only(t, ms, string(notify.KindAnswerNotice), leader)
	if !strings.Contains(an.Subject, "Svar från Arbetsgruppen Primärvård och psykiatri") || !strings.Contains(an.Body, "samma sak på vårdcentralerna") {
		t.Errorf("the answer notice %q:\n%s", an.Subject, an.Body)
	}
	fs, err := p.Store.Forwards(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.AnsweredAt == nil || f.Group != "Primärvård och psykiatri" {
			t.Errorf("forward %+v not answered as the group's", f)
		}
	}
	if c := caseNow(t, p, id); c.Status != store.StatusAnswered {
		t.Errorf("status %s after the group's answer", c.Status)
	}
	tl, _ := p.Store.Timeline(context.Background(), id)
	if e := tl[len(tl)-1]; e.Kind != store.EventAnswer || e.Role != store.RoleGroup {
		t.Errorf("the answer's event %+v", e)
	}
	// The member's /status shows the group's events.
	process(t, p, reply(t, f1, member, "/status"))
	st := only(t, log.next(), string(notify.KindStatus), member)
	if !strings.Contains(st.Body, "lämnades till arbetsgruppen Primärvård och psykiatri") || !strings.Contains(st.Body, "Arbetsgruppen Primärvård och psykiatri svarade") {
		t.Errorf("the member's status:\n%s", st.Body)
	}

	// The report counts the group's answer time.
	cases, _ := p.Store.Cases(context.Background(), store.CaseFilter{})
	all, _ := p.Store.AllForwards(context.Background())
	r := report.Build(cases, all, report.Options{From: start.AddDate(0, 0, -1), To: now.Add(time.Hour), Lang: "sv"}, now)
	if len(r.Timings) != 1 || r.Timings[0].Party != "Primärvård och psykiatri" || r.Timings[0].Answered != 1 || report.Days(r.Timings[0].Median) != "3.0" {
		t.Errorf("the report's timings %+v", r.Timings)
	}
}

// The parties a group follows propose it too; a case already sent to the
// group proposes nothing more.
func TestWorkingGroupProposedByParty(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := groupProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	process(t, p, blanketMsg(reporter, "g2@af.example"))
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/parter FK Region"))
	if res := only(t, log.next(), string(notify.KindCommandResult), leader); !strings.Contains(res.Body, "följer ärenden som rör Region") {
		t.Errorf("no proposal for the party:\n%s", res.Body)
	}
	process(t, p, reply(t, notice, leader, "/grupp Primärvård och psykiatri"))
	log.next()
	process(t, p, reply(t, notice, leader, "/tema psykiatri"))
	if res := only(t, log.next(), string(notify.KindCommandResult), leader); strings.Contains(res.Body, "följer ärenden som rör") {
		t.Errorf("proposed again after it was sent:\n%s", res.Body)
	}
}

// The review's findings: a representative who is also a group member
// answers as the party when replying to the party's forward; what a party
// writes beside /status is no answer; a group answers once in counts and
// quotes; two answers in one instant are both kept.
func TestGroupAndPartyAnswersKeptApart(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := groupProcessor(t, &now)
	p.Classify.Forbund[0].Groups[0].Members = append(p.Classify.Forbund[0].Groups[0].Members, fkRep)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "g3@af.example"))[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK\nFråga till FK?\n/grupp Primärvård och psykiatri\nFråga till gruppen?"))
	ms := log.next()
	fkFwd := only(t, ms, string(notify.KindForward), fkRep)
	g1 := only(t, ms, string(notify.KindForward), groupAddr1)

	// FK's representative: /status with a signature is no answer.
	process(t, p, reply(t, fkFwd, fkRep, "Hej!\n/status\nFia Karlsson\nFörsäkringskassan\n010-123 45 67"))
	log.next()
	fs, _ := p.Store.Forwards(context.Background(), id)
	for _, f := range fs {
		if f.AnsweredAt != nil {
			t.Fatalf("a /status with a signature was taken for an answer: %+v", f)
		}
	}
	// Then FK's answer to FK's forward: FK's, not the group's.
	now = now.Add(time.Hour)
	process(t, p, reply(t, fkFwd, fkRep, "FK:s svar."))
	an := only(t, log.next(), string(notify.KindAnswerNotice), leader)
	if !strings.Contains(an.Subject, "Försäkringskassan") {
		t.Errorf("FK's answer came as %q", an.Subject)
	}
	fs, _ = p.Store.Forwards(context.Background(), id)
	for _, f := range fs {
		if (f.Group == "") != (f.AnsweredAt != nil) {
			t.Errorf("after FK's answer: %+v", f)
		}
	}
	// The group answers twice in one instant: both are kept, on the group once.
	process(t, p, reply(t, g1, groupAddr1, "Första svaret."))
	process(t, p, reply(t, g1, groupAddr2, "Andra svaret."))
	log.next()
	fs, _ = p.Store.Forwards(context.Background(), id)
	var groupAnswers []string
	for _, f := range fs {
		if f.Group != "" {
			groupAnswers = append(groupAnswers, f.Answer)
		}
	}
	if !strings.Contains(strings.Join(groupAnswers, "|"), "Andra svaret.") || !strings.Contains(strings.Join(groupAnswers, "|"), "Första svaret.") {
		t.Errorf("the group's answers %q", groupAnswers)
	}
	// Feedback with the answers quotes the group once.
	process(t, p, reply(t, notice, leader, "/återkoppla med svar\nTack."))
	fb := only(t, log.next(), string(notify.KindFeedback), reporter)
	if n := strings.Count(fb.Body, "Svar från arbetsgruppen Primärvård och psykiatri"); n != 1 {
		t.Errorf("the group's answer quoted %d times:\n%s", n, fb.Body)
	}
	// Counted once in the forward counts.
	cases, _ := p.Store.Cases(context.Background(), store.CaseFilter{})
	byID := map[string]*store.Case{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	all, _ := p.Store.AllForwards(context.Background())
	for _, pc := range report.CountForwards(all, byID, now.AddDate(0, 0, -1), now.Add(time.Hour)) {
		if pc.Party == "Primärvård och psykiatri" && pc.AnsweredSince != 1 {
			t.Errorf("the group counted %+v, want one answer", pc)
		}
	}
}

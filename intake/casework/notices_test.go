package casework

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/store"
	"lexheller/notify"
)

func noNotices() config.Notices {
	no := false
	return config.Notices{Forwarded: &no, Answered: &no, Raised: &no, Closed: &no}
}

// to returns the mails of ms to rcpt.
func to(ms []*store.OutMail, rcpt string) []*store.OutMail {
	var out []*store.OutMail
	for _, m := range ms {
		if m.To == rcpt {
			out = append(out, m)
		}
	}
	return out
}

func TestStatusNoticesFoldIntoOneADay(t *testing.T) {
	start := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	now := start
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	id := process(t, p, blanketMsg(reporter, "n1@af.example"))[0].Case
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	ctx := context.Background()
	remind := func(at time.Time) []*store.OutMail {
		t.Helper()
		now = at
		if _, err := p.Remind(ctx, at); err != nil {
			t.Fatal(err)
		}
		return log.next()
	}

	// A forward to two parties in one mail: one notice naming both, at once.
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK AF\nHur ser ni på det här?"))
	ms := log.next()
	n := only(t, ms, string(notify.KindNotice), reporter)
	for _, want := range []string{"Försäkringskassans representant", "Arbetsförmedlingens representant", "/status", "/tyst"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("first notice lacks %q:\n%s", want, n.Body)
		}
	}
	if !strings.HasPrefix(n.Subject, "["+id+"]") {
		t.Errorf("notice subject %q is not in the case's thread", n.Subject)
	}
	fwd := only(t, ms, string(notify.KindForward), fkRep)

	// FK answers an hour later: that waits, since the reporter heard from
	// us less than a day ago.
	now = start.Add(time.Hour)
	process(t, p, reply(t, fwd, fkRep, "Vi har HEMLIG-GRANSKNING av ärendet och återkommer."))
	if got := to(log.next(), reporter); len(got) != 0 {
		t.Fatalf("a second notice within a day: %v", got[0].Body)
	}
	if got := to(remind(start.Add(23*time.Hour)), reporter); len(got) != 0 {
		t.Fatalf("notice sent before a day had passed")
	}
	ms = to(remind(start.Add(24*time.Hour+time.Minute)), reporter)
	if len(ms) != 1 || ms[0].Kind != string(notify.KindNotice) {
		t.Fatalf("after a day: %d mails to the reporter, want one notice", len(ms))
	}
	if !strings.Contains(ms[0].Body, "Försäkringskassans representant har svarat") || strings.Contains(ms[0].Body, "HEMLIG") {
		t.Errorf("answered notice says that FK answered, never what:\n%s", ms[0].Body)
	}
	if got := to(remind(start.Add(25*time.Hour)), reporter); len(got) != 0 {
		t.Fatalf("the folded notice went twice")
	}

	// A restart with a notice waiting: the new Processor sends it, once.
	now = start.Add(26 * time.Hour)
	process(t, p, reply(t, notice, leader, "/lyft\nSamma mönster som tidigare."))
	if got := to(log.next(), reporter); len(got) != 0 {
		t.Fatalf("raised notice within a day of the last")
	}
	p2 := lifeProcessor(t, &now)
	p2.Store = p.Store
	now = start.Add(49 * time.Hour)
	if _, err := p2.Remind(ctx, now); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Remind(ctx, now); err != nil {
		t.Fatal(err)
	}
	ms = to(log.next(), reporter)
	if len(ms) != 1 || !strings.Contains(ms[0].Body, "beredningsgruppens möte den 2027-01-21") {
		t.Fatalf("after the restart: %d mails to the reporter, want the raised notice once", len(ms))
	}

	// Closing after a day has passed: the notice carries the last feedback.
	now = start.Add(80 * time.Hour)
	process(t, p, reply(t, notice, leader, "/återkoppla\nTack, vi har tagit upp frågan med båda myndigheterna."))
	log.next()
	now = start.Add(110 * time.Hour)
	process(t, p, reply(t, notice, leader, "/stäng"))
	ms = to(log.next(), reporter)
	if len(ms) != 1 || !strings.Contains(ms[0].Body, "Ärendet är avslutat") || !strings.Contains(ms[0].Body, "tagit upp frågan med båda") {
		t.Fatalf("closed notice: %d mails: %v", len(ms), ms)
	}
	notices, err := p.Store.Notices(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notices {
		if n.SentAt == nil || !n.Mailed {
			t.Errorf("notice %s not sent: %+v", n.Kind, n)
		}
	}
}

func TestFeedbackThatClosesSaysSoWithoutANotice(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	process(t, p, blanketMsg(reporter, "n2@af.example"))
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/återkoppla\nTack för anmälan, vi tar upp den i beredningsgruppen.\n/stäng"))
	ms := to(log.next(), reporter)
	if len(ms) != 1 || ms[0].Kind != string(notify.KindFeedback) || !strings.Contains(ms[0].Body, "Ärendet är nu avslutat") {
		t.Fatalf("feedback and close in one mail: %d mails to the reporter, want the feedback saying the case is closed", len(ms))
	}
	now = now.Add(48 * time.Hour)
	if _, err := p.Remind(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if got := to(log.next(), reporter); len(got) != 0 {
		t.Errorf("a closed notice after the feedback said it: %s", got[0].Body)
	}
}

func TestSilencedAndUnsentNotices(t *testing.T) {
	start := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	now := start
	p := lifeProcessor(t, &now)
	ctx := context.Background()
	log := &mailLog{t: t, p: p}

	// The förbund sends no forwarded notices: a forward tells the
	// reporter nothing.
	no := false
	p.Classify.Forbund[0].Notices.Forwarded = &no
	process(t, p, blanketMsg(reporter, "n3@af.example"))
	ack := only(t, log.next(), string(notify.KindAck), reporter)
	notice := only(t, outbox(t, p), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK\nFråga?"))
	if got := to(log.next(), reporter); len(got) != 0 {
		t.Fatalf("forwarded notice sent though [notices] forwarded = false")
	}
	p.Classify.Forbund[0].Notices.Forwarded = nil

	// The reporter replies /tyst: answered with the status, no notice
	// after, and nothing relayed to the leaders.
	now = start.Add(time.Hour)
	process(t, p, reply(t, ack, reporter, "Hej!\n\n/tyst\n\nMvh Anna\nArbetsförmedlingen"))
	ms := log.next()
	st := only(t, ms, string(notify.KindStatus), reporter)
	if len(ms) != 1 || !strings.Contains(st.Body, "/tyst nej") {
		t.Fatalf("reply to /tyst: %d mails; status:\n%s", len(ms), st.Body)
	}
	id := st.CaseID
	if !caseNow(t, p, id).NoticesOff {
		t.Fatal("/tyst from the reporter did not silence the case")
	}
	process(t, p, reply(t, notice, leader, "/vidarebefordra AF\nFråga?\n/lyft"))
	if got := to(log.next(), reporter); len(got) != 0 {
		t.Fatalf("a notice after /tyst")
	}
	// /tyst nej from the reporter turns them on; the leader's /tyst off again,
	// and what waited is dropped.
	process(t, p, reply(t, ack, reporter, "/tyst nej"))
	log.next()
	if caseNow(t, p, id).NoticesOff {
		t.Fatal("/tyst nej did not resume the notices")
	}
	now = start.Add(2 * time.Hour)
	process(t, p, reply(t, notice, leader, "/lyft\nIgen."))
	if got := to(log.next(), reporter); len(got) != 1 {
		t.Fatalf("raised notice after /tyst nej: %d mails, want 1", len(got))
	}
	process(t, p, reply(t, notice, leader, "/stäng"))
	process(t, p, reply(t, notice, leader, "/tyst"))
	log.next()
	now = start.Add(50 * time.Hour)
	if _, err := p.Remind(ctx, now); err != nil {
		t.Fatal(err)
	}
	if got := to(log.next(), reporter); len(got) != 0 {
		t.Fatalf("a notice that waited went out after the leader's /tyst")
	}
	ns, err := p.Store.Notices(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) == 0 || ns[len(ns)-1].Kind != store.NoticeClosed || ns[len(ns)-1].Mailed || ns[len(ns)-1].SentAt == nil {
		t.Errorf("the closed notice is not recorded as dropped: %+v", ns[len(ns)-1])
	}
}

func TestStatusShowsEachRoleWhatItMaySee(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	process(t, p, blanketMsg(reporter, "s1@af.example"))
	first := log.next()
	ack := only(t, first, string(notify.KindAck), reporter)
	if !strings.Contains(ack.Body, "/status") {
		t.Errorf("the acknowledgement does not say how to ask for the status:\n%s", ack.Body)
	}
	notice := only(t, first, string(notify.KindNotifyNew), leader)
	id := ack.CaseID
	process(t, p, reply(t, notice, leader, "/vidarebefordra FK AF\nHur ser ni på det?\n/notering INTERN-ANTECKNING om samtalet"))
	ms := log.next()
	fkFwd := only(t, ms, string(notify.KindForward), fkRep)
	now = now.Add(time.Hour)
	process(t, p, reply(t, fkFwd, fkRep, "FK-SVARETS-TEXT: beslutet följde reglerna."))
	log.next()

	secret := []string{"INTERN-ANTECKNING", "FK-SVARETS-TEXT", leader, fkRep, afRep, "Hur ser ni på det"}
	check := func(who string, m *store.OutMail, want, never []string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(m.Body, w) {
				t.Errorf("%s's status lacks %q:\n%s", who, w, m.Body)
			}
		}
		for _, s := range never {
			if strings.Contains(m.Body, s) {
				t.Errorf("%s's status shows %q:\n%s", who, s, m.Body)
			}
		}
	}

	// The reporter: what happened, not who wrote what, nor what FK said;
	// a status request with only a signature is not relayed.
	now = now.Add(time.Hour)
	process(t, p, reply(t, ack, reporter, "/status\n\nMed vänliga hälsningar\nAnna Andersson"))
	ms = log.next()
	st := only(t, ms, string(notify.KindStatus), reporter)
	if len(ms) != 1 {
		t.Errorf("/status from the reporter queued %d mails, want only the answer", len(ms))
	}
	check("reporter", st, []string{"vidarebefordrat", "Anmälan togs emot", "lämnades till Försäkringskassans representant",
		"lämnades till Arbetsförmedlingens representant", "Försäkringskassans representant svarade"}, secret)

	// With more to say, the rest goes to the leaders too.
	process(t, p, reply(t, ack, reporter, "/status\nHon har fått avslag igen i dag.\n\nMvh Anna"))
	ms = log.next()
	only(t, ms, string(notify.KindStatus), reporter)
	rn := only(t, ms, string(notify.KindReplyNotice), leader)
	if !strings.Contains(rn.Body, "avslag igen") || strings.Contains(rn.Body, "/status\n") {
		t.Errorf("the rest of a status mail, relayed:\n%s", rn.Body)
	}

	// FK's representative: their party's events only.
	process(t, p, reply(t, fkFwd, fkRep, "/status"))
	ms = log.next()
	st = only(t, ms, string(notify.KindStatus), fkRep)
	if len(to(ms, leader)) != 0 {
		t.Errorf("the representative's /status was relayed to the leaders")
	}
	check("representative", st, []string{"lämnades till Försäkringskassans representant", "Du svarade"},
		append(secret, "Arbetsförmedlingens", "Anna", reporter, "Anmälaren svarade"))

	// The process leader: every event, and what waits.
	process(t, p, reply(t, notice, leader, "/status"))
	ms = log.next()
	st = only(t, ms, string(notify.KindStatus), leader)
	if len(ms) != 1 {
		t.Errorf("/status from the leader queued %d mails, want the status only", len(ms))
	}
	check("leader", st, []string{"Notering", "Väntar på svar från Arbetsförmedlingens representant"}, nil)

	// Anyone else: kept out (Karantän), nothing shown.
	stranger := fmt.Sprintf("From: <x@elsewhere.example>\r\nTo: lexheller@finsam.example\r\nSubject: [%s] status\r\n"+
		"Message-ID: <s9@elsewhere.example>\r\n\r\n/status\r\n", id)
	outs := process(t, p, stranger)
	if outs[0].Folder != FolderQuarantine {
		t.Errorf("a stranger's /status: %+v", outs[0])
	}
	for _, m := range log.next() {
		if m.Kind == string(notify.KindStatus) {
			t.Errorf("a stranger got the status")
		}
	}
}

func TestDigestOncePerPeriod(t *testing.T) {
	// Thursday 2026-11-12, 10:00 in Stockholm.
	start := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	now := start
	p := lifeProcessor(t, &now)
	hour := 8
	p.Classify.Forbund[0].Digest = config.Digest{Every: config.EveryWeek, Weekday: "monday", Day: time.Monday, Hour: &hour}
	p.Classify.Forbund[0].Notices = noNotices()
	ctx := context.Background()
	log := &mailLog{t: t, p: p}
	remind := func(at time.Time) []*store.OutMail {
		t.Helper()
		now = at
		if _, err := p.Remind(ctx, at); err != nil {
			t.Fatal(err)
		}
		return log.next()
	}
	digests := func(ms []*store.OutMail) []*store.OutMail {
		var out []*store.OutMail
		for _, m := range ms {
			if m.Kind == string(notify.KindDigest) {
				out = append(out, m)
			}
		}
		return out
	}
	// Nothing forwarded yet: the digest due last Monday has nothing to say.
	if got := digests(remind(start)); len(got) != 0 {
		t.Fatalf("a digest with nothing in it: %s", got[0].Body)
	}
	// Two cases: one to FK and AF, one to FK; FK answers the first.
	id1 := process(t, p, blanketMsg(reporter, "d1@af.example"))[0].Case
	n1 := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, n1, leader, "/vidarebefordra FK AF\nHur ser ni på det här?"))
	fwd := only(t, log.next(), string(notify.KindForward), fkRep)
	id2 := process(t, p, blanketMsg(reporter, "d2@af.example"))[0].Case
	n2 := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, n2, leader, "/vidarebefordra FK\nKänner ni igen det här?"))
	log.next()
	now = start.Add(24 * time.Hour)
	process(t, p, reply(t, fwd, fkRep, "Vi har sett över rutinen."))
	process(t, p, reply(t, n1, leader, "/återkoppla\nAnna Andersson: FK har sett över rutinen.\n/stäng"))
	log.next()

	// Sunday evening: not due yet. Monday 08:00 Stockholm (07:00 UTC): due.
	if got := digests(remind(time.Date(2026, 11, 15, 22, 0, 0, 0, time.UTC))); len(got) != 0 {
		t.Fatalf("a digest before it is due")
	}
	monday := time.Date(2026, 11, 16, 7, 0, 30, 0, time.UTC)
	ms := digests(remind(monday))
	if len(ms) != 2 {
		t.Fatalf("Monday: %d digests, want FK's and AF's", len(ms))
	}
	fk := only(t, ms, string(notify.KindDigest), fkRep)
	for _, want := range []string{"Väntar på ditt svar (1)", id2, "Känner ni igen det här?", "Dina svar sedan", "Vi har sett över rutinen",
		"Avslutade ärenden som rör Försäkringskassan", id1, "FK har sett över rutinen"} {
		if !strings.Contains(fk.Body, want) {
			t.Errorf("FK's digest lacks %q:\n%s", want, fk.Body)
		}
	}
	for _, never := range []string{"Anna", reporter, "Andersson"} {
		if strings.Contains(fk.Body, never) {
			t.Errorf("FK's digest names the reporter (%q):\n%s", never, fk.Body)
		}
	}
	af := only(t, ms, string(notify.KindDigest), afRep)
	if strings.Contains(af.Body, id2) || !strings.Contains(af.Body, id1) {
		t.Errorf("AF's digest holds another party's case or lacks its own:\n%s", af.Body)
	}

	// Again on Monday, and after a restart: nothing more.
	if got := digests(remind(monday.Add(time.Hour))); len(got) != 0 {
		t.Fatalf("a second digest in one period")
	}
	p2 := lifeProcessor(t, &now)
	p2.Store, p2.Classify.Forbund[0].Digest = p.Store, p.Classify.Forbund[0].Digest
	if _, err := p2.Remind(ctx, monday.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := digests(log.next()); len(got) != 0 {
		t.Fatalf("a digest again after a restart")
	}

	// The agenda and the digest count the same: FK waits on one, answered one.
	ag, err := p.AgendaMail(ctx, "goteborg", time.Date(2027, 1, 21, 0, 0, 0, 0, time.UTC), monday)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fk.Body, "FK      väntar  1, besvarade  1") || !strings.Contains(ag.Body, "FK      väntar  1, besvarade  1") {
		t.Errorf("the counts differ or are missing:\ndigest:\n%s\nagenda:\n%s", fk.Body, ag.Body)
	}

	// The next Monday: the answered and closed are old news; FK still waits on id2.
	ms = digests(remind(monday.Add(7 * 24 * time.Hour)))
	fk = only(t, ms, string(notify.KindDigest), fkRep)
	if !strings.Contains(fk.Body, id2) || strings.Contains(fk.Body, "Vi har sett över rutinen") || strings.Contains(fk.Body, id1) {
		t.Errorf("second week's digest:\n%s", fk.Body)
	}
	if len(to(ms, afRep)) != 0 {
		t.Errorf("AF got a digest with nothing in it")
	}
	planned, err := p.Digests(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, pd := range planned {
		if !pd.Done {
			t.Errorf("digest to %s not recorded as done", pd.To)
		}
	}
}

func TestDigestSlots(t *testing.T) {
	h := 8
	stockholm := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CET", 3600))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct {
		every config.Every
		now   string
		slot  string
	}{
		{config.EveryWeek, "2026-11-16 07:59", "2026-11-09 08:00"},
		{config.EveryWeek, "2026-11-16 08:00", "2026-11-16 08:00"},
		{config.EveryWeek, "2026-11-22 23:00", "2026-11-16 08:00"},
		{config.EveryDay, "2026-11-16 07:00", "2026-11-15 08:00"},
		{config.EveryMonth, "2026-12-01 09:00", "2026-12-01 08:00"},
		{config.EveryMonth, "2026-12-01 07:00", "2026-11-01 08:00"},
	} {
		slot, prev := digestSlot(config.Digest{Every: c.every, Day: time.Monday, Hour: &h}, stockholm(c.now))
		if !slot.Equal(stockholm(c.slot)) || !prev.Before(slot) {
			t.Errorf("%s at %s: slot %v prev %v, want %s", c.every, c.now, slot, prev, c.slot)
		}
	}
	if slot, _ := digestSlot(config.Digest{Every: config.EveryNever}, time.Now()); !slot.IsZero() {
		t.Errorf("never: %v", slot)
	}
}

// /stäng before /återkoppla in one mail: the feedback says the case is
// closed, and no closed notice follows.
func TestCloseThenFeedbackInOneMail(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	log := &mailLog{t: t, p: p}
	process(t, p, blanketMsg(reporter, "n9@af.example"))
	notice := only(t, log.next(), string(notify.KindNotifyNew), leader)
	process(t, p, reply(t, notice, leader, "/stäng\n/återkoppla\nTack, vi har tagit upp det."))
	if ms := to(log.next(), reporter); len(ms) != 1 || !strings.Contains(ms[0].Body, "Ärendet är nu avslutat") {
		t.Fatalf("%d mails to the reporter, want the feedback saying the case is closed", len(ms))
	}
	now = now.Add(48 * time.Hour)
	if _, err := p.Remind(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	if ms := to(log.next(), reporter); len(ms) != 0 {
		t.Errorf("a closed notice after the feedback said it: %s", ms[0].Body)
	}
}

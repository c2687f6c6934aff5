package casework

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"lexheller/intake/classify"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/notify/report"
)

// casesInEveryStatus makes five cases with the life processor: new,
// in_dialogue, forwarded, answered and closed (at closeAt). It returns
// their IDs in that order and the reporters' addresses.
func casesInEveryStatus(t *testing.T, p *Processor, now *time.Time, closeAt time.Time) (ids, reporters []string) {
	t.Helper()
	log := &mailLog{t: t, p: p}
	for i, st := range []string{"new", "in_dialogue", "forwarded", "answered", "closed"} {
		r := fmt.Sprintf("anmalare%d@af.example", i)
		raw := strings.Replace(blanketMsg(r, fmt.Sprintf("every%d@af.example", i)), "Namn: Anna Andersson", fmt.Sprintf("Namn: Britt Berg%d\r\nTelefon: 070-612 34 5%d", i, i), 1)
		raw = strings.Replace(raw, "Person 850312-1231", "Britt Berg"+fmt.Sprint(i)+" ringde om person 850312-1231", 1)
		id := process(t, p, raw)[0].Case
		ids, reporters = append(ids, id), append(reporters, r)
		ms := log.next()
		notice := only(t, ms, string(notify.KindNotifyNew), leader)
		switch st {
		case "in_dialogue":
			process(t, p, reply(t, notice, leader, "Kan du berätta mer?"))
			process(t, p, reply(t, only(t, log.next(), string(notify.KindQuestion), r), r, "Ja, det var i mars."))
		case "forwarded", "answered", "closed":
			process(t, p, reply(t, notice, leader, "/tema sjukskrivning\n/vidarebefordra FK\nHur ser FK på detta?"))
			fwd := only(t, log.next(), string(notify.KindForward), fkRep)
			if st == "forwarded" {
				break
			}
			process(t, p, reply(t, fwd, fkRep, "FK ser över rutinen."))
			log.next()
			if st == "closed" {
				saved := *now
				*now = closeAt
				process(t, p, reply(t, notice, leader, "/återkoppla med svar\nTack, FK har svarat.\n"))
				process(t, p, reply(t, notice, leader, "/stäng"))
				*now = saved
			}
		}
		log.next()
	}
	// The daemon's sender would have sent them.
	if err := p.Store.MarkSent(context.Background(), outbox(t, p), *now); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		want := []string{store.StatusNew, store.StatusInDialogue, store.StatusForwarded, store.StatusAnswered, store.StatusClosed}[i]
		if c := caseNow(t, p, id); c.Status != want {
			t.Fatalf("%s: status %s, want %s", id, c.Status, want)
		}
	}
	return ids, reporters
}

// reportCounts is what the pattern report says, less the de-identified
// texts: the counts must not change when personal data goes.
func reportCounts(t *testing.T, p *Processor, now time.Time) *report.Report {
	t.Helper()
	ctx := context.Background()
	cases, err := p.Store.Cases(ctx, store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	fws, err := p.Store.AllForwards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := report.Build(cases, fws, report.Options{From: now.AddDate(-5, 0, 0), To: now, Lang: "sv"}, now)
	for i := range r.Cases {
		r.Cases[i].Description = ""
	}
	return r
}

func TestRetention(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	ids, reporters := casesInEveryStatus(t, p, &now, now.Add(time.Hour))
	ctx := context.Background()
	later := now.AddDate(0, 0, 731)
	before := reportCounts(t, p, later)

	// 729 days after closing: nothing about the cases goes; mail bodies
	// older than 30 days do.
	n, bodies, err := p.Retain(ctx, &Retention{}, now.AddDate(0, 0, 729))
	if err != nil || n != 0 || bodies == 0 {
		t.Fatalf("Retain at 729 days: %d cases, %d bodies, %v", n, bodies, err)
	}
	n, _, err = p.Retain(ctx, &Retention{}, later)
	if err != nil || n != 1 {
		t.Fatalf("Retain at 731 days: %d cases, %v; want the closed one", n, err)
	}
	if n, _, _ := p.Retain(ctx, &Retention{}, later); n != 0 {
		t.Errorf("Retain again: %d cases; want none (idempotent)", n)
	}
	closed := caseNow(t, p, ids[4])
	if closed.ReporterName != "" || closed.ReporterEmail != "" || closed.ReporterPhone != "" || closed.ReporterOrg != "" || closed.ScrubbedAt == nil {
		t.Errorf("closed case after retention: %+v", closed)
	}
	if strings.Contains(closed.Description, "Britt") || strings.Contains(closed.Description, "Berg4") {
		t.Errorf("the reporter's name stayed in the description: %q", closed.Description)
	}
	if closed.Level != "" || len(closed.Parties) != 2 || strings.Join(closed.Themes, ",") != "sjukskrivning" {
		t.Errorf("statistics lost: %+v", closed)
	}
	open := caseNow(t, p, ids[3])
	if open.ReporterName == "" || open.ScrubbedAt != nil {
		t.Errorf("an open case lost its personal data: %+v", open)
	}
	person, err := p.Store.Person(ctx, reporters[4], "Britt Berg4")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range person.Mails {
		if m.Body != "" {
			t.Errorf("a mail to the reporter kept its body: %+v", m)
		}
	}
	if len(person.Cases) != 0 || len(person.Messages) != 0 {
		t.Errorf("the reporter is still found: %d cases, %d messages", len(person.Cases), len(person.Messages))
	}
	tl, _ := p.Store.Timeline(ctx, ids[4])
	last := tl[len(tl)-1]
	if last.Kind != store.EventScrubbed || strings.Contains(last.Summary, "@") {
		t.Errorf("last event %+v", last)
	}
	for _, e := range tl {
		if strings.Contains(e.Summary+e.Body, reporters[4]) || strings.Contains(e.Summary+e.Body, "Berg4") {
			t.Errorf("event keeps the reporter: %+v", e)
		}
	}
	if raw, ok, _ := p.Store.RawMessage(ctx, 1); ok && len(raw) > 0 && strings.Contains(string(raw), reporters[4]) {
		t.Error("a raw message of the closed case is kept")
	}
	after := reportCounts(t, p, later)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the pattern report changed with retention:\nbefore %+v\nafter  %+v", before, after)
	}
	scrubbed, pruned, err := p.Store.RetentionStats(ctx)
	if err != nil || scrubbed != 1 || pruned == 0 {
		t.Errorf("retention stats %d, %d, %v", scrubbed, pruned, err)
	}
}

func TestEraseAndExportPerson(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	ids, reporters := casesInEveryStatus(t, p, &now, now.Add(time.Hour))
	ctx := context.Background()
	before := reportCounts(t, p, now.AddDate(0, 1, 0))

	// Access: everything about the reporter of the answered case.
	who, name := reporters[3], "Britt Berg3"
	found, err := p.Store.Person(ctx, who, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Cases) != 1 || found.Cases[0].ID != ids[3] || len(found.Messages) == 0 || len(found.Mails) == 0 || len(found.Events) == 0 {
		t.Fatalf("export: %d cases, %d messages, %d mails, %d events", len(found.Cases), len(found.Messages), len(found.Mails), len(found.Events))
	}

	// A dry run changes nothing.
	e, err := p.ErasePerson(ctx, who, name, "", true, now)
	if err != nil || len(e.Cases) != 1 || e.Messages == 0 || e.Mails == 0 {
		t.Fatalf("dry run: %+v, %v", e, err)
	}
	if c := caseNow(t, p, ids[3]); c.ReporterName == "" {
		t.Fatal("the dry run erased")
	}
	e, err = p.ErasePerson(ctx, who, name, "", false, now)
	if err != nil || len(e.Cases) != 1 {
		t.Fatalf("erase: %+v, %v", e, err)
	}
	c := caseNow(t, p, ids[3])
	if c.ReporterName != "" || c.ReporterEmail != "" || strings.Contains(c.Description, "Berg3") || c.Status != store.StatusAnswered {
		t.Errorf("after erasure: %+v", c)
	}
	found, _ = p.Store.Person(ctx, who, name)
	if len(found.Cases)+len(found.Messages) != 0 {
		t.Errorf("still found after erasure: %d cases, %d messages", len(found.Cases), len(found.Messages))
	}
	for _, m := range found.Mails {
		t.Errorf("a mail to the erased address is still listed: %+v", m)
	}
	for _, e := range found.Events {
		t.Errorf("an event still names the erased person: %+v", e)
	}
	// Other reporters keep theirs.
	if c := caseNow(t, p, ids[2]); c.ReporterName == "" {
		t.Error("another reporter's data went too")
	}
	after := reportCounts(t, p, now.AddDate(0, 1, 0))
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the pattern report changed with the erasure:\nbefore %+v\nafter  %+v", before, after)
	}
}

// An erasure takes the person's attachments and an incomplete blanket of
// theirs too, and the export lists both before.
func TestEraseTakesAttachmentsAndPartialBlankets(t *testing.T) {
	p := newProcessor(t)
	ctx := context.Background()
	who := "kalle@kommun.example"
	raw := "From: Kalle <" + who + ">\r\nSubject: Anmälan\r\nMessage-ID: <att@kommun.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Namn: Kalle Svensson\r\nOrganisation: Kommunen\r\n--X\r\nContent-Type: application/pdf\r\n" +
		"Content-Disposition: attachment; filename=\"Journal Kalle Svensson.pdf\"\r\n\r\n%PDF-1.4 innehåll\r\n--X--\r\n"
	if outs := process(t, p, raw); outs[0].Kind != classify.InvalidForm {
		t.Fatalf("%+v", outs[0])
	}
	found, err := p.Store.Person(ctx, who, "")
	if err != nil || len(found.Partial) != 1 || len(found.Attachments) != 1 {
		t.Fatalf("export before: %d partial, %d attachments (%v)", len(found.Partial), len(found.Attachments), err)
	}
	attID := found.Attachments[0].ID
	if _, err := p.ErasePerson(ctx, who, "", "", false, time.Now()); err != nil {
		t.Fatal(err)
	}
	found, _ = p.Store.Person(ctx, who, "")
	if len(found.Partial)+len(found.Attachments)+len(found.Messages) != 0 {
		t.Errorf("after erasure: %d partial, %d attachments, %d messages", len(found.Partial), len(found.Attachments), len(found.Messages))
	}
	if _, ok, _ := p.Store.AttachmentContent(ctx, attID); ok {
		t.Error("the attachment's content is still stored")
	}
}

// A förbund's own personal_data_days and a shorter outbox_body_days are
// what retention keeps to.
func TestRetentionPerForbund(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	p := lifeProcessor(t, &now)
	ids, _ := casesInEveryStatus(t, p, &now, now.Add(time.Hour))
	ctx := context.Background()
	r := &Retention{PersonalDataDays: map[string]int{"goteborg": 100}, OutboxBodyDays: 5}
	if _, bodies, err := p.Retain(ctx, r, now.AddDate(0, 0, 4)); err != nil || bodies != 0 {
		t.Fatalf("day 4: %d bodies pruned (%v), want none", bodies, err)
	}
	if _, bodies, err := p.Retain(ctx, r, now.AddDate(0, 0, 6)); err != nil || bodies == 0 {
		t.Fatalf("day 6: %d bodies pruned (%v), want those of the first days", bodies, err)
	}
	if n, _, err := p.Retain(ctx, r, now.AddDate(0, 0, 100)); err != nil || n != 0 {
		t.Fatalf("day 100: %d cases (%v), want none yet", n, err)
	}
	if n, _, err := p.Retain(ctx, r, now.AddDate(0, 0, 101)); err != nil || n != 1 {
		t.Fatalf("day 101: %d cases (%v), want the closed one (the förbund's 100 days)", n, err)
	}
	if c := caseNow(t, p, ids[4]); c.ReporterName != "" || c.ScrubbedAt == nil {
		t.Errorf("the closed case after the förbund's 100 days: %+v", c)
	}
}

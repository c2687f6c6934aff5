package casework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/notify/report"
	"lexheller/templates"
)

// Schedule says when reminders and agendas are due. Zero fields take the
// defaults in brackets.
type Schedule struct {
	ForwardAfter time.Duration // an unanswered forward is reminded after this [14 days]
	ForwardMax   int           // and again every ForwardAfter, at most this many times [3]
	QuietAfter   time.Duration // a case with no event this long: its process leaders are reminded [30 days]
	AgendaBefore time.Duration // the agenda goes to the förbundschef this long before a meeting [14 days]
}

const day = 24 * time.Hour

func (p *Processor) schedule() Schedule {
	s := Schedule{}
	if p.Schedule != nil {
		s = *p.Schedule
	}
	if s.ForwardAfter <= 0 {
		s.ForwardAfter = 14 * day
	}
	if s.ForwardMax <= 0 {
		s.ForwardMax = 3
	}
	if s.QuietAfter <= 0 {
		s.QuietAfter = 30 * day
	}
	if s.AgendaBefore <= 0 {
		s.AgendaBefore = 14 * day
	}
	return s
}

// Remind queues the reminders, agendas, reports, the reporters' status
// notices that waited and the representatives' digests due at now. Each is
// recorded in the transaction that queues it, so none is sent twice for
// the same due date, across restarts. One that fails or panics is logged
// and returned among the errors, and the others go on. It returns how
// many mails it queued.
func (p *Processor) Remind(ctx context.Context, now time.Time) (int, error) {
	sch := p.schedule()
	r := &round{p: p, ctx: ctx}
	open, err := p.Store.OpenForwards(ctx)
	if err != nil {
		return 0, err
	}
	for _, f := range open {
		r.do("reminder of "+f.CaseID, func() (int, error) { return p.remindForward(ctx, f.CaseID, f.ID, sch, now) })
	}
	quiet, err := p.Store.QuietCases(ctx, now.Add(-sch.QuietAfter))
	if err != nil {
		return r.queued, errors.Join(append(r.errs, err)...)
	}
	for _, c := range quiet {
		r.do("quiet reminder of "+c.ID, func() (int, error) { return p.remindQuiet(ctx, c.ID, sch, now) })
	}
	for i := range p.Classify.Forbund {
		fb := &p.Classify.Forbund[i]
		if fb.Chief == "" && len(fb.ProcessLeaders) == 0 {
			continue
		}
		for _, md := range fb.Meetings {
			m := md.Time
			// Due from AgendaBefore ahead until the meeting's day is over.
			if now.Before(m.Add(-sch.AgendaBefore)) || !now.Before(m.Add(day)) {
				continue
			}
			r.do("agenda of "+fb.Slug, func() (int, error) { return p.sendAgenda(ctx, fb, m, now) })
		}
	}
	r.do("pattern report", func() (int, error) { return p.sendReport(ctx, now) })
	r.do("status notices", func() (int, error) { return p.sendNotices(ctx, now, r) })
	r.do("digests", func() (int, error) { return p.sendDigests(ctx, now, r) })
	if r.queued > 0 && p.Queued != nil {
		p.Queued()
	}
	return r.queued, errors.Join(r.errs...)
}

// round is one round of scheduled work: each item on its own, so that one
// that fails or panics holds up none of the others.
type round struct {
	p      *Processor
	ctx    context.Context
	queued int
	errs   []error
}

// do runs one item, counts what it queued and keeps its error.
func (r *round) do(what string, f func() (int, error)) {
	if r.ctx.Err() != nil {
		return
	}
	var n int
	err := Safely(func() (err error) {
		if h := r.p.scheduleHook; h != nil {
			if err := h(what); err != nil {
				return err
			}
		}
		n, err = f()
		return err
	})
	r.queued += n
	if pe, ok := err.(*PanicError); ok {
		r.p.logger().Error("panic in scheduled work; the rest goes on", "what", what, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	}
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s: %w", what, err))
	}
}

func (p *Processor) remindForward(ctx context.Context, caseID string, id int64, sch Schedule, now time.Time) (int, error) {
	n := 0
	err := p.Store.Tx(ctx, func(tx *store.Tx) error {
		fs, err := tx.Forwards(caseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(fs, func(f *store.Forward) bool { return f.ID == id })
		if i < 0 || fs[i].AnsweredAt != nil {
			return nil
		}
		f := fs[i]
		due := min(int(now.Sub(f.At)/sch.ForwardAfter), sch.ForwardMax)
		if due <= f.Reminders {
			return nil
		}
		c, err := tx.Case(caseID)
		if err != nil || c.Status == store.StatusClosed {
			return err
		}
		fb := p.forbund(c.Forbund)
		body := notify.Reminder{Forward: f, WithContact: f.WithContact, Days: int(now.Sub(f.At) / day),
			AnswerBy: now.Add(p.schedule().ForwardAfter)}
		req := notify.Request{To: []string{f.Address}, Case: c, ForbundName: fb.Name, InReplyTo: f.MessageID, Now: now, Body: body}
		mails, err := p.compose(req)
		if err != nil {
			return err
		}
		if len(fb.ProcessLeaders) > 0 {
			body.Copy = true
			req.To, req.Body = fb.ProcessLeaders, body
			copies, err := p.compose(req)
			if err != nil {
				return err
			}
			mails = append(mails, copies...)
		}
		if err := tx.SetReminders(f.ID, due); err != nil {
			return err
		}
		if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventReminder, Actor: "lexheller", Role: store.RoleSystem,
			Summary: p.text("reminder_forward", due, sch.ForwardMax, f.Party, f.Address, f.At.In(templates.Stockholm).Format(time.DateOnly))}); err != nil {
			return err
		}
		n = len(mails)
		return p.queue(tx, mails)
	})
	return n, err
}

func (p *Processor) remindQuiet(ctx context.Context, caseID string, sch Schedule, now time.Time) (int, error) {
	n := 0
	err := p.Store.Tx(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(caseID)
		if err != nil {
			return err
		}
		if c.Status == store.StatusClosed || now.Sub(c.UpdatedAt) < sch.QuietAfter {
			return nil
		}
		// The reminder's event starts the next quiet period; the key
		// guards against a clock set back.
		if first, err := tx.MarkDone("quiet/"+c.ID+"/"+c.UpdatedAt.UTC().Format(time.RFC3339), now); err != nil || !first {
			return err
		}
		fb := p.forbund(c.Forbund)
		if len(fb.ProcessLeaders) == 0 {
			return nil
		}
		fs, err := tx.Forwards(c.ID)
		if err != nil {
			return err
		}
		days := int(now.Sub(c.UpdatedAt) / day)
		mails, err := p.compose(notify.Request{To: fb.ProcessLeaders, Case: c, ForbundName: fb.Name, Now: now,
			Body: notify.Quiet{Open: unanswered(fs), Days: days}})
		if err != nil {
			return err
		}
		if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventReminder, Actor: "lexheller", Role: store.RoleSystem,
			Summary: p.text("reminder_quiet", days)}); err != nil {
			return err
		}
		n = len(mails)
		return p.queue(tx, mails)
	})
	return n, err
}

func (p *Processor) sendAgenda(ctx context.Context, fb *config.Forbund, meeting, now time.Time) (int, error) {
	m, err := p.AgendaMail(ctx, fb.Slug, meeting, now)
	if err != nil {
		return 0, err
	}
	n := 0
	err = p.Store.Tx(ctx, func(tx *store.Tx) error {
		first, err := tx.MarkDone(agendaKey(fb.Slug, meeting), now)
		if err != nil || !first {
			return err
		}
		n = 1
		return p.queue(tx, []*store.OutMail{m})
	})
	return n, err
}

func agendaKey(slug string, meeting time.Time) string {
	return "agenda/" + slug + "/" + meeting.In(templates.Stockholm).Format(time.DateOnly)
}

// AgendaMail composes the agenda of the förbund's meeting to its
// förbundschef (or, when it has none, its first process leader): the
// cases raised since the meeting before, the forwards still unanswered,
// and the answers received since the meeting before.
func (p *Processor) AgendaMail(ctx context.Context, slug string, meeting, now time.Time) (*store.OutMail, error) {
	fb := p.forbund(slug)
	to := fb.Chief
	if to == "" && len(fb.ProcessLeaders) > 0 {
		to = fb.ProcessLeaders[0]
	}
	if to == "" {
		return nil, fmt.Errorf("agenda: förbund %q has neither chief nor process leaders", slug)
	}
	// Since the agenda before went out (what came after it was on no
	// agenda yet), else since the meeting before, else a year.
	since := meeting.AddDate(-1, 0, 0)
	for _, md := range fb.Meetings {
		m := md.Time
		if m.Before(meeting) {
			since = m
			at, done, err := p.Store.Done(ctx, agendaKey(slug, m))
			if err != nil {
				return nil, err
			}
			if done {
				since = at
			}
		}
	}
	cases, err := p.Store.Cases(ctx, store.CaseFilter{Forbund: slug})
	if err != nil {
		return nil, err
	}
	byID := map[string]*store.Case{}
	a := &notify.Agenda{Meeting: meeting, Since: since}
	for _, c := range cases {
		byID[c.ID] = c
		if c.RaisedAt != nil && !c.RaisedAt.Before(since) && c.Status != store.StatusClosed {
			a.Raised = append(a.Raised, c)
		}
	}
	fs, err := p.Store.ForwardsOf(ctx, slug)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		c := byID[f.CaseID]
		switch {
		case c == nil:
		case f.AnsweredAt == nil && c.Status != store.StatusClosed:
			a.Waiting = append(a.Waiting, notify.AgendaItem{Case: c, Forward: f})
		case f.AnsweredAt != nil && !f.AnsweredAt.Before(since):
			a.Answered = append(a.Answered, notify.AgendaItem{Case: c, Forward: f})
		}
	}
	a.Counts = report.CountForwards(fs, byID, since, now)
	ms, err := p.compose(notify.Request{To: []string{to}, ForbundName: fb.Name, Now: now, Body: notify.AgendaMail{Agenda: a}})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("agenda: no mail can be sent to %q", to)
	}
	return ms[0], nil
}

// ReportSchedule sends the pattern report to the working group.
type ReportSchedule struct {
	To     []string
	Months int // the period: 1 a month, 3 a quarter
	Day    int // the day of the month (1–28) the last period's report goes out
}

// sendReport queues the report of the last whole period once it is due,
// once a period, across restarts.
func (p *Processor) sendReport(ctx context.Context, now time.Time) (int, error) {
	rs := p.Report
	if rs == nil || len(rs.To) == 0 {
		return 0, nil
	}
	months, dayOf := max(rs.Months, 1), min(max(rs.Day, 1), 28)
	local := now.In(templates.Stockholm)
	first := (int(local.Month())-1)/months*months + 1
	start := time.Date(local.Year(), time.Month(first), 1, 0, 0, 0, 0, templates.Stockholm)
	if local.Before(start.AddDate(0, 0, dayOf-1)) {
		return 0, nil
	}
	prev := start.AddDate(0, -months, 0)
	key := "report/" + prev.Format("2006-01")
	if _, done, err := p.Store.Done(ctx, key); err != nil || done {
		return 0, err
	}
	r, err := report.FromStore(ctx, p.Store, report.Options{From: prev, To: start, Lang: p.Lang, ForbundNames: p.forbundNames(), Pages: p.pages.Load()}, now)
	if err != nil {
		return 0, err
	}
	var text, html, xlsx bytes.Buffer
	if err := r.Text(&text); err != nil {
		return 0, err
	}
	if err := r.HTML(&html); err != nil {
		return 0, err
	}
	if err := r.XLSX(&xlsx); err != nil {
		return 0, err
	}
	mails, err := p.compose(notify.Request{To: rs.To, Now: now, Body: notify.PatternReport{Period: r.Period(), Total: r.Total,
		Text: text.String(), HTML: html.String(),
		Files: []notify.File{{Name: "lexheller-" + prev.Format("2006-01") + ".xlsx",
			ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: xlsx.Bytes()}}}})
	if err != nil {
		return 0, err
	}
	n := 0
	err = p.Store.Tx(ctx, func(tx *store.Tx) error {
		if first, err := tx.MarkDone(key, now); err != nil || !first {
			return err
		}
		n = len(mails)
		return p.queue(tx, mails)
	})
	return n, err
}

// AgendaOf is the agenda of förbund slug's meeting on the day of meeting,
// as its chief would get it now: slug may be "" when there is one
// förbund, and meeting zero for its next meeting.
func (p *Processor) AgendaOf(ctx context.Context, slug string, meeting, now time.Time) (*store.OutMail, error) {
	if slug == "" {
		if len(p.Classify.Forbund) != 1 {
			return nil, errors.New("name the förbund with --forbund")
		}
		slug = p.Classify.Forbund[0].Slug
	}
	if !slices.ContainsFunc(p.Classify.Forbund, func(f config.Forbund) bool { return f.Slug == slug }) {
		return nil, fmt.Errorf("no förbund %q in the config", slug)
	}
	if meeting.IsZero() {
		if meeting = p.NextMeeting(slug, now); meeting.IsZero() {
			return nil, fmt.Errorf("%s has no meeting ahead in the config; give --meeting DATE", slug)
		}
	}
	return p.AgendaMail(ctx, slug, meeting, now)
}

// NextMeeting is the förbund's first meeting on or after now's date, zero
// when none is ahead.
func (p *Processor) NextMeeting(slug string, now time.Time) time.Time {
	return nextMeeting(p.forbund(slug), now)
}

// forbundNames maps each förbund's slug to its name, for reports.
func (p *Processor) forbundNames() map[string]string {
	m := map[string]string{}
	for _, f := range p.Classify.Forbund {
		m[f.Slug] = f.Name
	}
	return m
}

package casework

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/form"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

// noticeGap is the least time between two status notices on one case:
// what happens sooner waits, and folds into the next.
const noticeGap = 24 * time.Hour

// notice records that the reporter is to be told of kind (with the party
// it concerns, and for a closed case the feedback given). Nothing is
// recorded when the förbund does not send that notice, the case is
// silenced (/tyst) or it has no reporter's address (imported).
func (p *Processor) notice(tx *store.Tx, c *store.Case, fb *config.Forbund, kind store.NoticeKind, party, text string, now time.Time) error {
	if c.NoticesOff || c.Held || !fb.Notices.Sends(string(kind)) {
		return nil
	}
	if ok, err := tx.HasReporter(c.ID); err != nil || !ok {
		return err
	}
	return tx.AddNotice(&store.Notice{CaseID: c.ID, Kind: kind, Party: party, Text: text, At: now})
}

// flushNotices sends the case's pending notices in one mail, unless the
// reporter got one less than a day ago (then a later round sends them).
// Notices of a case that was silenced meanwhile are dropped.
func (p *Processor) flushNotices(tx *store.Tx, c *store.Case, fb *config.Forbund, now time.Time) ([]*store.OutMail, error) {
	pending, err := tx.PendingNotices(c.ID)
	if err != nil || len(pending) == 0 {
		return nil, err
	}
	if c.NoticesOff {
		return nil, tx.MarkNotices(pending, now, false)
	}
	if last, ok, err := tx.LastNoticeMailed(c.ID); err != nil || ok && now.Sub(last) < noticeGap {
		return nil, err
	}
	mails, err := p.toReporter(tx, c, fb, notify.Request{Now: now, Body: notify.StatusNotice{Notices: foldNotices(pending)}})
	if err != nil {
		return nil, err
	}
	if len(mails) == 0 {
		// No address a mail can go to: nothing to wait for.
		return nil, tx.MarkNotices(pending, now, false)
	}
	if err := tx.MarkNotices(pending, now, true); err != nil {
		return nil, err
	}
	var kinds []string
	for _, n := range pending {
		if k := p.noticeName(n.Kind); !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventNotice, Actor: "lexheller", Role: store.RoleSystem,
		Summary: p.text("notice_sent", strings.Join(kinds, ", "))}); err != nil {
		return nil, err
	}
	return mails, nil
}

// noticeName says what a notice told, for the timeline.
func (p *Processor) noticeName(k store.NoticeKind) string {
	switch k {
	case store.NoticeForwarded:
		return p.text("notice_forwarded")
	case store.NoticeAnswered:
		return p.text("notice_answered")
	case store.NoticeRaised:
		return p.text("notice_raised")
	}
	return p.text("notice_closed")
}

// foldNotices leaves out a notice that says again what an earlier one of
// the same batch said (two representatives of one party answering).
func foldNotices(ns []*store.Notice) []*store.Notice {
	var out []*store.Notice
	for _, n := range ns {
		if !slices.ContainsFunc(out, func(o *store.Notice) bool { return o.Kind == n.Kind && o.Party == n.Party && o.Text == n.Text }) {
			out = append(out, n)
		}
	}
	return out
}

// SendNotices sends the notices that waited for a day to pass since the
// last one. It returns how many mails it queued.
func (p *Processor) SendNotices(ctx context.Context, now time.Time) (int, error) {
	r := &round{p: p, ctx: ctx}
	_, err := p.sendNotices(ctx, now, r)
	return r.queued, errors.Join(append(r.errs, err)...)
}

// sendNotices sends the waiting notices, each case as an item of r.
func (p *Processor) sendNotices(ctx context.Context, now time.Time, r *round) (int, error) {
	ids, err := p.Store.CasesWithPendingNotices(ctx)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		r.do("status notice on "+id, func() (n int, err error) {
			err = p.Store.Tx(ctx, func(tx *store.Tx) error {
				c, err := tx.Case(id)
				if err != nil {
					return err
				}
				mails, err := p.flushNotices(tx, c, p.forbund(c.Forbund), now)
				if err != nil {
					return err
				}
				n = len(mails)
				return p.queue(tx, mails)
			})
			return n, err
		})
	}
	return 0, nil
}

// silence applies /tyst (and /tyst nej) for actor: the reporter gets no
// status notices, and those waiting are dropped.
func (p *Processor) silence(tx *store.Tx, c *store.Case, quiet bool, now time.Time) (string, error) {
	if c.NoticesOff == quiet {
		if quiet {
			return p.text("silenced_already"), nil
		}
		return p.text("unsilenced_already"), nil
	}
	c.NoticesOff = quiet
	if !quiet {
		return p.text("unsilenced"), nil
	}
	pending, err := tx.PendingNotices(c.ID)
	if err != nil {
		return "", err
	}
	return p.text("silenced"), tx.MarkNotices(pending, now, false)
}

// lastFeedback is the text of the case's latest feedback to the reporter,
// "" when none was given.
func lastFeedback(events []store.Event) string {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == store.EventFeedback {
			return events[i].Body
		}
	}
	return ""
}

// statusMail answers /status from someone in role on c: where the case
// stands and its timeline as that role may see it. A process leader
// sees every event; a reporter what happened, never who wrote what or
// what a party answered; a representative what concerns their party.
func (p *Processor) statusMail(tx *store.Tx, c *store.Case, fb *config.Forbund, to string, role store.Role, party string,
	inReplyTo string, refs []string, now time.Time) ([]*store.OutMail, error) {
	events, err := tx.Timeline(c.ID)
	if err != nil {
		return nil, err
	}
	fs, err := tx.Forwards(c.ID)
	if err != nil {
		return nil, err
	}
	body := notify.Status{Role: role}
	switch role {
	case store.RoleProcessLeader:
		for _, e := range events {
			body.Timeline = append(body.Timeline, notify.TimelineEntry{At: e.At, Text: form.MaskPII(e.Summary)})
		}
		body.Open = unanswered(fs)
	default:
		body.Timeline = p.publicTimeline(c, events, fs, role, party)
	}
	return p.compose(notify.Request{To: []string{to}, Case: c, ForbundName: fb.Name, InReplyTo: inReplyTo, References: refs,
		Now: now, Body: body})
}

// publicTimeline is the case's history told to a reporter or a party's
// representative: from the case's record and the kinds of its events,
// never from their summaries or bodies (those name people and say what
// others wrote).
func (p *Processor) publicTimeline(c *store.Case, events []store.Event, fs []*store.Forward, role store.Role, party string) []notify.TimelineEntry {
	out := []notify.TimelineEntry{{At: c.CreatedAt, Text: p.text("status_created")}}
	add := func(at time.Time, text string) {
		out = append(out, notify.TimelineEntry{At: at, Text: text})
	}
	mine := func(f *store.Forward) bool {
		switch role {
		case store.RoleReporter:
			return true
		case store.RoleGroup:
			return f.Group == party
		}
		return f.Group == "" && f.Party == party
	}
	seen := map[string]bool{} // a party forwarded to, or answering, once per day
	for _, f := range fs {
		if f.Address == "" || !mine(f) {
			continue // an answer imported from a sheet, or another party's
		}
		if f.Group != "" {
			if k := "g/" + f.Group + f.At.Format(time.DateOnly); !seen[k] {
				seen[k] = true
				add(f.At, p.text("status_group", f.Group))
			}
			if f.AnsweredAt != nil {
				if k := "ga/" + f.Group + f.AnsweredAt.Format(time.DateOnly); !seen[k] {
					seen[k] = true
					add(*f.AnsweredAt, p.text("status_group_answered", f.Group))
				}
			}
			continue
		}
		if k := "f/" + f.Party + f.At.Format(time.DateOnly); !seen[k] {
			seen[k] = true
			add(f.At, p.text("status_forwarded", templates.PartyOwner(p.Lang, f.Party)))
		}
		if f.AnsweredAt != nil {
			text := p.text("status_answered", upperFirst(templates.PartyOwner(p.Lang, f.Party)))
			if role == store.RoleRepresentative {
				text = p.text("status_you_answered")
			}
			if k := "a/" + f.Party + f.AnsweredAt.Format(time.DateOnly); !seen[k] {
				seen[k] = true
				add(*f.AnsweredAt, text)
			}
		}
	}
	for _, e := range events {
		switch e.Kind {
		case store.EventRaised:
			add(e.At, p.text("status_raised"))
		case store.EventStatus:
			switch e.Summary {
			case p.text("closed"):
				add(e.At, p.text("status_closed"))
			case p.text("reopened"), p.text("reopened_to_forward"):
				add(e.At, p.text("status_reopened"))
			}
		}
		if role != store.RoleReporter {
			continue
		}
		switch {
		case e.Kind == store.EventQuestion:
			add(e.At, p.text("status_question"))
		case e.Kind == store.EventFeedback:
			add(e.At, p.text("status_feedback"))
		case e.Kind == store.EventReceived && e.Role == store.RoleReporter:
			add(e.At, p.text("status_reporter_replied"))
		}
	}
	slices.SortStableFunc(out, func(a, b notify.TimelineEntry) int { return a.At.Compare(b.At) })
	return out
}

// upperFirst starts s with a capital letter.
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

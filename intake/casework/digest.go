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
	"lexheller/notify/report"
	"lexheller/templates"
)

// PlannedDigest is one representative's digest for the period that is
// due: what it says, and whether it was already queued (or found empty).
type PlannedDigest struct {
	Forbund string
	To      string
	Key     string // recorded once it is done, so it is done once
	Due     time.Time
	Data    *notify.DigestData
	Done    bool
	DoneAt  time.Time
	// Mail is the digest as it would go out now (PreviewDigests), nil
	// when it is done or has nothing to say.
	Mail *store.OutMail
}

// PreviewDigests are the digests due at now, each composed as it would go
// out (lexheller digest --dry-run); nothing is queued or recorded.
func (p *Processor) PreviewDigests(ctx context.Context, now time.Time) ([]*PlannedDigest, error) {
	planned, err := p.Digests(ctx, now)
	if err != nil {
		return nil, err
	}
	for _, pd := range planned {
		if pd.Done || pd.Data.Empty() {
			continue
		}
		ms, err := p.DigestMail(pd, now)
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 {
			pd.Mail = ms[0]
		}
	}
	return planned, nil
}

// digestSlot is the last time at or before now a digest on schedule d
// was due, and the one before it; zero when d sends none (never, or a
// schedule left unset, as a config not loaded from a file has it).
func digestSlot(d config.Digest, now time.Time) (slot, prev time.Time) {
	hour := 8
	if d.Hour != nil {
		hour = *d.Hour
	}
	local := now.In(templates.Stockholm)
	at := func(y int, m time.Month, day int) time.Time {
		return time.Date(y, m, day, hour, 0, 0, 0, templates.Stockholm)
	}
	switch d.Every {
	case config.EveryDay:
		slot = at(local.Year(), local.Month(), local.Day())
		if local.Before(slot) {
			slot = slot.AddDate(0, 0, -1)
		}
		return slot, slot.AddDate(0, 0, -1)
	case config.EveryWeek:
		slot = at(local.Year(), local.Month(), local.Day()-(int(local.Weekday())-int(d.Day)+7)%7)
		if local.Before(slot) {
			slot = slot.AddDate(0, 0, -7)
		}
		return slot, slot.AddDate(0, 0, -7)
	case config.EveryMonth:
		slot = at(local.Year(), local.Month(), 1)
		if local.Before(slot) {
			slot = slot.AddDate(0, -1, 0)
		}
		return slot, slot.AddDate(0, -1, 0)
	}
	return time.Time{}, time.Time{}
}

// Digests are the representatives' digests due at now, one for each
// representative address of each förbund, whether empty, already done
// (then without their data) or not: lexheller digest --dry-run shows them, and Remind queues
// those not done that have something to say.
func (p *Processor) Digests(ctx context.Context, now time.Time) ([]*PlannedDigest, error) {
	var out []*PlannedDigest
	for i := range p.Classify.Forbund {
		fb := &p.Classify.Forbund[i]
		slot, prev := digestSlot(fb.Digest, now)
		if slot.IsZero() || len(fb.Representatives) == 0 {
			continue
		}
		var due []*PlannedDigest
		var reps []config.Representative
		seen := map[string]bool{}
		for _, rep := range fb.Representatives {
			addr := strings.ToLower(rep.Email)
			if seen[addr] {
				continue
			}
			seen[addr] = true
			pd := &PlannedDigest{Forbund: fb.Slug, To: addr, Due: slot, Key: digestKey(fb.Slug, addr, slot), Data: &notify.DigestData{}}
			var err error
			if pd.DoneAt, pd.Done, err = p.Store.Done(ctx, pd.Key); err != nil {
				return nil, err
			}
			if !pd.Done {
				due, reps = append(due, pd), append(reps, rep)
			}
			out = append(out, pd)
		}
		if len(due) == 0 {
			continue // the period's digests are done: nothing to read (this runs every minute)
		}
		cases, err := p.Store.Cases(ctx, store.CaseFilter{Forbund: fb.Slug})
		if err != nil {
			return nil, err
		}
		byID := map[string]*store.Case{}
		for _, c := range cases {
			byID[c.ID] = c
		}
		fs, err := p.Store.ForwardsOf(ctx, fb.Slug)
		if err != nil {
			return nil, err
		}
		for k, pd := range due {
			since := prev
			at, done, err := p.Store.Done(ctx, digestKey(fb.Slug, pd.To, prev))
			if err != nil {
				return nil, err
			}
			if done {
				since = at
			}
			if pd.Data, err = p.digest(ctx, reps[k], byID, fs, since, now); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// digestKey records the digest of the period starting at slot to addr.
func digestKey(slug, addr string, slot time.Time) string {
	return "digest/" + slug + "/" + addr + "/" + slot.Format(time.RFC3339)
}

// digest is what rep is told: their forwards still open, what they
// answered since, and the cases forwarded to their party that were closed
// since, each case de-identified as a forward is.
func (p *Processor) digest(ctx context.Context, rep config.Representative, byID map[string]*store.Case, fs []*store.Forward,
	since, now time.Time) (*notify.DigestData, error) {
	d := &notify.DigestData{Name: rep.Name, Party: rep.Party, Since: since, Counts: report.CountForwards(fs, byID, since, now)}
	forParty := map[string]bool{} // cases forwarded to rep's party
	for _, f := range fs {
		c := byID[f.CaseID]
		if c == nil || f.Address == "" {
			continue
		}
		if strings.EqualFold(f.Party, rep.Party) {
			forParty[c.ID] = true
		}
		if !strings.EqualFold(f.Address, rep.Email) {
			continue
		}
		switch {
		case f.AnsweredAt == nil && c.Status != store.StatusClosed:
			d.Open = append(d.Open, notify.AgendaItem{Case: deidentified(c), Forward: f, Days: int(now.Sub(f.At) / day)})
		case f.AnsweredAt != nil && !f.AnsweredAt.Before(since) && f.AnsweredAt.Before(now):
			d.Answered = append(d.Answered, notify.AgendaItem{Case: deidentified(c), Forward: f})
		}
	}
	for _, c := range byID {
		if c.ClosedAt == nil || c.ClosedAt.Before(since) || !c.ClosedAt.Before(now) {
			continue
		}
		if !forParty[c.ID] {
			continue // the party never got it: the leaders decided so
		}
		events, err := p.Store.Timeline(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		d.Closed = append(d.Closed, notify.ClosedCase{Case: deidentified(c),
			Feedback: form.Deidentify(lastFeedback(events), c.Reporter())})
	}
	slices.SortFunc(d.Closed, func(a, b notify.ClosedCase) int { return strings.Compare(a.Case.ID, b.Case.ID) })
	return d, nil
}

// deidentified is a copy of c as a party may see it: no reporter, the
// description as it leaves the förbund.
func deidentified(c *store.Case) *store.Case {
	d := *c
	d.Description = form.Deidentify(c.ForParties(), c.Reporter())
	d.Consequence = form.Deidentify(c.Consequence, c.Reporter())
	d.Suggestion = form.Deidentify(c.Suggestion, c.Reporter())
	d.ReporterName, d.ReporterEmail, d.ReporterPhone, d.ReporterOrg, d.Edited = "", "", "", "", ""
	return &d
}

// SendDigests queues the digests due at now that are not done yet and
// have something to say. Each is recorded as done in the transaction
// that queues it (an empty one too), so none goes twice for a period,
// across restarts.
func (p *Processor) SendDigests(ctx context.Context, now time.Time) (int, error) {
	r := &round{p: p, ctx: ctx}
	_, err := p.sendDigests(ctx, now, r)
	return r.queued, errors.Join(append(r.errs, err)...)
}

// sendDigests queues the due digests, each as an item of r.
func (p *Processor) sendDigests(ctx context.Context, now time.Time, r *round) (int, error) {
	planned, err := p.Digests(ctx, now)
	if err != nil {
		return 0, err
	}
	for _, pd := range planned {
		if pd.Done {
			continue
		}
		r.do("digest to "+pd.To, func() (n int, err error) {
			err = p.Store.Tx(ctx, func(tx *store.Tx) error {
				if first, err := tx.MarkDone(pd.Key, now); err != nil || !first {
					return err
				}
				if pd.Data.Empty() {
					return nil
				}
				mails, err := p.DigestMail(pd, now)
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

// DigestMail composes a planned digest, dated now.
func (p *Processor) DigestMail(pd *PlannedDigest, now time.Time) ([]*store.OutMail, error) {
	return p.compose(notify.Request{To: []string{pd.To}, ForbundName: p.forbund(pd.Forbund).Name, Now: now,
		Body: notify.Digest{Digest: pd.Data}})
}

package casework

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/form"
	"lexheller/intake/store"
)

// Retention is how long personal data is kept.
type Retention struct {
	// PersonalDataDays is, per förbund slug, how long after a case is
	// closed its personal data stays (the förbund's gallringsbeslut);
	// a förbund not listed gets config.DefaultPersonalDataDays.
	PersonalDataDays map[string]int
	// OutboxBodyDays is how long the bodies of mails sent are kept;
	// zero means config.DefaultOutboxBodyDays.
	OutboxBodyDays int
}

// Retain removes the personal data of the cases closed longer ago than
// their förbund keeps it, and the bodies of mails sent longer ago than
// OutboxBodyDays. It is idempotent: a case is scrubbed once.
func (p *Processor) Retain(ctx context.Context, r *Retention, now time.Time) (cases int, bodies int64, err error) {
	if r == nil {
		r = &Retention{}
	}
	// One case that cannot be scrubbed holds up none of the others; its
	// error is returned, and the next day's round tries it again.
	var errs []error
	for _, fb := range p.Classify.Forbund {
		days := r.PersonalDataDays[fb.Slug]
		if days <= 0 {
			days = config.DefaultPersonalDataDays
		}
		ids, err := p.Store.DueForScrubbing(ctx, fb.Slug, now.AddDate(0, 0, -days))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, id := range ids {
			reason := p.text("scrubbed_after_retention", days)
			err := Safely(func() error {
				return p.Store.Tx(ctx, func(tx *store.Tx) error {
					_, err := p.scrub(tx, id, form.Who{}, reason, now, false, false)
					return err
				})
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("retention of %s: %w", id, err))
				continue
			}
			cases++
		}
	}
	bd := r.OutboxBodyDays
	if bd <= 0 {
		bd = config.DefaultOutboxBodyDays
	}
	bodies, err = p.Store.PruneMailBodies(ctx, now.AddDate(0, 0, -bd))
	return cases, bodies, errors.Join(append(errs, err)...)
}

// scrub removes personal data from a case: the reporter's (unless
// textOnly) and, in every free text, the reporter's identity and that of
// who (a person named on the case).
func (p *Processor) scrub(tx *store.Tx, id string, who form.Who, reason string, now time.Time, textOnly, dryRun bool) (store.ScrubChanges, error) {
	c, err := tx.Case(id)
	if err != nil {
		return store.ScrubChanges{Case: id}, err
	}
	rep := c.Reporter()
	text := func(s string) string {
		if s == "" {
			return s
		}
		if !textOnly {
			s = form.Deidentify(s, rep)
		}
		if who != (form.Who{}) {
			s = form.Deidentify(s, who)
		}
		return s
	}
	return tx.ScrubCase(id, store.Scrub{Text: text, Reason: reason, TextOnly: textOnly}, now, dryRun)
}

// Erasure is what erasing a person's data changed, or would change.
type Erasure struct {
	Address  string               `json:"address"`
	Cases    []store.ScrubChanges `json:"cases"`
	Messages int                  `json:"messages"` // messages received from the address
	Mails    int                  `json:"mails"`    // mails sent to the address
	DryRun   bool                 `json:"dry_run"`
}

// ErasePerson removes a person's data (GDPR art. 17): on the cases they
// reported, what retention removes; on cases that only name them, their
// name and address in the free text; the raw messages from them and the
// bodies of the mails to them. The statistics stay, and each case gets
// an event without the data. caseID limits it to one case; dryRun
// changes nothing.
func (p *Processor) ErasePerson(ctx context.Context, address, name, caseID string, dryRun bool, now time.Time) (*Erasure, error) {
	address = strings.ToLower(strings.TrimSpace(address))
	found, err := p.Store.Person(ctx, address, name)
	if err != nil {
		return nil, err
	}
	e := &Erasure{Address: address, DryRun: dryRun}
	who := form.Who{Name: name, Email: address}
	err = p.Store.Tx(ctx, func(tx *store.Tx) error {
		for _, c := range found.Cases {
			if caseID != "" && c.ID != caseID {
				continue
			}
			reporter := strings.EqualFold(c.ReporterEmail, address)
			if !reporter {
				role, _, err := tx.Role(c.ID, address)
				if err != nil {
					return err
				}
				reporter = role == store.RoleReporter
			}
			ch, err := p.scrub(tx, c.ID, who, p.text("erased_on_request"), now, !reporter, dryRun)
			if err != nil {
				return err
			}
			if !ch.Empty() {
				e.Cases = append(e.Cases, ch)
			}
		}
		if caseID != "" {
			return nil
		}
		if e.Messages, err = tx.ForgetMessagesFrom(address, dryRun); err != nil {
			return err
		}
		e.Mails, err = tx.PruneMailsTo(address, dryRun)
		return err
	})
	return e, err
}

package casework

import (
	"context"
	"errors"
	"fmt"
	"time"

	"lexheller/intake/form"
	"lexheller/intake/legacy"
	"lexheller/intake/store"
	"lexheller/templates"
)

// Imported says what an import did (or, in a dry run, would do), one line
// per sheet row, in Swedish for the process leader.
type Imported struct {
	Created []string // "rad 3: LH-2023-0007"
	Again   []string // rows imported before
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import creates the cases of an old sheet's rows in one transaction: each
// row once (by its content's key, across imports), with its own dates and
// a number in its own year, its answer as the party's; no mail is sent.
// With dryRun nothing is stored.
func (p *Processor) Import(ctx context.Context, recs []legacy.Record, source string, dryRun bool) (*Imported, error) {
	res := &Imported{}
	// The file's name comes from outside, as the sheet's cells do (which
	// legacy.Map masked).
	source = form.MaskPII(source)
	err := p.Store.Tx(ctx, func(tx *store.Tx) error {
		res.Created, res.Again = nil, nil
		for _, rec := range recs {
			if id, done, err := tx.Imported(rec.Key); err != nil {
				return err
			} else if done {
				res.Again = append(res.Again, fmt.Sprintf("rad %d: redan importerad som %s", rec.Line, id))
				continue
			}
			c := rec.Case
			c.Year = c.CreatedAt.In(templates.Stockholm).Year()
			seq, err := tx.NextCaseSeq(c.Year)
			if err != nil {
				return err
			}
			c.Seq, c.ID, c.Language = seq, p.Classify.Signer.CaseID(c.Year, seq), p.Lang
			if err := tx.InsertCase(&c); err != nil {
				return err
			}
			if err := tx.UpdateCase(&c); err != nil { // status and closing time
				return err
			}
			if c.ReporterEmail != "" {
				if err := tx.AddParticipant(c.ID, c.ReporterEmail, store.RoleReporter, "", c.CreatedAt); err != nil {
					return err
				}
			}
			summary := fmt.Sprintf("Importerat från %s, rad %d", source, rec.Line)
			if rec.OrigID != "" {
				summary += fmt.Sprintf(" (i kalkylbladet: %s)", rec.OrigID)
			}
			if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: c.CreatedAt, Kind: store.EventCreated, Actor: "import",
				Role: store.RoleAdmin, Summary: summary}); err != nil {
				return err
			}
			if rec.Answer != "" {
				party := form.Annan
				if len(c.Parties) > 0 {
					party = c.Parties[0]
				}
				if err := tx.AnswerAt(c.ID, party, rec.Answer, c.CreatedAt); err != nil {
					return err
				}
			}
			if err := tx.RecordImport(rec.Key, c.ID, source, rec.Line, time.Now()); err != nil {
				return err
			}
			res.Created = append(res.Created, fmt.Sprintf("rad %d: %s", rec.Line, c.ID))
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, fmt.Errorf("import: nothing was stored: %w", err)
	}
	return res, nil
}

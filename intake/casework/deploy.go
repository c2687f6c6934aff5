package casework

import (
	"context"
	"log/slog"
	"os"
	"time"

	"lexheller/intake/classify"
	"lexheller/intake/config"
	"lexheller/intake/ident"
	"lexheller/intake/parse"
	"lexheller/intake/similar"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/notify/guard"
	"lexheller/templates"
)

// New is the workflow core of the deployment cfg on st, ready to use:
// it signs with the key kept in st, composes with the mail templates of
// cfg.TemplatesDir, finds similar cases among those stored, and has the
// deployment's classification, language, limits, reminders and report.
// The caller connects it to the sender (Queued).
func New(ctx context.Context, cfg *config.Config, st *store.Store, log *slog.Logger) (*Processor, error) {
	key, err := st.SigningKey(ctx, ident.NewKey)
	if err != nil {
		return nil, err
	}
	signer := &ident.Signer{Key: key, Domain: cfg.Domain, Prefix: cfg.CasePrefix}
	set, err := templates.Load(cfg.TemplatesDir)
	if err != nil {
		return nil, err
	}
	idx, err := SimilarIndex(ctx, st)
	if err != nil {
		return nil, err
	}
	p := &Processor{
		Store:    st,
		Classify: classify.OptionsFor(cfg, signer),
		Composer: &notify.Composer{Templates: set, Signer: signer, Address: cfg.Address, Name: cfg.FromName},
		Lang:     cfg.Language,
		// Large attachments wait in a temporary file, not in memory, until
		// they are stored.
		Parse:       &parse.Options{MaxAttachmentBytes: int64(cfg.Limits.AttachmentMB) << 20, SpillDir: os.TempDir()},
		SuppressFor: cfg.Limits.BounceSuppressFor.Duration,
		KeepRaw:     true,
		Logger:      log,
		Schedule: &Schedule{
			ForwardAfter: time.Duration(cfg.Reminders.ForwardDays) * day,
			ForwardMax:   cfg.Reminders.ForwardMax,
			QuietAfter:   time.Duration(cfg.Reminders.QuietDays) * day,
			AgendaBefore: time.Duration(cfg.Reminders.AgendaDays) * day,
		},
		Similar: idx,
	}
	pages, err := templates.LoadPages(cfg.TemplatesDir)
	if err != nil {
		// The built-in page stands in for an override that cannot be used.
		log.Error("report page override not used", "err", err)
	}
	p.SetPages(pages)
	p.AttachDocx, p.FormURL = cfg.Form.AttachDocx, cfg.Web.PublicURL
	if len(cfg.Report.To) > 0 {
		p.Report = &ReportSchedule{To: cfg.Report.To, Months: cfg.Report.Period.Months(), Day: cfg.Report.Day}
	}
	return p, nil
}

// SimilarIndex indexes every case stored in st for the similar-case
// lookup.
func SimilarIndex(ctx context.Context, st *store.Store) (*similar.Index, error) {
	cases, err := st.Cases(ctx, store.CaseFilter{})
	if err != nil {
		return nil, err
	}
	idx := similar.New()
	for _, c := range cases {
		idx.Add(c.ID, SimilarText(c))
	}
	return idx, nil
}

// SimilarCase is a stored case like another, with its score.
type SimilarCase struct {
	ID          string  `json:"id"`
	Score       float64 `json:"score"`
	Status      string  `json:"status"`
	Description string  `json:"description"`
}

// SimilarTo returns the n stored cases most like c, best first, and how
// many were compared; descriptions are masked as for a report.
func SimilarTo(ctx context.Context, st *store.Store, c *store.Case, n int) ([]SimilarCase, int, error) {
	idx, err := SimilarIndex(ctx, st)
	if err != nil {
		return nil, 0, err
	}
	out := []SimilarCase{}
	for _, m := range idx.Similar(SimilarText(c), n, c.ID) {
		o, err := st.Case(ctx, m.ID)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, SimilarCase{m.ID, m.Score, o.Status, guard.Text(guard.Report, "similar cases of "+c.ID, o.Description)})
	}
	return out, idx.Len() - 1, nil
}

// RetentionOf is the retention of personal data cfg sets.
func RetentionOf(cfg *config.Config) *Retention {
	r := &Retention{PersonalDataDays: map[string]int{}, OutboxBodyDays: cfg.Retention.OutboxBodyDays}
	for _, f := range cfg.Forbund {
		r.PersonalDataDays[f.Slug] = f.PersonalDataDays
	}
	return r
}

package main

import (
	"context"
	"errors"
	"fmt"
	"lexheller/intake/casework"
	"lexheller/intake/config"
	"log/slog"
	"os"
	"sync"
	"time"

	"lexheller/intake"
	"lexheller/intake/classify"
	"lexheller/intake/ident"
	"lexheller/intake/monitor"
	"lexheller/intake/parse"
	"lexheller/intake/similar"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

// app is the daemon wired together: mailbox → classify → store → outbox →
// SMTP, in the order the parts are built.
type app struct {
	cfg       *config.Config
	log       *slog.Logger
	store     *store.Store
	signer    *ident.Signer
	templates *templates.Set
	composer  *notify.Composer
	processor *casework.Processor
	sender    *notify.Sender
	watchers  []*intake.Watcher
	monitor   *monitor.Monitor
}

// newApp opens the store and builds every part; it starts nothing.
func newApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	a.store = st
	key, err := st.SigningKey(ctx, ident.NewKey)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.signer = &ident.Signer{Key: key, Domain: cfg.Domain, Prefix: cfg.CasePrefix}
	a.templates, err = templates.Load(cfg.TemplatesDir)
	if err != nil {
		st.Close()
		return nil, err
	}
	a.composer = &notify.Composer{Templates: a.templates, Signer: a.signer, Address: cfg.Address, Name: cfg.FromName}
	a.processor = &casework.Processor{
		Store:    st,
		Classify: classifyOptions(cfg, a.signer),
		Composer: a.composer,
		Lang:     cfg.Language,
		// Large attachments wait in a temporary file, not in memory, until
		// they are stored.
		Parse:       &parse.Options{MaxAttachmentBytes: int64(cfg.Limits.AttachmentMB) << 20, SpillDir: os.TempDir()},
		SuppressFor: cfg.Limits.BounceSuppressFor.Duration,
		KeepRaw:     true,
		Logger:      log.With("component", "intake"),
		Schedule: &casework.Schedule{
			ForwardAfter: time.Duration(cfg.Reminders.ForwardDays) * 24 * time.Hour,
			ForwardMax:   cfg.Reminders.ForwardMax,
			QuietAfter:   time.Duration(cfg.Reminders.QuietDays) * 24 * time.Hour,
			AgendaBefore: time.Duration(cfg.Reminders.AgendaDays) * 24 * time.Hour,
		},
	}
	if len(cfg.Report.To) > 0 {
		a.processor.Report = &casework.ReportSchedule{To: cfg.Report.To, Months: cfg.Report.Period.Months(), Day: cfg.Report.Day}
	}
	if a.processor.Similar, err = similarIndex(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	a.sender = newSender(cfg, st, log.With("component", "notify"))
	a.sender.OnFailed = a.processor.FailureNotice()
	a.processor.Queued = a.sender.Wake
	a.watchers = append(a.watchers, a.watcher("shared", &cfg.IMAP, ""))
	for _, f := range cfg.Forbund {
		if f.IMAP != nil {
			a.watchers = append(a.watchers, a.watcher(f.Slug, f.IMAP, f.Slug))
		}
	}
	a.monitor = &monitor.Monitor{Store: st, Mailboxes: a.watchers, SMTPAddress: cfg.SMTP.Address, Logger: log,
		Sending: func() (time.Time, string) { h := a.sender.Health(); return h.FailingSince, h.LastError }}
	return a, nil
}

// similarIndex indexes every stored case for the similar-case lookup.
func similarIndex(ctx context.Context, st *store.Store) (*similar.Index, error) {
	cases, err := st.Cases(ctx, store.CaseFilter{})
	if err != nil {
		return nil, err
	}
	idx := similar.New()
	for _, c := range cases {
		idx.Add(c.ID, casework.SimilarText(c))
	}
	return idx, nil
}

func newSender(cfg *config.Config, st *store.Store, log *slog.Logger) *notify.Sender {
	return &notify.Sender{
		Store:       st,
		SMTP:        cfg.SMTP,
		Logger:      log,
		Workers:     cfg.SMTP.Connections,
		GiveUpAfter: cfg.Limits.RetryFor.Duration,
	}
}

func (a *app) watcher(name string, s *config.Server, forbund string) *intake.Watcher {
	return &intake.Watcher{
		Name:         name,
		IMAP:         *s,
		Handler:      a.processor,
		Store:        a.store,
		Forbund:      forbund,
		Logger:       a.log.With("component", "intake"),
		PollInterval: s.PollInterval.Duration,
		NoIdle:       s.IDLE != nil && !*s.IDLE,

		ExpungeWithoutUIDPlus: s.ExpungeWithoutUIDPlus,
	}
}

func classifyOptions(cfg *config.Config, signer *ident.Signer) *classify.Options {
	return &classify.Options{Address: cfg.Address, Signer: signer, AuthservID: cfg.Commands.AuthservID, Forbund: cfg.Forbund}
}

// run starts the watchers, the sender and the housekeeping, and returns
// when ctx is done and all of them have stopped.
func (a *app) run(ctx context.Context) error {
	var wg sync.WaitGroup
	errc := make(chan error, len(a.watchers)+2)
	start := func(name string, f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	start("outbox", a.sender.Run)
	for _, w := range a.watchers {
		start("mailbox "+w.Name, w.Run)
	}
	start("scheduler", (&casework.Scheduler{Processor: a.processor, Retention: a.retention(),
		RawMessageDays: a.cfg.Retention.RawMessageDays, Logger: a.log.With("component", "scheduler")}).Run)
	start("http", func(ctx context.Context) error {
		if a.cfg.HTTP.Address == config.Off {
			return nil
		}
		if err := a.monitor.Serve(ctx, a.cfg.HTTP.Address); err != nil {
			// Health and metrics are for the operator; the mail goes on.
			a.log.Error("health and metrics not served", "err", err)
		}
		return nil
	})
	wg.Wait()
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// retention is the config's retention of personal data.
func (a *app) retention() *casework.Retention {
	r := &casework.Retention{PersonalDataDays: map[string]int{}, OutboxBodyDays: a.cfg.Retention.OutboxBodyDays}
	for _, f := range a.cfg.Forbund {
		r.PersonalDataDays[f.Slug] = f.PersonalDataDays
	}
	return r
}

// reload reads the templates again (SIGHUP): an operator's edited
// override files take effect without a restart. A template that does not
// parse leaves the ones in use in place.
func (a *app) reload() error {
	set, err := templates.Load(a.cfg.TemplatesDir)
	if err != nil {
		return err
	}
	a.composer.SetTemplates(set)
	return nil
}

func (a *app) close() error { return a.store.Close() }

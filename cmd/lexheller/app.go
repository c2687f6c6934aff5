package main

import (
	"context"
	"errors"
	"fmt"
	"lexheller/intake/casework"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"lexheller/intake"
	"lexheller/intake/classify"
	"lexheller/intake/ident"
	"lexheller/intake/parse"
	"lexheller/intake/similar"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

// app is the daemon wired together: mailbox → classify → store → outbox →
// SMTP, in the order the parts are built.
type app struct {
	cfg       *Config
	log       *slog.Logger
	store     *store.Store
	signer    *ident.Signer
	templates *templates.Set
	composer  *notify.Composer
	processor *casework.Processor
	sender    *notify.Sender
	watchers  []*intake.Watcher
	httpAddr  atomic.Pointer[string] // where /healthz and /metrics listen, once they do
}

// newApp opens the store and builds every part; it starts nothing.
func newApp(ctx context.Context, cfg *Config, log *slog.Logger) (*app, error) {
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
		months := 1
		if cfg.Report.Period == "quarterly" {
			months = 3
		}
		a.processor.Report = &casework.ReportSchedule{To: cfg.Report.To, Months: months, Day: cfg.Report.Day}
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

// imapOptions says how to reach the mailbox of s.
func imapOptions(s *Server) intake.IMAPOptions {
	return intake.IMAPOptions{Address: s.Address, Security: s.Security, Username: s.Username, Password: s.password, Mailbox: s.Mailbox}
}

// newSender is the outbox sender of cfg; st may be nil for a probe.
func newSender(cfg *Config, st *store.Store, log *slog.Logger) *notify.Sender {
	return &notify.Sender{
		Store: st,
		SMTP: notify.SMTPOptions{Address: cfg.SMTP.Address, Security: cfg.SMTP.Security, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.password, HELO: cfg.SMTP.HELO},
		Logger:      log,
		Workers:     cfg.SMTP.Connections,
		GiveUpAfter: cfg.Limits.RetryFor.Duration,
	}
}

func (a *app) watcher(name string, s *Server, forbund string) *intake.Watcher {
	return &intake.Watcher{
		Name:         name,
		IMAP:         imapOptions(s),
		Handler:      a.processor,
		Store:        a.store,
		Forbund:      forbund,
		Logger:       a.log.With("component", "intake"),
		PollInterval: s.PollInterval.Duration,
		NoIdle:       s.IDLE != nil && !*s.IDLE,

		ExpungeWithoutUIDPlus: s.ExpungeWithoutUIDPlus,
	}
}

func classifyOptions(cfg *Config, signer *ident.Signer) *classify.Options {
	o := &classify.Options{Address: cfg.Address, Signer: signer, AuthservID: cfg.Commands.AuthservID}
	for _, f := range cfg.Forbund {
		cf := classify.Forbund{Slug: f.Slug, Name: f.Name, Aliases: f.Aliases,
			Addresses: f.Addresses, ProcessLeaders: f.ProcessLeaders, Chief: f.Chief,
			ContactName: f.Contact.Name, ContactEmail: f.Contact.Email, ContactPhone: f.Contact.Phone,
			NewsWithin: f.NewsWithin, PrivacyURL: f.PrivacyURL, KeepDays: cfg.Retention.PersonalDataDays}
		if f.PersonalDataDays > 0 {
			cf.KeepDays = f.PersonalDataDays
		}
		for _, m := range f.Meetings {
			if t, err := time.ParseInLocation(time.DateOnly, m, templates.Stockholm); err == nil {
				cf.Meetings = append(cf.Meetings, t)
			}
		}
		for _, r := range f.Representatives {
			cf.Representatives = append(cf.Representatives, classify.Representative{Party: r.Party, Name: r.Name, Email: r.Email})
		}
		o.Forbund = append(o.Forbund, cf)
	}
	return o
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
	start("retention", a.housekeeping)
	start("reminders", a.reminders)
	start("http", func(ctx context.Context) error {
		if err := a.serveHTTP(ctx); err != nil {
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
		r.PersonalDataDays[f.Slug] = a.cfg.Retention.PersonalDataDays
		if f.PersonalDataDays > 0 {
			r.PersonalDataDays[f.Slug] = f.PersonalDataDays
		}
	}
	return r
}

// housekeeping forgets raw messages after the audit period, once an hour,
// and personal data after the retention period, once a day.
func (a *app) housekeeping(ctx context.Context) error {
	var lastRetain time.Time
	for {
		if time.Since(lastRetain) >= 24*time.Hour {
			var cases int
			var bodies int64
			err := a.guarded("retention", func() (err error) {
				cases, bodies, err = a.processor.Retain(ctx, a.retention(), time.Now())
				return err
			})
			switch {
			case err != nil && ctx.Err() == nil:
				a.log.Error("retention of personal data", "err", err)
			case err == nil:
				lastRetain = time.Now()
				if cases > 0 || bodies > 0 {
					a.log.Info("personal data removed", "cases", cases, "mail_bodies", bodies)
				}
			}
		}
		before := time.Now().AddDate(0, 0, -a.cfg.Retention.RawMessageDays)
		var n int64
		err := a.guarded("retention", func() (err error) { n, err = a.store.PurgeRaw(ctx, before); return err })
		if err != nil && ctx.Err() == nil {
			a.log.Error("retention", "err", err)
		} else if n > 0 {
			a.log.Info("raw messages purged", "count", n, "before", before.Format(time.DateOnly))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Hour):
		}
	}
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

// reminders queues the reminders and agendas that fall due, once a
// minute.
func (a *app) reminders(ctx context.Context) error {
	for {
		var n int
		err := a.guarded("reminders", func() (err error) { n, err = a.processor.Remind(ctx, time.Now()); return err })
		if err != nil && ctx.Err() == nil {
			a.log.Error("reminders", "err", err)
		} else if n > 0 {
			a.log.Info("reminders queued", "mails", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Minute):
		}
	}
}

func (a *app) close() error { return a.store.Close() }

// guarded runs one round of a scheduler: a panic is logged with its stack
// and returned as an error, and the scheduler goes on at its next round.
func (a *app) guarded(name string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("panic in "+name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s: panic: %v", name, r)
		}
	}()
	return f()
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"lexheller/intake"
	"lexheller/intake/casework"
	"lexheller/intake/config"
	"lexheller/intake/devmail"
	"lexheller/intake/monitor"
	"lexheller/intake/oauth"
	"lexheller/intake/store"
	"lexheller/intake/web"
	"lexheller/notify"
	"lexheller/notify/guard"
)

func cmdServe(args []string, std stdio) error {
	c := newCLI("serve", std, false)
	configPath := c.String("config", os.Getenv("LEXHELLER_CONFIG"), "config file (default: a built-in dev mail system)")
	logFormat := c.String("log-format", "", "text or json (default: text on a terminal)")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal now ends the process at once

	var cfg *config.Config
	var err error
	if *configPath == "" {
		var cleanup func()
		if cfg, cleanup, err = devmail.StartDev(std.out); err != nil {
			return err
		}
		defer cleanup()
	} else if cfg, err = config.Load(*configPath); err != nil {
		return err
	}
	if *logFormat != "" {
		cfg.Log.Format = *logFormat
	}
	log := guard.Logger(cfg.Log.Logger(std.err).Handler()) // every line, and catches at the exits
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit keeps the heap near what is live, so a large
		// attachment passing through does not leave the process twice its
		// size; GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(64 << 20)
	}
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped while starting (systemd stop, Ctrl-C): nothing was
			// begun, so this is a clean stop, not a failure.
			log.Info("lexheller stopped while starting")
			return nil
		}
		return err
	}
	defer a.close()
	log.Info("lexheller started", "version", version, "address", cfg.Address, "database", cfg.Database,
		"forbund", len(cfg.Forbund), "mailboxes", len(a.watchers))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			if err := a.processor.Reload(cfg.TemplatesDir); err != nil {
				log.Error("SIGHUP", "err", err)
				continue
			}
			log.Info("SIGHUP: templates reloaded (other config changes need a restart)", "dir", cfg.TemplatesDir)
		}
	}()
	err = a.run(ctx)
	log.Info("lexheller stopped")
	return err
}

// app is the daemon wired together: mailbox → classify → store → outbox →
// SMTP, in the order the parts are built.
type app struct {
	cfg       *config.Config
	log       *slog.Logger
	store     *store.Store
	processor *casework.Processor
	sender    *notify.Sender
	watchers  []*intake.Watcher
	web       *web.Server // the web form: the second door
	monitor   *monitor.Monitor
}

// newApp opens the store and builds every part; it starts nothing.
func newApp(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	p, err := casework.New(ctx, cfg, st, log.With("component", "intake"))
	if err != nil {
		st.Close()
		return nil, err
	}
	tokens := &oauth.Tokens{Logger: log.With("component", "oauth2")} // one token per account, for mailboxes and sender
	a := &app{cfg: cfg, log: log, store: st, processor: p, sender: notify.NewSender(cfg, st, tokens, log.With("component", "notify"))}
	a.sender.OnFailed = p.FailureNotice()
	p.Queued = a.sender.Wake
	for _, m := range cfg.Mailboxes() {
		a.watchers = append(a.watchers, intake.NewWatcher(m, p, st, tokens, log.With("component", "intake")))
	}
	a.web = web.New(cfg, p, p.Classify.Signer.Key, log.With("component", "web"))
	a.monitor = &monitor.Monitor{Store: st, Mailboxes: a.watchers, SMTPAddress: cfg.SMTP.Address, Logger: log, Tokens: tokens, Caught: guard.Caught,
		Web:     a.web.Counts,
		Sending: func() (time.Time, string) { h := a.sender.Health(); return h.FailingSince, h.LastError }}
	return a, nil
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
	start("scheduler", (&casework.Scheduler{Processor: a.processor, Retention: casework.RetentionOf(a.cfg),
		RawMessageDays: a.cfg.Retention.RawMessageDays, Logger: a.log.With("component", "scheduler")}).Run)
	start("web form", a.web.Run)
	start("http", func(ctx context.Context) error { return a.monitor.Run(ctx, a.cfg.HTTP.Address) })
	wg.Wait()
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (a *app) close() error { return a.store.Close() }

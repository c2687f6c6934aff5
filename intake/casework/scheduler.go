package casework

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Scheduler runs the core's timed work: reminders, agendas and the
// report mail once a minute; the retention of personal data once a day
// and of raw messages once an hour. A round that fails or panics is
// logged, and the next round runs as usual. Everything it does is
// idempotent across restarts (see Remind and Retain).
type Scheduler struct {
	Processor *Processor
	Retention *Retention
	// RawMessageDays is how long the raw messages behind the ledger are
	// kept (the audit period); zero keeps them.
	RawMessageDays int
	Logger         *slog.Logger
}

// Run runs the rounds until ctx is done.
func (s *Scheduler) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.every(ctx, time.Minute, s.remind) }()
	go func() { defer wg.Done(); s.every(ctx, time.Hour, s.housekeeping()) }()
	wg.Wait()
	return nil
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// every runs round now and then every d until ctx is done.
func (s *Scheduler) every(ctx context.Context, d time.Duration, round func(context.Context)) {
	for {
		round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
	}
}

// guarded runs one round: a panic is logged with its stack and returned
// as an error.
func (s *Scheduler) guarded(name string, f func() error) error {
	err := Safely(f)
	if pe, ok := err.(*PanicError); ok {
		s.logger().Error("panic in "+name, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	}
	return err
}

func (s *Scheduler) remind(ctx context.Context) {
	var n int
	err := s.guarded("reminders", func() (err error) { n, err = s.Processor.Remind(ctx, time.Now()); return err })
	if err != nil && ctx.Err() == nil {
		s.logger().Error("reminders", "err", err)
	} else if n > 0 {
		s.logger().Info("reminders queued", "mails", n)
	}
}

// housekeeping returns the hourly round: raw messages every hour,
// personal data once a day (retried each hour until it succeeds).
func (s *Scheduler) housekeeping() func(context.Context) {
	var lastRetain time.Time
	return func(ctx context.Context) {
		if time.Since(lastRetain) >= 24*time.Hour {
			var cases int
			var bodies int64
			err := s.guarded("retention", func() (err error) {
				cases, bodies, err = s.Processor.Retain(ctx, s.Retention, time.Now())
				return err
			})
			switch {
			case err != nil && ctx.Err() == nil:
				s.logger().Error("retention of personal data", "err", err)
			case err == nil:
				lastRetain = time.Now()
				if cases > 0 || bodies > 0 {
					s.logger().Info("personal data removed", "cases", cases, "mail_bodies", bodies)
				}
			}
		}
		if s.RawMessageDays <= 0 {
			return // kept: zero is no period, not "none"
		}
		before := time.Now().AddDate(0, 0, -s.RawMessageDays)
		var n int64
		err := s.guarded("retention", func() (err error) { n, err = s.Processor.Store.PurgeRaw(ctx, before); return err })
		if err != nil && ctx.Err() == nil {
			s.logger().Error("retention", "err", err)
		} else if n > 0 {
			s.logger().Info("raw messages purged", "count", n, "before", before.Format(time.DateOnly))
		}
	}
}

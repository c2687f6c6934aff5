package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"lexheller/intake/config"
	"lexheller/intake/oauth"
	"lexheller/intake/store"
)

// Sender sends the outbox. Create it with the fields set, then Run it.
type Sender struct {
	Store  *store.Store
	SMTP   config.Server
	Logger *slog.Logger
	// Workers is how many SMTP connections send at once; 0 means 8.
	// Each has at most one mail in flight, so a crash resends at most
	// Workers mails.
	Workers int
	// RetryBase is the first retry delay; each next one is three times
	// longer, up to RetryMax. Zero means 1 minute and 1 hour.
	RetryBase, RetryMax time.Duration
	// GiveUpAfter ends retries of a temporary failure this long after the
	// mail was queued; zero means 7 days.
	GiveUpAfter time.Duration
	// OnFailed runs in the transaction that marks a mail failed, to queue
	// the notice to the process leaders. It may be nil.
	OnFailed func(tx *store.Tx, m *store.OutMail) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Tokens gives the access tokens when SMTP.Auth is oauth2; nil
	// takes one from TokenSources (shared per account), or else makes a
	// source of the sender's own, on first use.
	Tokens       *oauth.Source
	TokenSources *oauth.Tokens
	// Mechanisms are the SASL mechanisms a token may be sent with, in
	// order of preference; nil means XOAUTH2, then OAUTHBEARER.
	Mechanisms []string

	wake chan struct{}
	once sync.Once

	hook func(*store.OutMail) // tests: called before each mail is sent

	mu           sync.Mutex
	failingSince time.Time // the first of the failed rounds since the last mail sent
	lastErr      string
	mechanism    string // the SASL mechanism of the last OAuth2 login
}

// NewSender is the sender of the outbox in st over the SMTP server of
// cfg, with its connections and its retry limit.
func NewSender(cfg *config.Config, st *store.Store, tokens *oauth.Tokens, log *slog.Logger) *Sender {
	return &Sender{
		Store:        st,
		TokenSources: tokens,
		SMTP:         cfg.SMTP,
		Logger:       log,
		Workers:      cfg.SMTP.Connections,
		GiveUpAfter:  cfg.Limits.RetryFor.Duration,
	}
}

// Health is the sender's state for /healthz.
type Health struct {
	// FailingSince is when sending started to fail (no connection, or
	// every attempt refused), zero while mail goes out.
	FailingSince time.Time
	LastError    string
}

// Health returns the sender's state.
func (s *Sender) Health() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Health{FailingSince: s.failingSince, LastError: s.lastErr}
}

func (s *Sender) noteRound(sent bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case sent:
		s.failingSince, s.lastErr = time.Time{}, ""
	case err != nil:
		if s.failingSince.IsZero() {
			s.failingSince = s.now()
		}
		s.lastErr = err.Error()
	}
}

func (s *Sender) init() {
	s.once.Do(func() { s.wake = make(chan struct{}, 1) })
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Wake tells the sender that something was queued. It never blocks.
func (s *Sender) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends due mail until ctx is done. A mail being sent when ctx ends is
// finished (or its attempt recorded) before Run returns.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	for {
		n, err := s.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			s.logger().Error("outbox", "err", err)
		}
		if n > 0 && err == nil {
			continue // more may be due
		}
		wait := time.Minute
		if next, ok, err := s.Store.NextDue(ctx); err == nil && ok {
			wait = min(max(time.Until(next), 10*time.Millisecond), time.Minute)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// SendDue sends the mails that are due now, over up to Workers
// connections, and returns how many it attempted. The connections take
// mails from one queue, so a slow one does not hold the others up.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	workers := s.Workers
	if workers <= 0 {
		workers = 8
	}
	due, err := s.Store.Due(ctx, s.now(), 500)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	workers = min(workers, len(due))
	queue := make(chan *store.OutMail, len(due))
	for _, m := range due {
		queue <- m
	}
	close(queue)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr, stopErr error
	var sent atomic.Int64
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					firstErr = fmt.Errorf("notify: sender panicked: %v", r)
					mu.Unlock()
				}
			}()
			serr, err := s.sendFrom(ctx, queue, &sent)
			mu.Lock()
			if serr != nil {
				stopErr = serr
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	s.noteRound(sent.Load() > 0, stopErr)
	// Mails no connection could take: the server could not be reached, or
	// every connection broke. They wait for their retry.
	if stopErr != nil && ctx.Err() == nil {
		for m := range queue {
			if err := s.failed(context.WithoutCancel(ctx), m, &unsentError{stopErr}); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	return len(due), firstErr
}

// sendFrom sends mails from queue over one connection until the queue is
// empty or the connection breaks. Each mail is marked sent as soon as the
// server has accepted it, so a crash resends at most the mail in flight.
// It returns why it stopped early (the server could not be reached, or
// the connection broke) apart from errors of the store.
func (s *Sender) sendFrom(ctx context.Context, queue <-chan *store.OutMail, sent *atomic.Int64) (stopErr, err error) {
	c, err := s.dial(ctx)
	if err != nil {
		return err, nil
	}
	defer c.Close()
	for m := range queue {
		if ctx.Err() != nil {
			return nil, nil
		}
		start := time.Now()
		err, stack := s.sendSafely(c, m)
		// Record the outcome even when ctx is ending: the server has
		// already answered.
		rctx := context.WithoutCancel(ctx)
		if stack != nil {
			// A fault in lexheller: this mail fails for good, and the
			// connection, in an unknown state, is given up; the other
			// connections go on with the queue.
			s.logger().Error("panic while sending a mail; it is marked failed", "outbox", m.ID, "kind", m.Kind,
				"case", m.CaseID, "message_id", m.MessageID, "err", err, "stack", string(stack))
			if rerr := s.failedFor(rctx, m, err, true); rerr != nil {
				return nil, rerr
			}
			return nil, nil
		}
		if err == nil {
			if err := s.Store.MarkSent(rctx, []*store.OutMail{m}, s.now()); err != nil {
				return nil, err
			}
			sent.Add(1)
			s.logger().Info("mail sent", "outbox", m.ID, "kind", m.Kind, "case", m.CaseID, "message_id", m.MessageID,
				"duration", time.Since(start).Round(time.Microsecond))
			continue
		}
		if rerr := s.failed(rctx, m, err); rerr != nil {
			return nil, rerr
		}
		var tp *textproto.Error
		if !errors.As(err, &tp) {
			// The connection is broken: the other connections go on with
			// the queue.
			return err, nil
		}
		_ = c.Reset()
	}
	_ = c.Quit()
	return nil, nil
}

// sendSafely is sendOne with a panic turned into an error and its stack.
func (s *Sender) sendSafely(c *smtp.Client, m *store.OutMail) (err error, stack []byte) {
	defer func() {
		if r := recover(); r != nil {
			err, stack = fmt.Errorf("internt fel vid sändning: %v", r), debug.Stack()
		}
	}()
	if s.hook != nil {
		s.hook(m)
	}
	return sendOne(c, m), nil
}

func sendOne(c *smtp.Client, m *store.OutMail) error {
	if err := c.Mail(m.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	// The DATA writer dot-stuffs.
	if _, err := w.Write(m.Raw); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// unsentError is why a mail was not even tried: no connection could be
// made, or the server refused the login. Whatever the server's code, it
// is not the mail's fault, and the mail waits for its retry.
type unsentError struct{ err error }

func (e *unsentError) Error() string { return e.err.Error() }
func (e *unsentError) Unwrap() error { return e.err }

// Permanent reports whether an SMTP error is permanent (a 5xx reply to
// the mail; a refused login is not).
func Permanent(err error) bool {
	var ue *unsentError
	if errors.As(err, &ue) {
		return false
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code >= 500
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		return !se.IsTemp()
	}
	return false
}

func (s *Sender) failed(ctx context.Context, m *store.OutMail, err error) error {
	return s.failedFor(ctx, m, err, false)
}

// failedFor records a failed attempt; permanent fails the mail for good
// whatever the error says.
func (s *Sender) failedFor(ctx context.Context, m *store.OutMail, err error, permanent bool) error {
	now := s.now()
	give := s.GiveUpAfter
	if give <= 0 {
		give = 7 * 24 * time.Hour
	}
	text := err.Error()
	if permanent || Permanent(err) || now.Sub(m.CreatedAt) >= give {
		s.logger().Error("mail failed", "outbox", m.ID, "kind", m.Kind, "case", m.CaseID, "attempts", m.Attempts+1, "err", text)
		var fn func(tx *store.Tx) error
		if s.OnFailed != nil {
			m.LastError = text
			m.Attempts++
			fn = func(tx *store.Tx) error { return s.OnFailed(tx, m) }
		}
		return s.Store.MarkFailed(ctx, m, now, text, fn)
	}
	next := now.Add(s.backoff(m.Attempts))
	s.logger().Warn("mail deferred", "outbox", m.ID, "kind", m.Kind, "attempts", m.Attempts+1, "retry_at", next.Format(time.RFC3339), "err", text)
	return s.Store.MarkRetry(ctx, m, next, text)
}

func (s *Sender) backoff(attempts int) time.Duration {
	base, maxd := s.RetryBase, s.RetryMax
	if base <= 0 {
		base = time.Minute
	}
	if maxd <= 0 {
		maxd = time.Hour
	}
	d := base
	for i := 0; i < attempts && d < maxd; i++ {
		d *= 3
	}
	return min(d, maxd)
}

func (s *Sender) dial(ctx context.Context) (*smtp.Client, error) {
	o := s.SMTP
	host, portStr, err := net.SplitHostPort(o.Address)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp address %q: %w", o.Address, err)
	}
	port, _ := strconv.Atoi(portStr)
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(timeout), mail.WithHELO(helo(o.HELO))}
	tlsConf := o.TLS
	if tlsConf == nil {
		tlsConf = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	switch o.Security {
	case config.TLS:
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tlsConf))
	case config.StartTLS, "":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tlsConf))
	case config.None:
		if !config.IsLoopback(host) {
			return nil, fmt.Errorf("notify: refusing an unencrypted connection to %s: only loopback may use security = \"none\"", host)
		}
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("notify: smtp security %q: want tls, starttls or none", o.Security)
	}
	if o.Username != "" && o.Auth == config.AuthOAuth2 {
		return s.dialOAuth2(ctx, host, port, timeout, opts)
	}
	if o.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(o.Username), mail.WithPassword(o.Password))
	}
	return s.connect(ctx, host, timeout, opts)
}

// connect makes the connection (and logs in) with opts.
func (s *Sender) connect(ctx context.Context, host string, timeout time.Duration, opts []mail.Option) (*smtp.Client, error) {
	cl, err := mail.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp client: %w", err)
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := cl.DialToSMTPClientWithContext(dctx)
	if err != nil {
		return nil, fmt.Errorf("notify: connect to %s: %w", s.SMTP.Address, err)
	}
	return c, nil
}

// Probe connects to the SMTP server as the sender does (TLS and
// authentication included) and says which step failed; it sends nothing.
func (s *Sender) Probe(ctx context.Context) error {
	if err := s.probeToken(ctx); err != nil {
		return err
	}
	c, err := s.dial(ctx)
	if err != nil {
		if s.SMTP.Auth == config.AuthOAuth2 && loginRefused(err) {
			return fmt.Errorf("log in as %s: %w (%s)", s.SMTP.Username, err, oauth.LoginAdvice(s.SMTP.OAuth2, "SMTP"))
		}
		return err
	}
	defer c.Close()
	if err := c.Noop(); err != nil {
		return fmt.Errorf("notify: NOOP on %s: %w", s.SMTP.Address, err)
	}
	return c.Quit()
}

func helo(h string) string {
	if h == "" {
		return "localhost"
	}
	return h
}

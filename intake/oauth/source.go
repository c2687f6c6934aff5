// Package oauth gets the OAuth2 access tokens that lexheller logs in to
// IMAP and SMTP with where the mail provider wants a token rather than a
// password (Microsoft 365, Google Workspace, a kommun's own identity
// server), and speaks the SASL mechanisms that carry them, XOAUTH2 and
// OAUTHBEARER (RFC 7628).
//
// A Source fetches the tokens of one account, app-only (no person signs
// in): Entra ID's client-credentials flow with a client secret or a
// certificate (a client assertion signed with the certificate's key,
// private_key_jwt), a Google service account acting for the mailbox's
// user (domain-wide delegation, the JWT-bearer grant), or any token
// endpoint's client credentials. Tokens are kept in memory only, renewed
// before they expire, and dropped when a server refuses one, so that the
// next login fetches a new one; a token endpoint that fails, or a server
// that refuses a fresh token too, is asked again only after a backoff.
// Tokens shares one Source between the mailboxes and the sender.
//
// Advice, CheckClaims and the errors name what an operator must change
// when the token endpoint or the mail server says no: the tenant, admin
// consent, the service principal in Exchange, the mailbox permission,
// the clock. The package reads mail of nobody and never imports notify;
// notify imports it for SMTP.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"lexheller/intake/config"
)

// Token is an access token, when it expires and when it is renewed.
type Token struct {
	Value  string
	Expiry time.Time
	// Renew is when a session logged in with it should log in again
	// with a new one: a while before Expiry.
	Renew time.Time
}

// Source gives the access tokens of one account: it fetches one when it
// has none or the one it has is due for renewal, and gives the same one
// to every caller meanwhile. Make it with NewSource or Tokens.For.
type Source struct {
	// Name says whose tokens these are, in logs and metrics: the client
	// id, or the service account and the user it acts for.
	Name     string
	Provider config.Provider
	// MinBackoff and MaxBackoff bound the wait after a failed fetch, or
	// after a server refused a fresh token too; zero means 1 second and
	// 5 minutes.
	MinBackoff, MaxBackoff time.Duration
	Logger                 *slog.Logger
	// Now is the clock (renewal, client assertions); nil means time.Now.
	Now func() time.Time
	// HTTPClient talks to the token endpoint; nil means one with a 30 s
	// timeout.
	HTTPClient *http.Client

	fetch func(ctx context.Context) (*oauth2.Token, error)

	mu        sync.Mutex
	tok       *oauth2.Token
	renew     time.Time
	wait      chan struct{} // closed when the fetch in flight ends
	lastErr   error         // why the last fetch failed; nil after one that worked
	failSince time.Time
	failUntil time.Time // no fetch before this
	backoff   time.Duration
	refused   int // logins refused in a row

	fetches, failures, refusals atomic.Int64
}

// Status is a source's figures and its problem, for /healthz and
// /metrics.
type Status struct {
	Name                        string
	Fetches, Failures, Refusals int64
	// Problem is why no new token can be had, "" when the last fetch
	// worked: "token endpoint refuses the client: invalid_client: …".
	Problem string
	// Refused says the token endpoint refused the client (its
	// configuration), rather than failing or not answering.
	Refused bool
	Advice  string    // what to do about it
	Since   time.Time // when the problem began
	Expiry  time.Time // of the token held; zero when none
}

// Status returns the source's figures and problem.
func (s *Source) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{Name: s.Name, Fetches: s.fetches.Load(), Failures: s.failures.Load(), Refusals: s.refusals.Load(), Since: s.failSince}
	if s.lastErr != nil {
		st.Problem = s.lastErr.Error()
		var fe *FetchError
		if errors.As(s.lastErr, &fe) {
			st.Advice, st.Refused = fe.advice(s.Provider), fe.Refused()
		}
	}
	if s.tok != nil {
		st.Expiry = s.tok.Expiry
	}
	return st
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Source) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Token returns a token to log in with: the one held while it is not due
// for renewal, else a new one. While the token endpoint fails, a token
// that has not expired yet is still given; after that the fetch's error,
// until the backoff allows another try.
func (s *Source) Token(ctx context.Context) (Token, error) {
	for {
		s.mu.Lock()
		now := s.now()
		if s.tok != nil && now.Before(s.renew) {
			t := s.current()
			s.mu.Unlock()
			return t, nil
		}
		if now.Before(s.failUntil) {
			t, err := s.fallback(now)
			s.mu.Unlock()
			return t, err
		}
		if w := s.wait; w != nil {
			s.mu.Unlock()
			select {
			case <-w:
				continue
			case <-ctx.Done():
				return Token{}, ctx.Err()
			}
		}
		s.wait = make(chan struct{})
		s.mu.Unlock()
		return s.fetchNow(ctx)
	}
}

// fetchNow fetches a token, the only fetch in flight.
func (s *Source) fetchNow(ctx context.Context) (Token, error) {
	hc := s.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	start := s.now()
	tok, err := s.fetch(context.WithValue(ctx, oauth2.HTTPClient, hc))
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.wait)
	s.wait = nil
	now := s.now()
	if err != nil && ctx.Err() != nil {
		return Token{}, ctx.Err() // stopping: not the endpoint's fault
	}
	s.fetches.Add(1)
	if err != nil {
		s.failures.Add(1)
		ferr := newFetchError(err, now)
		if s.lastErr == nil {
			s.failSince = now
		}
		s.lastErr = ferr
		s.backoff = s.nextBackoff()
		s.failUntil = now.Add(s.backoff)
		s.logger().Warn("OAuth2: no token", "account", s.Name, "err", ferr, "what to do", ferr.advice(s.Provider), "next try in", s.backoff)
		return s.fallback(now)
	}
	if tok.Expiry.IsZero() {
		tok.Expiry = now.Add(time.Hour) // the endpoint did not say: assume the usual hour
	}
	life := tok.Expiry.Sub(start)
	s.tok, s.renew = tok, tok.Expiry.Add(-min(5*time.Minute, life/4))
	if s.lastErr != nil {
		s.logger().Info("OAuth2: the token endpoint gives tokens again", "account", s.Name)
	}
	s.lastErr, s.failSince, s.failUntil, s.backoff = nil, time.Time{}, time.Time{}, 0
	s.logger().Debug("OAuth2 token fetched", "account", s.Name, "expires_in", life.Round(time.Second))
	return s.current(), nil
}

// fallback is what Token gives while no new token can be fetched: the
// token held if it has not expired, else the last error. s.mu is held.
func (s *Source) fallback(now time.Time) (Token, error) {
	if s.tok != nil && now.Before(s.tok.Expiry) {
		return s.current(), nil
	}
	err := s.lastErr
	if err == nil {
		err = errors.New("the mail server refused the last two tokens; no new one is asked for yet")
	}
	return Token{}, fmt.Errorf("%w (next try in %s)", err, s.failUntil.Sub(now).Round(100*time.Millisecond))
}

func (s *Source) current() Token {
	return Token{Value: s.tok.AccessToken, Expiry: s.tok.Expiry, Renew: s.renew}
}

func (s *Source) nextBackoff() time.Duration {
	lo, hi := s.MinBackoff, s.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 5 * time.Minute
	}
	return min(max(s.backoff*2, lo), hi)
}

// Invalidate tells the source that a server refused the token value: the
// next Token fetches a new one. When the token refused was itself the one
// fetched after a refusal, the next fetch waits for the backoff: a new
// token will not help a mailbox that refuses the app.
func (s *Source) Invalidate(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals.Add(1)
	if s.tok == nil || s.tok.AccessToken != value {
		return // already replaced
	}
	s.tok = nil
	s.refused++
	if s.refused >= 2 {
		now := s.now()
		s.backoff = s.nextBackoff()
		s.failUntil = now.Add(s.backoff)
		s.logger().Warn("OAuth2: the mail server refused a new token too; waiting before the next", "account", s.Name, "in", s.backoff)
	}
}

// Accepted tells the source that a server took a token: the refusals in
// a row start again from none.
func (s *Source) Accepted() {
	s.mu.Lock()
	s.refused = 0
	s.mu.Unlock()
}

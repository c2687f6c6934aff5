package intake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"lexheller/intake/config"
	"lexheller/intake/oauth"
)

// errRenew ends a session whose token is due for renewal: the watcher
// logs out between batches and logs in again at once with the new
// token, as Exchange Online would otherwise end the session when the
// token expires. Messages are handled as ever (commit before move), so
// nothing is lost or handled twice across the new login.
var errRenew = errors.New("the session's token is due for renewal")

// login logs in with the password, or with a token by the SASL mechanism
// the server offers. A refused token is dropped and the login tried once
// more with a new one; a second refusal is the error (and the token
// source waits before it fetches another).
func (w *Watcher) login(ctx context.Context, c *imapclient.Client) error {
	o := w.IMAP
	if o.Auth != config.AuthOAuth2 {
		if err := c.Login(o.Username, o.Password).Wait(); err != nil {
			return fmt.Errorf("log in as %s: %w", o.Username, err)
		}
		return nil
	}
	src, err := w.tokens()
	if err != nil {
		return err
	}
	mech, err := oauth.Choose(c.Caps().AuthMechanisms(), w.Mechanisms...)
	if err != nil {
		return fmt.Errorf("log in as %s: %w", o.Username, err)
	}
	for try := 0; ; try++ {
		tok, err := src.Token(ctx)
		if err != nil {
			return fmt.Errorf("fetch token: %w", err)
		}
		err = authenticate(c, o, mech, tok.Value)
		if err == nil {
			src.Accepted()
			w.mu.Lock()
			w.token, w.renewAt, w.renewRetry = tok.Value, tok.Renew, 0
			if w.upOnce {
				w.status.ReLogins++
			}
			w.status.Mechanism = mech
			w.mu.Unlock()
			w.logger().Debug("logged in with a token", "mechanism", mech, "user", o.Username, "renew_in", time.Until(tok.Renew).Round(time.Second))
			return nil
		}
		if refusedLogin(err) {
			src.Invalidate(tok.Value)
		}
		if !refusedLogin(err) || try > 0 {
			if cerr := oauth.CheckClaims(tok.Value, o.OAuth2, "IMAP"); cerr != nil && refusedLogin(err) {
				err = fmt.Errorf("%w; %v", err, cerr)
			}
			return fmt.Errorf("log in with %s as %s: %w", mech, o.Username, err)
		}
	}
}

// authenticate runs one SASL exchange with token.
func authenticate(c *imapclient.Client, o config.Server, mech, token string) error {
	host, portStr, _ := net.SplitHostPort(o.Address)
	port, _ := strconv.Atoi(portStr)
	sc := oauth.NewSASL(mech, o.Username, token, host, port)
	err := c.Authenticate(sc)
	var ie *imap.Error
	switch {
	case err == nil:
		return nil
	case sc.ServerError != "" && !(errors.As(err, &ie) && ie.Code == imap.ResponseCodeUnavailable):
		return &tokenRefused{err: err, detail: sc.ServerError}
	case sc.ServerError != "":
		return fmt.Errorf("%w%s", err, sc.Detail())
	}
	return err
}

// tokenRefused is a login the server refused with its JSON error. The
// tagged answer that ends it may be NO, or BAD: go-imap sends an empty
// SASL response as "=", which Dovecot's XOAUTH2 calls invalid base64.
type tokenRefused struct {
	err    error
	detail string
}

func (e *tokenRefused) Error() string { return e.err.Error() + " (the server said " + e.detail + ")" }
func (e *tokenRefused) Unwrap() error { return e.err }

// refusedLogin reports whether the server said no to the credentials, as
// opposed to being unable to check them now ([UNAVAILABLE]).
func refusedLogin(err error) bool {
	var tr *tokenRefused
	var ie *imap.Error
	return errors.As(err, &tr) || errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo && ie.Code != imap.ResponseCodeUnavailable
}

// tokens returns the watcher's token source, making one for its mailbox
// when none was given.
func (w *Watcher) tokens() (*oauth.Source, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.Tokens == nil {
		src, err := oauth.Resolve(w.TokenSources, &w.IMAP, w.Logger)
		if err != nil {
			return nil, err
		}
		w.Tokens = src
	}
	return w.Tokens, nil
}

// renewTimer fires when the session's token is due for renewal; never
// for a password login.
func (w *Watcher) renewTimer() (<-chan time.Time, func() bool) {
	w.mu.Lock()
	at := w.renewAt
	w.mu.Unlock()
	if at.IsZero() {
		return nil, func() bool { return false }
	}
	t := time.NewTimer(time.Until(at))
	return t.C, t.Stop
}

// renewed reports whether a new token is to be had for the session due
// for renewal. When none is (the token endpoint refuses or fails), the
// session goes on with what it has and asks again a little later: the
// server may keep it open, and messages go on being handled.
func (w *Watcher) renewed(ctx context.Context) bool {
	src, err := w.tokens()
	if err != nil {
		return false
	}
	tok, err := src.Token(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err == nil && tok.Value != w.token {
		return true
	}
	// Ask again soon, then less often: each try is also a pass over
	// INBOX.
	w.renewRetry = min(max(w.renewRetry*2, w.BackoffMin, time.Second), time.Minute)
	w.renewAt = time.Now().Add(w.renewRetry)
	if err != nil {
		w.status.LastError = "renewing the token: " + err.Error()
	}
	return false
}

package notify

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"lexheller/intake/config"
	"lexheller/intake/oauth"
)

// dialOAuth2 connects and logs in with a token: XOAUTH2 (go-mail's) where
// the server offers it, else OAUTHBEARER. A refused token is dropped and
// the login tried once more with a new one; a second refusal is the
// error, and the mails wait for their retry.
func (s *Sender) dialOAuth2(ctx context.Context, host string, port int, timeout time.Duration, opts []mail.Option) (*smtp.Client, error) {
	src, err := s.tokens()
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	for try := 0; ; try++ {
		tok, err := src.Token(ctx)
		if err != nil {
			return nil, fmt.Errorf("notify: fetch token: %w", err)
		}
		a := &tokenAuth{user: s.SMTP.Username, token: tok.Value, host: host, port: port, prefer: s.Mechanisms}
		c, err := s.connect(ctx, host, timeout, append(opts[:len(opts):len(opts)], mail.WithSMTPAuthCustom(a)))
		if err == nil {
			src.Accepted()
			s.noteMechanism(a.mech)
			return c, nil
		}
		if a.detail != "" {
			err = fmt.Errorf("%w (the server said %s)", err, a.detail)
		}
		if loginRefused(err) {
			src.Invalidate(tok.Value)
		}
		if !loginRefused(err) || try > 0 {
			if cerr := oauth.CheckClaims(tok.Value, s.SMTP.OAuth2, "SMTP"); cerr != nil && loginRefused(err) {
				err = fmt.Errorf("%w; %v", err, cerr)
			}
			return nil, err
		}
	}
}

func (s *Sender) noteMechanism(mech string) {
	s.mu.Lock()
	changed := s.mechanism != mech
	s.mechanism = mech
	s.mu.Unlock()
	if changed {
		s.logger().Info("SMTP: logging in with a token", "mechanism", mech, "user", s.SMTP.Username, "server", s.SMTP.Address)
	}
}

// tokens returns the sender's token source, making one when none was
// given.
func (s *Sender) tokens() (*oauth.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Tokens == nil {
		src, err := oauth.Resolve(s.TokenSources, &s.SMTP, s.Logger)
		if err != nil {
			return nil, err
		}
		s.Tokens = src
	}
	return s.Tokens, nil
}

// loginRefused reports whether the server refused the login (535; 454
// and the like are temporary).
func loginRefused(err error) bool {
	var tp *textproto.Error
	return errors.As(err, &tp) && tp.Code == 535
}

// tokenAuth is go-mail's smtp.Auth for a token: it picks the mechanism
// from those the server offers in EHLO, uses go-mail's XOAUTH2 or
// OAUTHBEARER (RFC 7628), and keeps the server's JSON error when the
// token is refused.
type tokenAuth struct {
	user, token, host string
	port              int
	prefer            []string

	mech   string
	xoauth smtp.Auth
	bearer *oauth.SASLClient
	detail string
}

func (a *tokenAuth) Start(info *smtp.ServerInfo) (string, []byte, error) {
	mech, err := oauth.Choose(info.Auth, a.prefer...)
	if err != nil {
		return "", nil, err
	}
	a.mech = mech
	if mech == oauth.XOAUTH2 {
		a.xoauth = smtp.XOAuth2Auth(a.user, a.token)
		return a.xoauth.Start(info)
	}
	a.bearer = oauth.NewSASL(mech, a.user, a.token, a.host, a.port)
	return a.bearer.Start()
}

func (a *tokenAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if more {
		a.detail = string(fromServer)
	}
	if a.xoauth != nil {
		return a.xoauth.Next(fromServer, more)
	}
	if !more {
		return nil, nil
	}
	return a.bearer.Next(fromServer)
}

// probeToken is what Probe checks before it connects: with OAuth2, that
// a token can be fetched and says what Exchange wants.
func (s *Sender) probeToken(ctx context.Context) error {
	if s.SMTP.Auth != config.AuthOAuth2 || s.SMTP.Username == "" {
		return nil
	}
	src, err := s.tokens()
	if err != nil {
		return fmt.Errorf("fetch token: %w", err)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		if a := oauth.Advice(err, s.SMTP.OAuth2); a != "" {
			return fmt.Errorf("fetch token: %w (%s)", err, a)
		}
		return fmt.Errorf("fetch token: %w", err)
	}
	if err := oauth.CheckClaims(tok.Value, s.SMTP.OAuth2, "SMTP"); err != nil {
		return fmt.Errorf("check token: %w", err)
	}
	return nil
}

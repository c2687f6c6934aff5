package oauth

import (
	"log/slog"
	"sync"

	"lexheller/intake/config"
)

// Tokens holds a deployment's token sources, one per account, so that
// the mailboxes and the sender that use the same app share its token.
// The zero value is ready to use.
type Tokens struct {
	Logger *slog.Logger
	// Configure, when set, is called with each new source (tests set
	// its backoff).
	Configure func(*Source)

	mu      sync.Mutex
	sources []*Source
	byKey   map[tokenKey]*Source
}

type tokenKey struct {
	o       *config.OAuth2
	subject string
}

// For returns the source of server s's tokens (s.Auth is oauth2).
func (t *Tokens) For(s *config.Server) (*Source, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := tokenKey{o: s.OAuth2}
	if s.OAuth2 != nil && s.OAuth2.Provider == config.Google {
		k.subject = s.Username
		if s.OAuth2.User != "" {
			k.subject = s.OAuth2.User
		}
	}
	if src := t.byKey[k]; src != nil {
		return src, nil
	}
	src, err := NewSource(s.OAuth2, k.subject)
	if err != nil {
		return nil, err
	}
	src.Logger = t.Logger
	if t.Configure != nil {
		t.Configure(src)
	}
	if t.byKey == nil {
		t.byKey = map[tokenKey]*Source{}
	}
	t.byKey[k] = src
	t.sources = append(t.sources, src)
	return src, nil
}

// Resolve returns the source of server s's tokens: t's, shared per
// account, or, with no t, one of its own logging to log.
func Resolve(t *Tokens, s *config.Server, log *slog.Logger) (*Source, error) {
	if t == nil {
		t = &Tokens{Logger: log}
	}
	return t.For(s)
}

// All returns every source made so far.
func (t *Tokens) All() []*Source {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]*Source(nil), t.sources...)
}

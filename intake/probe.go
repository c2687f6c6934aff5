package intake

import (
	"context"
	"fmt"

	"lexheller/intake/config"
	"lexheller/intake/oauth"
)

// Probe does what a watcher does first, once, and says which step failed:
// with OAuth2, fetch a token and check what it says (a Microsoft token's
// audience, tenant and permissions); connect (and TLS), log in, select
// the mailbox, list the folders. It touches no message. The error carries
// Advice where there is some.
func Probe(ctx context.Context, o config.Server) error {
	w := &Watcher{IMAP: o}
	step := func(name string, err error) error {
		if err == nil {
			return nil
		}
		if name != "" {
			err = fmt.Errorf("%s: %w", name, err)
		}
		if a := Advice(err, o); a != "" {
			return fmt.Errorf("%w (%s)", err, a)
		}
		return err
	}
	if o.Auth == config.AuthOAuth2 {
		src, err := w.tokens()
		if err != nil {
			return step("fetch token", err)
		}
		tok, err := src.Token(ctx)
		if err != nil {
			return step("fetch token", err)
		}
		if err := oauth.CheckClaims(tok.Value, o.OAuth2, "IMAP"); err != nil {
			return fmt.Errorf("check token: %w", err)
		}
	}
	c, err := w.dial()
	if err != nil {
		return step("connect to "+o.Address, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := w.login(ctx, c); err != nil {
		return step("", err) // it names the step: fetch token, log in as …
	}
	mailbox := o.Mailbox
	if mailbox == "" {
		mailbox = "INBOX"
	}
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		return step("select "+mailbox, err)
	}
	if _, err := c.List("", "*", nil).Collect(); err != nil {
		return step("list folders", err)
	}
	return step("log out", c.Logout().Wait())
}

package intake

import (
	"context"
	"fmt"

	"lexheller/intake/config"
)

// Probe does what a watcher does first, once, and says which step failed:
// connect (and TLS), log in, select the mailbox, list the folders. It
// touches no message. The error carries Advice where there is some.
func Probe(ctx context.Context, o config.Server) error {
	w := &Watcher{IMAP: o}
	step := func(name string, err error) error {
		if err == nil {
			return nil
		}
		if a := Advice(err, o); a != "" {
			return fmt.Errorf("%s: %w (%s)", name, err, a)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	c, err := w.dial()
	if err != nil {
		return step("connect to "+o.Address, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(o.Username, o.Password).Wait(); err != nil {
		return step("log in as "+o.Username, err)
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

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"lexheller/intake"
	"lexheller/intake/config"
	"lexheller/notify"
)

func cmdCheckConfig(args []string, std stdio) error {
	c := newCLI("check-config", std, false)
	probe := c.Bool("probe", false, "also log in to the IMAP and SMTP servers (nothing is read or sent)")
	if err := c.parse(args, 1, "the config file"); err != nil {
		return err
	}
	c.config = c.Arg(0)
	if err := c.deployment(); err != nil {
		return err
	}
	if err := c.print("check_config", data{"Path": c.Arg(0), "Config": c.cfg}); err != nil || !*probe {
		return err
	}
	return c.probeServers(c.cfg)
}

// probeServers logs in to every mailbox and the SMTP server of cfg and
// says, for each, that it works or which step failed.
func (c *cli) probeServers(cfg *config.Config) error {
	ctx, cancel := context.WithTimeout(c.ctx, time.Minute)
	defer cancel()
	failed, printed := 0, error(nil)
	report := func(m config.Mailbox, imap bool, err error) {
		if err != nil {
			failed++
		}
		printed = errors.Join(printed, c.print("probe",
			data{"IMAP": imap, "Name": m.Name, "Address": m.Address, "Username": m.Username, "Err": err}))
	}
	for _, m := range cfg.Mailboxes() {
		if m.Address != "" {
			report(m, true, intake.Probe(ctx, *m.Server))
		}
	}
	report(config.Mailbox{Server: &cfg.SMTP}, false, notify.NewSender(cfg, nil, nil, nil).Probe(ctx))
	if failed > 0 {
		return fmt.Errorf("%d of the servers could not be reached or refused the login", failed)
	}
	return printed
}

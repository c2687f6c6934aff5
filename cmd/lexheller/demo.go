package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
)

// cmdDemo plays one case's life on a fresh dev mail system, through the
// same daemon as in production, and prints every mail and the case.
func cmdDemo(args []string, std stdio) error {
	c := newCLI("demo", std, false)
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "lexheller-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, srv, err := devmail.StartDemo(dir)
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := c.use(cfg); err != nil {
		return err
	}
	if err := c.print("demo_start", data{"IMAP": srv.IMAPAddr, "SMTP": srv.SMTPAddr}); err != nil {
		return err
	}
	a, err := newApp(c.ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(c.ctx)
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	stop := func() error {
		cancel()
		defer a.close()
		return <-done
	}
	d := &devmail.Demo{Out: std.out, Server: srv, Domain: srv.Domain}
	caseID, err := d.Play(cfg.Address, cfg.Forbund[0].ProcessLeaders[0])
	if err != nil {
		stop()
		return fmt.Errorf("demo: %w", err)
	}
	if err := stop(); err != nil {
		return err
	}
	st, err := store.Open(c.ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := st.CaseRecord(c.ctx, caseID)
	if err != nil {
		return err
	}
	if err := c.print("demo_case", data{"Step": d.Steps() + 1, "ID": caseID}); err != nil {
		return err
	}
	return c.print("case", r)
}

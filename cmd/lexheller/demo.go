package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/devmail"
)

// cmdDemo plays one case's life on a fresh dev mail system, through the
// same daemon as in production, and prints every mail and the case.
func cmdDemo(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return errors.New("demo: takes no arguments")
	}
	dir, err := os.MkdirTemp("", "lexheller-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, err := config.Default()
	if err != nil {
		return err
	}
	_, domain, _ := strings.Cut(cfg.Address, "@")
	srv, err := devmail.Start(devmail.Options{Domain: domain})
	if err != nil {
		return err
	}
	defer srv.Close()
	cfg.IMAP.Address, cfg.SMTP.Address = srv.IMAPAddr, srv.SMTPAddr
	cfg.Database, cfg.HTTP.Address = filepath.Join(dir, "demo.db"), "off"
	cfg.IMAP.PollInterval.Duration = 100 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		return err
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	stop := func() error {
		cancel()
		err := <-done
		a.close()
		return err
	}

	d := &devmail.Demo{Out: stdout, Server: srv, Domain: domain}
	fmt.Fprintf(stdout, "Lex Heller, demo: ett ärendes liv på några sekunder, genom samma daemon som i drift.\n"+
		"E-post på en inbyggd e-postserver (IMAP %s, SMTP %s).\n", srv.IMAPAddr, srv.SMTPAddr)
	caseID, err := d.Play(cfg.Address, cfg.Forbund[0].ProcessLeaders[0])
	if err != nil {
		stop()
		return fmt.Errorf("demo: %w", err)
	}
	if err := stop(); err != nil {
		return err
	}
	st, err := openStore(context.Background(), &storeSel{db: cfg.Database})
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "\n%d. Ärendet i Lex Heller (lexheller case show %s)\n\n", d.Steps()+1, caseID)
	return printCase(context.Background(), st, caseID, stdout)
}

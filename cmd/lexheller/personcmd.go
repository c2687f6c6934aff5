package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"lexheller/intake/store"
)

// osUser is who runs the command, for the audit log: the user sudo was
// run by, if any.
func osUser() string {
	if u := os.Getenv("SUDO_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

// audit records that the command line showed personal data.
func audit(ctx context.Context, st *store.Store, action, detail string) error {
	if err := st.Audit(ctx, store.AuditRecord{At: time.Now(), OSUser: osUser(), Action: action, Detail: detail}); err != nil {
		return fmt.Errorf("audit log: %w (nothing shown)", err)
	}
	return nil
}

// cmdPerson runs "person export|erase ADDRESS".
func cmdPerson(args []string, std stdio) error {
	if len(args) == 0 || args[0] != "export" && args[0] != "erase" {
		return errors.New("person: write person export ADDRESS or person erase ADDRESS")
	}
	verb := args[0]
	c := newCLI("person "+verb, std, true)
	name := c.String("name", "", "the person's name, also looked for in free text")
	asJSON := c.Bool("json", false, "print JSON (export)")
	caseID := c.String("case", "", "only this case (erase)")
	dryRun := c.Bool("dry-run", false, "print what would change, change nothing (erase)")
	if err := c.parse(args[1:], 1, "one e-mail address"); err != nil {
		return err
	}
	addr := c.Arg(0)
	if !strings.Contains(addr, "@") {
		return fmt.Errorf("person %s: name one e-mail address", verb)
	}
	if verb == "erase" {
		a, err := c.openApp(false)
		if err != nil {
			return err
		}
		defer a.close()
		e, err := a.processor.ErasePerson(c.ctx, addr, *name, *caseID, *dryRun, time.Now())
		if err != nil {
			return err
		}
		if !*dryRun {
			if err := audit(c.ctx, a.store, "person erase "+addr, fmt.Sprintf("%d cases, %d messages, %d mails", len(e.Cases), e.Messages, e.Mails)); err != nil {
				return err
			}
		}
		return c.print("erasure", e)
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.Person(c.ctx, addr, *name)
	if err != nil {
		return err
	}
	if err := audit(c.ctx, st, "person export "+addr, *name); err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(p)
	}
	return c.print("person", struct {
		*store.PersonData
		Now time.Time
	}{p, time.Now()})
}

// cmdAudit prints who looked at personal data from the command line.
func cmdAudit(args []string, std stdio) error {
	c := newCLI("audit", std, true)
	since := c.date("since", "only records on or after this date (2026-11-01)")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	recs, err := st.AuditLog(c.ctx, *since)
	if err != nil {
		return err
	}
	return c.print("audit", recs)
}

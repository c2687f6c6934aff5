package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"lexheller/intake/casework"
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
func cmdPerson(args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "export" && args[0] != "erase" {
		return errors.New("person: write person export ADDRESS or person erase ADDRESS")
	}
	verb := args[0]
	fs := flag.NewFlagSet("person "+verb, flag.ContinueOnError)
	sf := storeFlags(fs)
	name := fs.String("name", "", "the person's name, also looked for in free text")
	asJSON := fs.Bool("json", false, "print JSON (export)")
	caseID := fs.String("case", "", "only this case (erase)")
	dryRun := fs.Bool("dry-run", false, "print what would change, change nothing (erase)")
	if err := fs.Parse(reorder(args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 || !strings.Contains(fs.Arg(0), "@") {
		return fmt.Errorf("person %s: name one e-mail address", verb)
	}
	addr := fs.Arg(0)
	ctx := context.Background()
	if verb == "erase" {
		a, err := openApp(ctx, sf)
		if err != nil {
			return err
		}
		defer a.close()
		e, err := a.processor.ErasePerson(ctx, addr, *name, *caseID, *dryRun, time.Now())
		if err != nil {
			return err
		}
		if !*dryRun {
			if err := audit(ctx, a.store, "person erase "+addr, fmt.Sprintf("%d cases, %d messages, %d mails", len(e.Cases), e.Messages, e.Mails)); err != nil {
				return err
			}
		}
		printErasure(stdout, e)
		return nil
	}
	st, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.Person(ctx, addr, *name)
	if err != nil {
		return err
	}
	if err := audit(ctx, st, "person export "+addr, *name); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	printPerson(stdout, p)
	return nil
}

// printErasure says what an erasure changed (or, in a dry run, would
// change), in Swedish for the registrator.
func printErasure(w io.Writer, e *casework.Erasure) {
	verb := "Raderat"
	if e.DryRun {
		verb = "Provkörning, inget ändrat. Skulle radera"
	}
	fmt.Fprintf(w, "%s för %s:\n", verb, e.Address)
	if len(e.Cases) == 0 {
		fmt.Fprintln(w, "  inga uppgifter i något ärende")
	}
	for _, c := range e.Cases {
		fmt.Fprintf(w, "  %s: %d fält och texter, %d råa mejl, %d bilagor, %d skickade mejl, %d händelser\n",
			c.Case, c.Fields, c.RawMessages, c.Attachments, c.MailBodies, c.Events)
	}
	fmt.Fprintf(w, "  mejl från adressen: %d, mejl till adressen: %d\n", e.Messages, e.Mails)
	if !e.DryRun {
		fmt.Fprintln(w, "Statistiken (datum, parter, nivå, teman, förbund) finns kvar; varje ärende har fått en händelse om raderingen.")
	}
}

// printPerson prints what is stored about a person, for a registrator to
// hand over.
func printPerson(w io.Writer, p *store.PersonData) {
	who := p.Address
	if p.Name != "" {
		who = p.Name + " <" + p.Address + ">"
	}
	fmt.Fprintf(w, "Uppgifter om %s i Lex Heller, %s\n\n", who, time.Now().Format(time.DateOnly))
	fmt.Fprintf(w, "Ärenden: %d\n", len(p.Cases))
	for _, c := range p.Cases {
		fmt.Fprintf(w, "\n%s (%s), mottaget %s\n", c.ID, c.Forbund, c.CreatedAt.Format(time.DateOnly))
		for _, f := range [][2]string{{"Anmälare", c.ReporterName}, {"Organisation", c.ReporterOrg}, {"E-post", c.ReporterEmail},
			{"Telefon", c.ReporterPhone}, {"Vad hände?", c.Description}, {"Konsekvens", c.Consequence}, {"Förslag", c.Suggestion}} {
			if f[1] != "" {
				fmt.Fprintf(w, "  %s: %s\n", f[0], indentBy(f[1], "    "))
			}
		}
		if c.ScrubbedAt != nil {
			fmt.Fprintf(w, "  (personuppgifterna gallrade %s)\n", c.ScrubbedAt.Format(time.DateOnly))
		}
	}
	fmt.Fprintf(w, "\nMejl från personen: %d\n", len(p.Messages))
	for _, m := range p.Messages {
		fmt.Fprintf(w, "  %s  %-13s  %s\n", m.ReceivedAt.Format(time.DateOnly), m.CaseID, m.Subject)
	}
	fmt.Fprintf(w, "\nMejl till personen: %d\n", len(p.Mails))
	for _, m := range p.Mails {
		fmt.Fprintf(w, "\n  %s  %-13s  %s\n", m.CreatedAt.Format(time.DateOnly), m.CaseID, m.Subject)
		if m.Body != "" {
			fmt.Fprintf(w, "    %s\n", indentBy(strings.TrimSpace(m.Body), "    "))
		}
	}
	if len(p.Attachments) > 0 {
		fmt.Fprintf(w, "\nBilagor från personen: %d\n", len(p.Attachments))
		for _, a := range p.Attachments {
			fmt.Fprintf(w, "  %-13s  %s (%s, %d byte)\n", a.CaseID, a.Filename, a.ContentType, a.Size)
		}
	}
	if len(p.Partial) > 0 {
		fmt.Fprintf(w, "\nOfullständiga anmälningar som väntar på resten: %d\n", len(p.Partial))
		for _, t := range p.Partial {
			fmt.Fprintf(w, "    %s\n", indentBy(strings.TrimSpace(t), "    "))
		}
	}
	fmt.Fprintf(w, "\nHändelser där personen förekommer: %d\n", len(p.Events))
	for _, e := range p.Events {
		fmt.Fprintf(w, "  %s  %-13s  %s\n", e.At.Format(time.DateOnly), e.CaseID, e.Summary)
		if e.Body != "" {
			fmt.Fprintf(w, "    %s\n", indentBy(strings.TrimSpace(e.Body), "    "))
		}
	}
}

// cmdAudit prints who looked at personal data from the command line.
func cmdAudit(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	sf := storeFlags(fs)
	since := fs.String("since", "", "only records on or after this date (2026-11-01)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		t, err := time.Parse(time.DateOnly, *since)
		if err != nil {
			return fmt.Errorf("--since %q: write a date like 2026-11-01", *since)
		}
		from = t
	}
	ctx := context.Background()
	st, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	recs, err := st.AuditLog(ctx, from)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintln(stdout, "Inga uppslag.")
		return nil
	}
	for _, r := range recs {
		fmt.Fprintf(stdout, "%s  %-12s  %s", r.At.Local().Format("2006-01-02 15:04:05"), r.OSUser, r.Action)
		if r.Detail != "" {
			fmt.Fprintf(stdout, "  (%s)", r.Detail)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

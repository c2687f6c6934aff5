package main

import (
	"errors"
	"fmt"
	"strings"

	"lexheller/intake/casework"
	"lexheller/intake/store"
)

func cmdCases(args []string, std stdio) error {
	c := newCLI("cases", std, true)
	asJSON := c.Bool("json", false, "print JSON")
	status := c.String("status", "", "only cases with this status")
	forbund := c.String("forbund", "", "only this förbund (slug)")
	party := c.String("party", "", "only cases concerning this party")
	since := c.date("since", "only cases received on or after this date (2026-11-01)")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	cases, err := st.Cases(c.ctx, store.CaseFilter{Status: *status, Forbund: *forbund, Party: *party, Since: *since})
	if err != nil {
		return err
	}
	if !*asJSON {
		return c.print("cases", cases)
	}
	// The JSON carries the reporters' names and addresses.
	if err := audit(c.ctx, st, "cases --json", fmt.Sprintf("%d cases", len(cases))); err != nil {
		return err
	}
	return c.printJSON(append([]*store.Case{}, cases...)) // [] for none
}

func cmdCase(args []string, std stdio) error {
	if len(args) == 0 {
		return errors.New("case: write \"lexheller case show ID\" (or set, forward, feedback, note, close, reopen)")
	}
	if args[0] != "show" {
		return cmdCaseAct(args[0], args[1:], std)
	}
	c := newCLI("case show", std, true)
	asJSON := c.Bool("json", false, "print JSON")
	if err := c.parse(args[1:], 1, "one case, e.g. LH-2026-0042"); err != nil {
		return err
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	id := strings.ToUpper(c.Arg(0))
	r, err := st.CaseRecord(c.ctx, id)
	if err != nil {
		return err
	}
	if err := audit(c.ctx, st, "case show "+id, ""); err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(r)
	}
	return c.print("case", r)
}

func cmdSimilar(args []string, std stdio) error {
	c := newCLI("similar", std, true)
	asJSON := c.Bool("json", false, "print JSON")
	if err := c.parse(args, 1, "one case, e.g. LH-2026-0042"); err != nil {
		return err
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	cs, err := st.Case(c.ctx, strings.ToUpper(c.Arg(0)))
	if err != nil {
		return err
	}
	out, of, err := casework.SimilarTo(c.ctx, st, cs, 10)
	if err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(out)
	}
	return c.print("similar", data{"Case": cs, "Of": of, "Matches": out})
}

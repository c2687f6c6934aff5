package main

import (
	"lexheller/intake/classify"
	"lexheller/intake/config"
	"lexheller/intake/ident"
)

// cmdInspect shows how one raw message would be handled, for the
// deployment of --config (or the built-in default's); with --db, the
// references are looked up in that store. Nothing is changed or sent.
func cmdInspect(args []string, std stdio) error {
	c := newCLI("inspect", std, true)
	asJSON := c.Bool("json", false, "print the JSON object of the inspect contract")
	if err := c.parse(args, 1, "one file, or - for standard input"); err != nil {
		return err
	}
	raw, err := c.readText(c.Arg(0))
	if err != nil {
		return err
	}
	if err := c.deployment(); err != nil {
		return err
	}
	if c.cfg == nil { // the built-in default's deployment, with the built-in texts
		if c.cfg, err = config.Default(); err != nil {
			return err
		}
	}
	signer := &ident.Signer{Domain: c.cfg.Domain, Prefix: c.cfg.CasePrefix}
	var lookup classify.Lookup
	if c.db != "" {
		st, err := c.openStore()
		if err != nil {
			return err
		}
		defer st.Close()
		if signer.Key, err = st.SigningKey(c.ctx, ident.NewKey); err != nil {
			return err
		}
		lookup = st
	}
	rep, err := classify.Inspect(c.ctx, []byte(raw), classify.OptionsFor(c.cfg, signer), lookup)
	if err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(rep)
	}
	return c.print("inspect", rep)
}

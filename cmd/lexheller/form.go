package main

import (
	"io"

	"lexheller/templates"
)

// cmdForm prints the blank form.
func cmdForm(args []string, std stdio) error {
	c := newCLI("form", std, false)
	lang := c.String("lang", "sv", "sv or en")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	t, err := templates.Load("")
	if err != nil {
		return err
	}
	_, err = io.WriteString(std.out, t.Form(*lang))
	return err
}

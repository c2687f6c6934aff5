package main

import (
	"io"

	"lexheller/intake/docx"
	"lexheller/templates"
)

// cmdForm prints the blank form, or writes it as a Word document; with
// the deployment's config, the web form's address goes with it.
func cmdForm(args []string, std stdio) error {
	c := newCLI("form", std, true)
	lang := c.String("lang", "sv", "sv or en")
	docxPath := c.String("docx", "", "write the blanket as a Word document (content controls named after the labels) to this file")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	t, err := templates.Load("")
	if err != nil {
		return err
	}
	if *docxPath != "" {
		return docx.BlankFile(*docxPath, t.Form(*lang), *lang)
	}
	if _, err = io.WriteString(std.out, t.Form(*lang)); err != nil || c.deployment() != nil || c.cfg == nil || c.cfg.Web.PublicURL == "" {
		return err
	}
	c.lang = *lang
	return c.print("form_url", data{"URL": c.cfg.Web.PublicURL})
}

package main

import (
	"io"

	"lexheller/intake/docx"
	"lexheller/templates"
)

// cmdForm prints the blank form, or writes it as a Word document.
func cmdForm(args []string, std stdio) error {
	c := newCLI("form", std, false)
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
	_, err = io.WriteString(std.out, t.Form(*lang))
	return err
}

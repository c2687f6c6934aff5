package main

import (
	"fmt"
	"path/filepath"
	"time"

	"lexheller/intake/legacy"
	"lexheller/notify/publish"
	"lexheller/notify/report"
)

func cmdReport(args []string, std stdio) error {
	c := newCLI("report", std, true)
	from := c.date("from", "first day (2026-01-01; default: a year before --to)")
	to := c.date("to", "last day, included (default: today)")
	forbund := c.String("forbund", "", "only these förbund (slugs, comma-separated)")
	format := c.String("format", "text", "text, csv, xlsx or html")
	out := c.String("out", "", "write to this file (default: standard output; xlsx needs a file)")
	lang := c.String("lang", "", "sv or en (default: the config's language, else sv)")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	o := report.Options{From: *from, To: *to, Forbund: words(*forbund)}
	if !o.To.IsZero() {
		o.To = o.To.AddDate(0, 0, 1) // the last day is included
	}
	if *format == "xlsx" && *out == "" {
		return fmt.Errorf("report: --format xlsx needs --out FILE.xlsx")
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if c.cfg != nil {
		o.ForbundNames = c.cfg.ForbundNames() // else the report shows the slugs
	}
	if *lang != "" {
		c.lang = *lang
	}
	o.Lang, o.Pages = c.lang, c.pages()
	r, err := report.FromStore(c.ctx, st, o, time.Now())
	if err != nil {
		return err
	}
	if *out == "" {
		return r.Write(std.out, *format)
	}
	if err := r.WriteFile(*out, *format, 0o640); err != nil {
		return err
	}
	return c.print("report_written", data{"Period": r.Period(), "Total": r.Total, "File": *out})
}

func cmdPublish(args []string, std stdio) error {
	c := newCLI("publish", std, true)
	out := c.String("out", "", "the site's directory (written in place)")
	title := c.String("title", "", "the site's title (default: \"Besvarade avvikelser – Lex Heller\" in Swedish)")
	baseURL := c.String("base-url", "", "where the site is served, for the feed's links")
	lang := c.String("lang", "", "sv or en (default: the config's language, else sv)")
	follow := c.Bool("follow-symlink-dir", false, "write the site even when --out is a symbolic link")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("publish: give --out DIR")
	}
	st, err := c.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if *lang != "" {
		c.lang = *lang
	}
	if *title == "" {
		*title = c.text("site_title")
	}
	pub, err := publish.Published(c.ctx, st, c.lang)
	if err != nil {
		return err
	}
	if err := publish.WriteOptions(*out, publish.Site{Title: *title, BaseURL: *baseURL, Lang: c.lang}, pub,
		publish.Options{FollowSymlinkDir: *follow, Pages: c.pages()}); err != nil {
		return err
	}
	return c.print("published", data{"N": len(pub), "Dir": *out})
}

func cmdImport(args []string, std stdio) error {
	c := newCLI("import", std, true)
	mapPath := c.String("map", "", "a mapping file: [columns] \"Header\" = \"field\"")
	forbund := c.String("forbund", "", "the förbund of rows that name none (slug)")
	sheet := c.String("sheet", "", "the XLSX sheet (default: the first)")
	dryRun := c.Bool("dry-run", false, "read and check everything, store nothing")
	if err := c.parse(args, 1, "one file, FILE.xlsx or FILE.csv"); err != nil {
		return err
	}
	if c.config == "" && !c.dev {
		return errNeedsConfig
	}
	file := c.Arg(0)
	mapping, err := legacy.LoadMapping(*mapPath)
	if err != nil {
		return err
	}
	o := legacy.Options{Mapping: mapping, Forbund: *forbund, Now: time.Now()}
	rows, err := legacy.Read(file, *sheet)
	if err != nil {
		return err
	}
	a, err := c.openApp(true)
	if err != nil {
		return err
	}
	defer a.close()
	if o.Forbund == "" && len(a.cfg.Forbund) == 1 {
		o.Forbund = a.cfg.Forbund[0].Slug
	}
	recs, problems := legacy.Map(rows, o)
	source := filepath.Base(file)
	res, err := a.processor.Import(c.ctx, recs, source, *dryRun)
	if err != nil {
		return err
	}
	return c.print("import", data{"Source": source, "Rows": len(rows) - 1, "Created": res.Created, "Again": res.Again,
		"Problems": problems, "DryRun": *dryRun})
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"lexheller/intake/store"
	"lexheller/notify/publish"
	"lexheller/notify/report"
	"lexheller/templates"
)

// buildReport reads every case and forward and counts them.
func buildReport(ctx context.Context, st *store.Store, o report.Options, now time.Time) (*report.Report, error) {
	cases, err := st.Cases(ctx, store.CaseFilter{})
	if err != nil {
		return nil, err
	}
	fws, err := st.AllForwards(ctx)
	if err != nil {
		return nil, err
	}
	return report.Build(cases, fws, o, now), nil
}

func cmdReport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	dbPath := fs.String("db", "", "database file")
	configPath := fs.String("config", os.Getenv("LEXHELLER_CONFIG"), "config file")
	fromS := fs.String("from", "", "first day (2026-01-01; default: a year before --to)")
	toS := fs.String("to", "", "last day, included (default: today)")
	forbund := fs.String("forbund", "", "only these förbund (slugs, comma-separated)")
	format := fs.String("format", "text", "text, csv, xlsx or html")
	out := fs.String("out", "", "write to this file (default: standard output; xlsx needs a file)")
	lang := fs.String("lang", "sv", "sv or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := report.Options{Lang: *lang}
	day := func(flag, s string) (time.Time, error) {
		t, err := time.ParseInLocation(time.DateOnly, s, templates.Stockholm)
		if err != nil {
			return t, fmt.Errorf("--%s %q: write a date like 2026-01-31", flag, s)
		}
		return t, nil
	}
	var err error
	if *toS != "" {
		if o.To, err = day("to", *toS); err != nil {
			return err
		}
		o.To = o.To.AddDate(0, 0, 1) // the last day is included
	}
	if *fromS != "" {
		if o.From, err = day("from", *fromS); err != nil {
			return err
		}
	}
	if *forbund != "" {
		for _, f := range strings.Split(*forbund, ",") {
			o.Forbund = append(o.Forbund, strings.TrimSpace(f))
		}
	}
	if *format == "xlsx" && *out == "" {
		return fmt.Errorf("report: --format xlsx needs --out FILE.xlsx")
	}
	ctx := context.Background()
	st, err := openStore(ctx, *dbPath, *configPath)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := buildReport(ctx, st, o, time.Now())
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	switch *format {
	case "text":
		err = r.Text(w)
	case "csv":
		err = r.CSV(w)
	case "xlsx":
		err = r.XLSX(w)
	case "html":
		err = r.HTML(w)
	default:
		return fmt.Errorf("report: --format %q: write text, csv, xlsx or html", *format)
	}
	if err == nil && *out != "" {
		fmt.Fprintf(stdout, "Rapporten (%s, %d ärenden) är skriven till %s.\n", r.Period(), r.Total, *out)
	}
	return err
}

func cmdPublish(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	dbPath := fs.String("db", "", "database file")
	configPath := fs.String("config", os.Getenv("LEXHELLER_CONFIG"), "config file")
	out := fs.String("out", "", "the site's directory (written in place)")
	title := fs.String("title", "Besvarade avvikelser – Lex Heller", "the site's title")
	baseURL := fs.String("base-url", "", "where the site is served, for the feed's links")
	lang := fs.String("lang", "sv", "sv or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("publish: give --out DIR")
	}
	ctx := context.Background()
	st, err := openStore(ctx, *dbPath, *configPath)
	if err != nil {
		return err
	}
	defer st.Close()
	cases, err := st.Cases(ctx, store.CaseFilter{})
	if err != nil {
		return err
	}
	var pub []publish.Case
	for _, c := range cases {
		if !c.PublishOK || !c.Publish {
			continue
		}
		fws, err := st.Forwards(ctx, c.ID)
		if err != nil {
			return err
		}
		if publish.Eligible(c, fws) {
			pub = append(pub, publish.FromStore(c, fws, *lang))
		}
	}
	if err := publish.Write(*out, publish.Site{Title: *title, BaseURL: *baseURL, Lang: *lang}, pub); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d ärenden publicerade i %s (index.html, feed.xml).\n", len(pub), *out)
	return nil
}

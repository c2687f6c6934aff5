package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/legacy"
	"lexheller/intake/store"
	"lexheller/notify/publish"
	"lexheller/notify/report"
	"lexheller/templates"
)

func cmdReport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	sf := storeFlags(fs)
	fromS := fs.String("from", "", "first day (2026-01-01; default: a year before --to)")
	toS := fs.String("to", "", "last day, included (default: today)")
	forbund := fs.String("forbund", "", "only these förbund (slugs, comma-separated)")
	format := fs.String("format", "text", "text, csv, xlsx or html")
	out := fs.String("out", "", "write to this file (default: standard output; xlsx needs a file)")
	lang := fs.String("lang", "sv", "sv or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := report.Options{Lang: *lang, ForbundNames: forbundNames(sf)}
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
	st, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := report.FromStore(ctx, st, o, time.Now())
	if err != nil {
		return err
	}
	render := func(w io.Writer) error {
		switch *format {
		case "text":
			return r.Text(w)
		case "csv":
			return r.CSV(w)
		case "xlsx":
			return r.XLSX(w)
		case "html":
			return r.HTML(w)
		}
		return fmt.Errorf("report: --format %q: write text, csv, xlsx or html", *format)
	}
	if *out == "" {
		err = render(stdout)
	} else {
		err = writeFileAtomic(*out, 0o640, render)
	}
	if err == nil && *out != "" {
		fmt.Fprintf(stdout, "Rapporten (%s, %d ärenden) är skriven till %s.\n", r.Period(), r.Total, *out)
	}
	return err
}

func cmdPublish(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	sf := storeFlags(fs)
	out := fs.String("out", "", "the site's directory (written in place)")
	title := fs.String("title", "Besvarade avvikelser – Lex Heller", "the site's title")
	baseURL := fs.String("base-url", "", "where the site is served, for the feed's links")
	lang := fs.String("lang", "sv", "sv or en")
	follow := fs.Bool("follow-symlink-dir", false, "write the site even when --out is a symbolic link")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("publish: give --out DIR")
	}
	ctx := context.Background()
	st, err := openStore(ctx, sf)
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
	if err := publish.WriteOptions(*out, publish.Site{Title: *title, BaseURL: *baseURL, Lang: *lang}, pub,
		publish.Options{FollowSymlinkDir: *follow}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d ärenden publicerade i %s (index.html, feed.xml).\n", len(pub), *out)
	return nil
}

func cmdImport(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	sf := storeFlags(fs)
	mapPath := fs.String("map", "", "a mapping file: [columns] \"Header\" = \"field\"")
	forbund := fs.String("forbund", "", "the förbund of rows that name none (slug)")
	sheet := fs.String("sheet", "", "the XLSX sheet (default: the first)")
	dryRun := fs.Bool("dry-run", false, "read and check everything, store nothing")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import: name one file, FILE.xlsx or FILE.csv")
	}
	if sf.config == "" && !sf.dev {
		return errNeedsConfig
	}
	file := fs.Arg(0)
	o := legacy.Options{Forbund: *forbund, Now: time.Now()}
	if *mapPath != "" {
		m, err := legacy.LoadMapping(*mapPath)
		if err != nil {
			return err
		}
		o.Mapping = m
	}
	rows, err := legacy.Read(file, *sheet)
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := openAppCreate(ctx, sf, true)
	if err != nil {
		return err
	}
	defer a.close()
	if o.Forbund == "" && len(a.cfg.Forbund) == 1 {
		o.Forbund = a.cfg.Forbund[0].Slug
	}
	recs, problems := legacy.Map(rows, o)
	source := filepath.Base(file)
	res, err := a.processor.Import(ctx, recs, source, *dryRun)
	if err != nil {
		return err
	}
	created, again := res.Created, res.Again
	verb := "importerade"
	if *dryRun {
		verb = "skulle importeras (--dry-run: inget sparat)"
	}
	fmt.Fprintf(stdout, "%s: %d rader lästa, %d ärenden %s, %d redan importerade, %d problem.\n",
		source, len(rows)-1, len(created), verb, len(again), len(problems))
	for _, l := range created {
		fmt.Fprintln(stdout, "  "+l)
	}
	for _, l := range again {
		fmt.Fprintln(stdout, "  "+l)
	}
	if len(problems) > 0 {
		fmt.Fprintln(stdout, "Det här gick inte att läsa:")
		for _, p := range problems {
			fmt.Fprintln(stdout, "  "+p.String())
		}
	}
	return nil
}

// writeFileAtomic writes path through a new file created exclusively in
// its directory and renamed into place: a symbolic link planted at path or
// at the temporary name is replaced, never written through, and a reader
// never sees half a file.
func writeFileAtomic(path string, mode os.FileMode, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // gone after the rename
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// forbundNames maps the configured förbund's slugs to their names, for a
// report; with no config the report shows the slugs.
func forbundNames(sel *storeSel) map[string]string {
	if sel.config == "" {
		return nil
	}
	cfg, err := config.Load(sel.config)
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for _, f := range cfg.Forbund {
		m[f.Slug] = f.Name
	}
	return m
}

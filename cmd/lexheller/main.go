// Command lexheller runs the Lex Heller routine over e-mail: it reads a
// samordningsförbund's shared mailbox, turns each e-mailed blanket into a
// case, answers the reporter and tells the process leaders.
//
// Usage:
//
//	lexheller serve [--config FILE]       run the daemon (no config: a dev mail system)
//	lexheller demo                        a whole case's life in a few seconds
//	lexheller inspect [--json] [--db PATH] FILE.eml|-
//	lexheller cases [--json] [--status S] [--forbund F]
//	lexheller case show ID [--json]
//	lexheller case set|forward|feedback|note|close|reopen ID …
//	lexheller agenda [--forbund X] [--meeting DATE]
//	lexheller backup FILE
//	lexheller form [--lang sv|en]         print the blank form
//	lexheller check-config FILE
//	lexheller version
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"lexheller/intake/casework"
	"lexheller/intake/config"
	"lexheller/intake/devmail"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"lexheller/intake"
	"lexheller/intake/classify"
	"lexheller/intake/ident"
	"lexheller/intake/store"
	"lexheller/templates"
)

var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `lexheller runs the Lex Heller routine over e-mail.

Commands:
  serve [--config FILE]                  run the daemon; with no config, on a built-in dev mail system
  demo                                   play a whole case's life on the built-in mail system, in a few seconds
  inspect [--json] [--db PATH] FILE|-    show how one raw message would be handled (nothing is sent)
  cases [--json] [--status S] [--forbund F] [--party P]
  case show ID [--json]                  a case and its timeline
  case set ID [--level L] [--parties "FK AF"] [--themes "t1 -t2"]
  case forward ID --to "FK AF" [--question-file F] [--with-contact]
  case feedback ID --file F [--with-answer]
  case note ID --text T | --file F
  case close ID | case reopen ID         the process leaders' mail commands, from the command line
  agenda [--forbund X] [--meeting DATE]  the agenda the förbundschef gets before a meeting
  backup [--db PATH|--config FILE] FILE  copy the database (safe while the daemon runs)
  similar ID [--json]                    the ten earlier cases most like a case, with scores
  report [--from D] [--to D] [--forbund X,Y] [--format text|csv|xlsx|html] [--out FILE]
                                         the pattern report for the working group
  publish --out DIR [--title T] [--base-url URL]
                                         a static site of the answered cases that may be published
  import FILE.xlsx|FILE.csv [--map F] [--forbund X] [--dry-run]
                                         the cases of an old Lex Heller sheet (no mail is sent)
  person export ADDRESS [--name N] [--json]
                                         everything stored about a person (GDPR art. 15)
  person erase ADDRESS [--name N] [--case ID] [--dry-run]
                                         erase a person's data, keep the statistics (art. 17)
  audit [--since DATE]                   who looked at personal data from the command line
  form [--lang sv|en]                    print the blank form
  check-config [--probe] FILE            check a config file; --probe also logs in to the servers
  version
`

// run is main without os.Exit, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(args[1:], stdout, stderr)
	case "inspect":
		err = cmdInspect(args[1:], stdin, stdout)
	case "cases":
		err = cmdCases(args[1:], stdout)
	case "case":
		err = cmdCase(args[1:], stdin, stdout)
	case "agenda":
		err = cmdAgenda(args[1:], stdout)
	case "backup":
		err = cmdBackup(args[1:], stdout)
	case "demo":
		err = cmdDemo(args[1:], stdout)
	case "similar":
		err = cmdSimilar(args[1:], stdout)
	case "report":
		err = cmdReport(args[1:], stdout)
	case "publish":
		err = cmdPublish(args[1:], stdout)
	case "import":
		err = cmdImport(args[1:], stdout)
	case "person":
		err = cmdPerson(args[1:], stdout)
	case "audit":
		err = cmdAudit(args[1:], stdout)
	case "form":
		err = cmdForm(args[1:], stdout)
	case "check-config":
		err = cmdCheckConfig(args[1:], stdout)
	case "version":
		fmt.Fprintln(stdout, "lexheller", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "lexheller: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 2
		}
		fmt.Fprintln(stderr, "lexheller:", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, cfg config.Log) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(cfg.Level))
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.Format
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fs.String("config", os.Getenv("LEXHELLER_CONFIG"), "config file (default: a built-in dev mail system)")
	logFormat := fs.String("log-format", "", "text or json (default: text on a terminal)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal now ends the process at once
	}()

	var cfg *config.Config
	var cleanup func()
	if *configPath == "" {
		var err error
		cfg, cleanup, err = devmail.StartDev(stdout)
		if err != nil {
			return err
		}
		defer cleanup()
	} else {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			return err
		}
	}
	if *logFormat != "" {
		cfg.Log.Format = *logFormat
	}
	log := newLogger(stderr, cfg.Log)
	if os.Getenv("GOMEMLIMIT") == "" {
		// A soft limit keeps the heap near what is live, so a large
		// attachment passing through does not leave the process twice its
		// size; GOMEMLIMIT overrides it.
		debug.SetMemoryLimit(64 << 20)
	}
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped while starting (systemd stop, Ctrl-C): nothing was
			// begun, so this is a clean stop, not a failure.
			log.Info("lexheller stopped while starting")
			return nil
		}
		return err
	}
	defer a.close()
	log.Info("lexheller started", "version", version, "address", cfg.Address, "database", cfg.Database,
		"forbund", len(cfg.Forbund), "mailboxes", len(a.watchers))
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			if err := a.reload(); err != nil {
				log.Error("SIGHUP: templates not reloaded; the ones in use stay", "err", err)
				continue
			}
			log.Info("SIGHUP: templates reloaded (other config changes need a restart)", "dir", cfg.TemplatesDir)
		}
	}()
	err = a.run(ctx)
	log.Info("lexheller stopped")
	return err
}

// inspectConfig is the deployment inspect classifies for: the config's,
// or the built-in default's.
func inspectConfig(path string) (*config.Config, error) {
	if path != "" {
		return config.Load(path)
	}
	return config.Default()
}

func cmdInspect(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the JSON object of the inspect contract")
	dbPath := fs.String("db", "", "look references up in this store")
	configPath := fs.String("config", os.Getenv("LEXHELLER_CONFIG"), "config file (our address, förbund)")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("inspect: name one file, or - for standard input")
	}
	var r io.Reader = stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	cfg, err := inspectConfig(*configPath)
	if err != nil {
		return err
	}
	ctx := context.Background()
	signer := &ident.Signer{Domain: cfg.Domain, Prefix: cfg.CasePrefix}
	var lookup classify.Lookup
	if *dbPath != "" {
		if _, err := os.Stat(*dbPath); err != nil {
			return fmt.Errorf("inspect: store: %w", err)
		}
		st, err := store.Open(ctx, *dbPath)
		if err != nil {
			return err
		}
		defer st.Close()
		if signer.Key, err = st.SigningKey(ctx, ident.NewKey); err != nil {
			return err
		}
		lookup = st
	}
	rep, err := classify.Inspect(ctx, raw, classifyOptions(cfg, signer), lookup)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

func printReport(w io.Writer, r *classify.Report) {
	fmt.Fprintf(w, "kind:     %s\nreason:   %s\nfrom:     %s\nsubject:  %s\n", r.Kind, r.Reason, r.From.String(), r.Subject)
	if r.Case != nil {
		fmt.Fprintf(w, "case:     %s\n", *r.Case)
	}
	if len(r.Missing) > 0 {
		fmt.Fprintf(w, "missing:  %s\n", strings.Join(r.Missing, ", "))
	}
	for _, p := range r.PII {
		fmt.Fprintf(w, "pii:      %s (%s)\n", p.Kind, p.Text)
	}
	if r.Fields != nil {
		b, _ := json.MarshalIndent(r.Fields, "          ", "  ")
		fmt.Fprintf(w, "fields:   %s\n", b)
	}
	for _, a := range r.Attachments {
		fmt.Fprintf(w, "attached: %s (%s, %d bytes)\n", a.Filename, a.ContentType, a.Size)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "problem:  %s\n", p)
	}
	if r.Text != "" {
		fmt.Fprintf(w, "text:\n%s\n", indentBy(r.Text, "  "))
	}
}

// valueFlags are the flags that take a value.
var valueFlags = map[string]bool{"db": true, "config": true, "status": true, "forbund": true, "party": true, "lang": true,
	"since": true, "from": true, "format": true, "out": true, "level": true, "parties": true, "themes": true, "to": true, "question-file": true, "file": true,
	"text": true, "meeting": true, "map": true, "sheet": true, "title": true, "base-url": true, "name": true, "case": true}

// reorder moves flags before positional arguments, so that
// "inspect FILE --json" works as well as "inspect --json FILE".
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-" || !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		if valueFlags[strings.TrimLeft(a, "-")] && !strings.Contains(a, "=") && i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(flags, rest...)
}

// openStore opens the store of a command that only reads: --db, the
// database of --config, or with --dev the dev mode's.
func openStore(ctx context.Context, sel *storeSel) (*store.Store, error) {
	if err := sel.check(); err != nil {
		return nil, err
	}
	path := sel.db
	switch {
	case sel.dev:
		path = devmail.DevDatabase()
	case path != "":
	case sel.config != "":
		cfg, err := config.Load(sel.config)
		if err != nil {
			return nil, err
		}
		path = cfg.Database
	default:
		return nil, errors.New("which database? pass --db FILE, or --config FILE (or set LEXHELLER_CONFIG) for the database the daemon uses, or --dev for the dev mode's")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s (give --db FILE or --config FILE)", path)
	}
	return store.Open(ctx, path)
}

func cmdCases(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("cases", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	sf := storeFlags(fs)
	status := fs.String("status", "", "only cases with this status")
	forbund := fs.String("forbund", "", "only this förbund (slug)")
	party := fs.String("party", "", "only cases concerning this party")
	since := fs.String("since", "", "only cases received on or after this date (2026-11-01)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	f := store.CaseFilter{Status: *status, Forbund: *forbund, Party: *party}
	if *since != "" {
		t, err := time.Parse(time.DateOnly, *since)
		if err != nil {
			return fmt.Errorf("--since %q: write a date like 2026-11-01", *since)
		}
		f.Since = t
	}
	cases, err := st.Cases(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		// The JSON carries the reporters' names and addresses.
		if err := audit(ctx, st, "cases --json", fmt.Sprintf("%d cases", len(cases))); err != nil {
			return err
		}
		if cases == nil {
			cases = []*store.Case{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cases)
	}
	if len(cases) == 0 {
		fmt.Fprintln(stdout, "Inga ärenden.")
		return nil
	}
	fmt.Fprintf(stdout, "%-13s  %-10s  %-16s  %-10s  %-14s  %s\n", "Ärende", "Mottaget", "Status", "Förbund", "Parter", "Beskrivning")
	for _, c := range cases {
		fmt.Fprintf(stdout, "%-13s  %-10s  %-16s  %-10s  %-14s  %s\n", c.ID, c.CreatedAt.Format(time.DateOnly), templates.StatusName("sv", c.Status),
			c.Forbund, strings.Join(c.Parties, ","), oneLine(c.Description, 50))
	}
	return nil
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func cmdCase(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("case: write \"lexheller case show ID\" (or set, forward, feedback, note, close, reopen)")
	}
	if args[0] != "show" {
		return cmdCaseAct(args[0], args[1:], stdin, stdout)
	}
	fs := flag.NewFlagSet("case show", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	sf := storeFlags(fs)
	if err := fs.Parse(reorder(args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("case show: name one case, e.g. LH-2026-0042")
	}
	ctx := context.Background()
	st, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	id := strings.ToUpper(fs.Arg(0))
	if _, err := st.Case(ctx, id); err != nil {
		return err
	}
	if err := audit(ctx, st, "case show "+id, ""); err != nil {
		return err
	}
	if *asJSON {
		return printCaseJSON(ctx, st, id, stdout)
	}
	return printCase(ctx, st, id, stdout)
}

// caseData is a case with everything recorded about it.
type caseData struct {
	c        *store.Case
	timeline []store.Event
	atts     []store.Attachment
	parts    []store.Participant
	forwards []*store.Forward
}

func loadCase(ctx context.Context, st *store.Store, id string) (*caseData, error) {
	c, err := st.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &caseData{c: c}
	if d.timeline, err = st.Timeline(ctx, id); err != nil {
		return nil, err
	}
	if d.atts, err = st.Attachments(ctx, id); err != nil {
		return nil, err
	}
	if d.parts, err = st.Participants(ctx, id); err != nil {
		return nil, err
	}
	if d.forwards, err = st.Forwards(ctx, id); err != nil {
		return nil, err
	}
	return d, nil
}

// printCaseJSON prints a case, its people, attachments, forwards and
// timeline as one JSON object.
func printCaseJSON(ctx context.Context, st *store.Store, id string, stdout io.Writer) error {
	d, err := loadCase(ctx, st, id)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*store.Case
		Participants []store.Participant `json:"participants"`
		Attachments  []store.Attachment  `json:"attachments"`
		Forwards     []*store.Forward    `json:"forwards"`
		Timeline     []store.Event       `json:"timeline"`
	}{d.c, nonNil(d.parts), nonNil(d.atts), nonNil(d.forwards), nonNil(d.timeline)})
}

// printCase prints a case and its whole timeline for a person, in Swedish.
func printCase(ctx context.Context, st *store.Store, id string, stdout io.Writer) error {
	d, err := loadCase(ctx, st, id)
	if err != nil {
		return err
	}
	c, atts, forwards, timeline := d.c, d.atts, d.forwards, d.timeline
	fmt.Fprintf(stdout, "Ärende %s (%s), förbund %s\n", c.ID, templates.StatusName("sv", c.Status), c.Forbund)
	fmt.Fprintf(stdout, "Mottaget:  %s\nAnmälare:  %s, %s <%s>\nParter:    %s\nNivå:      %s\nTeman:     %s\n",
		c.CreatedAt.In(templates.Stockholm).Format("2006-01-02 15:04"), c.ReporterName, c.ReporterOrg, c.ReporterEmail,
		strings.Join(c.Parties, ", "), templates.LevelName("sv", c.Level), strings.Join(c.Themes, ", "))
	if c.RaisedAt != nil {
		fmt.Fprintf(stdout, "Lyft:      %s, %s\n", c.RaisedAt.In(templates.Stockholm).Format(time.DateOnly), oneLine(c.Raised, 60))
	}
	if c.Publish {
		fmt.Fprintln(stdout, "Publiceras: ja")
	}
	fmt.Fprintf(stdout, "\nVad hände?\n%s\n", indent(c.Description))
	if c.Edited != "" {
		fmt.Fprintf(stdout, "\nVad hände?, som parterna får det (/redigera)\n%s\n", indent(c.Edited))
	}
	if c.Consequence != "" {
		fmt.Fprintf(stdout, "\nKonsekvens för individen\n%s\n", indent(c.Consequence))
	}
	if c.Suggestion != "" {
		fmt.Fprintf(stdout, "\nFörslag på lösning\n%s\n", indent(c.Suggestion))
	}
	if len(atts) > 0 {
		fmt.Fprintln(stdout, "\nBilagor")
		for _, a := range atts {
			fmt.Fprintf(stdout, "  %s (%s, %d byte)\n", a.Filename, a.ContentType, a.Size)
		}
	}
	if len(forwards) > 0 {
		fmt.Fprintln(stdout, "\nVidarebefordrat")
		for _, f := range forwards {
			state := "väntar på svar"
			if f.AnsweredAt != nil {
				state = "besvarat " + f.AnsweredAt.In(templates.Stockholm).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(stdout, "  %s till %s, %s: %s", f.Party, f.Address, f.At.In(templates.Stockholm).Format("2006-01-02 15:04"), state)
			if f.Reminders > 0 {
				fmt.Fprintf(stdout, ", %d påminnelser", f.Reminders)
			}
			fmt.Fprintln(stdout)
		}
	}
	fmt.Fprintln(stdout, "\nHistorik")
	for _, e := range timeline {
		fmt.Fprintf(stdout, "  %s  %-15s %s\n", e.At.In(templates.Stockholm).Format("2006-01-02 15:04"), eventName("sv", e.Kind), e.Summary)
		if body := strings.TrimSpace(e.Body); body != "" {
			fmt.Fprintf(stdout, "%s\n", indentBy(body, "      "))
		}
	}
	return nil
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func indent(s string) string { return indentBy(s, "  ") }

func indentBy(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func cmdForm(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("form", flag.ContinueOnError)
	lang := fs.String("lang", "sv", "sv or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	t, err := templates.Load("")
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, t.Form(*lang))
	return err
}

func cmdSimilar(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("similar", flag.ContinueOnError)
	sf := storeFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("similar: name one case, e.g. LH-2026-0042")
	}
	ctx := context.Background()
	st, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := st.Case(ctx, strings.ToUpper(fs.Arg(0)))
	if err != nil {
		return err
	}
	idx, err := similarIndex(ctx, st)
	if err != nil {
		return err
	}
	matches := idx.Similar(casework.SimilarText(c), 10, c.ID)
	if *asJSON {
		type row struct {
			ID          string  `json:"id"`
			Score       float64 `json:"score"`
			Status      string  `json:"status"`
			Description string  `json:"description"`
		}
		out := []row{}
		for _, m := range matches {
			if o, err := st.Case(ctx, m.ID); err == nil {
				out = append(out, row{m.ID, m.Score, o.Status, o.Description})
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(matches) == 0 {
		fmt.Fprintf(stdout, "Inga ärenden liknar %s (av %d).\n", c.ID, idx.Len()-1)
		return nil
	}
	fmt.Fprintf(stdout, "Ärenden som liknar %s: %s\n\n", c.ID, oneLine(c.Description, 60))
	fmt.Fprintf(stdout, "%-13s  %5s  %-16s  %s\n", "Ärende", "Likhet", "Status", "Beskrivning")
	for _, m := range matches {
		o, err := st.Case(ctx, m.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-13s  %5.2f  %-16s  %s\n", m.ID, m.Score, templates.StatusName("sv", o.Status), oneLine(o.Description, 50))
	}
	return nil
}

func cmdBackup(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	sf := storeFlags(fs)
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("backup: name the file to write, e.g. lexheller backup /var/backups/lexheller-2026-11-26.db")
	}
	ctx := context.Background()
	st, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := st.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	info, err := os.Stat(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Säkerhetskopia skriven: %s (%d kB på %s).\n", fs.Arg(0), info.Size()>>10, time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdCheckConfig(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	probe := fs.Bool("probe", false, "also log in to the IMAP and SMTP servers (nothing is read or sent)")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("check-config: name the config file")
	}
	path := fs.Arg(0)
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is valid: %d förbund, mailbox %s at %s, sending through %s\n",
		path, len(cfg.Forbund), cfg.IMAP.Username, cfg.IMAP.Address, cfg.SMTP.Address)
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(stdout, "warning: "+w)
	}
	if !*probe {
		return nil
	}
	return probeServers(cfg, stdout)
}

// probeServers logs in to every mailbox and the SMTP server of cfg and
// says, for each, that it works or which step failed.
func probeServers(cfg *config.Config, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	failed := 0
	report := func(what string, err error) {
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "%s: FAILED at %v\n", what, err)
			return
		}
		fmt.Fprintf(stdout, "%s: ok\n", what)
	}
	mailboxes := []struct {
		name string
		s    *config.Server
	}{{"shared", &cfg.IMAP}}
	for _, f := range cfg.Forbund {
		if f.IMAP != nil {
			mailboxes = append(mailboxes, struct {
				name string
				s    *config.Server
			}{f.Slug, f.IMAP})
		}
	}
	for _, m := range mailboxes {
		if m.s.Address == "" {
			continue
		}
		report(fmt.Sprintf("IMAP %s (%s as %s)", m.name, m.s.Address, m.s.Username), intake.Probe(ctx, *m.s))
	}
	report(fmt.Sprintf("SMTP %s", cfg.SMTP.Address), newSender(cfg, nil, nil).Probe(ctx))
	if failed > 0 {
		return fmt.Errorf("%d of the servers could not be reached or refused the login", failed)
	}
	return nil
}

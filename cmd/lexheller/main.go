// Command lexheller runs the Lex Heller routine over e-mail: it reads a
// samordningsförbund's shared mailbox, turns each e-mailed blanket into a
// case, answers the reporter and tells the process leaders. "lexheller
// help" lists its commands. What it prints for a person is the catalogue
// of package templates (templates/cli), in the config's language.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/devmail"
	"lexheller/intake/store"
	"lexheller/templates"
)

var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// stdio is where a command reads and prints.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// commands are the commands by name, each given the arguments after it.
var commands = map[string]func(args []string, std stdio) error{
	"serve": cmdServe, "demo": cmdDemo, "inspect": cmdInspect, "cases": cmdCases, "case": cmdCase,
	"agenda": cmdAgenda, "digest": cmdDigest, "backup": cmdBackup, "similar": cmdSimilar, "report": cmdReport, "publish": cmdPublish,
	"import": cmdImport, "person": cmdPerson, "audit": cmdAudit, "form": cmdForm, "check-config": cmdCheckConfig,
}

// run is main without os.Exit, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	usage := newCLI("", stdio{}, false).text("usage")
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, ok := commands[args[0]]; {
	case ok:
		err = cmd(args[1:], stdio{stdin, stdout, stderr})
	case args[0] == "version":
		fmt.Fprintln(stdout, "lexheller", version)
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "lexheller: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "lexheller:", err)
		return 1
	}
	return 0
}

// cli is a command being run: its flags, the store and the deployment
// they name, where it prints and its texts (templates.CLI), in the
// deployment's language once it is known.
type cli struct {
	*flag.FlagSet
	ctx   context.Context
	std   stdio
	texts *templates.CLI // nil: the built-in texts
	lang  string

	// With store flags: --db, --config (or LEXHELLER_CONFIG), or --dev
	// for the built-in dev configuration of `lexheller serve` without a
	// config.
	db, config string
	dev        bool
	configFlag bool           // --config was given (not only LEXHELLER_CONFIG)
	cfg        *config.Config // the deployment, once read
}

// pages are the report's and the site's pages with the config's
// overrides; one that cannot be used is named, and the built-in is used.
func (c *cli) pages() *templates.Pages {
	if c.cfg == nil {
		return nil
	}
	p, err := templates.LoadPages(c.cfg.TemplatesDir)
	if err != nil {
		fmt.Fprintln(c.std.err, "lexheller:", err)
	}
	return p
}

// newCLI starts command name; with store set, it takes the flags that
// name the store and the deployment.
func newCLI(name string, std stdio, store bool) *cli {
	c := &cli{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), ctx: context.Background(), std: std, lang: templates.Lang("")}
	c.SetOutput(std.err) // the flags' errors and -h
	if store {
		c.StringVar(&c.db, "db", "", "database file")
		c.config = os.Getenv("LEXHELLER_CONFIG")
		c.BoolVar(&c.dev, "dev", false, "use the built-in dev configuration of `lexheller serve` without a config")
		c.Func("config", "config file (default: $LEXHELLER_CONFIG)", func(v string) error {
			c.config, c.configFlag = v, true
			return nil
		})
	}
	return c
}

// use makes the texts of cfg (its templates directory, its language) the
// command's.
func (c *cli) use(cfg *config.Config) (err error) {
	c.lang = templates.Lang(cfg.Language)
	c.texts, err = templates.LoadCLI(cfg.TemplatesDir)
	return err
}

// text is a text without data (a default, an error's), trimmed.
func (c *cli) text(name string) string {
	s, err := c.texts.Text(c.lang, name, nil)
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(s)
}

// parse parses args, with the flags before or after the arguments, and
// checks that n arguments remain; what says what they name, for the
// error.
func (c *cli) parse(args []string, n int, what string) error {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-" || !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		if f := c.Lookup(strings.TrimLeft(a, "-")); f != nil && !strings.Contains(a, "=") && i+1 < len(args) {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				flags = append(flags, args[i+1]) // the flag's value
				i++
			}
		}
	}
	if err := c.Parse(append(flags, rest...)); err != nil {
		return err
	}
	switch {
	case c.NArg() != n && n == 0:
		return fmt.Errorf("%s: takes no arguments", c.Name())
	case c.NArg() != n:
		return fmt.Errorf("%s: name %s", c.Name(), what)
	}
	return nil
}

// date adds a flag for a day, "2026-11-01", from midnight in Swedish time.
func (c *cli) date(name, usage string) *time.Time {
	t := new(time.Time)
	c.Func(name, usage, func(s string) error {
		d, err := time.ParseInLocation(time.DateOnly, s, templates.Stockholm)
		if err != nil {
			return fmt.Errorf("write a date like 2026-11-01")
		}
		*t = d
		return nil
	})
	return t
}

// data is what a text is printed with, by name.
type data = map[string]any

// print writes text name with data.
func (c *cli) print(name string, data any) error {
	return c.texts.Print(c.std.out, c.lang, name, data)
}

// printJSON writes v as indented JSON ("<" and "&" as they are).
func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.std.out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// deployment reads the configuration the flags name into cfg, unless it
// is read: the built-in dev one with --dev, the config file's, or none;
// the command's texts become its. It refuses --dev beside --db or
// --config: the dev configuration belongs with the dev database only (an
// explicit --dev wins over LEXHELLER_CONFIG).
func (c *cli) deployment() (err error) {
	switch {
	case c.dev && c.db != "":
		return errors.New("--dev uses the dev mode's own database: leave out --db")
	case c.dev && c.configFlag:
		return errors.New("--dev and --config name two deployments: give one of them")
	case c.cfg != nil:
		return nil
	case c.dev:
		c.cfg, err = config.Default()
	case c.config != "":
		c.cfg, err = config.Load(c.config)
	}
	if err != nil || c.cfg == nil {
		return err
	}
	return c.use(c.cfg)
}

// openStore opens the store of a command that only reads: --db, the
// database of --config, or with --dev the dev mode's. Its texts become
// the deployment's when a config is named and can be read (with --db, a
// config that cannot be read is left out).
func (c *cli) openStore() (*store.Store, error) {
	err := c.deployment()
	path := c.db
	switch {
	case err != nil && (path == "" || c.dev):
		return nil, err
	case c.dev:
		path = devmail.DevDatabase()
	case path == "" && c.cfg != nil:
		path = c.cfg.Database
	case path == "":
		return nil, errors.New("which database? pass --db FILE, or --config FILE (or set LEXHELLER_CONFIG) for the database the daemon uses, or --dev for the dev mode's")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s (give --db FILE or --config FILE)", path)
	}
	return store.Open(c.ctx, path)
}

// errNeedsConfig says what a command that changes cases needs.
var errNeedsConfig = errors.New("this command changes cases or queues mail, so it needs the daemon's configuration: " +
	"pass --config /etc/lexheller/lexheller.toml (or set LEXHELLER_CONFIG); " +
	"for the dev mail system of `lexheller serve` without a config, pass --dev")

// openApp builds the daemon's parts for a command-line action on the
// store: the config's, with --db in place of its database when given.
// Only --dev falls back to the built-in dev configuration: a production
// database must never be paired with the dev one's addresses. Nothing is
// started. With create set, a new empty database is made where none is.
func (c *cli) openApp(create bool) (*app, error) {
	if err := c.deployment(); err != nil {
		return nil, err
	}
	if c.cfg == nil {
		return nil, errNeedsConfig
	}
	if c.db != "" {
		c.cfg.Database = c.db
	}
	if _, err := os.Stat(c.cfg.Database); err != nil && !create {
		return nil, fmt.Errorf("no database at %s (give --db FILE or --config FILE)", c.cfg.Database)
	}
	return newApp(c.ctx, c.cfg, slog.New(slog.DiscardHandler))
}

// readText reads a file named by a flag, or standard input for "-".
func (c *cli) readText(name string) (string, error) {
	var b []byte
	var err error
	switch name {
	case "":
	case "-":
		b, err = io.ReadAll(c.std.in)
	default:
		b, err = os.ReadFile(name)
	}
	return string(b), err
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"lexheller/intake/casework"
	"lexheller/intake/command"
	"lexheller/intake/config"
	"lexheller/intake/store"
	"lexheller/templates"
)

// storeSel is what names the store and the deployment of a command:
// --db, --config (or LEXHELLER_CONFIG), or --dev for the built-in dev
// configuration that `lexheller serve` uses without a config.
type storeSel struct {
	db, config string
	dev        bool
	configFlag bool // --config was given (not only LEXHELLER_CONFIG)
}

// storeFlags adds the flags of a storeSel.
func storeFlags(fs *flag.FlagSet) *storeSel {
	s := &storeSel{}
	fs.StringVar(&s.db, "db", "", "database file")
	s.config = os.Getenv("LEXHELLER_CONFIG")
	fs.BoolVar(&s.dev, "dev", false, "use the built-in dev configuration of `lexheller serve` without a config")
	fs.Func("config", "config file (default: $LEXHELLER_CONFIG)", func(v string) error {
		s.config, s.configFlag = v, true
		return nil
	})
	return s
}

// check refuses --dev beside --db or --config: the dev configuration
// belongs with the dev database only. An explicit --dev wins over
// LEXHELLER_CONFIG.
func (s *storeSel) check() error {
	if s.dev && s.db != "" {
		return errors.New("--dev uses the dev mode's own database: leave out --db")
	}
	if s.dev && s.configFlag {
		return errors.New("--dev and --config name two deployments: give one of them")
	}
	return nil
}

// errNeedsConfig says what a command that changes cases needs.
var errNeedsConfig = errors.New("this command changes cases or queues mail, so it needs the daemon's configuration: " +
	"pass --config /etc/lexheller/lexheller.toml (or set LEXHELLER_CONFIG); " +
	"for the dev mail system of `lexheller serve` without a config, pass --dev")

// openApp builds the daemon's parts for a command-line action on the
// store: the config's, with --db in place of its database when given.
// Only --dev falls back to the built-in dev configuration: a production
// database must never be paired with the dev one's addresses. Nothing is
// started.
func openApp(ctx context.Context, sel *storeSel) (*app, error) {
	return openAppCreate(ctx, sel, false)
}

// openAppCreate is openApp that, when create is set, makes a new empty
// database where none is.
func openAppCreate(ctx context.Context, sel *storeSel, create bool) (*app, error) {
	if err := sel.check(); err != nil {
		return nil, err
	}
	var cfg *config.Config
	var err error
	switch {
	case sel.dev:
		cfg, err = config.Default()
	case sel.config != "":
		cfg, err = config.Load(sel.config)
	default:
		return nil, errNeedsConfig
	}
	if err != nil {
		return nil, err
	}
	if sel.db != "" {
		cfg.Database = sel.db
	}
	if _, err := os.Stat(cfg.Database); err != nil && !create {
		return nil, fmt.Errorf("no database at %s (give --db FILE or --config FILE)", cfg.Database)
	}
	return newApp(ctx, cfg, slog.New(slog.DiscardHandler))
}

// cmdCaseAct runs "case set|forward|feedback|note|close|reopen ID": the
// same commands a process leader writes by mail, built as values and
// checked by the same rules, applied by the same core, sending the same
// mails (queued; the running daemon sends them).
func cmdCaseAct(verb string, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("case "+verb, flag.ContinueOnError)
	sf := storeFlags(fs)
	build, ok := caseActions[verb]
	if !ok {
		return fmt.Errorf("case: unknown action %q; write show, set, forward, feedback, note, close or reopen", verb)
	}
	commands := build(fs)
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("case %s: name one case, e.g. LH-2026-0042", verb)
	}
	id := strings.ToUpper(fs.Arg(0))
	cmds, err := commands(func(name string) (string, error) { return readText(name, stdin) })
	if err != nil {
		return fmt.Errorf("case %s: %w", verb, err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, sf)
	if err != nil {
		return err
	}
	defer a.close()
	lang := a.cfg.Language
	var errs []command.Error
	for i, c := range cmds {
		checked, cerr := command.Check(c)
		if cerr != nil {
			errs = append(errs, *cerr)
		}
		cmds[i] = checked
	}
	applied := &casework.Applied{Errors: errs}
	if len(errs) == 0 {
		if applied, err = a.processor.Apply(ctx, id, cmds); err != nil {
			return err
		}
	}
	return printApplied(stdout, id, lang, applied)
}

// printApplied prints what Apply did, or why it did nothing.
func printApplied(w io.Writer, id, lang string, a *casework.Applied) error {
	if len(a.Errors) > 0 {
		for _, e := range a.Errors {
			fmt.Fprintf(w, "%s: %s\n", id, command.Describe(e, lang))
		}
		return errors.New(say(lang, "inget är ändrat", "nothing was changed"))
	}
	for _, c := range a.Changes {
		fmt.Fprintf(w, "%s: %s\n", id, c)
	}
	if n := len(a.Mails); n > 0 {
		fmt.Fprintln(w, say(lang, fmt.Sprintf("%d mejl köade; lexheller serve skickar dem inom en minut.", n),
			fmt.Sprintf("%d mails queued; lexheller serve sends them within a minute.", n)))
	}
	return nil
}

// readText reads a file named by a flag, or standard input for "-".
func readText(name string, stdin io.Reader) (string, error) {
	if name == "" {
		return "", nil
	}
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	return string(b), err
}

// caseActions declare each action's flags and return what builds its
// commands from them once parsed.
var caseActions = map[string]func(fs *flag.FlagSet) func(read func(string) (string, error)) ([]command.Command, error){
	"set": func(fs *flag.FlagSet) func(func(string) (string, error)) ([]command.Command, error) {
		level := fs.String("level", "", "struktur, organisering or individ")
		parties := fs.String("parties", "", "party codes, e.g. \"FK AF\"")
		themes := fs.String("themes", "", "themes to add (\"-x\" removes x)")
		return func(func(string) (string, error)) ([]command.Command, error) {
			var cmds []command.Command
			if *level != "" {
				cmds = append(cmds, command.Command{Name: command.Level, Level: *level})
			}
			if *parties != "" {
				cmds = append(cmds, command.Command{Name: command.Parties, Parties: words(*parties)})
			}
			if *themes != "" {
				c := command.Command{Name: command.Themes}
				for _, t := range words(*themes) {
					if d, ok := strings.CutPrefix(t, "-"); ok {
						c.DropThemes = append(c.DropThemes, d)
					} else {
						c.AddThemes = append(c.AddThemes, t)
					}
				}
				cmds = append(cmds, c)
			}
			if len(cmds) == 0 {
				return nil, errors.New("give --level, --parties or --themes")
			}
			return cmds, nil
		}
	},
	"forward": func(fs *flag.FlagSet) func(func(string) (string, error)) ([]command.Command, error) {
		to := fs.String("to", "", "party codes, e.g. \"FK AF\"")
		question := fs.String("question-file", "", "file with the question (- for standard input)")
		withContact := fs.Bool("with-contact", false, "send the reporter's contact details along (if they allowed contact)")
		return func(read func(string) (string, error)) ([]command.Command, error) {
			if *to == "" {
				return nil, errors.New("give --to, e.g. --to FK")
			}
			text, err := read(*question)
			return []command.Command{{Name: command.Forward, Parties: words(*to), WithContact: *withContact, Text: text}}, err
		}
	},
	"feedback": func(fs *flag.FlagSet) func(func(string) (string, error)) ([]command.Command, error) {
		file := fs.String("file", "", "file with the feedback (- for standard input)")
		withAnswer := fs.Bool("with-answer", false, "quote the parties' answers")
		return func(read func(string) (string, error)) ([]command.Command, error) {
			text, err := read(*file)
			return []command.Command{{Name: command.Feedback, WithAnswer: *withAnswer, Text: text}}, err
		}
	},
	"note": func(fs *flag.FlagSet) func(func(string) (string, error)) ([]command.Command, error) {
		file := fs.String("file", "", "file with the note (- for standard input)")
		text := fs.String("text", "", "the note")
		return func(read func(string) (string, error)) ([]command.Command, error) {
			body := *text
			var err error
			if *file != "" {
				body, err = read(*file)
			}
			return []command.Command{{Name: command.Note, Text: body}}, err
		}
	},
	"close":  noArgs(command.Close),
	"reopen": noArgs(command.Reopen),
}

func noArgs(n command.Name) func(*flag.FlagSet) func(func(string) (string, error)) ([]command.Command, error) {
	return func(*flag.FlagSet) func(func(string) (string, error)) ([]command.Command, error) {
		return func(func(string) (string, error)) ([]command.Command, error) {
			return []command.Command{{Name: n}}, nil
		}
	}
}

// words splits a flag's list: "FK AF", "FK,AF".
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
}

func say(lang, sv, en string) string {
	if templates.Lang(lang) == "en" {
		return en
	}
	return sv
}

// cmdAgenda prints the agenda the förbundschef gets before a meeting.
func cmdAgenda(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("agenda", flag.ContinueOnError)
	sf := storeFlags(fs)
	slug := fs.String("forbund", "", "the förbund (slug)")
	meeting := fs.String("meeting", "", "the meeting's date (default: the next one in the config)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := openApp(ctx, sf)
	if err != nil {
		return err
	}
	defer a.close()
	if *slug == "" {
		if len(a.cfg.Forbund) != 1 {
			return errors.New("agenda: name the förbund with --forbund")
		}
		*slug = a.cfg.Forbund[0].Slug
	}
	known := false
	for _, f := range a.cfg.Forbund {
		known = known || f.Slug == *slug
	}
	if !known {
		return fmt.Errorf("agenda: no förbund %q in the config", *slug)
	}
	now := time.Now()
	var when time.Time
	if *meeting != "" {
		if when, err = time.ParseInLocation(time.DateOnly, *meeting, templates.Stockholm); err != nil {
			return fmt.Errorf("--meeting %q: write a date like 2027-01-21", *meeting)
		}
	} else {
		when = a.processor.NextMeeting(*slug, now)
		if when.IsZero() {
			return fmt.Errorf("agenda: %s has no meeting ahead in the config; give --meeting DATE", *slug)
		}
	}
	m, err := a.processor.AgendaMail(ctx, *slug, when, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n\n%s", m.Subject, m.Body)
	return nil
}

// eventNames names timeline events for a person.
var eventNames = map[string][2]string{
	store.EventCreated: {"mottaget", "received"}, store.EventReceived: {"inkommet", "mail in"},
	store.EventQueued: {"köat", "queued"}, store.EventSent: {"skickat", "sent"}, store.EventFailed: {"ej skickat", "not sent"},
	store.EventBounced: {"i retur", "bounced"}, store.EventRefused: {"avvisat", "refused"}, store.EventChanged: {"ändrat", "changed"},
	store.EventStatus: {"status", "status"}, store.EventQuestion: {"fråga", "question"},
	store.EventForwarded: {"vidarebefordrat", "forwarded"}, store.EventAnswer: {"svar", "answer"},
	store.EventFeedback: {"återkoppling", "feedback"}, store.EventRaised: {"lyft", "raised"},
	store.EventDecision: {"beslut", "decision"}, store.EventNote: {"notering", "note"}, store.EventReminder: {"påminnelse", "reminder"},
	store.EventScrubbed: {"gallrat", "erased"},
}

func eventName(lang, kind string) string {
	n, ok := eventNames[kind]
	if !ok {
		return kind
	}
	if templates.Lang(lang) == "en" {
		return n[1]
	}
	return n[0]
}

package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"lexheller/intake/casework"
	"lexheller/intake/command"
)

// cmdCaseAct runs "case set|forward|feedback|note|close|reopen ID": the
// same commands a process leader writes by mail, built as values and
// checked by the same rules, applied by the same core, sending the same
// mails (queued; the running daemon sends them).
func cmdCaseAct(verb string, args []string, std stdio) error {
	c := newCLI("case "+verb, std, true)
	build, ok := caseActions[verb]
	if !ok {
		return fmt.Errorf("case: unknown action %q; write show, set, forward, feedback, note, close, reopen or release", verb)
	}
	commands := build(c)
	if err := c.parse(args, 1, "one case, e.g. LH-2026-0042"); err != nil {
		return err
	}
	id := strings.ToUpper(c.Arg(0))
	cmds, err := commands()
	if err != nil {
		return fmt.Errorf("case %s: %w", verb, err)
	}
	a, err := c.openApp(false)
	if err != nil {
		return err
	}
	defer a.close()
	cmds, errs := command.CheckAll(cmds)
	applied := &casework.Applied{Errors: errs}
	if len(errs) == 0 {
		if applied, err = a.processor.Apply(c.ctx, id, cmds); err != nil {
			return err
		}
	}
	var problems []string
	for _, e := range applied.Errors {
		problems = append(problems, command.Describe(e, c.lang))
	}
	// What Apply did, or why it did nothing.
	err = c.print("applied", data{"ID": id, "Errors": problems, "Changes": applied.Changes, "Mails": len(applied.Mails)})
	if err == nil && len(problems) > 0 {
		err = errors.New(c.text("nothing_changed"))
	}
	return err
}

// caseActions declare each action's flags and return what builds its
// commands from them once parsed.
var caseActions = map[string]func(c *cli) func() ([]command.Command, error){
	"set": func(c *cli) func() ([]command.Command, error) {
		level := c.String("level", "", "struktur, organisering or individ")
		parties := c.String("parties", "", "party codes, e.g. \"FK AF\"")
		themes := c.String("themes", "", "themes to add (\"-x\" removes x)")
		return func() ([]command.Command, error) {
			var cmds []command.Command
			if *level != "" {
				cmds = append(cmds, command.Command{Name: command.Level, Level: *level})
			}
			if *parties != "" {
				cmds = append(cmds, command.Command{Name: command.Parties, Parties: words(*parties)})
			}
			if *themes != "" { // command.Check reads "-x" as x to drop
				cmds = append(cmds, command.Command{Name: command.Themes, AddThemes: words(*themes)})
			}
			if len(cmds) == 0 {
				return nil, errors.New("give --level, --parties or --themes")
			}
			return cmds, nil
		}
	},
	"forward": func(c *cli) func() ([]command.Command, error) {
		to := c.String("to", "", "party codes, e.g. \"FK AF\"")
		question := c.String("question-file", "", "file with the question (- for standard input)")
		withContact := c.Bool("with-contact", false, "send the reporter's contact details along (if they allowed contact)")
		return func() ([]command.Command, error) {
			if *to == "" {
				return nil, errors.New("give --to, e.g. --to FK")
			}
			text, err := c.readText(*question)
			return []command.Command{{Name: command.Forward, Parties: words(*to), WithContact: *withContact, Text: text}}, err
		}
	},
	"feedback": func(c *cli) func() ([]command.Command, error) {
		file := c.String("file", "", "file with the feedback (- for standard input)")
		withAnswer := c.Bool("with-answer", false, "quote the parties' answers")
		return func() ([]command.Command, error) {
			text, err := c.readText(*file)
			return []command.Command{{Name: command.Feedback, WithAnswer: *withAnswer, Text: text}}, err
		}
	},
	"note": func(c *cli) func() ([]command.Command, error) {
		file := c.String("file", "", "file with the note (- for standard input)")
		text := c.String("text", "", "the note")
		return func() ([]command.Command, error) {
			body := *text
			var err error
			if *file != "" {
				body, err = c.readText(*file)
			}
			return []command.Command{{Name: command.Note, Text: body}}, err
		}
	},
	"close":   noArgs(command.Close),
	"reopen":  noArgs(command.Reopen),
	"release": noArgs(command.Release),
}

func noArgs(n command.Name) func(*cli) func() ([]command.Command, error) {
	return func(*cli) func() ([]command.Command, error) {
		return func() ([]command.Command, error) {
			return []command.Command{{Name: n}}, nil
		}
	}
}

// words splits a flag's list: "FK AF", "FK,AF".
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
}

// cmdAgenda prints the agenda the förbundschef gets before a meeting.
func cmdAgenda(args []string, std stdio) error {
	c := newCLI("agenda", std, true)
	slug := c.String("forbund", "", "the förbund (slug)")
	when := c.date("meeting", "the meeting's date (default: the next one in the config)")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	a, err := c.openApp(false)
	if err != nil {
		return err
	}
	defer a.close()
	m, err := a.processor.AgendaOf(c.ctx, *slug, *when, time.Now())
	if err != nil {
		return fmt.Errorf("agenda: %w", err)
	}
	fmt.Fprintf(std.out, "%s\n\n%s", m.Subject, m.Body)
	return nil
}

// cmdDigest prints (--dry-run) or queues the representatives' digests due
// now: those queued are recorded, so the daemon does not send them again.
func cmdDigest(args []string, std stdio) error {
	c := newCLI("digest", std, true)
	dry := c.Bool("dry-run", false, "print the digests that would go out now; queue nothing")
	if err := c.parse(args, 0, ""); err != nil {
		return err
	}
	a, err := c.openApp(false)
	if err != nil {
		return err
	}
	defer a.close()
	if !*dry {
		n, err := a.processor.SendDigests(c.ctx, time.Now())
		if err != nil {
			return err
		}
		return c.print("digests_queued", data{"N": n})
	}
	planned, err := a.processor.PreviewDigests(c.ctx, time.Now())
	if err != nil {
		return err
	}
	return c.print("digests", planned)
}

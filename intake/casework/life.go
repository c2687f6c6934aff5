package casework

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"lexheller/intake/command"
	"lexheller/intake/config"
	"lexheller/intake/form"
	"lexheller/intake/parse"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

// Actor is who acts on a case: a process leader by mail, or the
// administrator on the command line.
type Actor struct {
	Address string // lower-case; "" for the command line
	Message int64  // the ledger row of the mail that carried the commands
}

func (a Actor) who() string {
	if a.Address == "" {
		return "lexheller (kommandoraden)"
	}
	return a.Address
}

func (a Actor) role() store.Role {
	if a.Address == "" {
		return store.RoleAdmin
	}
	return store.RoleProcessLeader
}

// Applied is what a set of commands did to a case.
type Applied struct {
	Case    *store.Case
	Changes []string        // one line each, in the deployment's language
	Errors  []command.Error // when there are any, nothing was applied
	Help    bool
	Status  bool             // /status: the sender gets the case's status
	Mails   []*store.OutMail // the mails the commands send (forwards, feedback, notices)
}

// Apply applies commands to a case in a transaction of its own and queues
// the mails they send: the command line's way to do what a process
// leader does by mail. Nothing is applied when Errors is not empty.
func (p *Processor) Apply(ctx context.Context, caseID string, cmds []command.Command) (*Applied, error) {
	var a *Applied
	err := p.Store.Tx(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(caseID)
		if err != nil {
			return err
		}
		if a, err = p.apply(tx, c, Actor{}, cmds, p.now()); err != nil || len(a.Errors) > 0 {
			return err
		}
		return p.queue(tx, a.Mails)
	})
	if err != nil {
		return nil, err
	}
	if len(a.Mails) > 0 && p.Queued != nil {
		p.Queued()
	}
	return a, nil
}

func (p *Processor) queue(tx *store.Tx, mails []*store.OutMail) error {
	for _, m := range mails {
		if _, err := tx.QueueMail(m, p.Queue); err != nil {
			return err
		}
	}
	return nil
}

// text is message key of the catalogue (templates.Message) in the
// deployment's language, its verbs filled with args.
func (p *Processor) text(key string, args ...any) string {
	return templates.Message(p.Lang, key, args...)
}

// apply checks every command against the case and the förbund first, and
// applies them only when all can be: the commands of one mail apply
// together or not at all.
func (p *Processor) apply(tx *store.Tx, c *store.Case, actor Actor, cmds []command.Command, now time.Time) (*Applied, error) {
	a := &Applied{Case: c}
	fb := p.forbund(c.Forbund)
	var err error
	if a.Errors, err = p.problems(tx, c, cmds); err != nil || len(a.Errors) > 0 {
		return a, err
	}
	forwards, err := tx.Forwards(c.ID)
	if err != nil {
		return nil, err
	}
	has := func(n command.Name) bool {
		return slices.ContainsFunc(cmds, func(c command.Command) bool { return c.Name == n })
	}
	ap := &applying{p: p, tx: tx, c: c, fb: fb, actor: actor, now: now, forwards: forwards, a: a,
		closing: c.Status != store.StatusClosed && has(command.Close), fedBack: has(command.Feedback)}
	for _, cmd := range cmds {
		if err := ap.run(cmd); err != nil {
			return nil, err
		}
	}
	notices, err := p.flushNotices(tx, c, fb, now)
	if err != nil {
		return nil, err
	}
	a.Mails = append(a.Mails, notices...)
	c.UpdatedAt = now
	if err := tx.UpdateCase(c); err != nil {
		return nil, err
	}
	return a, nil
}

// applying is one apply under way: the case, its förbund, who acts and
// when, and what the commands have done so far.
type applying struct {
	p        *Processor
	tx       *store.Tx
	c        *store.Case
	fb       *config.Forbund
	actor    Actor
	now      time.Time
	forwards []*store.Forward // the case's forwards before the commands
	a        *Applied
	closing  bool // the commands close the case
	fedBack  bool // the commands give the reporter feedback (which then says the case is closed)
}

// event records what the actor did on the case's timeline.
func (ap *applying) event(kind, summary, body string) error {
	return ap.tx.AddEvent(&store.Event{CaseID: ap.c.ID, At: ap.now, Kind: kind, Actor: ap.actor.who(), Role: ap.actor.role(),
		Message: ap.actor.Message, Summary: summary, Body: form.MaskPII(body)})
}

// changed reports and records a change to the case's fields.
func (ap *applying) changed(summary string) error {
	ap.a.Changes = append(ap.a.Changes, summary)
	return ap.event(store.EventChanged, summary, "")
}

// run applies one command that check has passed.
func (ap *applying) run(cmd command.Command) error {
	p, c, a, now := ap.p, ap.c, ap.a, ap.now
	switch cmd.Name {
	case command.Level:
		c.Level = cmd.Level
		return ap.changed(p.text("changed_level", templates.LevelName(p.Lang, c.Level)))
	case command.Parties:
		c.Parties = cmd.Parties
		if !slices.Contains(c.Parties, form.Annan) {
			c.OtherParty = ""
		}
		ap.propose(cmd.Parties, func(g *config.Group) []string { return g.Parties })
		return ap.changed(p.text("changed_parties", strings.Join(c.Parties, ", ")))
	case command.Themes:
		for _, t := range cmd.AddThemes {
			if !slices.Contains(c.Themes, t) {
				c.Themes = append(c.Themes, t)
			}
		}
		c.Themes = slices.DeleteFunc(c.Themes, func(t string) bool { return slices.Contains(cmd.DropThemes, t) })
		ap.propose(cmd.AddThemes, func(g *config.Group) []string { return g.Themes })
		return ap.changed(p.text("changed_themes", orNone(p, c.Themes)))
	case command.Forward:
		return ap.forward(cmd)
	case command.Group:
		return ap.group(cmd)
	case command.Feedback:
		return ap.feedback(cmd)
	case command.Raise:
		c.Raised, c.RaisedAt = form.MaskPII(cmd.Text), &now
		summary := p.text("raised")
		if next := nextMeeting(ap.fb, now); !next.IsZero() {
			summary = p.text("raised_for_meeting", next.Format(time.DateOnly))
		}
		a.Changes = append(a.Changes, summary)
		meeting := ""
		if next := nextMeeting(ap.fb, now); !next.IsZero() {
			meeting = next.Format(time.DateOnly)
		}
		if err := p.notice(ap.tx, c, ap.fb, store.NoticeRaised, "", meeting, now); err != nil {
			return err
		}
		return ap.event(store.EventRaised, summary, cmd.Text)
	case command.Edit:
		c.Edited = form.MaskPIIOutgoing(cmd.Text)
		a.Changes = append(a.Changes, p.text("edited_confirmed"))
		return ap.event(store.EventChanged, p.text("edited"), c.Edited)
	case command.Decision:
		a.Changes = append(a.Changes, p.text("decision_recorded"))
		return ap.event(store.EventDecision, p.text("decision"), cmd.Text)
	case command.Note:
		a.Changes = append(a.Changes, p.text("note_kept"))
		return ap.event(store.EventNote, p.text("note"), cmd.Text)
	case command.Publish:
		c.Publish = cmd.Publish
		if c.Publish {
			return ap.changed(p.text("publish_yes"))
		}
		return ap.changed(p.text("publish_no"))
	case command.Close:
		if c.Status == store.StatusClosed {
			a.Changes = append(a.Changes, p.text("closed_already"))
			return nil
		}
		c.Status, c.ClosedAt = store.StatusClosed, &now
		summary := p.text("closed")
		a.Changes = append(a.Changes, summary)
		if !ap.fedBack {
			// Feedback given in the same mail said so itself.
			events, err := ap.tx.Timeline(c.ID)
			if err != nil {
				return err
			}
			if err := p.notice(ap.tx, c, ap.fb, store.NoticeClosed, "", lastFeedback(events), now); err != nil {
				return err
			}
		}
		return ap.event(store.EventStatus, summary, "")
	case command.Reopen:
		if c.Status != store.StatusClosed {
			a.Changes = append(a.Changes, p.text("open_already"))
			return nil
		}
		c.Status, c.ClosedAt = reopened(ap.forwards), nil
		summary := p.text("reopened")
		a.Changes = append(a.Changes, summary)
		return ap.event(store.EventStatus, summary, "")
	case command.Help:
		a.Help = true
	case command.Status:
		a.Status = true
	case command.Release:
		if !c.Held {
			a.Changes = append(a.Changes, p.text("release_not_held"))
			return nil
		}
		c.Held = false
		mails, err := p.toReporter(ap.tx, c, ap.fb, notify.Request{Now: now, Body: p.ack(c, ap.fb, "", false)})
		if err != nil {
			return err
		}
		a.Mails = append(a.Mails, mails...)
		return ap.changed(p.text("released"))
	case command.Silence:
		summary, err := p.silence(ap.tx, c, cmd.Quiet, now)
		if err != nil {
			return err
		}
		return ap.changed(summary)
	}
	return nil
}

// forward applies /vidarebefordra, reopening a closed case first.
func (ap *applying) forward(cmd command.Command) error {
	p, c, a := ap.p, ap.c, ap.a
	if err := ap.reopenToSend(); err != nil {
		return err
	}
	mails, err := p.forward(ap.tx, c, ap.fb, cmd, ap.actor, ap.now)
	a.Mails = append(a.Mails, mails...)
	if err != nil {
		return err
	}
	c.Status = store.StatusForwarded
	a.Changes = append(a.Changes, p.text("forwarded_to", strings.Join(cmd.Parties, ", ")))
	return nil
}

// reopenToSend reopens a closed case that is sent on (to a party or a
// working group), and says so.
func (ap *applying) reopenToSend() error {
	if ap.c.Status != store.StatusClosed {
		return nil
	}
	ap.c.ClosedAt = nil
	summary := ap.p.text("reopened_to_forward")
	ap.a.Changes = append(ap.a.Changes, summary)
	return ap.event(store.EventStatus, summary, "")
}

// group applies /grupp: the case goes, de-identified, to the working
// group's addresses, as a forward to a party does.
func (ap *applying) group(cmd command.Command) error {
	p, c, a := ap.p, ap.c, ap.a
	g := ap.fb.Group(cmd.Group)
	if err := ap.reopenToSend(); err != nil {
		return err
	}
	question := form.Deidentify(cmd.Text, c.Reporter())
	sent := false
	for _, addr := range g.Addresses {
		f := &store.Forward{CaseID: c.ID, Group: g.Name, Address: addr, Question: question, By: ap.actor.who(), At: ap.now}
		ms, err := p.sendForward(ap.tx, c, ap.fb, f, ap.actor, p.text("group_sent_to", g.Name, addr))
		if err != nil {
			return err
		}
		a.Mails = append(a.Mails, ms...)
		sent = sent || len(ms) > 0
	}
	for _, addr := range append(slices.Clone(g.Addresses), g.Members...) {
		if err := ap.tx.AddParticipant(c.ID, addr, store.RoleGroup, g.Name, ap.now); err != nil {
			return err
		}
	}
	if !sent {
		return nil
	}
	c.Status = store.StatusForwarded
	a.Changes = append(a.Changes, p.text("group_sent", g.Name))
	return p.notice(ap.tx, c, ap.fb, store.NoticeForwarded, "", g.Name, ap.now)
}

// propose tells the process leader of each working group that follows
// one of values (themes or parties, as of picks) and has not had the
// case: it is theirs to send, with /grupp.
func (ap *applying) propose(values []string, of func(*config.Group) []string) {
	for i := range ap.fb.Groups {
		g := &ap.fb.Groups[i]
		if slices.ContainsFunc(ap.forwards, func(f *store.Forward) bool { return strings.EqualFold(f.Group, g.Name) }) {
			continue
		}
		for _, v := range values {
			if slices.ContainsFunc(of(g), func(x string) bool { return strings.EqualFold(x, v) }) {
				ap.a.Changes = append(ap.a.Changes, ap.p.text("group_proposed", g.Name, v, g.Name))
				break
			}
		}
	}
}

// feedback applies /återkoppla: a mail to the reporter, with the parties'
// answers when the command asks for them.
func (ap *applying) feedback(cmd command.Command) error {
	p, a := ap.p, ap.a
	var answers []*store.Forward
	if cmd.WithAnswer {
		answers = answered(ap.forwards)
	}
	mails, err := p.toReporter(ap.tx, ap.c, ap.fb, notify.Request{Now: ap.now,
		Body: notify.Feedback{Text: form.MaskPII(cmd.Text), Answers: answers, Greeted: greets(cmd.Text), Closing: ap.closing}})
	a.Mails = append(a.Mails, mails...)
	if err != nil {
		return err
	}
	summary := p.text("feedback")
	if len(answers) > 0 {
		summary = p.text("feedback_with_answer", parties(answers))
	}
	a.Changes = append(a.Changes, summary)
	return ap.event(store.EventFeedback, summary, cmd.Text)
}

// problems returns what keeps cmds from being applied to c (check).
func (p *Processor) problems(tx *store.Tx, c *store.Case, cmds []command.Command) ([]command.Error, error) {
	forwards, err := tx.Forwards(c.ID)
	if err != nil {
		return nil, err
	}
	hasReporter, err := tx.HasReporter(c.ID)
	if err != nil {
		return nil, err
	}
	return check(c, p.forbund(c.Forbund), forwards, hasReporter, cmds), nil
}

// check finds the commands that cannot be applied to the case: a party
// with no representative, publication the reporter did not allow, an
// answer to quote that is not there.
func check(c *store.Case, fb *config.Forbund, forwards []*store.Forward, hasReporter bool, cmds []command.Command) []command.Error {
	var errs []command.Error
	for _, cmd := range cmds {
		fail := func(what command.Problem, arg string) {
			errs = append(errs, command.Error{Line: cmd.Line, Raw: cmd.Raw, What: what, Arg: arg})
		}
		switch cmd.Name {
		case command.Forward:
			for _, party := range cmd.Parties {
				if len(fb.RepresentativesOf(party)) == 0 {
					fail(command.NoParty, party)
				}
			}
		case command.Group:
			if fb.Group(cmd.Group) == nil {
				fail(command.BadGroup, cmd.Group)
			}
		case command.Publish:
			if cmd.Publish && !c.PublishOK {
				fail(command.NotAllowed, "")
			}
		case command.Feedback:
			if c.Held {
				fail(command.Held, "")
			} else if !hasReporter {
				fail(command.NoReporter, "")
			} else if cmd.WithAnswer && len(answered(forwards)) == 0 {
				fail(command.NothingToSend, "")
			}
		}
	}
	return errs
}

func orNone(p *Processor, l []string) string {
	if len(l) == 0 {
		return p.text("none")
	}
	return strings.Join(l, ", ")
}

// answered are the forwards answered; a working group's once (it went to
// each of the group's addresses, and is answered once).
func answered(fs []*store.Forward) []*store.Forward {
	return onePerGroup(fs, func(f *store.Forward) bool { return f.AnsweredAt != nil })
}

// unanswered are the forwards waiting for an answer; a group's once.
func unanswered(fs []*store.Forward) []*store.Forward {
	return onePerGroup(fs, func(f *store.Forward) bool { return f.AnsweredAt == nil })
}

func onePerGroup(fs []*store.Forward, keep func(*store.Forward) bool) []*store.Forward {
	var out []*store.Forward
	for _, f := range fs {
		if keep(f) && (f.Group == "" || !slices.ContainsFunc(out, func(o *store.Forward) bool { return o.Group == f.Group })) {
			out = append(out, f)
		}
	}
	return out
}

func parties(fs []*store.Forward) string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Party) {
			out = append(out, f.Party)
		}
	}
	return strings.Join(out, ", ")
}

// reopened is the status a reopened case returns to.
func reopened(fs []*store.Forward) string {
	switch {
	case len(unanswered(fs)) > 0:
		return store.StatusForwarded
	case len(fs) > 0:
		return store.StatusAnswered
	}
	return store.StatusInDialogue
}

// forward sends the case, de-identified, to each representative of each
// party in cmd, and makes them participants so that their answers thread.
func (p *Processor) forward(tx *store.Tx, c *store.Case, fb *config.Forbund, cmd command.Command, actor Actor, now time.Time) ([]*store.OutMail, error) {
	var mails []*store.OutMail
	withContact := cmd.WithContact && c.ContactOK
	question := form.MaskPII(cmd.Text)
	if !withContact {
		question = form.Deidentify(cmd.Text, c.Reporter())
	}
	for _, party := range cmd.Parties {
		sent := false
		for _, rep := range fb.RepresentativesOf(party) {
			f := &store.Forward{CaseID: c.ID, Party: party, Address: strings.ToLower(rep.Email), Name: rep.Name,
				Question: question, WithContact: withContact, By: actor.who(), At: now}
			summary := p.text("forwarded_to_rep", party, rep.Email)
			if withContact {
				summary = p.text("forwarded_to_rep_contact", party, rep.Email)
			}
			ms, err := p.sendForward(tx, c, fb, f, actor, summary)
			if err != nil {
				return nil, err
			}
			if len(ms) == 0 {
				continue
			}
			if err := tx.AddParticipant(c.ID, rep.Email, store.RoleRepresentative, party, now); err != nil {
				return nil, err
			}
			mails = append(mails, ms...)
			sent = true
		}
		if sent {
			if err := p.notice(tx, c, fb, store.NoticeForwarded, party, "", now); err != nil {
				return nil, err
			}
		}
	}
	return mails, nil
}

// sendForward composes forward f (to a party's representative or a
// working group's address) and the process leaders' copy of exactly what
// went, and records it with its event (summary). It returns no mails, and
// records nothing, when f's address can take no mail (compose logs it).
func (p *Processor) sendForward(tx *store.Tx, c *store.Case, fb *config.Forbund, f *store.Forward, actor Actor, summary string) ([]*store.OutMail, error) {
	ms, err := p.compose(notify.Request{To: []string{f.Address}, Case: c, ForbundName: fb.Name, Now: f.At,
		Body: notify.Forward{Forward: f, Question: f.Question, WithContact: f.WithContact, AnswerBy: f.At.Add(p.schedule().ForwardAfter)}})
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	f.MessageID = ms[0].MessageID
	copies, err := p.compose(notify.Request{To: fb.ProcessLeaders, Case: c, ForbundName: fb.Name, Now: f.At,
		Body: notify.ForwardCopy{Forward: f, Text: ms[0].Body, Subject: ms[0].Subject}})
	if err != nil {
		return nil, err
	}
	if err := tx.AddForward(f); err != nil {
		return nil, err
	}
	if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: f.At, Kind: store.EventForwarded, Actor: actor.who(),
		Role: actor.role(), Message: actor.Message, Summary: summary, Body: f.Question}); err != nil {
		return nil, err
	}
	return append(ms, copies...), nil
}

// toReporter composes req to the address the blanket came from; none
// while the case is held (the address may be a stranger's).
func (p *Processor) toReporter(tx *store.Tx, c *store.Case, fb *config.Forbund, req notify.Request) ([]*store.OutMail, error) {
	if c.Held {
		return nil, nil
	}
	to, err := tx.Reporter(c.ID)
	if err != nil {
		return nil, err
	}
	req.To, req.Case, req.ForbundName = []string{to}, c, fb.Name
	return p.compose(req)
}

// commands handles a process leader's mail of commands on a case: it
// applies them (all or none) and answers with what was done or what was
// not understood.
func (p *Processor) commands(tx *store.Tx, pr *prepared, row *store.Message, now time.Time) ([]*store.OutMail, error) {
	res, m := pr.res, pr.msg
	from := strings.ToLower(m.From.Address)
	if res.Unproven {
		return p.unproven(tx, pr, row, now)
	}
	if err := tx.AddEvent(&store.Event{CaseID: res.Case, At: now, Kind: store.EventReceived, Actor: from, Role: store.RoleProcessLeader,
		Message: row.ID, Summary: p.text("commands_from", from), Body: form.MaskPII(res.Text)}); err != nil {
		return nil, err
	}
	c, err := tx.Case(res.Case)
	if err != nil {
		return nil, err
	}
	fb := p.forbund(c.Forbund)
	cmds, errs := command.Parse(res.Text)
	more, err := p.problems(tx, c, cmds)
	if err != nil {
		return nil, err
	}
	errs = append(errs, more...)
	slices.SortStableFunc(errs, func(a, b command.Error) int { return a.Line - b.Line })
	a := &Applied{Case: c, Errors: errs}
	if len(errs) == 0 {
		if a, err = p.apply(tx, c, Actor{Address: from, Message: row.ID}, cmds, now); err != nil {
			return nil, err
		}
	}
	result := notify.CommandResult{Changes: a.Changes}
	for _, e := range a.Errors {
		result.Problems = append(result.Problems, p.text("command_problem", e.Line, e.Raw, command.Describe(e, p.Lang)))
	}
	if len(a.Errors) > 0 {
		if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventRefused, Actor: from, Role: store.RoleProcessLeader,
			Message: row.ID, Summary: p.text("commands_not_carried_out"),
			Body: strings.Join(result.Problems, "\n")}); err != nil {
			return nil, err
		}
	}
	if a.Help || len(a.Errors) > 0 && hasUnknown(a.Errors) {
		result.Help = HelpTable(p.Lang)
	}
	var mails []*store.OutMail
	if a.Status {
		if mails, err = p.statusMail(tx, c, fb, from, store.RoleProcessLeader, "", m.MessageID, m.References, now); err != nil {
			return nil, err
		}
	}
	if !a.Status || len(a.Changes)+len(a.Errors) > 0 || a.Help {
		confirm, err := p.compose(notify.Request{To: []string{from}, Case: c, ForbundName: fb.Name,
			InReplyTo: m.MessageID, References: m.References, Now: now, Body: result})
		if err != nil {
			return nil, err
		}
		mails = append(mails, confirm...)
	}
	return append(a.Mails, mails...), nil
}

// unproven refuses commands in a process leader's name from a mail that
// does not answer a mail of ours to that leader: anyone can write a From
// header and a case number. Nothing is applied or relayed; the address
// is told (a leader who wrote it learns how to write it; one who did not
// learns that someone tried) and the case records it.
func (p *Processor) unproven(tx *store.Tx, pr *prepared, row *store.Message, now time.Time) ([]*store.OutMail, error) {
	res, m := pr.res, pr.msg
	from := strings.ToLower(m.From.Address)
	c, err := tx.Case(res.Case)
	if err != nil {
		return nil, err
	}
	fb := p.forbund(c.Forbund)
	why := p.text("unproven_why")
	if err := tx.AddEvent(&store.Event{CaseID: c.ID, At: now, Kind: store.EventRefused, Actor: from, Role: store.RoleUnverified,
		Message: row.ID, Summary: p.text("unproven_refused", from, why),
		Body: form.MaskPII(res.Text)}); err != nil {
		return nil, err
	}
	return p.compose(notify.Request{To: []string{from}, Case: c, ForbundName: fb.Name,
		InReplyTo: m.MessageID, References: m.References, Now: now,
		Body: notify.CommandResult{Problems: []string{p.text("unproven_told", why)}}})
}

func hasUnknown(errs []command.Error) bool {
	return slices.ContainsFunc(errs, func(e command.Error) bool { return e.What == command.Unknown })
}

// HelpTable is the command table in lang.
func HelpTable(lang string) []notify.HelpRow {
	lang = templates.Lang(lang)
	var out []notify.HelpRow
	for _, s := range command.Specs {
		name := s.Swedish
		if lang == "en" {
			name = s.English
		}
		out = append(out, notify.HelpRow{Command: name, Args: s.Args[lang], Does: s.Does[lang], Example: s.Example(lang)})
	}
	return out
}

// dialogue handles a reply on a case that carries no commands: a process
// leader's text goes to the reporter as a question, a representative's
// is their party's answer, and anything else (the reporter's, mostly)
// goes to the process leaders.
func (p *Processor) dialogue(tx *store.Tx, pr *prepared, row *store.Message, now time.Time) ([]*store.OutMail, error) {
	res, m := pr.res, pr.msg
	if res.Unproven {
		return p.unproven(tx, pr, row, now)
	}
	from := strings.ToLower(m.From.Address)
	c, err := tx.Case(res.Case)
	if err != nil {
		return nil, err
	}
	fb := p.forbund(c.Forbund)
	text := form.MaskPII(res.Text)
	pii := len(form.FindPII(res.Text)) > 0
	role, party, err := p.roleOf(tx, c, fb, m)
	if err != nil {
		return nil, err
	}
	r := &caseReply{c: c, fb: fb, m: m, from: from, text: text, pii: pii, now: now,
		ev: &store.Event{CaseID: c.ID, At: now, Kind: store.EventReceived, Actor: from, Role: role, Message: row.ID, Body: text}}
	raw := res.Text
	var mails []*store.OutMail
	if role != store.RoleProcessLeader && command.HasCommandLine(raw) {
		// /status and /tyst, which a reporter or representative may
		// write: answered, and only what else the mail says is relayed.
		if cmds, errs := command.Parse(raw); len(errs) == 0 && command.Allowed(string(role), cmds) {
			if mails, err = p.ownCommands(tx, r, cmds, party); err != nil {
				return nil, err
			}
			if raw = command.Remainder(raw); raw == "" {
				return mails, nil // the command's event records the mail
			}
			r.text = form.MaskPII(raw)
			r.ev.Body = r.text
			if role != store.RoleReporter {
				// What a party writes beside /status is passed on, not taken
				// for its answer (a signature is no answer).
				relayed, err := p.otherReply(r)
				if err != nil {
					return nil, err
				}
				return append(mails, relayed...), p.recordReply(tx, r)
			}
		}
	}
	var relayed []*store.OutMail
	switch role {
	case store.RoleProcessLeader:
		relayed, err = p.leaderReply(tx, r)
	case store.RoleRepresentative:
		relayed, err = p.representativeReply(tx, r, party)
	case store.RoleGroup:
		relayed, err = p.groupReply(tx, r, party)
	default:
		relayed, err = p.otherReply(r)
	}
	if err != nil {
		return nil, err
	}
	mails = append(mails, relayed...)
	if err := p.recordReply(tx, r); err != nil {
		return nil, err
	}
	// Commands from someone who may not give them: refused, recorded, and
	// the sender told; the text itself went on as a reply.
	if role != store.RoleProcessLeader && command.HasCommandLine(raw) {
		refused, err := p.refuseCommands(tx, r, raw)
		if err != nil {
			return nil, err
		}
		mails = append(mails, refused...)
	}
	return mails, nil
}

// recordReply puts the reply on the case's timeline.
func (p *Processor) recordReply(tx *store.Tx, r *caseReply) error {
	if r.ev.Summary == "" {
		r.ev.Summary = p.text("reply_from", r.from)
	}
	if err := tx.AddEvent(r.ev); err != nil {
		return err
	}
	r.c.UpdatedAt = r.now
	return tx.UpdateCase(r.c)
}

// ownCommands answers the commands a reporter or a representative may
// give on their case (command.Allowed): /tyst stops the reporter's
// notices (/tyst nej starts them again); either, and /status, are
// answered with the case's status as their role may see it.
func (p *Processor) ownCommands(tx *store.Tx, r *caseReply, cmds []command.Command, party string) ([]*store.OutMail, error) {
	var summaries []string
	for _, cmd := range cmds {
		switch cmd.Name {
		case command.Status:
			summaries = append(summaries, p.text("status_asked", r.from))
		case command.Silence:
			summary, err := p.silence(tx, r.c, cmd.Quiet, r.now)
			if err != nil {
				return nil, err
			}
			if cmd.Quiet {
				summary = p.text("silenced_by_reporter")
			}
			summaries = append(summaries, summary)
			if err := tx.UpdateCase(r.c); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.AddEvent(&store.Event{CaseID: r.c.ID, At: r.now, Kind: store.EventStatusAsk, Actor: r.from, Role: r.ev.Role,
		Message: r.ev.Message, Summary: strings.Join(summaries, "; ")}); err != nil {
		return nil, err
	}
	return p.statusMail(tx, r.c, r.fb, r.from, r.ev.Role, party, r.m.MessageID, r.m.References, r.now)
}

// caseReply is a reply on a case as dialogue relays it.
type caseReply struct {
	c    *store.Case
	fb   *config.Forbund
	m    *parse.Message
	from string // the sender, lower-case
	text string // the reply, personnummer masked
	pii  bool   // whether there were personnummer to mask
	now  time.Time
	ev   *store.Event // the timeline's entry for the reply, recorded by dialogue
}

// leaderReply relays a process leader's reply to the reporter as a
// question and confirms it to the leader. A case with no address for the
// reporter keeps it as a note.
func (p *Processor) leaderReply(tx *store.Tx, r *caseReply) ([]*store.OutMail, error) {
	c, fb, m, from, ev := r.c, r.fb, r.m, r.from, r.ev
	if strings.TrimSpace(r.text) == "" {
		ev.Summary = p.text("empty_reply", from)
		return nil, nil
	}
	ok, err := tx.HasReporter(c.ID)
	if err != nil {
		return nil, err
	}
	if !ok || c.Held {
		// An imported case: no one to ask; a held one: not yet. Kept as a
		// note, and said.
		ev.Kind = store.EventNote
		ev.Summary = p.text("reply_kept_as_note", from)
		if c.Held {
			ev.Summary = p.text("reply_kept_held", from)
		}
		return p.compose(notify.Request{To: []string{from}, Case: c, ForbundName: fb.Name,
			InReplyTo: m.MessageID, References: m.References, Now: r.now, Body: notify.CommandResult{Changes: []string{ev.Summary}}})
	}
	ev.Kind = store.EventQuestion
	ev.Summary = p.text("question_to_reporter", from)
	mails, err := p.toReporter(tx, c, fb, notify.Request{Now: r.now, Body: notify.Question{Text: r.text, Greeted: greets(r.text)}})
	if err != nil {
		return nil, err
	}
	// Every relay is confirmed, with what went, as commands are.
	confirm, err := p.compose(notify.Request{To: []string{from}, Case: c, ForbundName: fb.Name,
		InReplyTo: m.MessageID, References: m.References, Now: r.now,
		Body: notify.CommandResult{Text: r.text, Changes: []string{p.text("question_sent")}}})
	if err != nil {
		return nil, err
	}
	if c.Status == store.StatusNew {
		c.Status = store.StatusInDialogue
	}
	return append(mails, confirm...), nil
}

// representativeReply records a representative's reply as party's answer
// to the forward and tells the process leaders.
func (p *Processor) representativeReply(tx *store.Tx, r *caseReply, party string) ([]*store.OutMail, error) {
	f, err := tx.AnswerForward(r.c.ID, r.from, r.text, r.now)
	if err != nil {
		return nil, err
	}
	r.ev.Summary = p.text("answer_from_representative", templates.PartyOwner(p.Lang, party), r.from)
	return p.answered(tx, r, f, f.Party, "", f)
}

// groupReply records a reply from a working group's address or member as
// the group's answer and tells the process leaders.
func (p *Processor) groupReply(tx *store.Tx, r *caseReply, group string) ([]*store.OutMail, error) {
	f, err := tx.AnswerGroup(r.c.ID, group, r.text, r.now)
	if err != nil {
		return nil, err
	}
	r.ev.Summary = p.text("answer_from_group", group, r.from)
	shown := *f
	shown.Name = r.m.From.Name // who of the group wrote
	return p.answered(tx, r, f, "", group, &shown)
}

// answered follows an answer recorded on forward f: the case is answered
// when no forward waits, the reporter is told that the party (or the
// group) answered, if this is its first answer, and the process leaders
// get the answer (shown with the forward shown).
func (p *Processor) answered(tx *store.Tx, r *caseReply, f *store.Forward, party, group string, shown *store.Forward) ([]*store.OutMail, error) {
	c, fb, m := r.c, r.fb, r.m
	fs, err := tx.Forwards(c.ID)
	if err != nil {
		return nil, err
	}
	open := unanswered(fs)
	if len(open) == 0 && c.Status != store.StatusClosed {
		c.Status = store.StatusAnswered
	}
	r.ev.Kind = store.EventAnswer
	var mails []*store.OutMail
	if f.AnsweredAt != nil && f.AnsweredAt.Equal(r.now) {
		// A first answer to this forward (not more to an earlier one).
		if err := p.notice(tx, c, fb, store.NoticeAnswered, party, group, r.now); err != nil {
			return nil, err
		}
		if mails, err = p.flushNotices(tx, c, fb, r.now); err != nil {
			return nil, err
		}
	}
	if len(fb.ProcessLeaders) == 0 {
		return mails, nil
	}
	notice, err := p.compose(notify.Request{To: fb.ProcessLeaders, Case: c, ForbundName: fb.Name,
		InReplyTo: m.MessageID, References: m.References, Now: r.now,
		Body: notify.AnswerNotice{Forward: shown, Open: open, Text: r.text, PIIMasked: r.pii}})
	return append(mails, notice...), err
}

// otherReply passes anyone else's reply (the reporter's, mostly) on to the
// process leaders.
func (p *Processor) otherReply(r *caseReply) ([]*store.OutMail, error) {
	if r.ev.Role == store.RoleReporter {
		r.ev.Summary = p.text("reply_from_reporter", r.from)
	} else {
		r.ev.Summary = p.text("reply_from", r.from)
	}
	if len(r.fb.ProcessLeaders) == 0 {
		return nil, nil
	}
	return p.compose(notify.Request{To: r.fb.ProcessLeaders, Case: r.c, ForbundName: r.fb.Name,
		InReplyTo: r.m.MessageID, References: r.m.References, Now: r.now,
		Body: notify.ReplyNotice{From: displayName(r.m.From), Text: r.text, PIIMasked: r.pii}})
}

// refuseCommands records the refusal of commands in raw, a reply from
// someone who is no process leader, and tells the sender.
func (p *Processor) refuseCommands(tx *store.Tx, r *caseReply, raw string) ([]*store.OutMail, error) {
	if err := tx.AddEvent(&store.Event{CaseID: r.c.ID, At: r.now, Kind: store.EventRefused, Actor: r.from, Role: r.ev.Role,
		Message: r.ev.Message, Summary: p.text("commands_refused", r.from)}); err != nil {
		return nil, err
	}
	return p.compose(notify.Request{To: []string{r.from}, Case: r.c, ForbundName: r.fb.Name,
		InReplyTo: r.m.MessageID, References: r.m.References, Now: r.now,
		Body: notify.Refused{Command: form.MaskPII(firstCommandLine(raw))}})
}

// roleOf is the role in which m's sender writes on c. The configuration
// wins over the order people joined the case: a process leader's address
// is a process leader's, and an address the case was forwarded to is that
// party's representative, even when the same address filed the blanket;
// then the mail's thread decides (an answer to the forward, or to a mail
// the reporter got).
func (p *Processor) roleOf(tx *store.Tx, c *store.Case, fb *config.Forbund, m *parse.Message) (role store.Role, party string, err error) {
	from := strings.ToLower(m.From.Address)
	if slices.Contains(fb.ProcessLeaders, from) {
		return store.RoleProcessLeader, "", nil
	}
	if role, party, err = tx.Role(c.ID, from); err != nil {
		return "", "", err
	}
	fs, err := tx.Forwards(c.ID)
	if err != nil {
		return "", "", err
	}
	// The thread decides first: a mail of ours to this sender that the
	// mail answers (a forward, a reminder, or anything else).
	for _, id := range append(slices.Clone(m.InReplyTo), m.References...) {
		o, err := tx.OutboxByMessageID(id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", "", err
		}
		if !strings.EqualFold(o.To, from) {
			continue
		}
		if k := notify.Kind(o.Kind); k == notify.KindForward || k == notify.KindReminder {
			if f := forwardOf(fs, from, o.MessageID); f != nil {
				return forwardRole(f)
			}
		}
		return role, party, nil
	}
	// No thread to go by: a party's forward to this address, then a
	// working group the address speaks for that the case went to.
	if f := forwardOf(fs, from, ""); f != nil && f.Group == "" {
		return store.RoleRepresentative, f.Party, nil
	}
	for i := range fb.Groups {
		g := &fb.Groups[i]
		if g.Speaks(from) && slices.ContainsFunc(fs, func(f *store.Forward) bool { return strings.EqualFold(f.Group, g.Name) }) {
			return store.RoleGroup, g.Name, nil
		}
	}
	return role, party, nil
}

// forwardOf is the forward to address whose mail had messageID, or, when
// none had it (a reminder's), address's latest forward, unanswered first.
func forwardOf(fs []*store.Forward, address, messageID string) *store.Forward {
	var found *store.Forward
	for _, f := range fs {
		switch {
		case !strings.EqualFold(f.Address, address):
		case messageID != "" && f.MessageID == messageID:
			return f
		case found == nil || found.AnsweredAt != nil || f.AnsweredAt == nil:
			found = f
		}
	}
	return found
}

// forwardRole is the role of who answers forward f: its party's
// representative, or its working group.
func forwardRole(f *store.Forward) (store.Role, string, error) {
	if f.Group != "" {
		return store.RoleGroup, f.Group, nil
	}
	return store.RoleRepresentative, f.Party, nil
}

// greets reports whether text opens with a greeting of its own ("Hej
// Anna,"): then the mail that carries it adds none.
func greets(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return command.IsGreeting(l)
		}
	}
	return false
}

func firstCommandLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if command.IsCommandLine(l) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// nextMeeting is the förbund's first meeting on or after now's date.
func nextMeeting(fb *config.Forbund, now time.Time) time.Time {
	day := now.In(templates.Stockholm).Format(time.DateOnly)
	for _, md := range fb.Meetings {
		m := md.Time
		if m.Format(time.DateOnly) >= day {
			return m
		}
	}
	return time.Time{}
}

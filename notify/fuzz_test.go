package notify_test

import (
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"lexheller/intake/form"
	"lexheller/intake/ident"
	"lexheller/intake/store"
	"lexheller/notify"
	"lexheller/templates"
)

// FuzzCompose composes every kind of mail (the fixtures of request) with
// what a mail or a command put into it made hostile: the case's texts, the
// reporter's name and address, what someone wrote, who wrote it, the
// Message-IDs it answers, a command's echo, a failure's subject. Compose
// may refuse an address no mail can be sent to (ident.Deliverable), and nothing
// else; what it writes must read as one mail with our headers, each once,
// no header a text could add, threading headers only of well-formed
// Message-IDs, and a UTF-8 body; mail to a party holds no personnummer.
func FuzzCompose(f *testing.F) {
	f.Add(uint8(0), false, reporterTo, "Beskrivning.", "Anna Andersson", "Text.", "Björn <b@fk.se>", inReplyTo, earlierRef, "Nivå: organisering")
	evil := "Hej\r\nBcc: x@y\r\nX-Evil: 1\nSubject: kapat\rCc: z@w\n\nmer text"
	f.Add(uint8(1), true, reporterTo+"\r\nBcc: x@y", evil, "Anna\r\nBcc: x@y", evil, "Mallory <m@example.org>\r\nBcc: x@y",
		"a@b>\r\nBcc: x@y\r\nX-Evil: <c@d", "e@f>\r\nX-Evil: 1", "Ämne\r\nBcc: x@y")
	f.Add(uint8(8), false, "fia.karlsson@forsakringskassan.se", "Personen 850312-1231 (19850312-1231, 850312+1231) fick avslag.",
		"=?utf-8?q?Anna=0D=0ABcc:_x@y?=", "ring 070-123 45 67", "\"Anna, Bcc: x@y\" <a@b>", "<a@b>", "a@b c@d", "\x00\x1b[31m")
	f.Add(uint8(13), true, "\"a b\"@x", strings.Repeat("lång rad utan radbrytning ", 200), strings.Repeat("Ö", 300), "\u2028\u2029\u0085",
		"", "x@"+strings.Repeat("y", 300), "(comment)@x", "--boundary\r\nContent-Type: text/html\r\n\r\n<script>")
	f.Add(uint8(16), false, "a@b", "", "", "", "", "", "", "")
	c := &notify.Composer{Signer: newSigner(), Address: testAddress, Name: testName}
	set, err := templates.Load("")
	if err != nil {
		f.Fatal(err)
	}
	c.Templates = set
	f.Fuzz(func(t *testing.T, k uint8, english bool, to, desc, name, text, from, inReplyTo, ref, extra string) {
		// What reaches a mail is UTF-8: intake/parse decodes every text
		// to it, intake/legacy every sheet.
		for _, p := range []*string{&to, &desc, &name, &text, &from, &inReplyTo, &ref, &extra} {
			*p = strings.ToValidUTF8(*p, "\ufffd")
		}
		lang := "sv"
		if english {
			lang = "en"
		}
		kind := allKinds[int(k)%len(allKinds)]
		benign := composeOne(t, c, request(kind, lang))
		want := parseRaw(t, benign.Raw).h

		r := request(kind, lang)
		r.To = []string{to}
		r.InReplyTo = inReplyTo
		r.References = append(r.References, ref, inReplyTo)
		if r.Case != nil {
			r.Case.Description, r.Case.ReporterName, r.Case.Consequence, r.Case.Suggestion = desc, name, extra, text
			r.Case.OtherParty, r.Case.Themes, r.Case.Raised, r.Case.ReporterOrg = extra, []string{extra, desc}, extra, extra
		}
		r.Body = hostile(r.Body, name, from, text, extra, desc, to)

		out, err := c.Compose(r)
		if err != nil {
			if ident.Deliverable(to) == nil {
				t.Fatalf("Compose(%s) to %q: %v", kind, to, err)
			}
			return
		}
		if len(out) != 1 {
			t.Fatalf("%d mails for one recipient", len(out))
		}
		m := out[0]
		got := parseRaw(t, m.Raw).h
		for k, v := range got {
			if len(v) != 1 {
				t.Errorf("%d %s headers: %q", len(v), k, v)
			}
			if _, ok := want[k]; !ok && k != "In-Reply-To" && k != "References" {
				t.Errorf("header %s: %q, which the mail does not have", k, v)
			}
		}
		for k := range want {
			if _, ok := got[k]; !ok && k != "In-Reply-To" && k != "References" {
				t.Errorf("no %s header", k)
			}
		}
		if l, err := mail.ParseAddressList(got.Get("To")); err != nil || len(l) != 1 {
			t.Errorf("To %q: %v, %d addresses", got.Get("To"), err, len(l))
		}
		if from, err := mail.ParseAddress(got.Get("From")); err != nil || from.Address != testAddress {
			t.Errorf("From %q: %v", got.Get("From"), err)
		}
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("subject %q has a line break", m.Subject)
		}
		for _, k := range []string{"In-Reply-To", "References"} {
			for _, id := range strings.Fields(got.Get(k)) {
				if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") || strings.Count(id, "@") != 1 ||
					strings.ContainsAny(id[1:len(id)-1], "<>\"(),:;[\\]") {
					t.Errorf("%s holds %q", k, id)
				}
			}
		}
		if !utf8.ValidString(m.Body) {
			t.Errorf("the body is not UTF-8: %q", m.Body)
		}
		if toPartyAlone(r.Body) {
			if pii := form.FindPII(m.Body); len(pii) > 0 {
				t.Errorf("mail to a party holds %v:\n%s", pii, m.Body)
			}
		}
		for _, l := range headerBlock(m.Raw) {
			if name, _, _ := strings.Cut(strings.ToLower(l), ":"); name == "bcc" || name == "cc" || name == "x-evil" {
				t.Errorf("injected header line %q", l)
			}
		}
	})
}

// hostile puts what a mail or a command may carry into every text of b.
func hostile(b notify.Body, name, from, text, extra, desc, to string) notify.Body {
	fwd := func(f *store.Forward) {
		if f != nil {
			f.Question, f.Answer, f.Name = text, extra, name
		}
	}
	failed := func(m *store.OutMail) {
		if m != nil {
			m.Subject, m.LastError, m.To = extra, extra, to
		}
	}
	switch v := b.(type) {
	case notify.NewCase:
		v.NoAck = extra
		for _, s := range v.Similar {
			s.Case.Description = desc
		}
		return v
	case notify.Incomplete:
		v.Name = name
		if v.Fields != nil {
			v.Fields.Description, v.Fields.ReporterName, v.Fields.ReporterOrg, v.Fields.OtherParty = desc, name, extra, extra
		}
		return v
	case notify.ReplyNotice:
		v.From, v.Text = from, text
		return v
	case notify.SendFailed:
		failed(v.Failed)
		return v
	case notify.BounceNotice:
		failed(v.Failed)
		v.Reason = extra
		return v
	case notify.Quarantined:
		v.From, v.Subject, v.Where, v.Reason = from, name, text, extra
		return v
	case notify.ForwardCopy:
		fwd(v.Forward)
		v.Subject, v.Text = name, text
		return v
	case notify.Question:
		v.Text = text
		return v
	case notify.Forward:
		fwd(v.Forward)
		v.Question = text
		return v
	case notify.AnswerNotice:
		fwd(v.Forward)
		v.Text = text
		return v
	case notify.Feedback:
		v.Text = text
		for _, a := range v.Answers {
			a.Answer = extra
		}
		return v
	case notify.CommandResult:
		v.Changes, v.Problems, v.Text = []string{extra, desc}, []string{extra}, text
		return v
	case notify.Refused:
		v.Command = text
		return v
	case notify.Reminder:
		fwd(v.Forward)
		return v
	case notify.AgendaMail:
		for _, c := range v.Agenda.Raised {
			c.Raised, c.Description = extra, desc
		}
		return v
	case notify.PatternReport:
		v.Text = text
		return v
	}
	return b
}

// toPartyAlone reports whether b goes to a party without the reporter's
// contact details: such a mail must hold no personnummer.
func toPartyAlone(b notify.Body) bool {
	switch v := b.(type) {
	case notify.Forward:
		return !v.WithContact
	case notify.Reminder:
		return !v.WithContact
	}
	return false
}

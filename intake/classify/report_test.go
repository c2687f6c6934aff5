package classify

import (
	"context"
	"strings"
	"testing"

	"lexheller/intake/parse"
)

// inspect's text is there for every kind: the auto-reply, the bounce, the
// quarantined mail and the one without a sender too.
func TestReportHasTextForEveryKind(t *testing.T) {
	o := corpusOptions()
	for _, raw := range []string{
		"From: a@x.example\r\nSubject: Frånvaro\r\nAuto-Submitted: auto-replied\r\n\r\nJag är ledig till 1 december.\r\n",
		"From: MAILER-DAEMON@x.example\r\nSubject: Undelivered Mail Returned to Sender\r\nReturn-Path: <>\r\n\r\nDet gick inte att leverera.\r\n",
		"From: a@x.example\r\nSubject: Hej\r\n\r\nNågot helt annat än en blankett.\r\n",
		"Subject: Utan avsändare\r\n\r\nVem skrev detta?\r\n",
	} {
		m, err := parse.Parse(strings.NewReader(raw), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Classify(context.Background(), m, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		body := raw[strings.Index(raw, "\r\n\r\n")+4:]
		if rep := NewReport(m, res); rep.Text != strings.TrimSpace(body) {
			t.Errorf("%s: text %q, want %q", res.Kind, rep.Text, strings.TrimSpace(body))
		}
	}
}

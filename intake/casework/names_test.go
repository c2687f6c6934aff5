package casework

import (
	"fmt"
	"strings"
	"testing"

	"lexheller/intake/store"
	"lexheller/notify"
)

// The new-case notification flags what looks like a person's name in the
// description, so that the process leader removes it with /redigera
// before forwarding; the reporter's acknowledgement says nothing of it.
func TestNotificationFlagsLikelyNames(t *testing.T) {
	p := newProcessor(t)
	log := &mailLog{t: t, p: p}
	send := func(id, what string) (leaderMail, ack *store.OutMail) {
		t.Helper()
		raw := fmt.Sprintf("From: Anna Andersson <%s>\r\nTo: lexheller@finsam.example\r\nSubject: Anmälan\r\nMessage-ID: <%s@af.example>\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Namn: Anna Andersson\r\nOrganisation: Arbetsförmedlingen Angered\r\nBerörda parter: FK, AF\r\nVad hände?:\r\n%s\r\n",
			reporter, id, strings.ReplaceAll(what, "\n", "\r\n"))
		process(t, p, raw)
		ms := log.next()
		return only(t, ms, string(notify.KindNotifyNew), leader), only(t, ms, string(notify.KindAck), reporter)
	}

	n, ack := send("names", "Deltagaren Kalle Svensson blev sjukskriven, men Försäkringskassan godkände inte intyget.\n"+
		"En annan deltagare i samma grupp fick samma besked; hen heter Lisa.")
	var flag string
	for _, l := range strings.Split(n.Body, "\n") {
		if strings.HasPrefix(l, "Möjliga namn") {
			flag = l
			break
		}
	}
	if flag == "" {
		t.Fatalf("no line flagging likely names in the notification:\n%s", n.Body)
	}
	for _, name := range []string{"Kalle Svensson", "Lisa"} {
		if !strings.Contains(flag, name) {
			t.Errorf("the flag line %q does not name %q", flag, name)
		}
	}
	if want := "Möjliga namn i texten: Kalle Svensson, Lisa."; flag != want {
		t.Errorf("flag line %q, want %q", flag, want)
	}
	if !strings.Contains(n.Body, "/redigera") {
		t.Errorf("the notification does not say how to remove the names (/redigera):\n%s", n.Body)
	}
	if strings.Contains(strings.ToLower(ack.Body), "möjliga namn") {
		t.Errorf("the reporter's acknowledgement carries the flag:\n%s", ack.Body)
	}

	n, _ = send("nonames", "Försäkringskassan drog in sjukpenningen; Arbetsförmedlingen skrev ut personen samma vecka.\n"+
		"FK och AF talade inte med varandra.")
	if b := strings.ToLower(n.Body); strings.Contains(b, "möjliga namn") || strings.Contains(b, "/redigera") {
		t.Errorf("a description without names is flagged:\n%s", n.Body)
	}
}

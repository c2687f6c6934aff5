package guard

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// A number still unmasked at an exit is masked, counted by exit and told
// (where, never the number); clean text passes untouched and uncounted.
func TestCaughtAtAnExit(t *testing.T) {
	var told []string
	OnCaught(func(exit, where string) { told = append(told, exit+" "+where) })
	defer OnCaught(nil)
	before := Caught()
	clean := "Ärende LH-2026-0042 den 2026-03-09, org.nr 556677-8899, telefon 070-612 34 56."
	if got := Text(Report, "text report", clean); got != clean {
		t.Errorf("clean text changed: %q", got)
	}
	got := Text(Mail, "forward LH-2026-0042", "Personen 811218-9876 och 19850312-1234 (fel kontrollsiffra).")
	if strings.Contains(got, "9876") || strings.Contains(got, "1234") {
		t.Errorf("not masked: %q", got)
	}
	if b := Bytes(Site, "case/LH-2026-0042.html", []byte("<p>81 12 18&#8209;9876</p>")); bytes.Contains(b, []byte("9876")) {
		t.Errorf("site: not masked: %s", b)
	}
	after := Caught()
	if after[Mail]-before[Mail] != 1 || after[Site]-before[Site] != 1 || after[Report] != before[Report] {
		t.Errorf("counts %v → %v", before, after)
	}
	if strings.Join(told, "; ") != "mail forward LH-2026-0042; site case/LH-2026-0042.html" {
		t.Errorf("told %q", told)
	}
}

// The log handler masks the message and every string value, in groups and
// errors too.
func TestLogHandler(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(Handler(slog.NewJSONHandler(&b, nil)))
	log.With("from", "811218-9876").Info("saw 811218−9876 in a subject", "subject", "Anmälan 8112189876",
		slog.Group("g", "x", "811218 9876"), "err", errString("parse 811218.9876"), "n", 8112189876, "uid", 42)
	if out := b.String(); strings.Contains(out, "9876\"") || strings.Contains(out, "-9876") || strings.Contains(out, "9876 ") ||
		strings.Contains(out, "2189876\"") || !strings.Contains(out, `"uid":42`) {
		t.Errorf("log line: %s", out)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
	"lexheller/notify"
)

// The administrator's case commands go through the same code as the
// process leaders' mail: the same checks, the same mails queued, the same
// timeline.
func TestCaseCommandsCLI(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	cfg := lifeConfig(t, e, "")
	text := e.configTOML(cfg.Database, "") // the same deployment, as a file
	text = strings.Replace(text, "representatives = [", "chief = \""+e.Addr("chef")+"\"\nmeetings = [\"2099-01-21\"]\nrepresentatives = [", 1)
	path := filepath.Join(t.TempDir(), "lexheller.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg, nil)
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "cli-life-"+e.tag+"@x", "FK och AF gav motstridiga besked."))
	e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)
	d.stop()
	id := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)[0]))[1]

	cli := func(stdin string, args ...string) (string, int) {
		t.Helper()
		return runCLI(t, stdin, append(args, "--config", path)...)
	}
	steps := []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"case", "set", id, "--level", "struktur", "--parties", "FK AF", "--themes", "sjukskrivning intyg"}, 0, "Nivå: struktur"},
		{"", []string{"case", "set", id, "--themes", "-intyg"}, 0, "Teman: sjukskrivning"},
		{"", []string{"case", "set", id, "--level", "hög"}, 1, "\"hög\" är ingen nivå"},
		{"", []string{"case", "feedback", id, "--with-answer"}, 1, "inget svar från någon part"},
		{"Hur ser ni på detta?", []string{"case", "forward", id, "--to", "FK", "--question-file", "-"}, 0, "Vidarebefordrat till FK"},
		{"", []string{"case", "forward", id, "--to", "Region"}, 1, "ingen representant för Region"},
		{"", []string{"case", "note", id, "--text", "Ringde FK, de återkommer."}, 0, "Intern notering sparad"},
		{"Tack, vi har tagit upp det med FK.", []string{"case", "feedback", id, "--file", "-"}, 0, "Återkoppling till anmälaren"},
		{"", []string{"case", "close", id}, 0, "Ärendet avslutat"},
		{"", []string{"case", "reopen", id}, 0, "Ärendet öppnat igen"},
		{"", []string{"agenda", "--forbund", "goteborg"}, 0, "Väntar på svar från en part (1)"},
		{"", []string{"case", "release", id}, 0, "väntade inte på godkännande"},
		{"", []string{"case", "frobnicate", id}, 1, "unknown action"},
	}
	for _, s := range steps {
		out, code := cli(s.stdin, s.args...)
		if code != s.code || !strings.Contains(out, s.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", s.args, code, s.code, s.want, out)
		}
	}
	// The daemon found this period's digests empty when it started, and
	// recorded them; as if the period had just begun:
	forgetDigests(t, cfg.Database)
	for _, s := range []struct{ args, want string }{
		{"digest --dry-run", "Väntar på ditt svar (1)"},
		{"digest", "Sammanställningar köade: 1."},
		{"digest --dry-run", ": skickad "},
		{"digest", "Sammanställningar köade: 0."},
	} {
		if out, code := cli("", strings.Fields(s.args)...); code != 0 || !strings.Contains(out, s.want) {
			t.Errorf("%s: exit %d, want 0 with %q:\n%s", s.args, code, s.want, out)
		}
	}

	st, err := store.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Level != "struktur" || strings.Join(c.Themes, ",") != "sjukskrivning" || c.Status != store.StatusForwarded {
		t.Errorf("case after the commands: level %q themes %v status %s", c.Level, c.Themes, c.Status)
	}
	mails, err := st.Outbox(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range mails {
		kinds[m.Kind]++
	}
	if kinds[string(notify.KindForward)] != 1 || kinds[string(notify.KindFeedback)] != 1 {
		t.Errorf("queued by the CLI: %v, want one forward and one feedback", kinds)
	}
	// The queued mails go out when the daemon runs.
	d = startDaemon(t, cfg, nil)
	e.WaitFor(e.Addr("fk"), "INBOX", "Hur ser ni på detta?", 1)
	e.WaitFor(r, "INBOX", "Tack, vi har tagit upp det med FK.", 1)
	d.stop()
}

// lexheller backup copies the database while the daemon writes to it.
func TestBackupWhileRunning(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	cfg := e.Config("")
	startDaemon(t, cfg, nil)
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "bak-"+e.tag+"@x", "FK och AF."))
	e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)
	dest := filepath.Join(t.TempDir(), "backup.db")
	out, code := runCLI(t, "", "backup", "--db", cfg.Database, dest)
	if code != 0 || !strings.Contains(out, "Säkerhetskopia skriven") {
		t.Fatalf("backup: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "cases", "--db", dest)
	if code != 0 || !strings.Contains(out, "LH-") {
		t.Errorf("the backup's cases: exit %d\n%s", code, out)
	}
	if _, code := runCLI(t, "", "backup", "--db", cfg.Database, dest); code == 0 {
		t.Error("backup overwrote its earlier file")
	}
}

func TestSimilarCLI(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	cfg := e.Config("")
	d := startDaemon(t, cfg, nil)
	r := e.Addr("anna")
	for i, what := range []string{
		"Försäkringskassan drog in sjukpenningen; Arbetsförmedlingen skrev ut personen samma vecka.",
		"Aktivitetsstödet betalades inte ut eftersom rapporten till programmet saknades.",
		"Sjukpenningen drogs in av Försäkringskassan och Arbetsförmedlingen skrev ut hen.",
	} {
		e.Send(r, e.Shared, blanket(r, e.Shared, fmt.Sprintf("sim%d-%s@x", i, e.tag), what))
		e.WaitFor(r, "INBOX", "Vi har tagit emot", i+1)
	}
	d.stop()
	out, code := runCLI(t, "", "similar", "LH-2026-0003", "--db", cfg.Database)
	lines := strings.Split(out, "\n")
	if code != 0 || len(lines) < 4 || !strings.HasPrefix(lines[3], "LH-2026-0001") {
		t.Errorf("similar: exit %d, want LH-2026-0001 first:\n%s", code, out)
	}
	out, code = runCLI(t, "", "similar", "LH-2026-0003", "--db", cfg.Database, "--json")
	if code != 0 || !strings.Contains(out, `"id": "LH-2026-0001"`) || !strings.Contains(out, `"score": 0.`) {
		t.Errorf("similar --json: exit %d:\n%s", code, out)
	}
}

// Round trip: the cases sheet of one store, imported into an empty one,
// gives the same cases; a second import creates nothing; a dry run
// stores nothing.
func TestImportRoundTrip(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	cfg := e.Config("")
	d := startDaemon(t, cfg, nil)
	r := e.Addr("anna")
	for i, what := range []string{"FK drog in sjukpenningen.", "AF skrev ut personen.", "Kommunen krävde inskrivning."} {
		e.Send(r, e.Shared, blanket(r, e.Shared, fmt.Sprintf("imp%d-%s@x", i, e.tag), what))
		e.WaitFor(r, "INBOX", "Vi har tagit emot", i+1)
	}
	d.stop()
	path := filepath.Join(t.TempDir(), "lexheller.toml")
	if err := os.WriteFile(path, []byte(e.configTOML(cfg.Database, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	// A command that changes cases refuses to guess the deployment.
	if out, code := runCLI(t, "", "case", "set", "LH-2026-0002", "--level", "struktur", "--db", cfg.Database); code == 0 ||
		!strings.Contains(out, "--config") || !strings.Contains(out, "--dev") {
		t.Errorf("case set with --db alone: exit %d:\n%s", code, out)
	}
	if out, code := runCLI(t, "", "import", "x.csv", "--db", filepath.Join(t.TempDir(), "new.db")); code == 0 || !strings.Contains(out, "--config") {
		t.Errorf("import without a config: exit %d:\n%s", code, out)
	}
	if out, code := runCLI(t, "", "cases"); code == 0 || !strings.Contains(out, "--db") {
		t.Errorf("cases with no database named: exit %d:\n%s", code, out)
	}
	// The dev configuration is never paired with another database.
	if out, code := runCLI(t, "", "case", "close", "LH-2026-0002", "--dev", "--db", cfg.Database); code == 0 || !strings.Contains(out, "leave out --db") {
		t.Errorf("--dev with --db: exit %d:\n%s", code, out)
	}
	if out, code := runCLI(t, "", "cases", "--dev", "--config", path); code == 0 || !strings.Contains(out, "give one of them") {
		t.Errorf("--dev with --config: exit %d:\n%s", code, out)
	}
	if out, code := runCLI(t, "", "case", "set", "LH-2026-0002", "--level", "struktur", "--themes", "utskrivning", "--config", path); code != 0 {
		t.Fatal(out)
	}
	if out, code := runCLI(t, "", "case", "close", "LH-2026-0003", "--config", path); code != 0 {
		t.Fatal(out)
	}
	dir := t.TempDir()
	sheet := filepath.Join(dir, "arenden.csv")
	if out, code := runCLI(t, "", "report", "--format", "csv", "--out", sheet, "--db", cfg.Database); code != 0 {
		t.Fatal(out)
	}

	empty := filepath.Join(dir, "ny.db")
	out, code := runCLI(t, "", "import", sheet, "--config", path, "--db", empty, "--dry-run")
	if code != 0 || !strings.Contains(out, "3 ärenden skulle importeras") {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
	if out, _ := runCLI(t, "", "cases", "--db", empty); !strings.Contains(out, "Inga ärenden") {
		t.Errorf("the dry run stored cases:\n%s", out)
	}
	out, code = runCLI(t, "", "import", sheet, "--config", path, "--db", empty)
	if code != 0 || !strings.Contains(out, "3 ärenden importerade") {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "import", sheet, "--config", path, "--db", empty)
	if code != 0 || !strings.Contains(out, "0 ärenden importerade, 3 redan importerade") {
		t.Errorf("second import: exit %d\n%s", code, out)
	}

	a, b := openTestStore(t, cfg.Database), openTestStore(t, empty)
	ca, _ := a.Cases(context.Background(), store.CaseFilter{})
	cb, _ := b.Cases(context.Background(), store.CaseFilter{})
	if len(ca) != 3 || len(cb) != 3 {
		t.Fatalf("%d cases, then %d", len(ca), len(cb))
	}
	for i := range ca {
		x, y := ca[i], cb[i]
		same := x.ID == y.ID && x.CreatedAt.Format(time.DateOnly) == y.CreatedAt.Format(time.DateOnly) &&
			x.EventDate == y.EventDate && x.Forbund == y.Forbund && strings.Join(x.Parties, ",") == strings.Join(y.Parties, ",") &&
			x.Level == y.Level && strings.Join(x.Themes, ",") == strings.Join(y.Themes, ",") && x.Status == y.Status &&
			x.Description == y.Description
		if !same {
			t.Errorf("case %d differs:\n%+v\n%+v", i, x, y)
		}
	}
}

func openTestStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// forgetDigests removes the records of digests sent, as at the start of
// a period.
func forgetDigests(t *testing.T, db string) {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.DB().Exec(`DELETE FROM schedule_done WHERE key LIKE 'digest/%'`); err != nil {
		t.Fatal(err)
	}
}

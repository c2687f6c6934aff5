package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lexheller/intake/devmail"
)

// person export, person erase and audit from the command line, on a case
// that came in by mail.
func TestPersonCommands(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	cfg := e.Config("")
	d := startDaemon(t, cfg, nil)
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "gdpr-"+e.tag+"@x", "Anna Andersson fick inget besked."))
	ack := e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)[0]
	id := regexp.MustCompile(`\[(LH-\d{4}-\d{4})\]`).FindStringSubmatch(decoded(ack))[1]
	d.stop()
	path := filepath.Join(t.TempDir(), "lexheller.toml")
	if err := os.WriteFile(path, []byte(e.configTOML(cfg.Database, "")), 0o600); err != nil {
		t.Fatal(err)
	}

	out, code := runCLI(t, "", "person", "export", r, "--name", "Anna Andersson", "--db", cfg.Database)
	if code != 0 || !strings.Contains(out, "Uppgifter om Anna Andersson <"+r+">") || !strings.Contains(out, id) ||
		!strings.Contains(out, "Mejl till personen: 1") {
		t.Errorf("person export: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, "", "person", "export", r, "--json", "--db", cfg.Database); code != 0 || !strings.Contains(out, `"cases": [`) {
		t.Errorf("person export --json: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, "", "case", "show", id, "--db", cfg.Database); code != 0 {
		t.Errorf("case show: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "", "person", "erase", r, "--name", "Anna Andersson", "--dry-run", "--config", path)
	if code != 0 || !strings.Contains(out, "Provkörning") || !strings.Contains(out, id) {
		t.Errorf("person erase --dry-run: exit %d\n%s", code, out)
	}
	if out, _ := runCLI(t, "", "person", "export", r, "--db", cfg.Database); !strings.Contains(out, "Ärenden: 1") {
		t.Errorf("the dry run erased:\n%s", out)
	}
	if out, code := runCLI(t, "", "person", "erase", r, "--name", "Anna Andersson", "--db", cfg.Database); code == 0 {
		t.Errorf("person erase without a config: exit 0\n%s", out)
	}
	out, code = runCLI(t, "", "person", "erase", r, "--name", "Anna Andersson", "--config", path)
	if code != 0 || !strings.Contains(out, "Raderat för "+r) {
		t.Errorf("person erase: exit %d\n%s", code, out)
	}
	out, _ = runCLI(t, "", "person", "export", r, "--name", "Anna Andersson", "--db", cfg.Database)
	if !strings.Contains(out, "Ärenden: 0") || !strings.Contains(out, "Mejl från personen: 0") || strings.Contains(out, "Anna Andersson fick") {
		t.Errorf("after erasure:\n%s", out)
	}
	out, code = runCLI(t, "", "audit", "--db", cfg.Database)
	for _, want := range []string{"person export " + r, "case show " + id, "person erase " + r} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("audit lacks %q: exit %d\n%s", want, code, out)
		}
	}
	if strings.Count(out, "person export") != 4 {
		t.Errorf("audit: %d exports, want 4\n%s", strings.Count(out, "person export"), out)
	}
}

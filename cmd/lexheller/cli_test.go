package main

import (
	"bytes"
	"encoding/json"
	"lexheller/intake/docx"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"lexheller/intake/devmail"
	"lexheller/intake/store"
)

func runCLI(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), code
}

// TestInspectContract checks the keys and types of `inspect --json`
// against DESIGN.md.
func TestInspectContract(t *testing.T) {
	out, code := runCLI(t, "", "inspect", "--json", "../../intake/testdata/corpus/22-personnummer-all-spellings.eml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"attachments", "case", "fields", "from", "kind", "message_id", "missing", "pii", "reason", "subject", "text"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
	if got["kind"] != "new_case" || got["case"] != nil {
		t.Errorf("kind %v, case %v", got["kind"], got["case"])
	}
	from := got["from"].(map[string]any)
	if _, ok := from["name"]; !ok || from["address"] == "" {
		t.Errorf("from = %v", from)
	}
	pii := got["pii"].([]any)
	if len(pii) == 0 || pii[0].(map[string]any)["kind"] == nil || pii[0].(map[string]any)["text"] == nil {
		t.Errorf("pii = %v", pii)
	}
	fields := got["fields"].(map[string]any)
	if _, ok := fields["parties"].([]any); !ok {
		t.Errorf("fields.parties = %v", fields["parties"])
	}
	if _, ok := got["attachments"].([]any); !ok {
		t.Errorf("attachments = %v", got["attachments"])
	}

	// Standard input, and a reply found by its tag.
	out, code = runCLI(t, "From: a@b.example\nSubject: SV: [LH-2026-0042] x\nMessage-ID: <r@b>\n\nTack!\n\nDen 12 nov. 2026 kl. 10:14 skrev Lex Heller <x@y>:\n> gammalt\n", "inspect", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	got = nil
	json.Unmarshal([]byte(out), &got)
	if got["kind"] != "reply" || got["case"] != "LH-2026-0042" || got["text"] != "Tack!" || got["fields"] != nil || got["missing"] != nil {
		t.Errorf("reply: %s", out)
	}
}

func TestCLIWithoutArgumentsAndUnknownCommand(t *testing.T) {
	if out, code := runCLI(t, ""); code != 2 || !strings.Contains(out, "Commands:") {
		t.Errorf("no arguments: exit %d, %q", code, out)
	}
	if out, code := runCLI(t, "", "frobnicate"); code != 2 || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, %q", code, out)
	}
	if out, code := runCLI(t, "", "form"); code != 0 || !strings.Contains(out, "Berörda parter:") {
		t.Errorf("form: exit %d, %q", code, out)
	}
	if out, code := runCLI(t, "", "form", "--lang", "en"); code != 0 || !strings.Contains(out, "Parties involved:") {
		t.Errorf("form --lang en: exit %d, %q", code, out)
	}
	// With a config that names the web form, the form says where it is.
	cfgPath := filepath.Join(t.TempDir(), "web.toml")
	cfgText := "address = \"lh@f.example\"\n[web]\npublic_url = \"https://finsam.example/lexheller\"\n[imap]\naddress = \"127.0.0.1:143\"\nsecurity = \"none\"\n" +
		"username = \"u\"\npassword_env = \"LH_FORM_PW\"\n[smtp]\naddress = \"127.0.0.1:25\"\nsecurity = \"none\"\n[[forbund]]\nslug = \"g\"\nprocess_leaders = [\"pl@f.example\"]\n"
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LH_FORM_PW", "x")
	if out, code := runCLI(t, "", "form", "--config", cfgPath); code != 0 || !strings.Contains(out, "webbformuläret: https://finsam.example/lexheller") {
		t.Errorf("form --config with [web] public_url: exit %d, %q", code, out)
	}
	// The Word blanket: it reads back as the blanket's labels.
	path := filepath.Join(t.TempDir(), "blankett.docx")
	if out, code := runCLI(t, "", "form", "--docx", path); code != 0 || out != "" {
		t.Fatalf("form --docx: exit %d, %q", code, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text, err := docx.Text(bytes.NewReader(b), int64(len(b)), docx.Limits{})
	if err != nil || !strings.Contains(text, "Berörda parter") || !strings.Contains(text, "Får ärendet publiceras anonymiserat?") {
		t.Errorf("form --docx wrote %d bytes that read as %q (%v)", len(b), text, err)
	}
}

// TestCasesAndCaseShow runs the daemon on the dev mail system, then reads
// the store with the CLI.
func TestCasesAndCaseShow(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	cfg := e.Config("")
	d := startDaemon(t, cfg, nil)
	r := e.Addr("anna")
	e.Send(r, e.Shared, blanket(r, e.Shared, "cli-"+e.tag+"@x", "Personen 850312-1231 fick avslag."))
	e.WaitFor(r, "INBOX", "Vi har tagit emot", 1)
	d.stop()
	db := cfg.Database

	out, code := runCLI(t, "", "cases", "--db", db)
	if code != 0 || !strings.Contains(out, "LH-") || !strings.Contains(out, "mottaget") {
		t.Errorf("cases: exit %d:\n%s", code, out)
	}
	out, code = runCLI(t, "", "cases", "--db", db, "--json")
	var cases []store.Case
	if err := json.Unmarshal([]byte(out), &cases); err != nil || len(cases) != 1 || code != 0 {
		t.Fatalf("cases --json: %v, %d:\n%s", err, code, out)
	}
	out, code = runCLI(t, "", "case", "show", cases[0].ID, "--db", db)
	for _, want := range []string{"Ärende " + cases[0].ID, "Vad hände?", "ÅÅMMDD-XXXX", "Historik", "mottaget", "skickat"} {
		if !strings.Contains(out, want) {
			t.Errorf("case show lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "850312") {
		t.Errorf("case show prints the personnummer:\n%s", out)
	}
	out, code = runCLI(t, "", "case", "show", "--json", "--db", db, cases[0].ID)
	var shown map[string]any
	if err := json.Unmarshal([]byte(out), &shown); err != nil || code != 0 || len(shown["timeline"].([]any)) < 3 {
		t.Errorf("case show --json: %v\n%s", err, out)
	}
	if out, code := runCLI(t, "", "case", "show", "LH-1999-0001", "--db", db); code != 1 || !strings.Contains(out, "not found") {
		t.Errorf("unknown case: exit %d, %q", code, out)
	}
	if out, code := runCLI(t, "", "cases", "--db", filepath.Join(t.TempDir(), "none.db")); code != 1 || !strings.Contains(out, "no database") {
		t.Errorf("missing database: exit %d, %q", code, out)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("address = \"x@y.example\"\nlanguge = \"sv\"\n"), 0o600)
	out, code := runCLI(t, "", "check-config", bad)
	if code != 1 || !strings.Contains(out, `bad.toml:2: unknown key "languge" (did you mean "language"?)`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// check-config names what a valid config without authserv_id protects
// against, and what not.
func TestCheckConfigWarnsWithoutAuthservID(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	path := filepath.Join(t.TempDir(), "lexheller.toml")
	text := e.configTOML(filepath.Join(t.TempDir(), "x.db"), "")
	os.WriteFile(path, []byte(text), 0o600)
	out, code := runCLI(t, "", "check-config", path)
	if code != 0 || !strings.Contains(out, "is valid") || !strings.Contains(out, "warning: [commands] authserv_id is not set") ||
		!strings.Contains(out, "reply to a mail lexheller sent to that leader") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	os.WriteFile(path, []byte(text+"[commands]\nauthserv_id = \"mx.example.test\"\n"), 0o600)
	if out, code := runCLI(t, "", "check-config", path); code != 0 || strings.Contains(out, "warning") {
		t.Errorf("with authserv_id: exit %d:\n%s", code, out)
	}
}

// check-config warns about a security setting that does not fit the port
// and an empty password file.
func TestCheckConfigWarnsAboutPortsAndEmptySecrets(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	path := filepath.Join(dir, "lexheller.toml")
	os.WriteFile(path, []byte(`database = "`+filepath.Join(dir, "x.db")+`"
address = "lexheller@finsam.example"
[imap]
address = "imap.finsam.example:993"
security = "starttls"
username = "lexheller"
password_file = "`+empty+`"
[smtp]
address = "smtp.finsam.example:587"
security = "tls"
[commands]
authserv_id = "mx.finsam.example"
[[forbund]]
slug = "goteborg"
name = "Samordningsförbundet Göteborg"
process_leaders = ["pl@goteborg.example"]
`), 0o600)
	out, code := runCLI(t, "", "check-config", path)
	for _, want := range []string{`[imap] security = "starttls" on port 993`, `[smtp] security = "tls" on port 587`, "[imap] the password is empty"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("check-config lacks %q: exit %d\n%s", want, code, out)
		}
	}
}

// check-config --probe logs in to the mail servers and names the step
// that failed.
func TestCheckConfigProbe(t *testing.T) {
	e := newDevEnv(t, devmail.Options{})
	path := filepath.Join(t.TempDir(), "lexheller.toml")
	text := e.configTOML(filepath.Join(t.TempDir(), "x.db"), "")
	os.WriteFile(path, []byte(text), 0o600)
	out, code := runCLI(t, "", "check-config", "--probe", path)
	if code != 0 || !strings.Contains(out, "IMAP shared ("+e.IMAP) || !strings.Contains(out, "SMTP "+e.SMTP+": ok") {
		t.Errorf("probe of working servers: exit %d\n%s", code, out)
	}
	// An IMAP port nobody listens on: the step is named.
	bad := strings.Replace(text, e.IMAP, "127.0.0.1:1", 1)
	os.WriteFile(path, []byte(bad), 0o600)
	out, code = runCLI(t, "", "check-config", "--probe", path)
	if code != 1 || !strings.Contains(out, "FAILED at connect to 127.0.0.1:1") {
		t.Errorf("probe of a closed port: exit %d\n%s", code, out)
	}
}

// Against Dovecot and Postfix: a wrong password is named as the login
// step, with the advice.
func TestCheckConfigProbeDovecotPostfix(t *testing.T) {
	e := newE2EEnv(t)
	path := filepath.Join(t.TempDir(), "lexheller.toml")
	text := e.configTOML(filepath.Join(t.TempDir(), "x.db"), "")
	os.WriteFile(path, []byte(text), 0o600)
	if out, code := runCLI(t, "", "check-config", "--probe", path); code != 0 || !strings.Contains(out, "SMTP "+e.SMTP+": ok") {
		t.Fatalf("probe: exit %d\n%s", code, out)
	}
	t.Setenv("LEXHELLER_TEST_PASSWORD", "wrong-"+e.Password)
	out, code := runCLI(t, "", "check-config", "--probe", path)
	if code != 1 || !strings.Contains(out, "FAILED at log in as "+e.Shared) {
		t.Errorf("probe with a wrong password: exit %d\n%s", code, out)
	}
}

package main

import (
	"os"
	"strings"
	"testing"
)

func TestExampleConfigIsValid(t *testing.T) {
	os.Setenv("LEXHELLER_SMTP_PASSWORD", "x")
	text, err := os.ReadFile("../../lexheller.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	f := t.TempDir() + "/pw"
	os.WriteFile(f, []byte("secret\n"), 0o600)
	cfg, err := ParseConfig("example.toml", strings.ReplaceAll(string(text), "/etc/lexheller/imap-password", f))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.password != "secret" || len(cfg.Forbund) != 1 || cfg.Forbund[0].ProcessLeaders[0] != "processledare@goteborg.example" {
		t.Errorf("parsed %+v", cfg)
	}
}

func TestConfigErrorsNameLineAndFix(t *testing.T) {
	text := `address = "lexheller@finsam.example"
[imap]
address = "imap.example.org:993"
securty = "tls"
username = "x"
password_env = "NOPE_NOT_SET_ANYWHERE"
[smtp]
address = "smtp.example.org"
security = "none"
[[forbund]]
slug = "Göteborg"
process_leaders = ["not an address"]
chief = "chef at goteborg"
[reminders]
forward_days = -3
quiet_dayz = 30
`
	_, err := ParseConfig("bad.toml", text)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`bad.toml:4: unknown key "imap.securty" (did you mean "security"?)`,
		`bad.toml:6: imap.password_env: the environment variable NOPE_NOT_SET_ANYWHERE is not set`,
		`bad.toml:8: smtp.address: "smtp.example.org": write host:port`,
		`bad.toml:11: forbund.slug`,
		`bad.toml:12: forbund.process_leaders`,
		`bad.toml:13: forbund.chief: forbund 1: "chef at goteborg" is not an e-mail address`,
		`bad.toml:15: reminders.forward_days: -3: write a number of days from 1 to 365 (default 14)`,
		`bad.toml:16: unknown key "reminders.quiet_dayz" (did you mean "quiet_days"?)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, err = ParseConfig("syntax.toml", "address = \"x@y\"\n[imap\n")
	// The TOML library reports the line where it noticed the problem: the
	// end of line 2 is the start of line 3.
	if err == nil || !strings.Contains(err.Error(), "syntax.toml:3: expected '.' or ']' to end table name") {
		t.Errorf("syntax error = %v, want its line and the parser's explanation", err)
	}
}

package config

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestExampleConfigIsValid(t *testing.T) {
	os.Setenv("LEXHELLER_SMTP_PASSWORD", "x")
	text, err := os.ReadFile("../../lexheller.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	f := t.TempDir() + "/pw"
	os.WriteFile(f, []byte("secret\n"), 0o600)
	cfg, err := Parse("example.toml", strings.ReplaceAll(string(text), "/etc/lexheller/imap-password", f))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.Password != "secret" || len(cfg.Forbund) != 1 || cfg.Forbund[0].ProcessLeaders[0] != "processledare@goteborg.example" {
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
	_, err := Parse("bad.toml", text)
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
	_, err = Parse("syntax.toml", "address = \"x@y\"\n[imap\n")
	// The TOML library reports the line where it noticed the problem: the
	// end of line 2 is the start of line 3.
	if err == nil || !strings.Contains(err.Error(), "syntax.toml:3: expected '.' or ']' to end table name") {
		t.Errorf("syntax error = %v, want its line and the parser's explanation", err)
	}
}

// configWith is a valid config but for line 5, which is line.
func configWith(line string) string {
	return `address = "lexheller@finsam.example"
[imap]
address = "imap.example.org:993"
username = "x"
` + line + `
[smtp]
address = "smtp.example.org:587"
[[forbund]]
slug = "goteborg"
process_leaders = ["pl@goteborg.example"]
`
}

// shows reports the part of secret that err's text shows, if any: any
// four characters of it in a row.
func shows(err error, secret string) string {
	for i := 0; i+4 <= len(secret); i++ {
		if strings.Contains(err.Error(), secret[i:i+4]) {
			return secret[i : i+4]
		}
	}
	return ""
}

// No error quotes a value that may be a secret, the TOML parser's
// included; each still names the line, the key and the fix.
func TestConfigErrorsShowNoSecret(t *testing.T) {
	os.Unsetenv("Xq7hunter2Zz")
	const secret = "Xq7hunter2Zz"
	envFix := `password_env = "LEXHELLER_IMAP_PASSWORD"`
	for _, c := range []struct{ line, want, fix string }{
		// Not TOML: the parser's message would quote the value.
		{`password_env = Xq7hunter2Zz`, "bad.toml:5: password_env is not written as TOML can read it", envFix},
		{`password_env = hunter2Zz`, "bad.toml:5: password_env is not written", envFix},
		{`password_env = "Xq7hunter2Zz`, "bad.toml:5: password_env has a quote that is not closed", envFix},
		{`password_env = 'Xq7hunter2Zz`, "bad.toml:5: password_env has a quote that is not closed", envFix},
		{`password_env = """Xq7hunter2Zz`, "bad.toml:5: password_env has a quote that is not closed", envFix},
		{`password_env = "Xq7hunter2Zz" and more`, "bad.toml:5: password_env is not written", envFix},
		{`password_env = Xq7 hunter2Zz`, "bad.toml:5: password_env is not written", envFix},
		{`password_env = "Xq7\hunter2Zz"`, "bad.toml:5: password_env is not written", envFix},
		{`password_env = [Xq7hunter2Zz]`, "bad.toml:5: password_env is not written", envFix},
		{`password_env = truXq7hunter2Zz`, "bad.toml:5: password_env is not written", envFix},
		{`password_env = 12Xq7hunter2Zz`, "bad.toml:5: password_env is not written", envFix},
		{`password_env Xq7hunter2Zz`, "bad.toml:5: password_env is not written", envFix},
		{`"password_env" = Xq7hunter2Zz`, "bad.toml:5: password_env is not written", envFix},
		{`extra = { password = Xq7hunter2Zz }`, "bad.toml:5: password is not written", "password_file ="},
		{`password_file = Xq7hunter2Zz`, "bad.toml:5: password_file is not written", `password_file = "/etc/lexheller/imap-password"`},
		{`password = Xq7hunter2Zz`, "bad.toml:5: password is not written", "password_file ="},
		{`client_secret = Xq7hunter2Zz`, "bad.toml:5: client_secret is not written", "password_file ="},
		{`token = Xq7hunter2Zz`, "bad.toml:5: token is not written", "password_file ="},
		{`api_key = Xq7hunter2Zz`, "bad.toml:5: api_key is not written", "password_file ="},
		{"password_env = \"A\"\npassword_env = \"Xq7hunter2Zz\"", "bad.toml:6: password_env is written twice", envFix},
		// TOML, but the wrong type.
		{`password_env = 123`, "bad.toml:5: imap.password_env: write the name of the environment variable", envFix},
		// TOML, but wrong: the password written in place of where it is.
		{`password_env = "Xq7hunter2Zz"`, "bad.toml:5: imap.password_env: no environment variable of the name on this line is set", envFix},
		{`password_file = "Xq7hunter2Zz"`, "bad.toml:5: imap.password_file: cannot read the file named on this line", "/etc/lexheller/imap-password"},
		{`password = "Xq7hunter2Zz"`, `bad.toml:5: unknown key "imap.password": lexheller reads no password`, "password_file ="},
	} {
		_, err := Parse("bad.toml", configWith(c.line))
		if err == nil {
			t.Errorf("%s: no error", c.line)
			continue
		}
		if s := shows(err, secret); s != "" {
			t.Errorf("%s: the error shows %q of the secret:\n%v", c.line, s, err)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.fix) {
			t.Errorf("%s: error lacks %q or %q:\n%v", c.line, c.want, c.fix, err)
		}
	}
	// What is plainly a variable's name or a path is still shown.
	_, err := Parse("bad.toml", configWith(`password_file = "/nonexistent/imap-password"`))
	if err == nil || !strings.Contains(err.Error(), "bad.toml:5: imap.password_file: open /nonexistent/imap-password: no such file") {
		t.Errorf("a missing password file: %v", err)
	}
	// A message about another line that quotes text of a secret line.
	if got := scrub(`found "Xq7hunter2Zz" and "tls"`, configWith(`password = "Xq7hunter2Zz"`)); got != `found "(not shown)" and "tls"` {
		t.Errorf("scrub = %q", got)
	}
}

// Printing the config shows no password.
func TestConfigPrintsNoPassword(t *testing.T) {
	f := t.TempDir() + "/pw"
	os.WriteFile(f, []byte("Xq7hunter2Zz\n"), 0o600)
	t.Setenv("LEXHELLER_SMTP_PASSWORD", "Xq7hunter2Zz")
	cfg, err := Parse("ok.toml", configWith(`password_file = "`+f+`"`)+"[smtp]\n")
	if err == nil {
		t.Fatal("smtp twice: no error")
	}
	text := strings.Replace(configWith(`password_file = "`+f+`"`), "[smtp]\n", "[smtp]\nusername = \"y\"\npassword_env = \"LEXHELLER_SMTP_PASSWORD\"\n", 1)
	if cfg, err = Parse("ok.toml", text); err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.Password != "Xq7hunter2Zz" || cfg.SMTP.Password != "Xq7hunter2Zz" {
		t.Fatalf("passwords not read: %q %q", cfg.IMAP.Password, cfg.SMTP.Password)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cfg, *cfg, cfg.IMAP, &cfg.SMTP} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "hunter2") {
				t.Errorf("%s shows the password: %s", verb, s)
			}
		}
	}
}

// A value of the wrong type says what to write, on its line.
func TestConfigTypeErrorsSayWhatToWrite(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{`security = true`, `bad.toml:5: imap.security: write "tls", "starttls" or "none" (none only to 127.0.0.1 or localhost), in double quotes (not true or false)`},
		{`security = 1`, `bad.toml:5: imap.security: write "tls", "starttls" or "none"`},
		{`security = tls`, `bad.toml:5: expected value but found "tls" instead: text goes in double quotes, e.g. key = "value"; security takes "tls", "starttls" or "none"`},
		{`mailbox = 3`, `bad.toml:5: imap.mailbox: write text in double quotes, e.g. mailbox = "..." (not a number)`},
		{`idle = "yes"`, `bad.toml:5: imap.idle: write true or false, without quotes (not text)`},
		{`connections = "8"`, `bad.toml:5: imap.connections: write a whole number, without quotes (not text)`},
	} {
		_, err := Parse("bad.toml", configWith(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v\nwant %q", c.line, err, c.want)
		}
	}
	_, err := Parse("bad.toml", "address = \"x@y.example\"\nimap = \"imap.example.org\"\n")
	if err == nil || !strings.Contains(err.Error(), "bad.toml:2: imap: write a table: [imap] on a line of its own") {
		t.Errorf("a table written as text: %v", err)
	}
}

// Meeting dates may be written as TOML dates or as text; either way they
// are days in Stockholm, sorted. A date that is none names its line.
func TestMeetingDates(t *testing.T) {
	os.Setenv("LEXHELLER_TEST_PW", "x")
	text := configWith(`password_env = "LEXHELLER_TEST_PW"`) + "meetings = [2027-03-18, \"2027-01-21\"]\n"
	cfg, err := Parse("m.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Forbund[0].Meetings
	if len(m) != 2 || m[0].Format(time.DateOnly) != "2027-01-21" || m[1].Format(time.DateOnly) != "2027-03-18" || m[0].Location().String() != "Europe/Stockholm" {
		t.Errorf("meetings %v", m)
	}
	_, err = Parse("m.toml", configWith(`password_env = "LEXHELLER_TEST_PW"`)+"meetings = [\"21/1 2027\"]\n")
	if err == nil || !strings.Contains(err.Error(), "m.toml:11:") || !strings.Contains(err.Error(), "not a date") {
		t.Errorf("a date that is none: %v", err)
	}
}

func TestDigestAndNotices(t *testing.T) {
	base := "address = \"lh@f.example\"\n[imap]\naddress = \"127.0.0.1:143\"\nsecurity = \"none\"\nusername = \"u\"\npassword_env = \"LH_TEST_PW\"\n" +
		"[smtp]\naddress = \"127.0.0.1:25\"\nsecurity = \"none\"\n" +
		"[[forbund]]\nslug = \"g\"\nprocess_leaders = [\"pl@f.example\"]\n"
	t.Setenv("LH_TEST_PW", "x")
	cfg, err := Parse("ok.toml", base)
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Forbund[0].Digest
	if d.Every != EveryWeek || d.Day != time.Monday || d.Hour == nil || *d.Hour != 8 {
		t.Errorf("default digest %+v, want weekly on Monday at 8", d)
	}
	if !cfg.Forbund[0].Notices.Sends("answered") {
		t.Error("notices are not on by default")
	}
	cfg, err = Parse("ok.toml", base+"[forbund.notices]\nanswered = false\n[forbund.digest]\nevery = \"day\"\nweekday = \"Fredag\"\nhour = 15\n")
	if err != nil {
		t.Fatal(err)
	}
	if f := cfg.Forbund[0]; f.Notices.Sends("answered") || !f.Notices.Sends("closed") || f.Digest.Every != EveryDay || f.Digest.Day != time.Friday || *f.Digest.Hour != 15 {
		t.Errorf("read %+v %+v", f.Notices, f.Digest)
	}
	for bad, want := range map[string]string{
		"[forbund.digest]\nevery = \"weekly\"\n": "bad.toml:14: forbund.digest.every",
		"[forbund.digest]\nweekday = \"mon\"\n":  "bad.toml:14: forbund.digest.weekday",
		"[forbund.digest]\nhour = 24\n":          "bad.toml:14: forbund.digest.hour",
	} {
		if _, err := Parse("bad.toml", base+bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", bad, err, want)
		}
	}
}

func TestGroups(t *testing.T) {
	base := "address = \"lh@f.example\"\n[imap]\naddress = \"127.0.0.1:143\"\nsecurity = \"none\"\nusername = \"u\"\npassword_env = \"LH_TEST_PW\"\n" +
		"[smtp]\naddress = \"127.0.0.1:25\"\nsecurity = \"none\"\n" +
		"[[groups]]\nname = \"Primärvård och psykiatri\"\naddresses = [\"PV-Psyk@Region.example\"]\nmembers = [\"lisa@region.example\"]\nthemes = [\"Psykiatri\"]\n"
	t.Setenv("LH_TEST_PW", "x")
	forbund := func(slug, groups string) string {
		return "[[forbund]]\nslug = \"" + slug + "\"\nprocess_leaders = [\"pl@" + slug + ".example\"]\n" + groups
	}
	cfg, err := Parse("ok.toml", base+
		forbund("a", "[[forbund.groups]]\nname = \"primärvård och psykiatri\"\n[[forbund.groups]]\nname = \"Egen\"\naddresses = [\"egen@a.example\"]\nparties = [\"FK\"]\n")+
		forbund("b", "[[forbund.groups]]\nname = \"Primärvård och psykiatri\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cfg.Forbund {
		g := f.Group("PRIMÄRVÅRD OCH PSYKIATRI")
		if g == nil || fmt.Sprint(g.Addresses) != "[pv-psyk@region.example]" || !g.Speaks("Lisa@region.example") || fmt.Sprint(g.Themes) != "[psykiatri]" {
			t.Errorf("%s: the shared group %+v", f.Slug, g)
		}
	}
	if g := cfg.Forbund[0].Group("egen"); g == nil || g.Speaks("pv-psyk@region.example") {
		t.Errorf("the förbund's own group: %+v", g)
	}
	for bad, want := range map[string]string{
		forbund("a", "[[forbund.groups]]\nname = \"Finns inte\"\n"):                                           `no group "Finns inte" under [[groups]]`,
		forbund("a", "[[forbund.groups]]\nname = \"X\"\naddresses = [\"inte en adress\"]\n"):                  `"inte en adress" is not an e-mail address`,
		forbund("a", "[[forbund.groups]]\nname = \"X\"\naddresses = [\"x@a.example\"]\nparties = [\"KF\"]\n"): `party "KF"`,
	} {
		if _, err := Parse("bad.toml", base+bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v, want %q", err, want)
		}
	}
}

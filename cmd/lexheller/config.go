package main

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"lexheller/intake/casework"
	"lexheller/notify"
	"net"
	"net/mail"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"lexheller/intake"
	"lexheller/intake/form"
)

// Config is the one TOML file an operator writes. See README.md and
// lexheller.example.toml for every key.
type Config struct {
	Database     string    `toml:"database"`
	Address      string    `toml:"address"`
	Domain       string    `toml:"domain"`
	Language     string    `toml:"language"`
	CasePrefix   string    `toml:"case_prefix"`
	FromName     string    `toml:"from_name"`
	TemplatesDir string    `toml:"templates_dir"`
	IMAP         Server    `toml:"imap"`
	SMTP         Server    `toml:"smtp"`
	Limits       Limits    `toml:"limits"`
	Retention    Retention `toml:"retention"`
	Forbund      []Forbund `toml:"forbund"`
	Log          LogConfig `toml:"log"`
	Commands     Commands  `toml:"commands"`
	HTTP         HTTP      `toml:"http"`
	Report       Report    `toml:"report"`
	Reminders    Reminders `toml:"reminders"`

	path string
}

// Server is an IMAP or SMTP server's address and account.
type Server struct {
	Address      string   `toml:"address"`
	Security     string   `toml:"security"`
	Username     string   `toml:"username"`
	PasswordFile string   `toml:"password_file"`
	PasswordEnv  string   `toml:"password_env"`
	Mailbox      string   `toml:"mailbox"`       // IMAP: default INBOX
	PollInterval Duration `toml:"poll_interval"` // IMAP: without IDLE
	IDLE         *bool    `toml:"idle"`          // IMAP: use IDLE where offered (default true)
	HELO         string   `toml:"helo"`          // SMTP
	Connections  int      `toml:"connections"`   // SMTP: sessions sending at once (default 8)
	// IMAP, on a server with neither MOVE nor UIDPLUS: expunge INBOX
	// after copying handled messages out (also removes what a person
	// flagged \Deleted). Off by default.
	ExpungeWithoutUIDPlus bool `toml:"expunge_without_uidplus"`

	password string
}

// Limits bound what one message or recipient may cost.
type Limits struct {
	AttachmentMB      int      `toml:"attachment_mb"`
	RetryFor          Duration `toml:"retry_for"`
	BounceSuppressFor Duration `toml:"bounce_suppress_for"`
}

// Retention says how long what is kept.
type Retention struct {
	RawMessageDays int `toml:"raw_message_days"`
	// PersonalDataDays: how long after a case is closed its personal
	// data stays (default 730; a förbund may set its own).
	PersonalDataDays int `toml:"personal_data_days"`
	// OutboxBodyDays: how long the bodies of mails sent are kept (30).
	OutboxBodyDays int `toml:"outbox_body_days"`
}

// Commands governs process leaders' commands by mail.
type Commands struct {
	// AuthservID is the authserv-id of the organisation's inbound mail
	// server; when set, mail from a process leader's address counts only
	// when that server's Authentication-Results header vouches for it.
	AuthservID string `toml:"authserv_id"`
}

// Report is the pattern report sent by mail.
type Report struct {
	To     []string `toml:"to"`     // the working group's address(es); none sends no report
	Period string   `toml:"period"` // "monthly" (default) or "quarterly"
	Day    int      `toml:"day"`    // the day of the month it goes out (1–28, default 1)
}

// HTTP is where /healthz and /metrics are served.
type HTTP struct {
	Address string `toml:"address"` // host:port, default 127.0.0.1:9180; "off" serves nothing
}

// Reminders says when the daemon reminds and sends agendas.
type Reminders struct {
	ForwardDays int `toml:"forward_days"` // an unanswered forward is reminded after this many days (14)
	ForwardMax  int `toml:"forward_max"`  // and again every forward_days, at most this many times (3)
	QuietDays   int `toml:"quiet_days"`   // a case with no event this long: the process leaders are reminded (30)
	AgendaDays  int `toml:"agenda_days"`  // the agenda goes to the förbundschef this many days before a meeting (14)
}

// LogConfig sets the log format and level.
type LogConfig struct {
	Format string `toml:"format"` // "text", "json" or "" (text on a terminal)
	Level  string `toml:"level"`  // debug, info, warn, error
}

// Forbund is one samordningsförbund.
type Forbund struct {
	Slug            string           `toml:"slug"`
	Name            string           `toml:"name"`
	Aliases         []string         `toml:"aliases"`
	Addresses       []string         `toml:"addresses"`
	ProcessLeaders  []string         `toml:"process_leaders"`
	Chief           string           `toml:"chief"`
	Meetings        []string         `toml:"meetings"`
	Representatives []Representative `toml:"representatives"`
	IMAP            *Server          `toml:"imap"` // its own mailbox, if any
	// PersonalDataDays overrides [retention] personal_data_days for the
	// förbund's cases (its gallringsbeslut).
	PersonalDataDays int `toml:"personal_data_days"`
	// The acknowledgement: whom the reporter may contact (the process
	// leader), when they hear from the förbund ("inom två veckor"), and
	// the förbund's page on personal data.
	Contact    Contact `toml:"contact"`
	NewsWithin string  `toml:"news_within"`
	PrivacyURL string  `toml:"privacy_url"`
}

// Contact is a person a reporter may turn to.
type Contact struct {
	Name  string `toml:"name"`
	Email string `toml:"email"`
	Phone string `toml:"phone"`
}

// Representative is a party's member of the förbund's beredningsgrupp.
type Representative struct {
	Party string `toml:"party"`
	Name  string `toml:"name"`
	Email string `toml:"email"`
}

// Duration is a time.Duration written as "90s", "15m", "168h".
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write e.g. \"90s\", \"15m\" or \"168h\")", string(b))
	}
	d.Duration = v
	return nil
}

// ConfigError is a problem in the config file, with its line when known.
type ConfigError struct {
	Path string
	Line int // 0 when unknown
	Msg  string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// LoadConfig reads and checks a config file. Every problem found is
// returned, joined, each naming its line and what to write instead.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, string(data))
}

// ParseConfig is LoadConfig on text already read.
func ParseConfig(path, text string) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		return nil, decodeError(path, text, err)
	}
	c.path = path
	var errs []error
	for _, k := range md.Undecoded() {
		msg := fmt.Sprintf("unknown key %q", k.String())
		if s := suggest(k, knownKeys); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if isSecretKey(k[len(k)-1]) {
			msg += ": lexheller reads no password or other secret from its config file; " + secretFix
		}
		errs = append(errs, &ConfigError{Path: path, Line: lineOf(text, k), Msg: msg})
	}
	errs = append(errs, c.check(text)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &c, nil
}

// Secrets never appear in an error, or anywhere else lexheller writes.
// The config holds no secret itself, only where to find one (password_file,
// password_env), but an operator may write the password in its place, or
// a key of their own (password = ..., token = ...). So the value of every
// key whose name suggests a secret is treated as one: a name holding
// "pass" (password, passwd, passphrase, password_env, password_file),
// "pwd", "secret" (client_secret), "token", "credential", "private", or
// ending in "key" (key, api_key, signing_key). For such a line an error
// names the line, the key and the fix, never the value or any part of it:
// not even the TOML parser's own message, which quotes the text it
// stopped at. The checks after parsing show password_env and
// password_file only when their shape says they are what they should be:
// a variable name in capitals, an absolute path.
var secretKeyRE = regexp.MustCompile(`(?i)pass|pwd|secret|token|credential|private|key$`)

func isSecretKey(k string) bool {
	return secretKeyRE.MatchString(strings.Trim(strings.TrimSpace(k), `"'`))
}

const secretFix = `put the password in a file and name it with password_file = "/etc/lexheller/imap-password", ` +
	`or name an environment variable that holds it with password_env = "LEXHELLER_IMAP_PASSWORD"`

// assignedKey matches a key being assigned: at the start of a line, or
// in an inline table.
var assignedKey = regexp.MustCompile(`(?:^|[{,])\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=`)

// leadingKey matches the key a line starts with, "=" or not.
var leadingKey = regexp.MustCompile(`^\s*((?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)`)

// secretOn returns the secret key assigned (or begun: "password hunter2"
// lacks its "=") on line n (1-based) of text, or "".
func secretOn(text string, n int) string {
	lines := strings.Split(text, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	keys := assignedKey.FindAllStringSubmatch(lines[n-1], -1)
	if m := leadingKey.FindStringSubmatch(lines[n-1]); m != nil {
		keys = append(keys, m)
	}
	for _, m := range keys {
		parts := strings.Split(m[1], ".")
		if last := strings.Trim(strings.TrimSpace(parts[len(parts)-1]), `"'`); isSecretKey(last) {
			return last
		}
	}
	return ""
}

// secretValues returns the text after "=" on every line that assigns a
// secret key.
func secretValues(text string) []string {
	var out []string
	for i, l := range strings.Split(text, "\n") {
		if secretOn(text, i+1) != "" {
			if _, v, ok := strings.Cut(l, "="); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// scrub replaces every quoted part of msg that could be part of a secret
// value in text. The errors about secret lines are made without the
// parser's words; this is for a message about another line that quotes
// further than that line.
func scrub(msg, text string) string {
	vals := strings.Join(secretValues(text), "\n")
	if vals == "" {
		return msg
	}
	return quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if inner := q[1 : len(q)-1]; len(inner) > 1 && strings.Contains(vals, inner) {
			return q[:1] + "(not shown)" + q[len(q)-1:]
		}
		return q
	})
}

var quoted = regexp.MustCompile(`"[^"]*"|'[^']*'`)

// fixFor says what to write for key, where the parser found no value it
// could read.
func fixFor(key string) string {
	switch key {
	case "password_env":
		return `write the name of the environment variable that holds the password, in double quotes, e.g. password_env = "LEXHELLER_IMAP_PASSWORD"`
	case "password_file":
		return `write the path of the file that holds the password, in double quotes, e.g. password_file = "/etc/lexheller/imap-password"`
	}
	return secretFix
}

// allowedValues are the values of keys that take one of a few words.
var allowedValues = map[string]string{
	"security": `"tls", "starttls" or "none" (none only to 127.0.0.1 or localhost)`,
	"language": `"sv" or "en"`,
	"period":   `"monthly" or "quarterly"`,
	"format":   `"text" or "json"`,
	"level":    `"debug", "info", "warn" or "error"`,
}

// typeError is the TOML library's error for a value of the wrong type,
// e.g. security = true.
var typeError = regexp.MustCompile(`^toml: line (\d+) \(last key "((?:[^"\\]|\\.)*)"\): (.*)$`)

var incompatible = regexp.MustCompile(`^incompatible types: TOML value has type (.+); destination has type (.+)$`)

// decodeError turns the TOML library's error into a ConfigError naming
// the line and what to write, with no secret in it.
func decodeError(path, text string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line := pe.Position.Line
		key := secretOn(text, line)
		if key == "" && pe.LastKey != "" {
			if k := strings.Split(pe.LastKey, "."); isSecretKey(k[len(k)-1]) {
				key = k[len(k)-1]
				// The parser may stop far below, at the end of a string
				// that was never closed: name the key's line.
				if n := lineOf(text, toml.Key(k)); n > 0 {
					line = n
				}
			}
		}
		if key != "" {
			what := "is not written as TOML can read it"
			switch {
			case strings.Contains(pe.Message, "already been defined"):
				what = "is written twice: keep one"
			case strings.HasPrefix(pe.Message, "unexpected EOF") || strings.Contains(pe.Message, "cannot contain newlines"):
				what = "has a quote that is not closed"
			}
			return &ConfigError{Path: path, Line: line, Msg: fmt.Sprintf("%s %s (the line is not shown: it may hold a secret); %s",
				key, what, fixFor(key))}
		}
		msg := scrub(pe.Message, text)
		if strings.HasPrefix(pe.Message, "expected value but found") {
			msg += `: text goes in double quotes, e.g. key = "value"`
			if k := lastAssigned(text, line); allowedValues[k] != "" {
				msg += "; " + k + " takes " + allowedValues[k]
			}
		}
		return &ConfigError{Path: path, Line: line, Msg: msg}
	}
	m := typeError.FindStringSubmatch(err.Error())
	if m == nil {
		return &ConfigError{Path: path, Msg: scrub(err.Error(), text)}
	}
	line, _ := strconv.Atoi(m[1])
	key := m[2]
	parts := strings.Split(key, ".")
	last := parts[len(parts)-1]
	msg := scrub(m[3], text)
	if t := incompatible.FindStringSubmatch(m[3]); t != nil {
		switch want := t[2]; {
		case allowedValues[last] != "":
			msg = "write " + allowedValues[last] + ", in double quotes"
		case want == "string" && isSecretKey(last):
			msg = fixFor(last)
		case want == "string" || strings.HasPrefix(want, "primitive"):
			msg = `write text in double quotes, e.g. ` + last + ` = "..."`
		case want == "integer":
			msg = "write a whole number, without quotes"
		case want == "boolean":
			msg = "write true or false, without quotes"
		case want == "slice":
			msg = `write a list, e.g. ` + last + ` = ["...", "..."]`
		}
		msg += fmt.Sprintf(" (not %s)", tomlTypeName(t[1]))
	} else if strings.HasPrefix(m[3], "type mismatch") {
		msg = fmt.Sprintf("write a table: [%s] on a line of its own, and its keys below it", key)
	}
	return &ConfigError{Path: path, Line: line, Msg: key + ": " + msg}
}

// lastAssigned is the last part of the key assigned on line n.
func lastAssigned(text string, n int) string {
	lines := strings.Split(text, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	m := assignedKey.FindStringSubmatch(lines[n-1])
	if m == nil {
		return ""
	}
	parts := strings.Split(m[1], ".")
	return strings.Trim(strings.TrimSpace(parts[len(parts)-1]), `"'`)
}

// tomlTypeName names a value's Go type as the operator wrote it.
func tomlTypeName(goType string) string {
	switch {
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int"):
		return "a number"
	case strings.HasPrefix(goType, "float"):
		return "a decimal number"
	case goType == "string":
		return "text"
	case strings.HasPrefix(goType, "time."):
		return "a date or time"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case strings.HasPrefix(goType, "map"):
		return "a table"
	}
	return goType
}

var knownKeys = []string{"database", "address", "domain", "language", "case_prefix", "from_name", "templates_dir",
	"imap", "smtp", "limits", "retention", "forbund", "log", "security", "username", "password_file",
	"password_env", "mailbox", "poll_interval", "idle", "helo", "connections", "expunge_without_uidplus", "attachment_mb", "retry_for", "bounce_suppress_for",
	"raw_message_days", "personal_data_days", "contact", "news_within", "privacy_url", "phone", "outbox_body_days", "format", "level", "slug", "name", "aliases", "addresses", "process_leaders", "chief",
	"meetings", "representatives", "party", "email", "commands", "authserv_id", "reminders", "forward_days",
	"forward_max", "quiet_days", "agenda_days", "http", "report", "to", "period", "day"}

// suggest returns the known key closest to the last part of k.
func suggest(k toml.Key, known []string) string {
	last := k[len(k)-1]
	best, bestD := "", 3
	for _, c := range known {
		if d := distance(last, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// lineOf finds the line a key is written on: the first line that assigns
// its last part, after the line of its table header when it has one.
func lineOf(text string, k toml.Key) int {
	lines := strings.Split(text, "\n")
	start := 0
	if len(k) > 1 {
		header := regexp.MustCompile(`^\s*\[\[?\s*` + regexp.QuoteMeta(k[0]) + `\s*\]\]?`)
		for i, l := range lines {
			if header.MatchString(l) {
				start = i
				break
			}
		}
	}
	re := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(k[len(k)-1]) + `"?\s*=|[{,]\s*` + regexp.QuoteMeta(k[len(k)-1]) + `\s*=`)
	for i := start; i < len(lines); i++ {
		if re.MatchString(lines[i]) {
			return i + 1
		}
	}
	return 0
}

func (c *Config) check(text string) []error {
	var errs []error
	bad := func(key, msg string, args ...any) {
		errs = append(errs, &ConfigError{Path: c.path, Line: lineOf(text, toml.Key(strings.Split(key, "."))), Msg: key + ": " + fmt.Sprintf(msg, args...)})
	}
	if c.Database == "" {
		c.Database = "lexheller.db"
	}
	if c.Address == "" {
		bad("address", "missing: write the shared mailbox's address, e.g. address = \"lexheller@finsam.example\"")
	} else if a, err := mail.ParseAddress(c.Address); err != nil || a.Address != c.Address {
		bad("address", "%q is not an e-mail address", c.Address)
	}
	c.Address = strings.ToLower(c.Address)
	if c.Domain == "" {
		_, c.Domain, _ = strings.Cut(c.Address, "@")
	}
	switch c.Language {
	case "":
		c.Language = "sv"
	case "sv", "en":
	default:
		bad("language", "%q: write \"sv\" (Swedish) or \"en\" (English)", c.Language)
	}
	if c.CasePrefix == "" {
		c.CasePrefix = "LH"
	} else if !regexp.MustCompile(`^[A-Z][A-Z0-9]{0,7}$`).MatchString(c.CasePrefix) {
		bad("case_prefix", "%q: use 1–8 capital letters or digits, starting with a letter, e.g. \"LH\"", c.CasePrefix)
	}
	if c.FromName == "" {
		c.FromName = "Lex Heller"
	}
	if c.Limits.AttachmentMB <= 0 {
		c.Limits.AttachmentMB = 25
	}
	if c.Limits.RetryFor.Duration <= 0 {
		c.Limits.RetryFor.Duration = 7 * 24 * time.Hour
	}
	if c.Limits.BounceSuppressFor.Duration <= 0 {
		c.Limits.BounceSuppressFor.Duration = 60 * 24 * time.Hour
	}
	if c.Retention.RawMessageDays <= 0 {
		c.Retention.RawMessageDays = 90
	}
	if c.Retention.PersonalDataDays <= 0 {
		c.Retention.PersonalDataDays = casework.DefaultPersonalDataDays
	}
	if c.Retention.OutboxBodyDays <= 0 {
		c.Retention.OutboxBodyDays = casework.DefaultOutboxBodyDays
	}
	for _, d := range []struct {
		key string
		v   *int
		def int
	}{{"reminders.forward_days", &c.Reminders.ForwardDays, 14}, {"reminders.forward_max", &c.Reminders.ForwardMax, 3},
		{"reminders.quiet_days", &c.Reminders.QuietDays, 30}, {"reminders.agenda_days", &c.Reminders.AgendaDays, 14}} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0 || *d.v > 365:
			bad(d.key, "%d: write a number of days from 1 to 365 (default %d)", *d.v, d.def)
		}
	}
	switch _, _, err := net.SplitHostPort(c.HTTP.Address); {
	case c.HTTP.Address == "":
		c.HTTP.Address = "127.0.0.1:9180"
	case c.HTTP.Address == "off":
	case err != nil:
		bad("http.address", "%q: write host:port, e.g. \"127.0.0.1:9180\", or \"off\"", c.HTTP.Address)
	}
	for _, a := range c.Report.To {
		if err := validAddress(a); err != nil {
			bad("report.to", "%q is not an e-mail address", a)
		}
	}
	switch c.Report.Period {
	case "":
		c.Report.Period = "monthly"
	case "monthly", "quarterly":
	default:
		bad("report.period", "%q: write \"monthly\" or \"quarterly\"", c.Report.Period)
	}
	switch {
	case c.Report.Day == 0:
		c.Report.Day = 1
	case c.Report.Day < 1 || c.Report.Day > 28:
		bad("report.day", "%d: write a day of the month from 1 to 28", c.Report.Day)
	}
	errs = append(errs, c.IMAP.check("imap", c.path, text, true)...)
	errs = append(errs, c.SMTP.check("smtp", c.path, text, false)...)
	if len(c.Forbund) == 0 {
		bad("forbund", "no [[forbund]] configured: add at least one, with slug, name and process_leaders")
	}
	slugs := map[string]bool{}
	for i := range c.Forbund {
		f := &c.Forbund[i]
		where := fmt.Sprintf("forbund %d", i+1)
		if f.Slug == "" || !regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(f.Slug) {
			bad("forbund.slug", "%s: slug %q: use lower-case letters, digits and -, e.g. \"goteborg\"", where, f.Slug)
		}
		if slugs[f.Slug] {
			bad("forbund.slug", "%s: slug %q is used twice", where, f.Slug)
		}
		slugs[f.Slug] = true
		if f.Name == "" {
			f.Name = f.Slug
		}
		for j, a := range f.ProcessLeaders {
			if err := validAddress(a); err != nil {
				bad("forbund.process_leaders", "%s: %q is not an e-mail address", where, a)
			}
			f.ProcessLeaders[j] = strings.ToLower(a)
		}
		if len(f.ProcessLeaders) == 0 {
			bad("forbund.process_leaders", "%s (%s): no process leaders: write process_leaders = [\"namn@forbund.example\"]", where, f.Slug)
		}
		for j := range f.Addresses {
			f.Addresses[j] = strings.ToLower(f.Addresses[j])
		}
		for _, r := range f.Representatives {
			if !slices.Contains(form.PartyCodes, r.Party) {
				bad("forbund.representatives", "%s: party %q: write one of %s", where, r.Party, strings.Join(form.PartyCodes, ", "))
			}
			if err := validAddress(r.Email); err != nil {
				bad("forbund.representatives", "%s: %q is not an e-mail address", where, r.Email)
			}
		}
		for _, m := range f.Meetings {
			if _, err := time.Parse("2006-01-02", m); err != nil {
				bad("forbund.meetings", "%s: %q: write dates as \"2027-01-21\"", where, m)
			}
		}
		slices.Sort(f.Meetings)
		if f.Chief != "" {
			if err := validAddress(f.Chief); err != nil {
				bad("forbund.chief", "%s: %q is not an e-mail address", where, f.Chief)
			}
		}
		if f.IMAP != nil {
			errs = append(errs, f.IMAP.check("forbund.imap", c.path, text, true)...)
		}
	}
	return errs
}

// envName is the shape of an environment variable's name as written in
// capitals; password_env is shown in an error only when it has it.
var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// looksLikePath reports whether password_file's value is an absolute
// path, which is then shown in an error.
func looksLikePath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.ContainsAny(p, " \t")
}

// String describes the server without its password, so that printing a
// Config (%v, %+v, a log line) shows no secret.
func (s Server) String() string {
	file, env := s.PasswordFile, s.PasswordEnv
	if file != "" && !looksLikePath(file) {
		file = "(not shown)"
	}
	if env != "" && !envName.MatchString(env) {
		env = "(not shown)"
	}
	return fmt.Sprintf("{Address:%s Security:%s Username:%s PasswordFile:%s PasswordEnv:%s Mailbox:%s}",
		s.Address, s.Security, s.Username, file, env, s.Mailbox)
}

// GoString is String, for %#v.
func (s Server) GoString() string { return "main.Server" + s.String() }

func (s *Server) check(key, path, text string, imap bool) []error {
	var errs []error
	bad := func(sub, msg string, args ...any) {
		errs = append(errs, &ConfigError{Path: path, Line: lineOf(text, toml.Key{key, sub}), Msg: key + "." + sub + ": " + fmt.Sprintf(msg, args...)})
	}
	host, port, err := net.SplitHostPort(s.Address)
	if s.Address == "" || err != nil || port == "" {
		bad("address", "%q: write host:port, e.g. \"imap.example.org:993\"", s.Address)
	}
	switch s.Security {
	case "":
		s.Security = "tls"
		if !imap {
			s.Security = "starttls"
		}
	case "tls", "starttls":
	case "none":
		if err == nil && !intake.IsLoopback(host) {
			bad("security", "\"none\" sends the password in clear text and is only allowed to 127.0.0.1 or localhost; use \"tls\" or \"starttls\"")
		}
	default:
		bad("security", "%q: write \"tls\", \"starttls\" or \"none\" (loopback only)", s.Security)
	}
	if !imap && (s.Connections < 0 || s.Connections > 50) {
		bad("connections", "%d: write a number from 1 to 50 (default 8)", s.Connections)
	}
	if imap && s.Username == "" {
		bad("username", "missing: the mailbox's login name")
	}
	if s.Username != "" {
		switch {
		case s.PasswordFile != "":
			b, err := os.ReadFile(s.PasswordFile)
			if err != nil {
				// The path is shown only when it looks like one: an
				// operator may have written the password itself here.
				var pe *fs.PathError
				switch {
				case looksLikePath(s.PasswordFile):
					bad("password_file", "%v", err)
				case errors.As(err, &pe):
					bad("password_file", "cannot read the file named on this line (not shown, in case it is the password itself): %v; "+
						"write the absolute path of a file that holds the password, e.g. \"/etc/lexheller/%s-password\"", pe.Err, key)
				default:
					bad("password_file", "cannot read the file named on this line (not shown, in case it is the password itself)")
				}
			}
			s.password = strings.TrimRight(string(b), "\r\n")
		case s.PasswordEnv != "":
			v, ok := os.LookupEnv(s.PasswordEnv)
			switch {
			case ok:
			case envName.MatchString(s.PasswordEnv):
				bad("password_env", "the environment variable %s is not set", s.PasswordEnv)
			default:
				bad("password_env", "no environment variable of the name on this line is set (the name is not shown: it does not look like one, "+
					"and may be the password itself); write the variable's name, e.g. password_env = \"LEXHELLER_%s_PASSWORD\", "+
					"and set it in the daemon's environment", strings.ToUpper(key))
			}
			s.password = v
		default:
			bad("username", "no password: add password_file = \"/etc/lexheller/%s-password\" or password_env = \"LEXHELLER_%s_PASSWORD\"", key, strings.ToUpper(key))
		}
	}
	return errs
}

// Warnings are what a valid config leaves open, for check-config.
func (c *Config) Warnings() []string {
	var w []string
	if c.Commands.AuthservID == "" {
		w = append(w, "[commands] authserv_id is not set. A process leader's commands then count only in a reply to a mail "+
			"lexheller sent to that leader (the key in its reply address, or its Message-ID in References): a forged From "+
			"with a case number is refused. This does not protect against someone who gets hold of a mail lexheller sent to a "+
			"leader (a forwarded notification, a shared mailbox) and answers it in the leader's name: set authserv_id to the "+
			"authserv-id your inbound server writes in Authentication-Results so that the server's DKIM/SPF/DMARC verdict is "+
			"checked too (see README, \"Sender forgery\").")
	}
	servers := []struct {
		key  string
		s    *Server
		imap bool
	}{{"imap", &c.IMAP, true}, {"smtp", &c.SMTP, false}}
	for _, f := range c.Forbund {
		if f.IMAP != nil {
			servers = append(servers, struct {
				key  string
				s    *Server
				imap bool
			}{"forbund " + f.Slug + " imap", f.IMAP, true})
		}
	}
	for _, sv := range servers {
		w = append(w, sv.s.warnings(sv.key, sv.imap)...)
	}
	if c.IMAP.ExpungeWithoutUIDPlus {
		w = append(w, "[imap] expunge_without_uidplus is on: on a server with neither MOVE nor UIDPLUS, INBOX is expunged "+
			"after each batch, which also removes messages a person flagged \\Deleted there.")
	}
	return w
}

// validAddress checks an address of the config that mail is sent to: it
// must parse, and be one mail can be addressed to.
func validAddress(a string) error {
	if _, err := mail.ParseAddress(a); err != nil {
		return err
	}
	return notify.Deliverable(a)
}

// The ports that speak implicit TLS and those that start in clear text.
var (
	tlsPorts      = map[string]bool{"993": true, "465": true}
	startTLSPorts = map[string]bool{"143": true, "587": true, "25": true}
)

// warnings says what of a server's settings is most likely a mistake
// although it is valid.
func (s *Server) warnings(key string, imap bool) []string {
	var w []string
	_, port, _ := net.SplitHostPort(s.Address)
	switch {
	case s.Security == "starttls" && tlsPorts[port]:
		w = append(w, fmt.Sprintf("[%s] security = \"starttls\" on port %s: that port speaks TLS from the start; write security = \"tls\" (or use port %s)",
			key, port, map[bool]string{true: "143", false: "587"}[imap]))
	case s.Security == "tls" && startTLSPorts[port]:
		w = append(w, fmt.Sprintf("[%s] security = \"tls\" on port %s: that port starts in clear text; write security = \"starttls\" (or use port %s)",
			key, port, map[bool]string{true: "993", false: "465"}[imap]))
	}
	if s.Username != "" && s.password == "" {
		from := "the file in password_file"
		if s.PasswordFile == "" {
			from = "the environment variable in password_env"
		}
		w = append(w, fmt.Sprintf("[%s] the password is empty: %s holds nothing; logging in will fail", key, from))
	}
	return w
}

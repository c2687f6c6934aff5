package config

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Error is a problem in the config file, with its line when known.
type Error struct {
	Path string
	Line int // 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Load reads and checks a config file. Every problem found is
// returned, joined, each naming its line and what to write instead.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, string(data))
}

// Parse is Load on text already read.
func Parse(path, text string) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		return nil, decodeError(path, text, err)
	}
	c.Path = path
	var errs []error
	for _, k := range md.Undecoded() {
		msg := fmt.Sprintf("unknown key %q", k.String())
		if s := suggest(k, knownKeys); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else if isSecretKey(k[len(k)-1]) {
			fix := secretFix
			if slices.Contains(k, "oauth2") {
				fix = oauth2SecretFix
			}
			msg += ": lexheller reads no password or other secret from its config file; " + fix
		}
		errs = append(errs, &Error{Path: path, Line: lineOf(text, k), Msg: msg})
	}
	c.setDefaults()
	errs = append(errs, c.validate(text)...)
	errs = append(errs, c.readSecrets(text)...)
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

const oauth2SecretFix = `put the client secret in a file and name it with client_secret_file = "/etc/lexheller/oauth2-client-secret" ` +
	`(or an environment variable with client_secret_env), or a certificate's key with private_key_file = "/etc/lexheller/oauth2-private-key.pem"`

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
	case "client_secret_file":
		return `write the path of the file that holds the client secret, in double quotes, e.g. client_secret_file = "/etc/lexheller/oauth2-client-secret"`
	case "client_secret_env":
		return `write the name of the environment variable that holds the client secret, in double quotes, e.g. client_secret_env = "LEXHELLER_OAUTH2_SECRET"`
	case "private_key_file":
		return `write the path of the certificate's private key, in double quotes, e.g. private_key_file = "/etc/lexheller/oauth2-private-key.pem"`
	case "token_url":
		return `write the token endpoint's URL in double quotes, e.g. token_url = "https://login.example/oauth2/token"`
	}
	return secretFix
}

// allowedValues are the values of keys that take one of a few words.
var allowedValues = map[string]string{
	"security": `"tls", "starttls" or "none" (none only to 127.0.0.1 or localhost)`,
	"auth":     `"password" or "oauth2"`,
	"provider": `"microsoft", "google" or "generic"`,
	"language": `"sv" or "en"`,
	"period":   `"monthly" or "quarterly"`,
	"format":   `"text" or "json"`,
	"level":    `"debug", "info", "warn" or "error"`,
}

// typeError is the TOML library's error for a value of the wrong type,
// e.g. security = true.
var typeError = regexp.MustCompile(`^toml: line (\d+) \(last key "((?:[^"\\]|\\.)*)"\): (.*)$`)

var incompatible = regexp.MustCompile(`^incompatible types: TOML value has type (.+); destination has type (.+)$`)

// decodeError turns the TOML library's error into a Error naming
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
			return &Error{Path: path, Line: line, Msg: fmt.Sprintf("%s %s (the line is not shown: it may hold a secret); %s",
				key, what, fixFor(key))}
		}
		msg := scrub(pe.Message, text)
		if strings.HasPrefix(pe.Message, "expected value but found") {
			msg += `: text goes in double quotes, e.g. key = "value"`
			if k := lastAssigned(text, line); allowedValues[k] != "" {
				msg += "; " + k + " takes " + allowedValues[k]
			}
		}
		return &Error{Path: path, Line: line, Msg: msg}
	}
	m := typeError.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{Path: path, Msg: scrub(err.Error(), text)}
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
	return &Error{Path: path, Line: line, Msg: key + ": " + msg}
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
	"forward_max", "quiet_days", "agenda_days", "http", "report", "to", "period", "day",
	"auth", "oauth2", "provider", "tenant", "client_id", "client_secret_file", "client_secret_env", "certificate_file",
	"private_key_file", "service_account_file", "user", "token_url", "scopes"}

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

//go:embed default.toml
var defaultTOML string

// Default is the built-in configuration `lexheller serve` uses without
// --config: a dev mail system on loopback. Its IMAP password is read from
// LEXHELLER_DEV_PASSWORD, "dev" unless set (the dev system takes any).
func Default() (*Config, error) {
	if os.Getenv("LEXHELLER_DEV_PASSWORD") == "" {
		os.Setenv("LEXHELLER_DEV_PASSWORD", "dev")
	}
	return Parse("(built-in default)", defaultTOML)
}

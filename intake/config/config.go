// Package config is lexheller's deployment model: the förbund, their
// process leaders, representatives and meetings, the mailboxes and the
// mail server, the limits and the retention. It is decoded from one TOML
// file once, given its defaults, validated and has its secrets read, and
// the same values are used everywhere: by classification, by the
// workflow core, by the mailbox watcher and by the sender.
//
// Loading happens in four steps, each in its own file: read (decode the
// TOML, with errors that name the line and the fix, never a secret),
// defaults, validation and secrets. Every problem found is returned at
// once, joined.
package config

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"lexheller/templates"
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
	// Groups are working groups several förbund share: each förbund that
	// uses one names it in its own [[forbund.groups]].
	Groups    []Group   `toml:"groups"`
	Log       Log       `toml:"log"`
	Commands  Commands  `toml:"commands"`
	HTTP      HTTP      `toml:"http"`
	Web       Web       `toml:"web"`
	Report    Report    `toml:"report"`
	Reminders Reminders `toml:"reminders"`
	Form      FormOpts  `toml:"form"`
	// OAuth2 is where the tokens come from for a server with auth =
	// "oauth2"; nil when the file has no [oauth2].
	OAuth2 *OAuth2 `toml:"oauth2"`

	// Path is the file the config was read from, for messages.
	Path string `toml:"-"`
}

// Security is how a connection to a mail server is protected.
type Security string

const (
	TLS      Security = "tls"      // implicit TLS (993, 465)
	StartTLS Security = "starttls" // STARTTLS on a plain port (143, 587, 25)
	None     Security = "none"     // clear text: loopback only
)

// Auth is how lexheller logs in to a server.
type Auth string

const (
	AuthPassword Auth = "password" // a password (LOGIN, AUTH PLAIN/LOGIN)
	AuthOAuth2   Auth = "oauth2"   // an OAuth2 access token (SASL XOAUTH2 or OAUTHBEARER)
)

// Server is an IMAP or SMTP server's address and account.
type Server struct {
	Address      string   `toml:"address"` // host:port
	Security     Security `toml:"security"`
	Username     string   `toml:"username"` // SMTP: empty for no AUTH; with oauth2 the mailbox logged in to
	Auth         Auth     `toml:"auth"`     // password (default) or oauth2
	PasswordFile string   `toml:"password_file"`
	PasswordEnv  string   `toml:"password_env"`
	Mailbox      string   `toml:"mailbox"`       // IMAP: default INBOX
	PollInterval Duration `toml:"poll_interval"` // IMAP: without IDLE
	IDLE         *bool    `toml:"idle"`          // IMAP: use IDLE where offered (default true)
	HELO         string   `toml:"helo"`          // SMTP: our name in EHLO; "" means "localhost"
	Connections  int      `toml:"connections"`   // SMTP: sessions sending at once (default 8)
	// IMAP, on a server with neither MOVE nor UIDPLUS: expunge INBOX
	// after copying handled messages out (also removes what a person
	// flagged \Deleted). Off by default.
	ExpungeWithoutUIDPlus bool `toml:"expunge_without_uidplus"`

	// Password is read from PasswordFile or PasswordEnv when the config
	// is loaded; never written in the file, never printed.
	Password string `toml:"-"`
	// OAuth2 is the [oauth2] table this server's tokens come from when
	// Auth is oauth2 (a förbund's own, or the top-level one); set when
	// the config is loaded.
	OAuth2 *OAuth2 `toml:"-"`
	// TLS replaces the system's roots and the host's name (tests).
	TLS *tls.Config `toml:"-"`
	// Timeout bounds one connection's dial and commands; zero means the
	// user's default.
	Timeout time.Duration `toml:"-"`
}

// Provider is whose token endpoint an [oauth2] table talks to.
type Provider string

const (
	Microsoft Provider = "microsoft" // Entra ID: client credentials, a secret or a certificate
	Google    Provider = "google"    // a service account with domain-wide delegation
	Generic   Provider = "generic"   // any token endpoint: client credentials
)

// OAuth2 is where lexheller gets access tokens for a server with auth =
// "oauth2", app-only (no person signs in): an app registration's client
// credentials with a secret or a certificate (Microsoft 365, or any token
// endpoint), or a Google service account acting for the mailbox's user.
// The file names where each secret is; the secret is read when the config
// is loaded, and never printed.
type OAuth2 struct {
	Provider Provider `toml:"provider"`
	Tenant   string   `toml:"tenant"` // microsoft: the directory (tenant) ID or its domain
	ClientID string   `toml:"client_id"`
	// The client's secret, from a file or an environment variable; or
	// a certificate (PEM) and its RSA private key (PEM) for a signed
	// client assertion (private_key_jwt).
	ClientSecretFile string `toml:"client_secret_file"`
	ClientSecretEnv  string `toml:"client_secret_env"`
	CertificateFile  string `toml:"certificate_file"`
	PrivateKeyFile   string `toml:"private_key_file"`
	// ServiceAccountFile is a Google service account's JSON key.
	ServiceAccountFile string `toml:"service_account_file"`
	// User is whom a Google token acts for (the delegated subject);
	// default: the username of the server that uses the token.
	User     string   `toml:"user"`
	TokenURL string   `toml:"token_url"` // default: the provider's
	Scopes   []string `toml:"scopes"`    // default: the provider's scope for IMAP and SMTP

	// Read when the config is loaded; never printed.
	ClientSecret string            `toml:"-"`
	Certificate  *x509.Certificate `toml:"-"`
	PrivateKey   *rsa.PrivateKey   `toml:"-"`
	// ServiceAccountJSON is the key file's content; ServiceAccountEmail
	// the account's address in it, for messages.
	ServiceAccountJSON  []byte `toml:"-"`
	ServiceAccountEmail string `toml:"-"`
	// Key is the table's name, "oauth2" or "forbund.oauth2", for messages.
	Key string `toml:"-"`
}

// TokenURLs of the providers.
const (
	MicrosoftTokenURL = "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
	GoogleTokenURL    = "https://oauth2.googleapis.com/token"
)

// Scopes the providers' IMAP and SMTP servers want.
const (
	MicrosoftScope = "https://outlook.office365.com/.default"
	GoogleScope    = "https://mail.google.com/"
)

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

// Period is how often the pattern report goes out.
type Period string

const (
	Monthly   Period = "monthly"
	Quarterly Period = "quarterly"
)

// Months is the period's length in months.
func (p Period) Months() int {
	if p == Quarterly {
		return 3
	}
	return 1
}

// Report is the pattern report sent by mail.
type Report struct {
	To     []string `toml:"to"`     // the working group's address(es); none sends no report
	Period Period   `toml:"period"` // monthly (default) or quarterly
	Day    int      `toml:"day"`    // the day of the month it goes out (1–28, default 1)
}

// HTTP is where /healthz and /metrics are served.
type HTTP struct {
	Address string `toml:"address"` // host:port, default 127.0.0.1:9180; "off" serves nothing
}

// Web is the blanket's web form, a second door beside the mailbox.
type Web struct {
	// Address is where the form is served (host:port, behind the
	// förbund's reverse proxy), "off" (the default) for none.
	Address string `toml:"address"`
	// PublicURL is where reporters reach it ("https://finsam.example/lexheller"),
	// named in the acknowledgement and the blank form; "" names none.
	PublicURL string `toml:"public_url"`
	// MinFillSeconds is how soon after the form was shown a submission is
	// taken for a person's (default 5): faster is a robot's.
	MinFillSeconds int `toml:"min_fill_seconds"`
	// PerHour is how many submissions one IP address, or one reporter's
	// e-mail address, may make an hour (default 20).
	PerHour int `toml:"per_hour"`
}

// Off is the HTTP address that serves nothing.
const Off = "off"

// Reminders says when the daemon reminds and sends agendas.
type Reminders struct {
	ForwardDays int `toml:"forward_days"` // an unanswered forward is reminded after this many days (14)
	ForwardMax  int `toml:"forward_max"`  // and again every forward_days, at most this many times (3)
	QuietDays   int `toml:"quiet_days"`   // a case with no event this long: the process leaders are reminded (30)
	AgendaDays  int `toml:"agenda_days"`  // the agenda goes to the förbundschef this many days before a meeting (14)
}

// FormOpts is how the blank blanket is sent to whoever asks for it.
type FormOpts struct {
	// AttachDocx attaches the blanket as a Word document (content controls
	// named after the labels) to the blank-form mail.
	AttachDocx bool `toml:"attach_docx"`
}

// Log sets the log format and level.
type Log struct {
	Format string `toml:"format"` // "text", "json" or "" (text on a terminal)
	Level  string `toml:"level"`  // debug, info, warn, error
}

// Logger is a logger writing to w in the format and from the level l
// sets: text on a terminal, JSON elsewhere, unless Format says.
func (l Log) Logger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(l.Level))
	opts := &slog.HandlerOptions{Level: level}
	format := l.Format
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Forbund is one samordningsförbund: who leads its process, who
// represents each party, when its beredningsgrupp meets, what its
// acknowledgement promises. After loading, addresses and aliases are
// lower-case and PersonalDataDays is set.
type Forbund struct {
	Slug            string           `toml:"slug"`
	Name            string           `toml:"name"`
	Aliases         []string         `toml:"aliases"`   // other names a reporter may write
	Addresses       []string         `toml:"addresses"` // addresses (or plus tags) that route to it
	ProcessLeaders  []string         `toml:"process_leaders"`
	Chief           string           `toml:"chief"`    // the förbundschef, who gets the agenda
	Meetings        []Date           `toml:"meetings"` // sorted
	Representatives []Representative `toml:"representatives"`
	IMAP            *Server          `toml:"imap"` // its own mailbox, if any
	// OAuth2 is its own mailbox's token source when that is not the
	// top-level [oauth2] (another tenant, another service account).
	OAuth2 *OAuth2 `toml:"oauth2"`
	// PersonalDataDays is how long its cases' personal data stays after
	// they are closed (its gallringsbeslut): [retention]'s unless set.
	PersonalDataDays int `toml:"personal_data_days"`
	// The acknowledgement: whom the reporter may contact (the process
	// leader), when they hear from the förbund ("inom två veckor"), and
	// the förbund's page on personal data.
	Contact    Contact `toml:"contact"`
	NewsWithin string  `toml:"news_within"`
	PrivacyURL string  `toml:"privacy_url"`
	// ReporterDomains are the member agencies' mail domains: a web form
	// submission from another domain is stored but held, acknowledged
	// only when a process leader releases it (/godkänn). None holds none.
	ReporterDomains []string `toml:"reporter_domains"`
	// Notices says which status notices its reporters get; Digest when
	// its representatives get their digest.
	Notices Notices `toml:"notices"`
	Digest  Digest  `toml:"digest"`
	// Groups are the working groups its process leaders can send a case
	// to (/grupp): its own, and shared ones named here by name only;
	// after loading each has its addresses.
	Groups []Group `toml:"groups"`
}

// Group is a standing working group (primary care and psychiatry, say):
// where its mail goes, who may answer for it, and the themes or parties
// whose cases it follows (a process leader is told, and decides).
type Group struct {
	Name      string   `toml:"name"`
	Addresses []string `toml:"addresses"` // a list, or one distribution group
	Members   []string `toml:"members"`   // others whose replies count as the group's
	Themes    []string `toml:"themes"`
	Parties   []string `toml:"parties"`
}

// Speaks reports whether address may answer for the group.
func (g *Group) Speaks(address string) bool {
	for _, a := range append(slices.Clone(g.Addresses), g.Members...) {
		if strings.EqualFold(a, address) {
			return true
		}
	}
	return false
}

// Group returns the förbund's working group called name (any case).
func (f *Forbund) Group(name string) *Group {
	for i := range f.Groups {
		if strings.EqualFold(f.Groups[i].Name, strings.TrimSpace(name)) {
			return &f.Groups[i]
		}
	}
	return nil
}

// Notices says which status notices a reporter gets about their case:
// each is on unless set to false.
type Notices struct {
	Forwarded *bool `toml:"forwarded"` // the case went to a party's representative
	Answered  *bool `toml:"answered"`  // a party has answered (that it has, not what)
	Raised    *bool `toml:"raised"`    // it is raised at the beredningsgrupp's meeting
	Closed    *bool `toml:"closed"`    // it is closed (with the feedback, if any)
}

// Sends reports whether the notice of kind ("forwarded", "answered",
// "raised", "closed") goes to reporters.
func (n Notices) Sends(kind string) bool {
	var v *bool
	switch kind {
	case "forwarded":
		v = n.Forwarded
	case "answered":
		v = n.Answered
	case "raised":
		v = n.Raised
	case "closed":
		v = n.Closed
	default:
		return false
	}
	return v == nil || *v
}

// Every is how often a digest goes out.
type Every string

const (
	EveryDay   Every = "day"
	EveryWeek  Every = "week"
	EveryMonth Every = "month"
	EveryNever Every = "never"
)

// Digest is when each representative gets the digest of their open
// forwards, their answers and their party's closed cases: every day,
// week (on Weekday) or month (on its first day), at Hour, Stockholm time.
type Digest struct {
	Every   Every  `toml:"every"`   // default week
	Weekday string `toml:"weekday"` // for week: monday (default) … sunday, or måndag … söndag
	Hour    *int   `toml:"hour"`    // 0–23, default 8

	// Day is Weekday read; set when the config is loaded.
	Day time.Weekday `toml:"-"`
}

// RepresentativesOf returns the förbund's representatives of party.
func (f *Forbund) RepresentativesOf(party string) []Representative {
	var out []Representative
	for _, r := range f.Representatives {
		if strings.EqualFold(r.Party, party) {
			out = append(out, r)
		}
	}
	return out
}

// ForbundNames maps each förbund's slug to its name.
func (c *Config) ForbundNames() map[string]string {
	m := map[string]string{}
	for _, f := range c.Forbund {
		m[f.Slug] = f.Name
	}
	return m
}

// Mailbox is a mailbox lexheller reads: the shared one, or a förbund's
// own.
type Mailbox struct {
	Name    string // "shared", or the förbund's slug
	Forbund string // the förbund's slug; "" for the shared mailbox
	*Server
}

// Mailboxes are the mailboxes lexheller reads: the shared one first, then
// those of the förbund that have their own.
func (c *Config) Mailboxes() []Mailbox {
	out := []Mailbox{{Name: "shared", Server: &c.IMAP}}
	for _, f := range c.Forbund {
		if f.IMAP != nil {
			out = append(out, Mailbox{Name: f.Slug, Forbund: f.Slug, Server: f.IMAP})
		}
	}
	return out
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

// Date is a day written "2027-01-21", at midnight in Stockholm.
type Date struct{ time.Time }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	s := string(b)
	if day, rest, ok := strings.Cut(s, "T"); ok && rest == "00:00:00Z" {
		s = day // a TOML date written without quotes: meetings = [2027-01-21]
	}
	t, err := time.ParseInLocation(time.DateOnly, s, templates.Stockholm)
	if err != nil {
		return fmt.Errorf("%q is not a date (write dates as \"2027-01-21\")", string(b))
	}
	d.Time = t
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.Format(time.DateOnly)), nil }

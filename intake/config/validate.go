package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"lexheller/intake/form"
	"lexheller/intake/ident"
)

// problems collects validation errors, each naming its key's line.
type problems struct {
	path, text string
	errs       []error
}

func (p *problems) add(key toml.Key, msg string, args ...any) {
	p.errs = append(p.errs, &Error{Path: p.path, Line: lineOf(p.text, key),
		Msg: strings.Join(key, ".") + ": " + fmt.Sprintf(msg, args...)})
}

func (p *problems) bad(key, msg string, args ...any) {
	p.add(toml.Key(strings.Split(key, ".")), msg, args...)
}

var (
	casePrefixRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,7}$`)
	slugRE       = regexp.MustCompile(`^[a-z0-9-]+$`)
)

// validate checks the config after its defaults are set, and returns
// every problem, each naming the line and what to write instead.
func (c *Config) validate(text string) []error {
	p := &problems{path: c.Path, text: text}
	if c.Address == "" {
		p.bad("address", "missing: write the shared mailbox's address, e.g. address = \"lexheller@finsam.example\"")
	} else if a, err := mail.ParseAddress(c.Address); err != nil || !strings.EqualFold(a.Address, c.Address) {
		p.bad("address", "%q is not an e-mail address", c.Address)
	}
	switch c.Language {
	case "sv", "en":
	default:
		p.bad("language", "%q: write \"sv\" (Swedish) or \"en\" (English)", c.Language)
	}
	if !casePrefixRE.MatchString(c.CasePrefix) {
		p.bad("case_prefix", "%q: use 1–8 capital letters or digits, starting with a letter, e.g. \"LH\"", c.CasePrefix)
	}
	for _, d := range c.reminderDays() {
		if *d.v < 0 || *d.v > 365 {
			p.bad(d.key, "%d: write a number of days from 1 to 365 (default %d)", *d.v, d.def)
		}
	}
	if _, _, err := net.SplitHostPort(c.Web.Address); err != nil && c.Web.Address != Off {
		p.bad("web.address", "%q: write host:port, e.g. \"127.0.0.1:8080\" behind the reverse proxy, or \"off\"", c.Web.Address)
	}
	if u := c.Web.PublicURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		p.bad("web.public_url", "%q: write the address reporters open, e.g. \"https://finsam.example/lexheller\"", u)
	}
	if _, _, err := net.SplitHostPort(c.HTTP.Address); err != nil && c.HTTP.Address != Off {
		p.bad("http.address", "%q: write host:port, e.g. \"127.0.0.1:9180\", or \"off\"", c.HTTP.Address)
	}
	c.validateReport(p)
	c.IMAP.validate(p, "imap", true)
	c.SMTP.validate(p, "smtp", false)
	c.OAuth2.validate(p)
	for _, g := range c.Groups {
		if strings.TrimSpace(g.Name) == "" || len(g.Addresses) == 0 {
			p.bad("groups", "the group %q needs a name and addresses = [\"grupp@example.org\"]", g.Name)
		}
	}
	if len(c.Forbund) == 0 {
		p.bad("forbund", "no [[forbund]] configured: add at least one, with slug, name and process_leaders")
	}
	slugs := map[string]bool{}
	for i := range c.Forbund {
		f := &c.Forbund[i]
		if slugs[f.Slug] {
			p.bad("forbund.slug", "forbund %d: slug %q is used twice", i+1, f.Slug)
		}
		slugs[f.Slug] = true
		f.validate(p, fmt.Sprintf("forbund %d", i+1))
		for _, g := range f.Groups {
			if len(g.Addresses) == 0 && !slices.ContainsFunc(c.Groups, func(s Group) bool { return strings.EqualFold(s.Name, g.Name) }) {
				p.bad("forbund.groups.name", "forbund %d: no group %q under [[groups]]: define it there, or give it addresses here", i+1, g.Name)
			}
		}
	}
	return p.errs
}

func (c *Config) validateReport(p *problems) {
	for _, a := range c.Report.To {
		if err := validAddress(a); err != nil {
			p.bad("report.to", "%q is not an e-mail address", a)
		}
	}
	switch c.Report.Period {
	case Monthly, Quarterly:
	default:
		p.bad("report.period", "%q: write \"monthly\" or \"quarterly\"", c.Report.Period)
	}
	if c.Report.Day < 1 || c.Report.Day > 28 {
		p.bad("report.day", "%d: write a day of the month from 1 to 28", c.Report.Day)
	}
}

func (f *Forbund) validate(p *problems, where string) {
	if f.Slug == "" || !slugRE.MatchString(f.Slug) {
		p.bad("forbund.slug", "%s: slug %q: use lower-case letters, digits and -, e.g. \"goteborg\"", where, f.Slug)
	}
	for _, a := range f.ProcessLeaders {
		if err := validAddress(a); err != nil {
			p.bad("forbund.process_leaders", "%s: %q is not an e-mail address", where, a)
		}
	}
	if len(f.ProcessLeaders) == 0 {
		p.bad("forbund.process_leaders", "%s (%s): no process leaders: write process_leaders = [\"namn@forbund.example\"]", where, f.Slug)
	}
	for _, r := range f.Representatives {
		if !slices.Contains(form.PartyCodes, r.Party) {
			p.bad("forbund.representatives", "%s: party %q: write one of %s", where, r.Party, strings.Join(form.PartyCodes, ", "))
		}
		if err := validAddress(r.Email); err != nil {
			p.bad("forbund.representatives", "%s: %q is not an e-mail address", where, r.Email)
		}
	}
	if f.Chief != "" {
		if err := validAddress(f.Chief); err != nil {
			p.bad("forbund.chief", "%s: %q is not an e-mail address", where, f.Chief)
		}
	}
	if f.IMAP != nil {
		f.IMAP.validate(p, "forbund.imap", true)
	}
	f.OAuth2.validate(p)
	seen := map[string]bool{}
	for _, g := range f.Groups {
		switch {
		case strings.TrimSpace(g.Name) == "":
			p.bad("forbund.groups.name", "%s: a group without a name: write name = \"Primärvård och psykiatri\"", where)
		case seen[strings.ToLower(g.Name)]:
			p.bad("forbund.groups.name", "%s: the group %q is named twice", where, g.Name)
		case len(g.Addresses) == 0:
			p.bad("forbund.groups.addresses", "%s: the group %q has no addresses: give addresses = [\"grupp@example.org\"], or define it under [[groups]] and name it here", where, g.Name)
		}
		seen[strings.ToLower(g.Name)] = true
		for _, a := range append(slices.Clone(g.Addresses), g.Members...) {
			if err := validAddress(a); err != nil {
				p.bad("forbund.groups.addresses", "%s: group %q: %q is not an e-mail address", where, g.Name, a)
			}
		}
		for _, party := range g.Parties {
			if !slices.Contains(form.PartyCodes, party) {
				p.bad("forbund.groups.parties", "%s: group %q: party %q: write one of %s", where, g.Name, party, strings.Join(form.PartyCodes, ", "))
			}
		}
	}
	switch f.Digest.Every {
	case EveryDay, EveryWeek, EveryMonth, EveryNever:
	default:
		p.bad("forbund.digest.every", "%s: every = %q: write \"day\", \"week\", \"month\" or \"never\"", where, f.Digest.Every)
	}
	if _, ok := weekdays[f.Digest.Weekday]; !ok {
		p.bad("forbund.digest.weekday", "%s: weekday = %q: write a day of the week, e.g. \"monday\" or \"måndag\"", where, f.Digest.Weekday)
	}
	if h := *f.Digest.Hour; h < 0 || h > 23 {
		p.bad("forbund.digest.hour", "%s: hour = %d: write an hour from 0 to 23", where, h)
	}
}

func (s *Server) validate(p *problems, key string, imap bool) {
	bad := func(sub, msg string, args ...any) {
		p.add(append(toml.Key(strings.Split(key, ".")), sub), msg, args...)
	}
	host, port, err := net.SplitHostPort(s.Address)
	if s.Address == "" || err != nil || port == "" {
		bad("address", "%q: write host:port, e.g. \"imap.example.org:993\"", s.Address)
	}
	switch s.Security {
	case TLS, StartTLS:
	case None:
		if err == nil && !IsLoopback(host) {
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
	switch s.Auth {
	case AuthPassword:
	case AuthOAuth2:
		s.validateOAuth2(bad, imap)
	default:
		bad("auth", "%q: write \"password\" or \"oauth2\"", s.Auth)
	}
}

// validateOAuth2 checks a server that logs in with a token.
func (s *Server) validateOAuth2(bad func(sub, msg string, args ...any), imap bool) {
	if s.OAuth2 == nil {
		bad("auth", `"oauth2" needs an [oauth2] table: add one with provider = "microsoft", tenant, client_id, `+
			`certificate_file and private_key_file (README, "Microsoft 365"), or provider = "google" and service_account_file (README, "Google Workspace")`)
	}
	if !imap && s.Username == "" {
		bad("username", `missing: with auth = "oauth2" write the mailbox lexheller sends as, e.g. username = "lexheller@finsam.example"`)
	}
	if s.PasswordFile != "" {
		bad("password_file", `auth = "oauth2" logs in with a token, not a password: remove password_file (the app's secret or key is named in [oauth2])`)
	}
	if s.PasswordEnv != "" {
		bad("password_env", `auth = "oauth2" logs in with a token, not a password: remove password_env (the app's secret or key is named in [oauth2])`)
	}
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRE = regexp.MustCompile(`^([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$`)
)

// validate checks an [oauth2] table: a known provider and the keys it
// takes, one credential, a token URL that is a URL.
func (o *OAuth2) validate(p *problems) {
	if o == nil {
		return
	}
	bad := func(sub, msg string, args ...any) {
		p.add(append(toml.Key(strings.Split(o.Key, ".")), sub), msg, args...)
	}
	switch o.Provider {
	case Microsoft, Google, Generic:
	case "":
		bad("provider", `missing: write "microsoft" (Microsoft 365), "google" (Google Workspace) or "generic" (another OAuth2 token endpoint)`)
		return
	default:
		bad("provider", `%q: write "microsoft" (Microsoft 365), "google" (Google Workspace) or "generic" (another OAuth2 token endpoint)`, o.Provider)
		return
	}
	if o.Provider == Google {
		o.validateGoogle(bad)
	} else {
		o.validateClient(bad)
	}
	if o.Provider == Microsoft {
		o.validateMicrosoft(bad)
	} else if o.Tenant != "" {
		bad("tenant", `is for provider = "microsoft"; remove it`)
	}
	if o.Provider == Generic && o.TokenURL == "" {
		bad("token_url", `missing: write the token endpoint's URL, e.g. token_url = "https://sso.kommun.example/realms/mail/protocol/openid-connect/token"`)
	}
	if o.TokenURL != "" {
		u, err := url.Parse(o.TokenURL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil:
			bad("token_url", `not a URL (not shown): write the token endpoint's https URL, e.g. "https://login.example/oauth2/token"`)
		case u.Scheme == "http" && !IsLoopback(u.Hostname()):
			bad("token_url", "http to %s: a token endpoint is reached over https (http only on 127.0.0.1 or localhost)", u.Hostname())
		}
	}
	if o.User != "" {
		if _, err := mail.ParseAddress(o.User); err != nil {
			bad("user", "%q is not an e-mail address: write the mailbox's user the token acts for", o.User)
		}
	}
}

// validateGoogle checks a service account's table.
func (o *OAuth2) validateGoogle(bad func(sub, msg string, args ...any)) {
	for _, k := range []struct{ key, v string }{{"client_id", o.ClientID}, {"client_secret_file", o.ClientSecretFile},
		{"client_secret_env", o.ClientSecretEnv}, {"certificate_file", o.CertificateFile}, {"private_key_file", o.PrivateKeyFile}} {
		if k.v != "" {
			bad(k.key, `is not used with provider = "google": the service account's JSON key (service_account_file) holds its id and key; remove this line`)
		}
	}
	if o.ServiceAccountFile == "" {
		bad("service_account_file", `missing: write the path of the service account's JSON key, e.g. service_account_file = "/etc/lexheller/google-service-account.json"`)
	}
}

// validateClient checks an app registration's table: a client id and
// one credential, a secret or a certificate with its key.
func (o *OAuth2) validateClient(bad func(sub, msg string, args ...any)) {
	if o.ServiceAccountFile != "" {
		bad("service_account_file", `is for provider = "google"; an app registration uses client_secret_file, or certificate_file and private_key_file`)
	}
	if o.ClientID == "" {
		bad("client_id", `missing: write the app's application (client) ID, e.g. client_id = "0f6c1b0e-…"`)
	}
	secret := o.ClientSecretFile != "" || o.ClientSecretEnv != ""
	cert := o.CertificateFile != "" || o.PrivateKeyFile != ""
	switch {
	case secret && cert:
		bad("client_secret_file", "write either a secret (client_secret_file or client_secret_env) or a certificate (certificate_file and private_key_file), not both")
	case o.ClientSecretFile != "" && o.ClientSecretEnv != "":
		bad("client_secret_env", "write client_secret_file or client_secret_env, not both")
	case !secret && !cert:
		bad("client_id", `no credential: add certificate_file and private_key_file (a certificate, preferred), or client_secret_file = "/etc/lexheller/oauth2-client-secret"`)
	case cert && o.CertificateFile == "":
		bad("private_key_file", `a certificate needs both: add certificate_file = "/etc/lexheller/oauth2-certificate.pem" (the certificate uploaded to the app)`)
	case cert && o.PrivateKeyFile == "":
		bad("certificate_file", `a certificate needs both: add private_key_file = "/etc/lexheller/oauth2-private-key.pem" (the certificate's RSA key)`)
	}
}

// validateMicrosoft checks what Entra ID's client-credentials flow
// needs: the tenant itself, a GUID client id, a /.default scope of
// Exchange Online.
func (o *OAuth2) validateMicrosoft(bad func(sub, msg string, args ...any)) {
	switch t := strings.ToLower(o.Tenant); {
	case t == "":
		bad("tenant", `missing: write the Directory (tenant) ID from the app registration's Overview page, e.g. tenant = "8f3e5a2b-…", or the tenant's domain, e.g. "kommun.onmicrosoft.com"`)
	case t == "common" || t == "organizations" || t == "consumers":
		bad("tenant", `%q is not a tenant: an app that logs in without a person needs its own tenant's ID (Overview → Directory (tenant) ID) or domain`, o.Tenant)
	case !guidRE.MatchString(t) && !domainRE.MatchString(t):
		bad("tenant", `%q: write the Directory (tenant) ID, a GUID such as "8f3e5a2b-0c1d-4e5f-9a8b-7c6d5e4f3a2b", or the tenant's domain, e.g. "kommun.onmicrosoft.com"`, o.Tenant)
	}
	if o.ClientID != "" && !guidRE.MatchString(o.ClientID) {
		bad("client_id", `%q: the application (client) ID is a GUID such as "0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f" (the app registration's Overview page)`, o.ClientID)
	}
	for _, sc := range o.Scopes {
		switch {
		case strings.Contains(strings.ToLower(sc), "graph.microsoft.com"):
			bad("scopes", "%q asks for a token for Microsoft Graph, which Exchange refuses for IMAP and SMTP: write %q (or leave scopes out)", sc, MicrosoftScope)
		case !strings.HasSuffix(sc, "/.default"):
			bad("scopes", "%q: an app without a signed-in person asks for a resource's /.default scope: write %q (or leave scopes out)", sc, MicrosoftScope)
		}
	}
}

// validAddress checks an address of the config that mail is sent to: it
// must parse, and be one mail can be addressed to.
func validAddress(a string) error {
	if _, err := mail.ParseAddress(a); err != nil {
		return err
	}
	return ident.Deliverable(a)
}

// IsLoopback reports whether host is a loopback name or address: the only
// place a password may go in clear text.
func IsLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

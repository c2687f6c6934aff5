package config

import (
	"fmt"
	"net"
	"net/mail"
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
	if _, _, err := net.SplitHostPort(c.HTTP.Address); err != nil && c.HTTP.Address != Off {
		p.bad("http.address", "%q: write host:port, e.g. \"127.0.0.1:9180\", or \"off\"", c.HTTP.Address)
	}
	c.validateReport(p)
	c.IMAP.validate(p, "imap", true)
	c.SMTP.validate(p, "smtp", false)
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

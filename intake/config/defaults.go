package config

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Defaults that more than one package needs.
const (
	DefaultPersonalDataDays = 730 // after a case is closed
	DefaultOutboxBodyDays   = 30
	DefaultHTTPAddress      = "127.0.0.1:9180"
)

// setDefaults fills what the file leaves out and brings addresses and
// names to the one form the rest of lexheller compares: lower-case
// addresses, sorted meetings. It changes nothing that is set and valid;
// validate sees the result.
func (c *Config) setDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Database, "lexheller.db")
	c.Address = strings.ToLower(c.Address)
	if c.Domain == "" {
		_, c.Domain, _ = strings.Cut(c.Address, "@")
	}
	def(&c.Language, "sv")
	def(&c.CasePrefix, "LH")
	def(&c.FromName, "Lex Heller")
	def(&c.HTTP.Address, DefaultHTTPAddress)
	def(&c.Web.Address, Off)
	if c.Web.MinFillSeconds <= 0 {
		c.Web.MinFillSeconds = 5
	}
	if c.Web.PerHour <= 0 {
		c.Web.PerHour = 20
	}
	if c.Report.Period == "" {
		c.Report.Period = Monthly
	}
	if c.Report.Day == 0 {
		c.Report.Day = 1
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
		c.Retention.PersonalDataDays = DefaultPersonalDataDays
	}
	if c.Retention.OutboxBodyDays <= 0 {
		c.Retention.OutboxBodyDays = DefaultOutboxBodyDays
	}
	for _, d := range c.reminderDays() {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	c.IMAP.setDefaults(true)
	c.SMTP.setDefaults(false)
	c.OAuth2.setDefaults("oauth2")
	c.IMAP.useOAuth2(c.OAuth2)
	c.SMTP.useOAuth2(c.OAuth2)
	for i := range c.Forbund {
		f := &c.Forbund[i]
		def(&f.Name, f.Slug)
		lower(f.ProcessLeaders)
		lower(f.Addresses)
		lower(f.Aliases)
		lower(f.ReporterDomains)
		slices.SortFunc(f.Meetings, func(a, b Date) int { return a.Compare(b.Time) })
		if f.PersonalDataDays <= 0 {
			f.PersonalDataDays = c.Retention.PersonalDataDays
		}
		f.Digest.setDefaults()
		c.resolveGroups(f)
		f.OAuth2.setDefaults("forbund.oauth2")
		if f.IMAP != nil {
			f.IMAP.setDefaults(true)
			if f.OAuth2 != nil {
				f.IMAP.useOAuth2(f.OAuth2)
			} else {
				f.IMAP.useOAuth2(c.OAuth2)
			}
		}
	}
}

// reminderDays are the [reminders] keys, each with its default.
func (c *Config) reminderDays() []struct {
	key string
	v   *int
	def int
} {
	return []struct {
		key string
		v   *int
		def int
	}{{"reminders.forward_days", &c.Reminders.ForwardDays, 14}, {"reminders.forward_max", &c.Reminders.ForwardMax, 3},
		{"reminders.quiet_days", &c.Reminders.QuietDays, 30}, {"reminders.agenda_days", &c.Reminders.AgendaDays, 14}}
}

func (s *Server) setDefaults(imap bool) {
	if s.Auth == "" {
		s.Auth = AuthPassword
	}
	if s.Security == "" {
		s.Security = TLS
		if !imap {
			s.Security = StartTLS
		}
	}
}

func lower(ss []string) {
	for i := range ss {
		ss[i] = strings.ToLower(ss[i])
	}
}

// useOAuth2 names the [oauth2] table a server with auth = "oauth2" gets
// its tokens from.
func (s *Server) useOAuth2(o *OAuth2) {
	if s.Auth == AuthOAuth2 {
		s.OAuth2 = o
	}
}

// setDefaults gives an [oauth2] table its provider's token URL and
// scopes. A Google table's token URL comes from its key file, read later.
func (o *OAuth2) setDefaults(key string) {
	if o == nil {
		return
	}
	o.Key = key
	o.Provider = Provider(strings.ToLower(string(o.Provider)))
	switch o.Provider {
	case Microsoft:
		if o.TokenURL == "" && o.Tenant != "" {
			o.TokenURL = fmt.Sprintf(MicrosoftTokenURL, url.PathEscape(o.Tenant))
		}
		if len(o.Scopes) == 0 {
			o.Scopes = []string{MicrosoftScope}
		}
	case Google:
		if len(o.Scopes) == 0 {
			o.Scopes = []string{GoogleScope}
		}
	}
	o.User = strings.ToLower(o.User)
}

// weekdays are the names a digest's weekday may be written with.
var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
	"måndag": time.Monday, "tisdag": time.Tuesday, "onsdag": time.Wednesday, "torsdag": time.Thursday,
	"fredag": time.Friday, "lördag": time.Saturday, "söndag": time.Sunday,
}

// setDefaults makes an unset digest weekly, on Monday at 08:00.
func (d *Digest) setDefaults() {
	d.Every = Every(strings.ToLower(string(d.Every)))
	if d.Every == "" {
		d.Every = EveryWeek
	}
	d.Weekday = strings.ToLower(strings.TrimSpace(d.Weekday))
	if d.Weekday == "" {
		d.Weekday = "monday"
	}
	d.Day = weekdays[d.Weekday]
	if d.Hour == nil {
		eight := 8
		d.Hour = &eight
	}
}

// resolveGroups gives a förbund's group named by name only the top-level
// group of that name, and lower-cases the addresses.
func (c *Config) resolveGroups(f *Forbund) {
	for i := range c.Groups {
		g := &c.Groups[i]
		lower(g.Addresses)
		lower(g.Members)
		lower(g.Themes)
	}
	for i := range f.Groups {
		g := &f.Groups[i]
		if len(g.Addresses) == 0 && len(g.Members) == 0 && len(g.Themes) == 0 && len(g.Parties) == 0 {
			for _, shared := range c.Groups {
				if strings.EqualFold(shared.Name, g.Name) {
					*g = shared
				}
			}
		}
		lower(g.Addresses)
		lower(g.Members)
		lower(g.Themes)
	}
}

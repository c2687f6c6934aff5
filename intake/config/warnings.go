package config

import (
	"fmt"
	"net"
	"os"
	"time"
)

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
	w = append(w, c.oauth2Warnings()...)
	if c.IMAP.ExpungeWithoutUIDPlus {
		w = append(w, "[imap] expunge_without_uidplus is on: on a server with neither MOVE nor UIDPLUS, INBOX is expunged "+
			"after each batch, which also removes messages a person flagged \\Deleted there.")
	}
	return w
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
	case s.Security == StartTLS && tlsPorts[port]:
		w = append(w, fmt.Sprintf("[%s] security = \"starttls\" on port %s: that port speaks TLS from the start; write security = \"tls\" (or use port %s)",
			key, port, map[bool]string{true: "143", false: "587"}[imap]))
	case s.Security == TLS && startTLSPorts[port]:
		w = append(w, fmt.Sprintf("[%s] security = \"tls\" on port %s: that port starts in clear text; write security = \"starttls\" (or use port %s)",
			key, port, map[bool]string{true: "993", false: "465"}[imap]))
	}
	if s.Username != "" && s.Password == "" && s.Auth != AuthOAuth2 {
		from := "the file in password_file"
		if s.PasswordFile == "" {
			from = "the environment variable in password_env"
		}
		w = append(w, fmt.Sprintf("[%s] the password is empty: %s holds nothing; logging in will fail", key, from))
	}
	return w
}

// oauth2Warnings: an [oauth2] table no server uses, a certificate that
// has expired or soon will, a secret file others may read, an empty
// secret.
func (c *Config) oauth2Warnings() []string {
	var w []string
	used := map[*OAuth2]bool{}
	for _, m := range append(c.Mailboxes(), Mailbox{Server: &c.SMTP}) {
		if m.Auth == AuthOAuth2 {
			used[m.OAuth2] = true
		}
	}
	tables := []*OAuth2{c.OAuth2}
	for _, f := range c.Forbund {
		tables = append(tables, f.OAuth2)
	}
	for _, o := range tables {
		if o == nil {
			continue
		}
		if !used[o] {
			w = append(w, fmt.Sprintf("[%s] is set but no server logs in with it: write auth = \"oauth2\" under [imap] and [smtp]", o.Key))
		}
		if cert := o.Certificate; cert != nil {
			switch left := time.Until(cert.NotAfter); {
			case left <= 0:
				w = append(w, fmt.Sprintf("[%s] the certificate in certificate_file expired on %s: the token endpoint refuses it; make a new one and upload it to the app",
					o.Key, cert.NotAfter.Format(time.DateOnly)))
			case left < 30*24*time.Hour:
				w = append(w, fmt.Sprintf("[%s] the certificate in certificate_file expires on %s: make a new one, upload it to the app and name it here before then",
					o.Key, cert.NotAfter.Format(time.DateOnly)))
			}
		}
		if o.ClientSecretFile != "" && o.ClientSecret == "" {
			w = append(w, fmt.Sprintf("[%s] the client secret is empty: the file in client_secret_file holds nothing; getting a token will fail", o.Key))
		}
		for _, f := range []struct{ key, path string }{{"client_secret_file", o.ClientSecretFile}, {"private_key_file", o.PrivateKeyFile},
			{"service_account_file", o.ServiceAccountFile}} {
			if fi, err := os.Stat(f.path); f.path != "" && err == nil && fi.Mode().Perm()&0o004 != 0 && looksLikePath(f.path) {
				w = append(w, fmt.Sprintf("[%s] %s: every user of this machine may read %s: chown root:lexheller and chmod 0640 it", o.Key, f.key, f.path))
			}
		}
	}
	return w
}

package intake

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/emersion/go-imap/v2"

	"lexheller/intake/config"
	"lexheller/intake/oauth"
)

// Advice says in one sentence what to do about a mailbox connection
// error, for the log line and /healthz; "" when it has none to give.
func Advice(err error, o config.Server) string {
	if err == nil {
		return ""
	}
	var recErr tls.RecordHeaderError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var imapErr *imap.Error
	var dnsErr *net.DNSError
	msg := err.Error()
	if o.Auth == config.AuthOAuth2 {
		if a := oauth.Advice(err, o.OAuth2); a != "" {
			return a
		}
		if errors.As(err, &imapErr) && strings.Contains(msg, "log in with") {
			return oauth.LoginAdvice(o.OAuth2, "IMAP")
		}
	}
	switch {
	case errors.As(err, &recErr) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "the server at " + o.Address + " does not answer TLS on that port: use security = \"starttls\" for port 143, or the TLS port (993) with security = \"tls\""
	case errors.As(err, &hostErr):
		return "the server's certificate is not for the host name in address: write the name the certificate has (" + hostErr.Error() + ")"
	case errors.As(err, &unknownCA) || errors.As(err, &certErr):
		return "the server's certificate is not trusted by this machine: install its CA certificate in the system store (Debian: /usr/local/share/ca-certificates, then update-ca-certificates)"
	case errors.As(err, &imapErr) && (imapErr.Code == imap.ResponseCodeAuthenticationFailed || strings.Contains(msg, "log in as")):
		return "the server refused the user name or password: check username and the password file (a trailing newline is ignored); Microsoft 365 and Google Workspace need OAuth2: auth = \"oauth2\" and an [oauth2] table (README, \"Microsoft 365\")"
	case strings.Contains(msg, "log in as"):
		return "logging in failed: check username and the password file"
	case strings.Contains(msg, "create folder"):
		return "the account may not create folders: create the four \"Lex Heller/…\" folders by hand or give the account the right"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing listens at " + o.Address + ": check the host and port in [imap] address, and that the server runs"
	case errors.As(err, &dnsErr):
		return "the host name in " + o.Address + " cannot be resolved: check the spelling, or the machine's DNS"
	case strings.Contains(msg, "i/o timeout"):
		return "no answer from " + o.Address + " within 30 s: a firewall may be dropping the connection"
	}
	return ""
}

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lexheller/intake/oauth/oauthtest"
)

// oauthEnv is the OAuth2 pair of .ci/mailservers.sh (Dovecot checking
// tokens by introspection, Postfix taking SMTP AUTH through it) with the
// test's token server on the port Dovecot asks.
type oauthEnv struct {
	*mailEnv
	Submission string // SMTP with AUTH (the daemon's); mailEnv.SMTP is the MX port (people's mail)
	Dovecot    string // its dovecot.conf, for doveadm
	Tokens     *oauthtest.Server
	Tenant     string
}

// newOAuthEnv starts the token server where the OAuth2 pair's Dovecot
// asks; it skips without the pair, unless LEXHELLER_E2E_REQUIRED is set.
func newOAuthEnv(t *testing.T) *oauthEnv {
	t.Helper()
	imapAddr, mx, sub, tok := os.Getenv("LEXHELLER_E2E_OAUTH_IMAP"), os.Getenv("LEXHELLER_E2E_OAUTH_MX"),
		os.Getenv("LEXHELLER_E2E_OAUTH_SMTP"), os.Getenv("LEXHELLER_E2E_OAUTH_TOKEN")
	if imapAddr == "" || mx == "" || sub == "" || tok == "" {
		if os.Getenv("LEXHELLER_E2E_REQUIRED") != "" {
			t.Fatal("LEXHELLER_E2E_REQUIRED is set but LEXHELLER_E2E_OAUTH_* are not: start .ci/mailservers.sh (it starts the OAuth2 pair)")
		}
		t.Skip("no OAuth2 Dovecot/Postfix pair: run through .ci/test to include the OAuth2 end-to-end tests")
	}
	srv, err := oauthtest.Start(tok)
	if err != nil {
		t.Fatalf("token server on %s (where the OAuth2 pair's Dovecot asks): %v", tok, err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &mailEnv{t: t, IMAP: imapAddr, SMTP: mx, Domain: os.Getenv("LEXHELLER_E2E_DOMAIN"),
		Password: os.Getenv("LEXHELLER_E2E_PASSWORD"), tag: randTag()}
	e.Shared = e.Addr("lexheller")
	return &oauthEnv{mailEnv: e, Submission: sub, Dovecot: os.Getenv("LEXHELLER_E2E_OAUTH_DOVECOT"), Tokens: srv,
		Tenant: "8f3e5a2b-0c1d-4e5f-9a8b-" + e.tag + "0000"}
}

// clientID is a GUID of this test's.
func (e *oauthEnv) clientID(n int) string {
	return fmt.Sprintf("0f6c1b0e-2d3a-4b5c-8d9e-%04x%s", n, e.tag)
}

// microsoftClient registers an Entra-ID-style app with a certificate,
// the two Exchange roles and the shared mailbox, and returns the
// [oauth2] table of a config that uses it.
func (e *oauthEnv) microsoftClient(t *testing.T, n int, tune func(*oauthtest.Client)) (oauthtest.Client, string) {
	t.Helper()
	cert, err := oauthtest.NewCertificate("lexheller test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, cert.CertPEM, 0o600)
	os.WriteFile(keyFile, cert.KeyPEM, 0o600)
	c := oauthtest.Client{ID: e.clientID(n), Tenant: e.Tenant, CertificateKey: &cert.Key.PublicKey,
		Thumbprint: oauthtest.Thumbprint(cert.Cert.Raw), Scopes: []string{"https://outlook.office365.com/.default"},
		Roles: []string{"IMAP.AccessAsApp", "SMTP.SendAsApp"}, Mailbox: strings.ToLower(e.Shared)}
	if tune != nil {
		tune(&c)
	}
	e.Tokens.Add(c)
	return c, fmt.Sprintf(`
[oauth2]
provider = "microsoft"
tenant = %q
client_id = %q
certificate_file = %q
private_key_file = %q
token_url = %q
`, e.Tenant, c.ID, certFile, keyFile, e.Tokens.TokenURL(e.Tenant))
}

// oauthConfigTOML is a daemon's config on the OAuth2 pair: IMAP and
// SMTP with auth = "oauth2", the [oauth2] table given.
func (e *oauthEnv) oauthConfigTOML(database, oauth2 string) string {
	return fmt.Sprintf(`
database = %q
address = %q
[imap]
address = %q
security = "none"
username = %q
auth = "oauth2"
poll_interval = "200ms"
[smtp]
address = %q
security = "none"
username = %q
auth = "oauth2"
[[forbund]]
slug = "goteborg"
name = "Samordningsförbundet Göteborg"
process_leaders = [%q]
representatives = [{ party = "FK", name = "FK", email = %q }]
[http]
address = "127.0.0.1:0"
%s`, database, e.Shared, e.IMAP, e.Shared, e.Submission, e.Shared, e.Addr("processledare"), e.Addr("fk"), oauth2)
}

// kick ends the user's IMAP sessions from the server's side, as Exchange
// does when a session's token expires.
func (e *oauthEnv) kick(t *testing.T, user string) {
	t.Helper()
	out, err := exec.Command("doveadm", "-c", e.Dovecot, "kick", user).CombinedOutput()
	if err != nil {
		t.Fatalf("doveadm kick %s: %v\n%s", user, err, out)
	}
}

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"lexheller/intake"
	"lexheller/intake/config"
	"lexheller/intake/oauth"
	"lexheller/intake/oauth/oauthtest"
	"lexheller/notify"
)

// Both mechanisms against Dovecot: a good token logs in; a revoked one
// is refused by the server's JSON challenge, answered as the mechanism
// says, then NO [AUTHENTICATIONFAILED] (not a hung exchange), after which
// the same connection logs in with a good token. The same over Postfix's
// SMTP AUTH through Dovecot, with the sender's mechanism choice.
func TestOAuth2SASLDovecotPostfix(t *testing.T) {
	e := newOAuthEnv(t)
	e.Tokens.Lifetime = time.Minute
	_, table := e.microsoftClient(t, 1, nil)
	cfg, err := config.Parse("test.toml", e.oauthConfigTOML(t.TempDir()+"/x.db", table))
	if err != nil {
		t.Fatal(err)
	}
	src, err := oauth.NewSource(cfg.OAuth2, cfg.IMAP.Username)
	if err != nil {
		t.Fatal(err)
	}
	good, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, mech := range []string{oauth.XOAUTH2, oauth.OAUTHBEARER} {
		t.Run("IMAP "+mech, func(t *testing.T) {
			c, err := imapclient.DialInsecure(e.IMAP, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got, err := oauth.Choose(c.Caps().AuthMechanisms(), mech); err != nil || got != mech {
				t.Fatalf("Dovecot offers %v: %v", c.Caps().AuthMechanisms(), err)
			}
			bad := oauth.NewSASL(mech, e.Shared, "not-a-token-"+e.tag, "127.0.0.1", 0)
			err = c.Authenticate(bad)
			if err == nil {
				t.Fatal("a bad token was taken")
			}
			var js map[string]any
			if jerr := json.Unmarshal([]byte(bad.ServerError), &js); jerr != nil || js["status"] == nil {
				t.Errorf("the server's JSON error was not kept: %q", bad.ServerError)
			}
			t.Logf("refused: %v; the server said %s", err, bad.ServerError)
			if err := c.Authenticate(oauth.NewSASL(mech, e.Shared, good.Value, "127.0.0.1", 0)); err != nil {
				t.Fatalf("a good token after a refusal on the same connection: %v", err)
			}
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
	for _, mech := range []string{oauth.XOAUTH2, oauth.OAUTHBEARER} {
		t.Run("SMTP "+mech, func(t *testing.T) {
			s := &notify.Sender{SMTP: cfg.SMTP, Tokens: src, Mechanisms: []string{mech}}
			if err := s.Probe(context.Background()); err != nil {
				t.Fatalf("SMTP AUTH %s: %v", mech, err)
			}
		})
	}
	if got := e.Tokens.Services(); got["imap"] == 0 || got["smtp"] == 0 {
		t.Errorf("introspections by service: %v; want imap and smtp (Dovecot's X-Dovecot-Auth-Service)", got)
	}
	// An app not given the mailbox (Add-MailboxPermission): its token
	// is fine, the server refuses it for this mailbox, and a new one too.
	_, table2 := e.microsoftClient(t, 2, func(c *oauthtest.Client) { c.Mailbox = e.Addr("someone-else") })
	cfg2, err := config.Parse("test.toml", e.oauthConfigTOML(t.TempDir()+"/x.db", table2))
	if err != nil {
		t.Fatal(err)
	}
	for _, mech := range []string{oauth.XOAUTH2, oauth.OAUTHBEARER} {
		src2, _ := oauth.NewSource(cfg2.OAuth2, "")
		s := &notify.Sender{SMTP: cfg2.SMTP, Tokens: src2, Mechanisms: []string{mech}}
		err := s.Probe(context.Background())
		if err == nil || !strings.Contains(err.Error(), "535") || !strings.Contains(err.Error(), "the server said") ||
			!strings.Contains(err.Error(), "Add-MailboxPermission") {
			t.Errorf("SMTP %s without the mailbox: %v", mech, err)
		}
		if st := src2.Status(); st.Refusals != 2 || st.Fetches != 2 {
			t.Errorf("SMTP %s: refused %d times, %d fetches; want 2 (the token, then a new one) and 2", mech, st.Refusals, st.Fetches)
		}
		t.Logf("SMTP %s refused: %v", mech, err)
	}
	err = intake.Probe(context.Background(), cfg2.IMAP)
	if err == nil || !strings.Contains(err.Error(), "log in with XOAUTH2 as "+e.Shared) || !strings.Contains(err.Error(), "Add-MailboxPermission") {
		t.Errorf("IMAP without the mailbox: %v", err)
	}
	t.Logf("IMAP refused: %v", err)
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lexheller/intake/casework"
	"lexheller/intake/config"
	"lexheller/intake/oauth"
	"lexheller/intake/oauth/oauthtest"
)

// runFor is how long the OAuth2 pipeline test sends blankets:
// LEXHELLER_OAUTH2_RUN (a Go duration), 60 s unless set.
func runFor() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("LEXHELLER_OAUTH2_RUN")); err == nil {
		return d
	}
	return time.Minute
}

// metric reads one figure from /metrics, -1 when absent.
func metric(t *testing.T, base, name string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// waitHealth waits until /healthz says all of want, and returns it.
func waitHealth(t *testing.T, base string, want ...string) string {
	t.Helper()
	var body string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		_, body = get(t, base+"/healthz")
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(body, w)
		}
		if ok {
			return body
		}
	}
	t.Fatalf("/healthz within 30 s lacks %q:\n%s", want, body)
	return ""
}

// exactlyOne checks that addr got exactly one mail containing substr.
func (e *oauthEnv) exactlyOne(t *testing.T, addr, substr string) []byte {
	t.Helper()
	m := e.WaitFor(addr, "INBOX", substr, 1)
	if len(m) != 1 {
		t.Errorf("%s got %d mails containing %q, want 1", addr, len(m), substr)
	}
	return m[0]
}

// The whole pipeline with OAuth2 on IMAP and SMTP, an Entra-ID-style app
// with a certificate, while tokens expire every 6 seconds for a minute
// and the server drops the session twice: every blanket gets one case,
// one acknowledgement (sent with SMTP AUTH) and one notification, a
// reply is threaded, and the sessions are renewed. Then the client is
// revoked: the daemon keeps its session and records what comes, its
// mail waits, /healthz names the token endpoint's refusal, a dropped
// session cannot log in again; restored, everything goes on, nothing
// doubled.
func TestOAuth2PipelineDovecotPostfix(t *testing.T) {
	e := newOAuthEnv(t)
	e.Tokens.Lifetime = 6 * time.Second
	client, table := e.microsoftClient(t, 3, nil)
	cfg, err := config.Parse("test.toml", e.oauthConfigTOML(filepath.Join(t.TempDir(), "lexheller.db"), table))
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg, func(a *app) {
		a.monitor.Tokens.Configure = func(src *oauth.Source) { src.MinBackoff, src.MaxBackoff = 200*time.Millisecond, time.Second }
	})
	base := waitHTTP(t, d)
	leader := e.Addr("processledare")
	n := e.sendWhileTokensExpire(t, runFor())
	first := e.Addr("r00")
	ack := e.exactlyOne(t, first, "Vi har tagit emot din anm")
	if head, _, _ := strings.Cut(string(ack), "\r\n\r\n"); !strings.Contains(head, "(Authenticated sender: "+e.Shared+")") {
		t.Errorf("the acknowledgement was not sent with SMTP AUTH as %s:\n%s", e.Shared, head)
	}
	e.Send(first, e.Shared, fmt.Sprintf("From: Anna Andersson <%s>\nTo: %s\nSubject: SV: %s\nMessage-ID: <reply-%s@af.example>\nIn-Reply-To: %s\n\nEtt tillägg: beslutet kom den 3 november.\n",
		first, e.Shared, header(ack, "Subject"), e.tag, header(ack, "Message-Id")))
	e.WaitFor(leader, "INBOX", "beslutet kom den 3 november", 1)
	for i := 1; i < n; i++ {
		e.exactlyOne(t, e.Addr(fmt.Sprintf("r%02d", i)), "Vi har tagit emot din anm")
	}
	if got := len(e.WaitFor(leader, "INBOX", "Nytt ärende", n)); got != n {
		t.Errorf("the process leader got %d new-case notifications for %d blankets", got, n)
	}
	fetches := metric(t, base, `lexheller_oauth2_token_fetches_total{account="`+client.ID+`"}`)
	relogins := metric(t, base, `lexheller_oauth2_relogins_total{mailbox="shared"}`)
	t.Logf("OAuth2 run of %s: %d blankets, %v token fetches (%d issued), %v IMAP re-logins, %d introspections",
		runFor(), n, fetches, e.Tokens.Issued(client.ID), relogins, e.Tokens.Introspected())
	if min := runFor().Seconds() / 6 / 2; fetches < min || relogins < min {
		t.Errorf("in %s with 6 s tokens: %v token fetches and %v re-logins, want at least %v of each", runFor(), fetches, relogins, min)
	}
	if got := metric(t, base, `lexheller_messages_total{kind="new_case"}`); got != float64(n) {
		t.Errorf("new cases = %v, want %d", got, n)
	}
	e.revokedAndRestored(t, d, base, client)
	if got := metric(t, base, `lexheller_messages_total{kind="new_case"}`); got != float64(n+2) {
		t.Errorf("new cases = %v, want %d", got, n+2)
	}
	if left := e.Messages(e.Shared, "INBOX"); len(left) != 0 {
		t.Errorf("%d messages left in INBOX", len(left))
	}
}

// sendWhileTokensExpire sends a blanket every 2 seconds for run, from
// r00, r01, …, and has the server drop the session at a third and at two
// thirds of the run; it returns how many it sent.
func (e *oauthEnv) sendWhileTokensExpire(t *testing.T, run time.Duration) int {
	n := 0
	kicks := map[int]bool{int(run/(2*time.Second)) / 3: true, 2 * int(run/(2*time.Second)) / 3: true}
	for start := time.Now(); time.Since(start) < run; n++ {
		r := e.Addr(fmt.Sprintf("r%02d", n))
		e.Send(r, e.Shared, blanket(r, e.Shared, fmt.Sprintf("oa%d-%s@af.example", n, e.tag), fmt.Sprintf("Händelse nummer %d.", n)))
		if kicks[n] && n > 0 {
			e.kick(t, e.Shared)
		}
		time.Sleep(2 * time.Second)
	}
	return n
}

// revokedAndRestored revokes the client, checks that the daemon keeps
// what it has, backs off and says why, then restores it and checks that
// everything goes on.
func (e *oauthEnv) revokedAndRestored(t *testing.T, d *daemon, base string, client oauthtest.Client) {
	e.Tokens.Revoke(client.ID)
	rv := e.Addr("revoked")
	e.Send(rv, e.Shared, blanket(rv, e.Shared, "revoked-"+e.tag+"@af.example", "Under tiden klienten var spärrad."))
	// The session that is up goes on (Dovecot checks tokens at login
	// only): the blanket is recorded and moved, its acknowledgement waits.
	e.WaitFor(e.Shared, casework.FolderDone, "revoked-"+e.tag, 1)
	body := waitHealth(t, base, "oauth2 "+client.ID+": token endpoint refuses the client: invalid_client: AADSTS7000112", "is disabled in Entra ID")
	t.Logf("/healthz while revoked:\n%s", body)
	// The server drops the session: no new one without a token.
	e.kick(t, e.Shared)
	body = waitHealth(t, base, "mailbox shared: not connected to "+e.IMAP, "fetch token: token endpoint refuses the client")
	t.Logf("/healthz with the session dropped:\n%s", body)
	before := len(e.Tokens.Requests())
	time.Sleep(5 * time.Second)
	asked := len(e.Tokens.Requests()) - before
	t.Logf("while revoked: %d token requests in 5 s (backoff up to 1 s)", asked)
	if asked > 20 {
		t.Errorf("%d token requests in 5 s while refused: no backoff", asked)
	}
	if got := e.Messages(rv, "INBOX"); len(got) != 0 {
		t.Errorf("an acknowledgement went out while the client was revoked")
	}
	if f := metric(t, base, `lexheller_oauth2_token_failures_total{account="`+client.ID+`"}`); f < 1 {
		t.Errorf("token failures = %v while revoked", f)
	}
	e.Tokens.Restore(client.ID)
	after := e.Addr("restored")
	e.Send(after, e.Shared, blanket(after, e.Shared, "restored-"+e.tag+"@af.example", "Efter att klienten släpptes."))
	e.exactlyOne(t, rv, "Vi har tagit emot din anm")
	e.exactlyOne(t, after, "Vi har tagit emot din anm")
	waitHealth(t, base, "ok")
	if d.watchers[0].Status().Mechanism != oauth.XOAUTH2 {
		t.Errorf("IMAP mechanism %q, want XOAUTH2 (Dovecot offers both)", d.watchers[0].Status().Mechanism)
	}
}

// A Google-style service account acting for the shared mailbox's user
// (the JWT-bearer grant), with OAUTHBEARER on IMAP and SMTP: blankets in,
// one acknowledgement each, sent with SMTP AUTH, across token renewals.
func TestOAuth2GoogleServiceAccountDovecotPostfix(t *testing.T) {
	e := newOAuthEnv(t)
	e.Tokens.Lifetime = 4 * time.Second
	account := "lexheller-" + e.tag + "@finsam-test.iam.gserviceaccount.com"
	js, key, err := oauthtest.ServiceAccount(account, e.Tokens.TokenURL(""))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "sa.json")
	os.WriteFile(file, js, 0o600)
	e.Tokens.Add(oauthtest.Client{ServiceAccount: account, AccountKey: &key.PublicKey, Subjects: []string{"*@" + e.Domain},
		Scopes: []string{config.GoogleScope}})
	cfg, err := config.Parse("test.toml", e.oauthConfigTOML(filepath.Join(t.TempDir(), "lexheller.db"),
		fmt.Sprintf("[oauth2]\nprovider = \"google\"\nservice_account_file = %q\n", file)))
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, cfg, func(a *app) {
		a.sender.Mechanisms = []string{oauth.OAUTHBEARER}
		for _, w := range a.watchers {
			w.Mechanisms = []string{oauth.OAUTHBEARER}
		}
	})
	base := waitHTTP(t, d)
	for i := 0; i < 4; i++ {
		r := e.Addr(fmt.Sprintf("g%d", i))
		e.Send(r, e.Shared, blanket(r, e.Shared, fmt.Sprintf("g%d-%s@af.example", i, e.tag), "Via Google."))
		time.Sleep(2500 * time.Millisecond)
	}
	for i := 0; i < 4; i++ {
		ack := e.exactlyOne(t, e.Addr(fmt.Sprintf("g%d", i)), "Vi har tagit emot din anm")
		if head, _, _ := strings.Cut(string(ack), "\r\n\r\n"); !strings.Contains(head, "(Authenticated sender: "+e.Shared+")") {
			t.Errorf("acknowledgement %d not sent with SMTP AUTH:\n%s", i, head)
		}
	}
	if m := d.watchers[0].Status().Mechanism; m != oauth.OAUTHBEARER {
		t.Errorf("IMAP mechanism %q, want OAUTHBEARER", m)
	}
	name := account + " for " + e.Shared
	fetches := metric(t, base, `lexheller_oauth2_token_fetches_total{account="`+name+`"}`)
	relogins := metric(t, base, `lexheller_oauth2_relogins_total{mailbox="shared"}`)
	t.Logf("Google-style run: %v token fetches, %v IMAP re-logins", fetches, relogins)
	if fetches < 2 || relogins < 1 {
		t.Errorf("%v token fetches and %v re-logins in 10 s with 4 s tokens", fetches, relogins)
	}
	for _, r := range e.Tokens.Requests() {
		if r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || r.Form.Get("assertion") == "" {
			t.Errorf("a token request of another shape: %v", r.Form)
		}
	}
}

// check-config --probe with OAuth2 names the step that fails and what
// usually causes it: a wrong tenant, a wrong secret, no admin consent,
// the mailbox not given to the app; and says ok when all is there.
func TestCheckConfigProbeOAuth2DovecotPostfix(t *testing.T) {
	e := newOAuthEnv(t)
	e.Tokens.Lifetime = time.Minute
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte("s3cret-"+e.tag+"\n"), 0o600)
	probe := func(name string, client oauthtest.Client, tenant string) string {
		e.Tokens.Add(client)
		table := fmt.Sprintf("[oauth2]\nprovider = \"microsoft\"\ntenant = %q\nclient_id = %q\nclient_secret_file = %q\ntoken_url = %q\n",
			tenant, client.ID, secretFile, e.Tokens.TokenURL(tenant))
		path := filepath.Join(dir, name+".toml")
		os.WriteFile(path, []byte(e.oauthConfigTOML(filepath.Join(dir, "x.db"), table)), 0o600)
		out, code := runCLI(t, "", "check-config", "--probe", path)
		t.Logf("check-config --probe, %s (exit %d):\n%s", name, code, out)
		return out
	}
	good := oauthtest.Client{ID: e.clientID(10), Tenant: e.Tenant, Secret: "s3cret-" + e.tag, Scopes: []string{config.MicrosoftScope},
		Roles: []string{oauth.RoleIMAP, oauth.RoleSMTP}, Mailbox: e.Shared}
	for _, c := range []struct {
		name   string
		tune   func(*oauthtest.Client)
		tenant string
		want   []string
	}{
		{"working", nil, e.Tenant, []string{"IMAP shared (" + e.IMAP + " as " + e.Shared + "): ok", "SMTP " + e.Submission + ": ok"}},
		{"wrong tenant", nil, "0badbad0-0c1d-4e5f-9a8b-000000000000", []string{"FAILED at fetch token: token endpoint refuses the client: invalid_request: AADSTS90002", "wrong tenant"}},
		{"wrong secret", func(c *oauthtest.Client) { c.Secret = "another" }, e.Tenant, []string{"AADSTS7000215", "the client secret is wrong"}},
		{"no admin consent", func(c *oauthtest.Client) { c.Roles = nil }, e.Tenant, []string{"FAILED at check token: the token carries no application permission: grant admin consent"}},
		{"no SMTP.SendAsApp", func(c *oauthtest.Client) { c.Roles = []string{oauth.RoleIMAP} }, e.Tenant, []string{"): ok", "FAILED at check token: the token lacks SMTP.SendAsApp"}},
		{"no mailbox permission", func(c *oauthtest.Client) { c.Mailbox = e.Addr("other") }, e.Tenant, []string{"FAILED at log in with XOAUTH2 as " + e.Shared, "Add-MailboxPermission"}},
	} {
		client := good
		client.ID = e.clientID(11 + len(c.name))
		if c.tune != nil {
			c.tune(&client)
		}
		if out := probe(strings.ReplaceAll(c.name, " ", "-"), client, c.tenant); !containsAll(out, c.want) {
			t.Errorf("%s: the probe lacks %q:\n%s", c.name, c.want, out)
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

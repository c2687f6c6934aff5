package oauth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"lexheller/intake/config"
	"lexheller/intake/oauth/oauthtest"
)

// secretSource is a Source of an Entra-ID-style app with a secret on srv.
func secretSource(t *testing.T, srv *oauthtest.Server, secret string) (*Source, *config.OAuth2) {
	t.Helper()
	o := &config.OAuth2{Provider: config.Microsoft, Tenant: testTenant, ClientID: testClientID, ClientSecret: secret,
		TokenURL: srv.TokenURL(testTenant), Scopes: []string{config.MicrosoftScope}, Key: "oauth2"}
	src, err := NewSource(o, "")
	if err != nil {
		t.Fatal(err)
	}
	src.MinBackoff, src.MaxBackoff = 300*time.Millisecond, time.Second
	return src, o
}

// A token is fetched once and shared, renewed a quarter of its life
// before it expires, fetched again when a server refuses it, and not
// asked for again at once when a new one is refused too.
func TestSourceCachesRenewsInvalidates(t *testing.T) {
	srv := startServer(t)
	srv.Lifetime = 4 * time.Second
	srv.Add(oauthtest.Client{ID: testClientID, Tenant: testTenant, Secret: "s", Scopes: []string{config.MicrosoftScope}})
	src, _ := secretSource(t, srv, "s")
	ctx := context.Background()
	a, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if b, _ := src.Token(ctx); b.Value != a.Value {
			t.Fatal("a second Token fetched a new token while the first was fresh")
		}
	}
	if d := a.Expiry.Sub(a.Renew); d < 900*time.Millisecond || d > 1100*time.Millisecond {
		t.Errorf("renewal %v before expiry, want a quarter of 4 s", d)
	}
	time.Sleep(time.Until(a.Renew) + 50*time.Millisecond)
	b, err := src.Token(ctx)
	if err != nil || b.Value == a.Value {
		t.Fatalf("after the renewal time: %v, same token %v", err, b.Value == a.Value)
	}
	src.Invalidate(b.Value)
	c, err := src.Token(ctx)
	if err != nil || c.Value == b.Value {
		t.Fatalf("after a refusal: %v, same token %v", err, c.Value == b.Value)
	}
	src.Invalidate(c.Value) // the new one refused too: back off
	if _, err := src.Token(ctx); err == nil || !strings.Contains(err.Error(), "refused the last two tokens") {
		t.Errorf("a third token asked for at once: %v", err)
	}
	time.Sleep(350 * time.Millisecond)
	if _, err := src.Token(ctx); err != nil {
		t.Errorf("after the backoff: %v", err)
	}
	if st := src.Status(); st.Fetches != 4 || st.Refusals != 2 || st.Problem != "" {
		t.Errorf("status %+v, want 4 fetches, 2 refusals, no problem", st)
	}
}

// A client the endpoint refuses: the token held is still given until it
// expires, fetches back off, the status names the refusal with advice;
// restored, a token comes again.
func TestSourceRefusedClient(t *testing.T) {
	srv := startServer(t)
	srv.Lifetime = 2 * time.Second
	srv.Add(oauthtest.Client{ID: testClientID, Tenant: testTenant, Secret: "s", Scopes: []string{config.MicrosoftScope}})
	src, _ := secretSource(t, srv, "s")
	ctx := context.Background()
	held, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv.Revoke(testClientID)
	time.Sleep(time.Until(held.Renew))
	if got, err := src.Token(ctx); err != nil || got.Value != held.Value {
		t.Errorf("while the endpoint refuses, the unexpired token: %v", err)
	}
	st := src.Status()
	if !strings.HasPrefix(st.Problem, "token endpoint refuses the client: invalid_client: AADSTS7000112") || !strings.Contains(st.Advice, "disabled in Entra ID") {
		t.Errorf("status %+v", st)
	}
	time.Sleep(time.Until(held.Expiry) + 10*time.Millisecond)
	_, err = src.Token(ctx)
	var fe *FetchError
	if !errors.As(err, &fe) || !fe.Refused() {
		t.Errorf("after expiry: %v", err)
	}
	asked := len(srv.Requests())
	for i := 0; i < 20; i++ {
		src.Token(ctx)
	}
	if n := len(srv.Requests()) - asked; n > 1 {
		t.Errorf("%d requests in a row while refused: no backoff", n)
	}
	srv.Restore(testClientID)
	time.Sleep(time.Second + 50*time.Millisecond)
	if _, err := src.Token(ctx); err != nil || src.Status().Problem != "" {
		t.Errorf("restored: %v, %+v", err, src.Status())
	}
}

// What the endpoint says is turned into what to do.
func TestFetchAdvice(t *testing.T) {
	srv := startServer(t)
	other, _ := oauthtest.NewCertificate("other")
	cert, _ := oauthtest.NewCertificate("lexheller")
	srv.Add(oauthtest.Client{ID: testClientID, Tenant: testTenant, CertificateKey: &cert.Key.PublicKey,
		Thumbprint: oauthtest.Thumbprint(cert.Cert.Raw), Scopes: []string{config.MicrosoftScope}})
	ctx := context.Background()
	try := func(mod func(o *config.OAuth2, s *Source)) (error, *config.OAuth2) {
		o := &config.OAuth2{Provider: config.Microsoft, Tenant: testTenant, ClientID: testClientID, Certificate: cert.Cert, PrivateKey: cert.Key,
			TokenURL: srv.TokenURL(testTenant), Scopes: []string{config.MicrosoftScope}, Key: "oauth2"}
		src, _ := NewSource(o, "")
		mod(o, src)
		_, err := src.Token(ctx)
		return err, o
	}
	for _, c := range []struct {
		name string
		mod  func(o *config.OAuth2, s *Source)
		want string
	}{
		{"wrong tenant", func(o *config.OAuth2, _ *Source) { o.TokenURL = srv.TokenURL("0badbad0-0c1d-4e5f-9a8b-000000000000") }, "wrong tenant"},
		{"wrong client", func(o *config.OAuth2, _ *Source) { o.ClientID = "11111111-2d3a-4b5c-8d9e-0a1b2c3d4e5f" }, "the app is not in that tenant"},
		{"another certificate", func(o *config.OAuth2, _ *Source) { o.Certificate, o.PrivateKey = other.Cert, other.Key }, "Entra ID does not know the certificate"},
		{"clock an hour ahead", func(_ *config.OAuth2, s *Source) { s.Now = func() time.Time { return time.Now().Add(time.Hour) } }, "clock is wrong"},
		{"graph scope", func(o *config.OAuth2, _ *Source) { o.Scopes = []string{"https://graph.microsoft.com/.default"} }, "leave scopes out"},
	} {
		err, o := try(c.mod)
		if a := Advice(err, o); !strings.Contains(a, c.want) {
			t.Errorf("%s: %v: advice %q, want %q", c.name, err, a, c.want)
		}
	}
	// The endpoint's Date header against a clock an hour ahead.
	err, _ := try(func(_ *config.OAuth2, s *Source) { s.Now = func() time.Time { return time.Now().Add(time.Hour) } })
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Skew > -59*time.Minute || !strings.Contains(fe.advice(config.Microsoft), "ahead of the token endpoint's") {
		t.Errorf("clock skew not seen: %v", err)
	}
}

// Google's refusals: a scope not delegated, a user not in the domain.
func TestGoogleAdvice(t *testing.T) {
	srv := startServer(t)
	js, key, _ := oauthtest.ServiceAccount("sa@p.iam.gserviceaccount.com", srv.TokenURL(""))
	srv.Add(oauthtest.Client{ServiceAccount: "sa@p.iam.gserviceaccount.com", AccountKey: &key.PublicKey, Subjects: []string{"*@finsam.example"},
		Scopes: []string{"https://www.googleapis.com/auth/gmail.readonly"}})
	o := &config.OAuth2{Provider: config.Google, ServiceAccountJSON: js, TokenURL: srv.TokenURL(""), Scopes: []string{config.GoogleScope}}
	src, _ := NewSource(o, "lexheller@finsam.example")
	_, err := src.Token(context.Background())
	if a := Advice(err, o); !strings.Contains(a, "domain-wide delegation is missing") {
		t.Errorf("scope not delegated: %v: %q", err, a)
	}
	srv.Add(oauthtest.Client{ServiceAccount: "sa@p.iam.gserviceaccount.com", AccountKey: &key.PublicKey, Subjects: []string{"*@finsam.example"},
		Scopes: []string{config.GoogleScope}})
	src, _ = NewSource(o, "someone@elsewhere.example")
	_, err = src.Token(context.Background())
	if a := Advice(err, o); !strings.Contains(a, "does not exist in the Workspace") {
		t.Errorf("unknown user: %v: %q", err, a)
	}
}

// A Microsoft token's claims say what Exchange will refuse.
func TestCheckClaims(t *testing.T) {
	key, _ := oauthtest.NewKey()
	tok := func(c jwt.MapClaims) string {
		s, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(key)
		return s
	}
	o := &config.OAuth2{Provider: config.Microsoft, Tenant: testTenant}
	ok := jwt.MapClaims{"aud": "https://outlook.office365.com", "tid": testTenant, "roles": []string{RoleIMAP, RoleSMTP}}
	if err := CheckClaims(tok(ok), o, "IMAP"); err != nil {
		t.Errorf("a good token: %v", err)
	}
	for _, c := range []struct {
		claims jwt.MapClaims
		proto  string
		want   string
	}{
		{jwt.MapClaims{"aud": "https://graph.microsoft.com", "tid": testTenant, "roles": []string{RoleIMAP}}, "IMAP", "Microsoft Graph"},
		{jwt.MapClaims{"aud": "https://outlook.office365.com", "tid": "0badbad0-0c1d-4e5f-9a8b-000000000000", "roles": []string{RoleIMAP}}, "IMAP", "another tenant"},
		{jwt.MapClaims{"aud": "https://outlook.office365.com", "tid": testTenant}, "IMAP", "grant admin consent"},
		{jwt.MapClaims{"aud": "https://outlook.office365.com", "tid": testTenant, "roles": []string{RoleIMAP}}, "SMTP", "lacks SMTP.SendAsApp"},
	} {
		if err := CheckClaims(tok(c.claims), o, c.proto); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v for %s: %v, want %q", c.claims, c.proto, err, c.want)
		}
	}
	if err := CheckClaims("ya29.opaque", o, "IMAP"); err != nil {
		t.Errorf("an opaque token: %v", err)
	}
}

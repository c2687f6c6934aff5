package oauth

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"lexheller/intake/config"
	"lexheller/intake/oauth/oauthtest"
)

const testClientID = "0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f"
const testTenant = "8f3e5a2b-0c1d-4e5f-9a8b-7c6d5e4f3a2b"

// recordedForm reads a testdata .form file: key=value lines.
func recordedForm(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			k, v, _ := strings.Cut(l, "=")
			m[k] = v
		}
	}
	return m
}

// sameForm compares a request's form with the recorded one: the same
// keys, and the same values but where the recording says <JWT>.
func sameForm(t *testing.T, got map[string][]string, want map[string]string) {
	t.Helper()
	var gk, wk []string
	for k := range got {
		gk = append(gk, k)
	}
	for k := range want {
		wk = append(wk, k)
	}
	sort.Strings(gk)
	sort.Strings(wk)
	if strings.Join(gk, " ") != strings.Join(wk, " ") {
		t.Errorf("request parameters %v, recorded %v", gk, wk)
	}
	for k, v := range want {
		if v != "<JWT>" && (len(got[k]) != 1 || got[k][0] != v) {
			t.Errorf("%s = %q, recorded %q", k, got[k], v)
		}
	}
}

// recordedJWT is a testdata assertion shape.
type recordedJWT struct {
	Header   map[string]string
	Claims   map[string]string
	Lifetime int64
}

// sameJWT compares an assertion with its recorded shape; vars fill the
// recording's <placeholders>.
func sameJWT(t *testing.T, jwt, name string, vars map[string]string) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var want recordedJWT
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	var header, claims map[string]any
	for i, v := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, v) != nil {
			t.Fatalf("part %d of the JWT does not decode: %v", i, err)
		}
	}
	fill := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "<"+k+">", v)
		}
		return s
	}
	if len(header) != len(want.Header) {
		t.Errorf("header %v, recorded %v", header, want.Header)
	}
	for k, v := range want.Header {
		if fmt.Sprint(header[k]) != fill(v) {
			t.Errorf("header %s = %v, recorded %s", k, header[k], fill(v))
		}
	}
	if len(claims) != len(want.Claims) {
		t.Errorf("claims %v, recorded %v", claims, want.Claims)
	}
	num := func(k string) int64 { f, _ := claims[k].(float64); return int64(f) }
	now := time.Now().Unix()
	for k, v := range want.Claims {
		switch {
		case v == "<now>":
			if d := num(k) - now; d < -60 || d > 60 {
				t.Errorf("%s = %d, not now (%d)", k, num(k), now)
			}
		case strings.HasPrefix(v, "<now+"):
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(v, "<now+"), ">"), 10, 64)
			if d := num(k) - now - n; d < -60 || d > 60 {
				t.Errorf("%s = %d, not now+%d", k, num(k), n)
			}
		case v == "<uuid>":
			if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(fmt.Sprint(claims[k])) {
				t.Errorf("%s = %v, not a UUID", k, claims[k])
			}
		case fmt.Sprint(claims[k]) != fill(v):
			t.Errorf("claim %s = %v, recorded %s", k, claims[k], fill(v))
		}
	}
	start := num("nbf")
	if start == 0 {
		start = num("iat")
	}
	if life := num("exp") - start; life != want.Lifetime && life != want.Lifetime+10 {
		t.Errorf("lifetime %d s, recorded %d", life, want.Lifetime)
	}
}

func startServer(t *testing.T) *oauthtest.Server {
	t.Helper()
	s, err := oauthtest.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Entra ID's requests: with a secret, and with a certificate.
func TestMicrosoftRequestShapes(t *testing.T) {
	srv := startServer(t)
	srv.Add(oauthtest.Client{ID: testClientID, Tenant: testTenant, Secret: "Xq7~secret.value", Scopes: []string{config.MicrosoftScope}})
	o := &config.OAuth2{Provider: config.Microsoft, Tenant: testTenant, ClientID: testClientID, ClientSecret: "Xq7~secret.value",
		TokenURL: srv.TokenURL(testTenant), Scopes: []string{config.MicrosoftScope}, Key: "oauth2"}
	src, err := NewSource(o, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	sameForm(t, srv.Requests()[0].Form, recordedForm(t, "microsoft-secret.form"))

	cert, err := oauthtest.NewCertificate("lexheller")
	if err != nil {
		t.Fatal(err)
	}
	srv.Add(oauthtest.Client{ID: testClientID, Tenant: testTenant, CertificateKey: &cert.Key.PublicKey,
		Thumbprint: oauthtest.Thumbprint(cert.Cert.Raw), Scopes: []string{config.MicrosoftScope}})
	o2 := *o
	o2.ClientSecret, o2.Certificate, o2.PrivateKey = "", cert.Cert, cert.Key
	src, err = NewSource(&o2, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatalf("the server refused the assertion: %v", err)
	}
	req := srv.Requests()[1]
	sameForm(t, req.Form, recordedForm(t, "microsoft-certificate.form"))
	sameJWT(t, req.Form.Get("client_assertion"), "microsoft-assertion.json", map[string]string{
		"x5t": oauthtest.Thumbprint(cert.Cert.Raw), "x5t#S256": thumbprint256(cert.Cert.Raw), "token_url": o.TokenURL, "client_id": testClientID})
}

// Google's JWT-bearer request of a service account acting for a user.
func TestGoogleRequestShape(t *testing.T) {
	srv := startServer(t)
	js, key, err := oauthtest.ServiceAccount("lexheller@finsam.iam.gserviceaccount.com", srv.TokenURL(""))
	if err != nil {
		t.Fatal(err)
	}
	srv.Add(oauthtest.Client{ServiceAccount: "lexheller@finsam.iam.gserviceaccount.com", AccountKey: &key.PublicKey,
		Subjects: []string{"*@finsam.example"}, Scopes: []string{config.GoogleScope}})
	o := &config.OAuth2{Provider: config.Google, ServiceAccountJSON: js, ServiceAccountEmail: "lexheller@finsam.iam.gserviceaccount.com",
		TokenURL: srv.TokenURL(""), Scopes: []string{config.GoogleScope}, Key: "oauth2"}
	src, err := NewSource(o, "lexheller@finsam.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	req := srv.Requests()[0]
	sameForm(t, req.Form, recordedForm(t, "google-jwt-bearer.form"))
	var sa struct {
		ID string `json:"private_key_id"`
	}
	json.Unmarshal(js, &sa)
	sameJWT(t, req.Form.Get("assertion"), "google-assertion.json", map[string]string{"client_email": "lexheller@finsam.iam.gserviceaccount.com",
		"user": "lexheller@finsam.example", "token_url": srv.TokenURL(""), "private_key_id": sa.ID})
	if src.Name != "lexheller@finsam.iam.gserviceaccount.com for lexheller@finsam.example" {
		t.Errorf("Name = %q", src.Name)
	}
}

// The SASL strings are the providers' recorded examples.
func TestSASLStrings(t *testing.T) {
	b, err := os.ReadFile("testdata/sasl.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "|")
		port, _ := strconv.Atoi(f[4])
		c := NewSASL(f[0], f[1], f[2], f[3], port)
		mech, ir, err := c.Start()
		if err != nil || mech != f[0] {
			t.Fatalf("%s: %s %v", f[0], mech, err)
		}
		if got := base64.StdEncoding.EncodeToString(ir); got != f[5] {
			t.Errorf("%s for %s:\n got %s\nwant %s", f[0], f[1], got, f[5])
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d examples, want 3", n)
	}
	// A refusal's challenge is answered, not aborted.
	for mech, want := range map[string][]byte{XOAUTH2: {}, OAUTHBEARER: {1}} {
		c := NewSASL(mech, "u@x.example", "t", "", 0)
		resp, err := c.Next([]byte(`{"status":"invalid_token"}`))
		if err != nil || string(resp) != string(want) || c.ServerError != `{"status":"invalid_token"}` {
			t.Errorf("%s: Next = %q, %v; kept %q", mech, resp, err, c.ServerError)
		}
	}
}

func TestChoose(t *testing.T) {
	for _, c := range []struct {
		offered, prefer []string
		want            string
	}{
		{[]string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}, nil, XOAUTH2},
		{[]string{"OAUTHBEARER"}, nil, OAUTHBEARER},
		{[]string{"xoauth2"}, nil, XOAUTH2},
		{[]string{"XOAUTH2", "OAUTHBEARER"}, []string{OAUTHBEARER}, OAUTHBEARER},
		{[]string{"PLAIN", "LOGIN"}, nil, ""},
	} {
		got, err := Choose(c.offered, c.prefer...)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("Choose(%v, %v) = %q, %v", c.offered, c.prefer, got, err)
		}
	}
}

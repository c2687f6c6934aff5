package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// oauthFiles writes a certificate, its key, another key, a secret and a
// service account key into dir.
func oauthFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lexheller"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 24 * time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	p8 := func(k *rsa.PrivateKey) []byte {
		b, _ := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b})
	}
	sa, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": "sa@p.iam.gserviceaccount.com",
		"private_key": string(p8(key)), "token_uri": "https://oauth2.googleapis.com/token"})
	files := map[string][]byte{"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), "key.pem": p8(key),
		"other.pem": p8(other), "secret": []byte("Xq7hunter2Zz\n"), "sa.json": sa, "notjson": []byte("Xq7hunter2Zz")}
	paths := map[string]string{}
	for name, b := range files {
		paths[name] = filepath.Join(dir, name)
		os.WriteFile(paths[name], b, 0o600)
	}
	return paths
}

// oauthConfig is a valid config whose IMAP and SMTP log in with the
// [oauth2] table given.
func oauthConfig(table string) string {
	return `address = "lexheller@finsam.example"
[imap]
address = "outlook.office365.com:993"
username = "lexheller@finsam.example"
auth = "oauth2"
[smtp]
address = "smtp.office365.com:587"
username = "lexheller@finsam.example"
auth = "oauth2"
[[forbund]]
slug = "goteborg"
process_leaders = ["pl@goteborg.example"]
` + table
}

func TestOAuth2Config(t *testing.T) {
	f := oauthFiles(t, t.TempDir())
	cfg, err := Parse("ok.toml", oauthConfig(fmt.Sprintf(`[oauth2]
provider = "microsoft"
tenant = "8f3e5a2b-0c1d-4e5f-9a8b-7c6d5e4f3a2b"
client_id = "0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f"
certificate_file = %q
private_key_file = %q
`, f["cert.pem"], f["key.pem"])))
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.OAuth2
	if cfg.IMAP.OAuth2 != o || cfg.SMTP.OAuth2 != o || o.PrivateKey == nil || o.Certificate == nil ||
		o.TokenURL != "https://login.microsoftonline.com/8f3e5a2b-0c1d-4e5f-9a8b-7c6d5e4f3a2b/oauth2/v2.0/token" ||
		len(o.Scopes) != 1 || o.Scopes[0] != MicrosoftScope {
		t.Errorf("parsed %+v; imap uses %p, smtp %p, table %p", o, cfg.IMAP.OAuth2, cfg.SMTP.OAuth2, o)
	}
	if w := strings.Join(cfg.Warnings(), "\n"); !strings.Contains(w, "the certificate in certificate_file expires on") || strings.Contains(w, "password is empty") {
		t.Errorf("warnings:\n%s", w)
	}
	cfg, err = Parse("ok.toml", oauthConfig(fmt.Sprintf("[oauth2]\nprovider = \"google\"\nservice_account_file = %q\n", f["sa.json"])))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OAuth2.ServiceAccountEmail != "sa@p.iam.gserviceaccount.com" || cfg.OAuth2.TokenURL != GoogleTokenURL || cfg.OAuth2.Scopes[0] != GoogleScope {
		t.Errorf("google: %+v", cfg.OAuth2)
	}
}

// A förbund's mailbox takes its own [forbund.oauth2], else the
// top-level one.
func TestOAuth2PerForbund(t *testing.T) {
	f := oauthFiles(t, t.TempDir())
	text := oauthConfig(fmt.Sprintf(`[forbund.imap]
address = "imap.gmail.com:993"
username = "lexheller@goteborg.example"
auth = "oauth2"
[forbund.oauth2]
provider = "google"
service_account_file = %q
[[forbund]]
slug = "boras"
process_leaders = ["pl@boras.example"]
[forbund.imap]
address = "outlook.office365.com:993"
username = "lexheller@boras.example"
auth = "oauth2"
[oauth2]
provider = "generic"
client_id = "lexheller"
client_secret_file = %q
token_url = "https://sso.kommun.example/token"
`, f["sa.json"], f["secret"]))
	cfg, err := Parse("ok.toml", text)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Forbund[0].IMAP.OAuth2 != cfg.Forbund[0].OAuth2 || cfg.Forbund[1].IMAP.OAuth2 != cfg.OAuth2 || cfg.OAuth2.ClientSecret != "Xq7hunter2Zz" {
		t.Errorf("per förbund: %+v", cfg.Forbund)
	}
}

// Each mistake names its line and what to write; no secret is shown.
func TestOAuth2ConfigErrors(t *testing.T) {
	f := oauthFiles(t, t.TempDir())
	for _, c := range []struct{ table, want string }{
		{"", `imap.auth: "oauth2" needs an [oauth2] table`},
		{"[oauth2]\nprovider = \"azure\"\n", `oauth2.provider: "azure": write "microsoft"`},
		{"[oauth2]\nprovider = \"microsoft\"\nclient_id = \"0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f\"\nclient_secret_file = \"" + f["secret"] + "\"\n",
			"oauth2.tenant: missing: write the Directory (tenant) ID"},
		{"[oauth2]\nprovider = \"microsoft\"\ntenant = \"common\"\nclient_id = \"0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f\"\nclient_secret_file = \"" + f["secret"] + "\"\n",
			`oauth2.tenant: "common" is not a tenant`},
		{"[oauth2]\nprovider = \"microsoft\"\ntenant = \"kommun.onmicrosoft.com\"\nclient_id = \"lexheller\"\nclient_secret_file = \"" + f["secret"] + "\"\n",
			`oauth2.client_id: "lexheller": the application (client) ID is a GUID`},
		{"[oauth2]\nprovider = \"microsoft\"\ntenant = \"kommun.onmicrosoft.com\"\nclient_id = \"0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f\"\n",
			"oauth2.client_id: no credential: add certificate_file and private_key_file"},
		{"[oauth2]\nprovider = \"microsoft\"\ntenant = \"kommun.onmicrosoft.com\"\nclient_id = \"0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f\"\ncertificate_file = \"" + f["cert.pem"] + "\"\n",
			"oauth2.certificate_file: a certificate needs both: add private_key_file"},
		{"[oauth2]\nprovider = \"microsoft\"\ntenant = \"kommun.onmicrosoft.com\"\nclient_id = \"0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f\"\ncertificate_file = \"" + f["cert.pem"] + "\"\nprivate_key_file = \"" + f["other.pem"] + "\"\n",
			"oauth2.private_key_file: the key does not belong to the certificate"},
		{"[oauth2]\nprovider = \"microsoft\"\ntenant = \"kommun.onmicrosoft.com\"\nclient_id = \"0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f\"\ncertificate_file = \"" + f["key.pem"] + "\"\nprivate_key_file = \"" + f["key.pem"] + "\"\n",
			"oauth2.certificate_file: the file holds no certificate in PEM form"},
		{"[oauth2]\nprovider = \"microsoft\"\ntenant = \"kommun.onmicrosoft.com\"\nclient_id = \"0f6c1b0e-2d3a-4b5c-8d9e-0a1b2c3d4e5f\"\nclient_secret_file = \"" + f["secret"] + "\"\nscopes = [\"https://graph.microsoft.com/.default\"]\n",
			"asks for a token for Microsoft Graph, which Exchange refuses"},
		{"[oauth2]\nprovider = \"google\"\nservice_account_file = \"" + f["notjson"] + "\"\n", "oauth2.service_account_file: the file is not a service account's JSON key"},
		{"[oauth2]\nprovider = \"google\"\ntenant = \"x.example\"\nservice_account_file = \"" + f["sa.json"] + "\"\n", `oauth2.tenant: is for provider = "microsoft"`},
		{"[oauth2]\nprovider = \"generic\"\nclient_id = \"lexheller\"\nclient_secret_file = \"" + f["secret"] + "\"\n", "oauth2.token_url: missing"},
		{"[oauth2]\nprovider = \"generic\"\nclient_id = \"x\"\nclient_secret_file = \"" + f["secret"] + "\"\ntoken_url = \"http://sso.example/token\"\n", "http to sso.example: a token endpoint is reached over https"},
		{"[oauth2]\nprovider = \"generic\"\nclient_id = \"x\"\nclient_secret = \"Xq7hunter2Zz\"\ntoken_url = \"https://sso.example/token\"\n", `unknown key "oauth2.client_secret": lexheller reads no password or other secret from its config file; put the client secret in a file`},
		{"[oauth2]\nprovider = \"generic\"\nclient_id = \"x\"\nclient_secret_file = \"Xq7hunter2Zz\"\ntoken_url = \"https://sso.example/token\"\n", "oauth2.client_secret_file: cannot read the file named on this line (not shown"},
	} {
		_, err := Parse("bad.toml", oauthConfig(c.table))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v\nwant %q", c.table, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), "bad.toml:") {
			t.Errorf("%q: no line in %v", c.table, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows the secret: %v", c.table, err)
		}
	}
	_, err := Parse("bad.toml", strings.Replace(oauthConfig("[oauth2]\nprovider = \"google\"\nservice_account_file = \""+f["sa.json"]+"\"\n"),
		"auth = \"oauth2\"\n", "auth = \"oauth2\"\npassword_file = \"/etc/lexheller/imap-password\"\n", 1))
	if err == nil || !strings.Contains(err.Error(), `imap.password_file: auth = "oauth2" logs in with a token, not a password`) {
		t.Errorf("a password with oauth2: %v", err)
	}
}

// Printing a config with OAuth2 shows no secret and no key.
func TestOAuth2PrintsNoSecret(t *testing.T) {
	f := oauthFiles(t, t.TempDir())
	cfg, err := Parse("ok.toml", oauthConfig(fmt.Sprintf("[oauth2]\nprovider = \"generic\"\nclient_id = \"x\"\nclient_secret_file = %q\ntoken_url = \"https://sso.example/token\"\n", f["secret"])))
	if err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(f["key.pem"])
	cfg.OAuth2.ServiceAccountJSON = key
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cfg, *cfg, cfg.OAuth2, *cfg.OAuth2, cfg.IMAP} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "hunter2") || strings.Contains(s, "PRIVATE KEY") || strings.Contains(s, "MII") {
				t.Errorf("%s shows a secret: %s", verb, s)
			}
		}
	}
}

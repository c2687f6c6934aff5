package config

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// fuzzDir is the placeholder a fuzzed config text names the directory of
// the fuzz target's files with (password, secret, cert.pem, key.pem,
// other.pem, sa.json): the seeds under testdata/fuzz/FuzzParse write
// password_file = "@DIR@/password".
const fuzzDir = "@DIR@"

// fuzzMaxFile bounds the files a fuzzed config may make Parse read.
const fuzzMaxFile = 1 << 20

// fuzzFiles writes what a config's secrets may be read from into dir:
// a password, a client secret, a certificate, its key, another key and a
// Google service account's JSON key.
func fuzzFiles(f *testing.F, dir string) {
	f.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lexheller"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	p8 := func(k *rsa.PrivateKey) []byte {
		b, _ := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b})
	}
	sa, _ := json.Marshal(map[string]string{"type": "service_account", "client_email": "sa@p.iam.gserviceaccount.com",
		"private_key": string(p8(key)), "token_uri": "https://oauth2.googleapis.com/token"})
	for name, b := range map[string][]byte{"password": []byte("Xq7hunter2Zz\n"), "secret": []byte("Xq7hunter2Zz"),
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), "key.pem": p8(key),
		"other.pem": p8(other), "sa.json": sa} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			f.Fatal(err)
		}
	}
}

// namedFiles returns every file a config text names for Parse to read,
// decoded as Parse decodes it; none when it does not decode (Parse then
// reads nothing).
func namedFiles(text string) []string {
	var c Config
	if _, err := toml.Decode(text, &c); err != nil {
		return nil
	}
	paths := []string{c.IMAP.PasswordFile, c.SMTP.PasswordFile}
	oauth := []*OAuth2{c.OAuth2}
	for _, fb := range c.Forbund {
		if fb.IMAP != nil {
			paths = append(paths, fb.IMAP.PasswordFile)
		}
		oauth = append(oauth, fb.OAuth2)
	}
	for _, o := range oauth {
		if o != nil {
			paths = append(paths, o.ClientSecretFile, o.CertificateFile, o.PrivateKeyFile, o.ServiceAccountFile)
		}
	}
	var out []string
	for _, p := range paths {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// FuzzParse parses fuzzed config texts. Parse must not panic; an error is
// an answer, and a config without one is whole. The texts reach the
// files of the fuzz target's directory through "@DIR@", and variables
// LEXHELLER_*_PASSWORD and LEXHELLER_OAUTH2_SECRET are set. Parse reads
// the files a text names, so a text naming anything but a missing path, a
// directory or a small regular file (/dev/zero, a FIFO, a huge file) is
// skipped: the
// daemon reads what its operator names, the fuzzer may not make it read
// without end.
func FuzzParse(f *testing.F) {
	dir := f.TempDir()
	fuzzFiles(f, dir)
	f.Setenv("LEXHELLER_IMAP_PASSWORD", "Xq7hunter2Zz")
	f.Setenv("LEXHELLER_SMTP_PASSWORD", "Xq7hunter2Zz")
	f.Setenv("LEXHELLER_OAUTH2_SECRET", "Xq7hunter2Zz")
	f.Fuzz(func(t *testing.T, text string) {
		text = strings.ReplaceAll(text, fuzzDir, dir)
		for _, p := range namedFiles(text) {
			// A directory fails at once; a device, a FIFO or a big
			// file may be read without end.
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && (!fi.Mode().IsRegular() || fi.Size() > fuzzMaxFile) {
				t.Skip("names a file that is no small regular file")
			}
		}
		c, err := Parse("fuzz.toml", text)
		if err == nil && (c == nil || c.Path != "fuzz.toml" || len(c.Forbund) == 0) {
			t.Fatalf("Parse gave no error and the config %+v", c)
		}
		if err != nil && c != nil {
			t.Fatalf("Parse gave a config and the error %v", err)
		}
		if err != nil && strings.Contains(err.Error(), "Xq7hunter2Zz") && !strings.Contains(text, "Xq7hunter2Zz") {
			t.Fatalf("the error shows a secret read from a file or variable: %v", err)
		}
	})
}

// FuzzKeyFiles feeds fuzzed file contents to the readers of an [oauth2]
// table's files: the certificate, the RSA private key (alone and checked
// against a certificate) and the Google service account's JSON key. None
// may panic; each either reads the file or says why not.
func FuzzKeyFiles(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		key, err := ParseRSAKey(b)
		if (key == nil) == (err == nil) {
			t.Fatalf("ParseRSAKey = %v, %v", key, err)
		}
		cert := parseCertificate(b)

		var msgs []string
		bad := func(sub, msg string, args ...any) { msgs = append(msgs, sub) }
		o := &OAuth2{Key: "oauth2", Certificate: cert}
		if k := o.readKey(bad, b); (k == nil) == (len(msgs) == 0) {
			t.Fatalf("readKey gave %v and the problems %v", k, msgs)
		}
		if key != nil && cert != nil && len(msgs) == 0 && !key.PublicKey.Equal(cert.PublicKey) {
			t.Fatal("a key was taken for a certificate it does not belong to")
		}

		msgs = nil
		o = &OAuth2{Key: "oauth2", Provider: Google}
		o.readServiceAccount(bad, b)
		if len(msgs) == 0 && (o.ServiceAccountEmail == "" || o.TokenURL == "" || len(o.ServiceAccountJSON) == 0) {
			t.Fatalf("a service account key read without its parts: %+v", o)
		}
		if len(msgs) > 0 && (o.ServiceAccountEmail != "" || o.ServiceAccountJSON != nil) {
			t.Fatalf("a service account key refused (%v) but kept", msgs)
		}
	})
}

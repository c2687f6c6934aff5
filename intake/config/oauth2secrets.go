package config

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// readSecrets reads an [oauth2] table's secret, certificate, key or
// service account key from the files (or the variable) it names, and
// checks that each is what it should be. No error shows a secret: a path
// is shown only when it looks like one, a key file's content never.
func (o *OAuth2) readSecrets(p *problems) {
	if o == nil {
		return
	}
	bad := func(sub, msg string, args ...any) {
		p.add(append(strings.Split(o.Key, "."), sub), msg, args...)
	}
	switch {
	case o.ClientSecretFile != "":
		if b, ok := readNamed(bad, "client_secret_file", o.ClientSecretFile, "/etc/lexheller/oauth2-client-secret"); ok {
			o.ClientSecret = strings.TrimRight(string(b), "\r\n")
		}
	case o.ClientSecretEnv != "":
		v, ok := os.LookupEnv(o.ClientSecretEnv)
		switch {
		case ok:
			o.ClientSecret = v
		case envName.MatchString(o.ClientSecretEnv):
			bad("client_secret_env", "the environment variable %s is not set", o.ClientSecretEnv)
		default:
			bad("client_secret_env", "no environment variable of the name on this line is set (the name is not shown: it does not look like one, "+
				"and may be the secret itself); write the variable's name, e.g. client_secret_env = \"LEXHELLER_OAUTH2_SECRET\"")
		}
	}
	if o.CertificateFile != "" {
		if b, ok := readNamed(bad, "certificate_file", o.CertificateFile, "/etc/lexheller/oauth2-certificate.pem"); ok {
			if o.Certificate = parseCertificate(b); o.Certificate == nil {
				bad("certificate_file", "the file holds no certificate in PEM form (-----BEGIN CERTIFICATE-----): write the path of the certificate "+
					"uploaded to the app, as PEM (openssl x509 -inform DER -in cert.cer -out cert.pem converts a .cer)")
			}
		}
	}
	if o.PrivateKeyFile != "" {
		if b, ok := readNamed(bad, "private_key_file", o.PrivateKeyFile, "/etc/lexheller/oauth2-private-key.pem"); ok {
			o.PrivateKey = o.readKey(bad, b)
		}
	}
	if o.ServiceAccountFile != "" {
		if b, ok := readNamed(bad, "service_account_file", o.ServiceAccountFile, "/etc/lexheller/google-service-account.json"); ok {
			o.readServiceAccount(bad, b)
		}
	}
}

// readKey parses the certificate's private key and checks that the two
// belong together.
func (o *OAuth2) readKey(bad func(sub, msg string, args ...any), b []byte) *rsa.PrivateKey {
	key, err := ParseRSAKey(b)
	if err != nil {
		bad("private_key_file", "the file holds no RSA private key lexheller can read (%v): write the path of the certificate's key, "+
			"unencrypted PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----; openssl pkcs12 -in cert.pfx -nocerts -nodes extracts one)", err)
		return nil
	}
	if o.Certificate != nil && !key.PublicKey.Equal(o.Certificate.PublicKey) {
		bad("private_key_file", "the key does not belong to the certificate in certificate_file: write the key made with that certificate")
		return nil
	}
	return key
}

// serviceAccount is what lexheller reads of a Google service account's
// JSON key.
type serviceAccount struct {
	Type        string `json:"type"`
	ClientEmail string `json:"client_email"`
	PrivateKey  string `json:"private_key"`
	TokenURI    string `json:"token_uri"`
}

func (o *OAuth2) readServiceAccount(bad func(sub, msg string, args ...any), b []byte) {
	const fix = "in the Google Cloud console, IAM & Admin → Service accounts → the account → Keys → Add key → JSON, and name the downloaded file"
	var sa serviceAccount
	if err := json.Unmarshal(b, &sa); err != nil || sa.Type != "service_account" {
		bad("service_account_file", "the file is not a service account's JSON key (\"type\": \"service_account\"): "+fix)
		return
	}
	if sa.ClientEmail == "" {
		bad("service_account_file", "the key has no client_email: "+fix)
		return
	}
	if _, err := ParseRSAKey([]byte(sa.PrivateKey)); err != nil {
		bad("service_account_file", "the key's private_key cannot be read (%v): "+fix, err)
		return
	}
	o.ServiceAccountJSON, o.ServiceAccountEmail = b, sa.ClientEmail
	if o.TokenURL == "" {
		o.TokenURL = sa.TokenURI
	}
	if o.TokenURL == "" {
		o.TokenURL = GoogleTokenURL
	}
}

// readNamed reads the file a key names. An error shows the path only
// when it looks like one: an operator may have written the secret itself
// in its place.
func readNamed(bad func(sub, msg string, args ...any), key, path, example string) ([]byte, bool) {
	b, err := os.ReadFile(path)
	if err == nil {
		return b, true
	}
	var pe *fs.PathError
	switch {
	case looksLikePath(path):
		bad(key, "%v", err)
	case errors.As(err, &pe):
		bad(key, "cannot read the file named on this line (not shown, in case it is the secret itself): %v; "+
			"write the absolute path of the file, e.g. %q", pe.Err, example)
	default:
		bad(key, "cannot read the file named on this line (not shown, in case it is the secret itself)")
	}
	return nil, false
}

// parseCertificate returns the first certificate of a PEM file, or nil.
func parseCertificate(b []byte) *x509.Certificate {
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			return nil
		}
		if blk.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil
			}
			return c
		}
	}
}

// ParseRSAKey reads an unencrypted RSA private key in PEM form, PKCS #8
// or PKCS #1: the form of a certificate's key and of a Google service
// account's.
func ParseRSAKey(b []byte) (*rsa.PrivateKey, error) {
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			return nil, errors.New("no PEM private key block")
		}
		switch blk.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return nil, errors.New("the PKCS #8 key does not parse")
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("a %T, not an RSA key (Entra ID and Google sign with RSA)", k)
			}
			return rk, nil
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err != nil {
				return nil, errors.New("the PKCS #1 key does not parse")
			}
			return k, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the key is encrypted (openssl pkey -in key.pem -out plain.pem removes the passphrase)")
		}
	}
}

// String describes the table without its secrets, so that printing a
// Config shows none.
func (o OAuth2) String() string {
	shown := func(path string) string {
		if path != "" && !looksLikePath(path) {
			return "(not shown)"
		}
		return path
	}
	env := o.ClientSecretEnv
	if env != "" && !envName.MatchString(env) {
		env = "(not shown)"
	}
	return fmt.Sprintf("{Provider:%s Tenant:%s ClientID:%s ClientSecretFile:%s ClientSecretEnv:%s CertificateFile:%s PrivateKeyFile:%s "+
		"ServiceAccountFile:%s User:%s TokenURL:%s Scopes:%v}", o.Provider, o.Tenant, o.ClientID, shown(o.ClientSecretFile), env,
		shown(o.CertificateFile), shown(o.PrivateKeyFile), shown(o.ServiceAccountFile), o.User, o.tokenURLShown(), o.Scopes)
}

// GoString is String, for %#v.
func (o OAuth2) GoString() string { return "config.OAuth2" + o.String() }

// tokenURLShown is the token URL without any query or user part, which
// might carry a secret.
func (o OAuth2) tokenURLShown() string {
	u, _, _ := strings.Cut(o.TokenURL, "?")
	if i := strings.Index(u, "@"); i >= 0 {
		return "(not shown)"
	}
	return u
}

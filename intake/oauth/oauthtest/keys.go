package oauthtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"time"
)

// NewKey makes a 2048-bit RSA key.
func NewKey() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }

// Certificate is a self-signed certificate and its key, as an app
// registration's credential: PEM for the files lexheller reads, and the
// parts the server checks with.
type Certificate struct {
	CertPEM, KeyPEM []byte
	Cert            *x509.Certificate
	Key             *rsa.PrivateKey
}

// NewCertificate makes a self-signed certificate valid from an hour ago
// for a year.
func NewCertificate(name string) (*Certificate, error) {
	key, err := NewKey()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Certificate{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}), Cert: cert, Key: key}, nil
}

// ServiceAccount is a Google service account's JSON key, its token_uri
// the given one, and its key.
func ServiceAccount(email, tokenURI string) ([]byte, *rsa.PrivateKey, error) {
	key, err := NewKey()
	if err != nil {
		return nil, nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.MarshalIndent(map[string]string{
		"type": "service_account", "project_id": "lexheller-test", "private_key_id": randomString(20),
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})), "client_email": email,
		"client_id": "1" + randomString(10), "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": tokenURI,
	}, "", "  ")
	return b, key, err
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/google"

	"lexheller/intake/config"
)

// ClientAssertionType is the client_assertion_type of a client that
// authenticates with a signed JWT (RFC 7523, private_key_jwt).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// NewSource is the token source of the [oauth2] table o. subject is whom
// a Google token acts for (o.User, else the mailbox's username); the
// other providers' tokens are the app's own and ignore it.
func NewSource(o *config.OAuth2, subject string) (*Source, error) {
	if o == nil {
		return nil, errors.New("oauth2: no [oauth2] table")
	}
	s := &Source{Provider: o.Provider, Name: o.ClientID}
	switch {
	case o.Provider == config.Google:
		if o.User != "" {
			subject = o.User
		}
		conf, err := google.JWTConfigFromJSON(o.ServiceAccountJSON, o.Scopes...)
		if err != nil {
			return nil, fmt.Errorf("oauth2: the service account key: %w", err)
		}
		conf.Subject = subject
		if o.TokenURL != "" {
			conf.TokenURL = o.TokenURL
		}
		s.Name = conf.Email + " for " + subject
		s.fetch = func(ctx context.Context) (*oauth2.Token, error) { return conf.TokenSource(ctx).Token() }
	case o.PrivateKey != nil && o.Certificate != nil:
		s.fetch = func(ctx context.Context) (*oauth2.Token, error) {
			a, err := ClientAssertion(o, s.now())
			if err != nil {
				return nil, err
			}
			cc := clientCredentials(o)
			cc.EndpointParams = url.Values{"client_assertion_type": {ClientAssertionType}, "client_assertion": {a}}
			return cc.Token(ctx)
		}
	case o.ClientSecret != "":
		s.fetch = func(ctx context.Context) (*oauth2.Token, error) {
			cc := clientCredentials(o)
			cc.ClientSecret = o.ClientSecret
			if o.Provider == config.Generic {
				cc.AuthStyle = oauth2.AuthStyleAutoDetect
			}
			return cc.Token(ctx)
		}
	default:
		return nil, fmt.Errorf("oauth2: [%s] has no client secret, certificate or service account key", o.Key)
	}
	return s, nil
}

// clientCredentials is the client-credentials request of o, the client
// id in the body (as Entra ID wants it).
func clientCredentials(o *config.OAuth2) *clientcredentials.Config {
	return &clientcredentials.Config{ClientID: o.ClientID, TokenURL: o.TokenURL, Scopes: o.Scopes, AuthStyle: oauth2.AuthStyleInParams}
}

// AssertionLifetime is how long a client assertion is valid.
const AssertionLifetime = 10 * time.Minute

// ClientAssertion is the JWT a client with a certificate authenticates
// with (Entra ID's certificate credentials, RFC 7523): signed RS256 with
// the certificate's key, the certificate's SHA-1 and SHA-256 thumbprints
// in the header (x5t, x5t#S256), the client as issuer and subject, the
// token URL as audience, valid for ten minutes from now.
func ClientAssertion(o *config.OAuth2, now time.Time) (string, error) {
	if o.Certificate == nil || o.PrivateKey == nil {
		return "", errors.New("oauth2: no certificate and key for a client assertion")
	}
	sha1Sum := sha1.Sum(o.Certificate.Raw)
	// A map, so that aud is one string as Entra ID writes it (golang-jwt
	// writes RegisteredClaims' audience as a list).
	claims := jwt.MapClaims{
		"aud": o.TokenURL,
		"iss": o.ClientID,
		"sub": o.ClientID,
		"jti": newID(),
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.Add(AssertionLifetime).Unix(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["x5t"] = base64.RawURLEncoding.EncodeToString(sha1Sum[:])
	t.Header["x5t#S256"] = thumbprint256(o.Certificate.Raw)
	return t.SignedString(o.PrivateKey)
}

// newID is a random UUID (version 4), the assertion's jti.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// thumbprint256 is a certificate's x5t#S256.
func thumbprint256(der []byte) string {
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

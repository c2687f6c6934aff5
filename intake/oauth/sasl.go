package oauth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-sasl"
)

// The SASL mechanisms that carry a bearer token.
const (
	XOAUTH2     = "XOAUTH2"     // Google's and Microsoft's
	OAUTHBEARER = "OAUTHBEARER" // RFC 7628
)

// Choose picks the mechanism to log in with from those a server offers,
// in the order of prefer; without it, XOAUTH2 where it is offered
// (Microsoft offers only it; Gmail and Dovecot offer both), else
// OAUTHBEARER.
func Choose(offered []string, prefer ...string) (string, error) {
	if len(prefer) == 0 {
		prefer = []string{XOAUTH2, OAUTHBEARER}
	}
	for _, m := range prefer {
		if slices.ContainsFunc(offered, func(o string) bool { return strings.EqualFold(o, m) }) {
			return m, nil
		}
	}
	if len(offered) == 0 {
		return "", fmt.Errorf("the server offers no SASL mechanism: it does not take OAuth2 tokens")
	}
	return "", fmt.Errorf("the server offers none of %s (only %s): it does not take OAuth2 tokens", strings.Join(prefer, ", "), strings.Join(offered, " "))
}

// XOAuth2Response is XOAUTH2's initial response: the user and the token
// between ^A separators (before base64).
func XOAuth2Response(user, token string) []byte {
	return []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}

// SASLClient logs in with a token by XOAUTH2 or OAUTHBEARER. When the
// server refuses the token it first sends a challenge with a JSON error;
// the client answers it as the mechanism says (an empty response for
// XOAUTH2, ^A for OAUTHBEARER) so that the server ends the exchange with
// its refusal, and keeps the JSON in ServerError.
type SASLClient struct {
	Mechanism   string
	ServerError string

	start func() (string, []byte, error)
}

// NewSASL is the client of mech for user with token; host and port go in
// OAUTHBEARER's message (RFC 7628), port 0 leaving it out.
func NewSASL(mech, user, token, host string, port int) *SASLClient {
	c := &SASLClient{Mechanism: mech}
	if mech == OAUTHBEARER {
		c.start = sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: user, Token: token, Host: host, Port: port}).Start
	} else {
		c.start = func() (string, []byte, error) { return XOAUTH2, XOAuth2Response(user, token), nil }
	}
	return c
}

// Start implements sasl.Client.
func (c *SASLClient) Start() (string, []byte, error) { return c.start() }

// Next implements sasl.Client: any challenge after the initial response
// is the server's error.
func (c *SASLClient) Next(challenge []byte) ([]byte, error) {
	c.ServerError = string(challenge)
	if c.Mechanism == OAUTHBEARER {
		return []byte{0x01}, nil
	}
	return []byte{}, nil
}

// Detail is the server's JSON error for an error message, "" when none.
func (c *SASLClient) Detail() string {
	if c.ServerError == "" {
		return ""
	}
	return " (the server said " + c.ServerError + ")"
}

package oauthtest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clientAssertionType is RFC 7523's client_assertion_type.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientCredentials checks a client-credentials request as Entra ID
// does: the tenant, the client, its secret or its signed assertion, the
// scope.
func (s *Server) clientCredentials(r *http.Request) (*issued, error) {
	tenant := r.PathValue("tenant")
	id := r.PostForm.Get("client_id")
	secret := r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	s.mu.Lock()
	c := s.clients[id]
	known := tenant == ""
	for _, k := range s.clients {
		known = known || k.Tenant == tenant
	}
	var snapshot Client
	if c != nil {
		snapshot = *c
	}
	s.mu.Unlock()
	switch {
	case !known:
		return nil, refuse(400, "invalid_request", fmt.Sprintf("AADSTS90002: Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
	case c == nil || (tenant != "" && snapshot.Tenant != tenant):
		return nil, refuse(400, "unauthorized_client", fmt.Sprintf("AADSTS700016: Application with identifier '%s' was not found in the directory '%s'.", id, tenant))
	case snapshot.Disabled:
		return nil, refuse(401, "invalid_client", fmt.Sprintf("AADSTS7000112: Application '%s' is disabled.", id))
	}
	if a := r.PostForm.Get("client_assertion"); a != "" || snapshot.CertificateKey != nil {
		if err := s.checkAssertion(r, &snapshot, a); err != nil {
			return nil, err
		}
	} else if secret == "" || secret != snapshot.Secret {
		return nil, refuse(401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
	}
	scope := r.PostForm.Get("scope")
	if !slices.Contains(snapshot.Scopes, scope) {
		return nil, refuse(400, "invalid_scope", fmt.Sprintf("AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: %q.", scope))
	}
	return &issued{client: c, user: snapshot.Mailbox, scope: scope}, nil
}

// checkAssertion verifies a client assertion with golang-jwt: signed
// RS256 (or PS256) by the certificate's key, x5t its thumbprint, issuer
// and subject the client, audience the token URL, within its time.
func (s *Server) checkAssertion(r *http.Request, c *Client, assertion string) error {
	if r.PostForm.Get("client_assertion_type") != clientAssertionType || assertion == "" {
		return refuse(401, "invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	}
	if c.CertificateKey == nil {
		return refuse(401, "invalid_client", "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found.]")
	}
	audience := s.URL + r.URL.Path
	tok, err := jwt.Parse(assertion, func(t *jwt.Token) (any, error) {
		if x5t, _ := t.Header["x5t"].(string); x5t != c.Thumbprint {
			return nil, errors.New("x5t is not the registered certificate's thumbprint")
		}
		return c.CertificateKey, nil
	}, jwt.WithValidMethods([]string{"RS256", "PS256"}), jwt.WithAudience(audience), jwt.WithIssuer(c.ID), jwt.WithSubject(c.ID),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired) || errors.Is(err, jwt.ErrTokenNotValidYet) || errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return refuse(401, "invalid_client", "AADSTS700024: Client assertion is not within its valid time range. Current time: "+time.Now().UTC().Format(time.RFC3339)+".")
	case err != nil:
		return refuse(401, "invalid_client", "AADSTS700027: Client assertion failed signature validation. ("+err.Error()+")")
	}
	if exp, _ := tok.Claims.GetExpirationTime(); exp != nil && time.Until(exp.Time) > time.Hour {
		return refuse(401, "invalid_client", "AADSTS700023: Client assertion audience claim does not match Realm issuer, or its lifetime is too long.")
	}
	return nil
}

// jwtBearer checks a Google service account's assertion: signed by the
// account's key, audience the token URL, a scope it was delegated, a
// subject it may act for.
func (s *Server) jwtBearer(r *http.Request) (*issued, error) {
	assertion := r.PostForm.Get("assertion")
	var claims struct {
		jwt.RegisteredClaims
		Scope string `json:"scope"`
	}
	if _, _, err := jwt.NewParser().ParseUnverified(assertion, &claims); err != nil {
		return nil, refuse(400, "invalid_grant", "Invalid JWT Signature.")
	}
	s.mu.Lock()
	c := s.clients[claims.Issuer]
	var snapshot Client
	if c != nil {
		snapshot = *c
	}
	s.mu.Unlock()
	if c == nil || snapshot.AccountKey == nil {
		return nil, refuse(400, "invalid_grant", "Invalid JWT Signature.")
	}
	if snapshot.Disabled {
		return nil, refuse(401, "invalid_client", "The OAuth client was disabled.")
	}
	_, err := jwt.ParseWithClaims(assertion, &claims, func(*jwt.Token) (any, error) { return snapshot.AccountKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(s.URL+r.URL.Path), jwt.WithExpirationRequired(), jwt.WithIssuedAt())
	switch {
	case errors.Is(err, jwt.ErrTokenExpired) || errors.Is(err, jwt.ErrTokenNotValidYet) || errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return nil, refuse(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
	case err != nil:
		return nil, refuse(400, "invalid_grant", "Invalid JWT Signature.")
	}
	for _, sc := range strings.Fields(claims.Scope) {
		if !slices.Contains(snapshot.Scopes, sc) {
			return nil, refuse(401, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.")
		}
	}
	if claims.Subject == "" || !slices.ContainsFunc(snapshot.Subjects, func(p string) bool { return matchSubject(p, claims.Subject) }) {
		return nil, refuse(400, "invalid_grant", "Invalid email or User ID")
	}
	return &issued{client: c, user: strings.ToLower(claims.Subject), scope: claims.Scope}, nil
}

func matchSubject(pattern, sub string) bool {
	if d, ok := strings.CutPrefix(pattern, "*@"); ok {
		return strings.HasSuffix(strings.ToLower(sub), "@"+strings.ToLower(d))
	}
	return strings.EqualFold(pattern, sub)
}

// introspect answers RFC 7662 introspection as Dovecot's oauth2 passdb
// reads it (introspection_mode = post, username_attribute = username,
// active_attribute = active): a token that is unknown, expired or
// revoked, or whose client is disabled, is inactive. The username is
// always there (empty for an unknown token), so that Dovecot refuses an
// inactive token instead of failing.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	value := r.PostForm.Get("token")
	service := strings.ToLower(r.Header.Get("X-Dovecot-Auth-Service"))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.introspected++
	s.services[service]++
	t := s.tokens[value]
	if t == nil {
		writeJSON(w, 200, map[string]any{"active": false, "username": ""})
		return
	}
	active := !t.revoked && !t.client.Disabled && time.Now().Before(t.exp)
	if active && s.ServiceRoles && t.client.Tenant != "" {
		role := map[string]string{"imap": "IMAP.AccessAsApp", "smtp": "SMTP.SendAsApp"}[service]
		active = role == "" || slices.Contains(t.client.Roles, role)
	}
	writeJSON(w, 200, map[string]any{"active": active, "username": t.user, "client_id": t.client.key(), "scope": t.scope,
		"exp": t.exp.Unix(), "token_type": "Bearer"})
}

// revoke is RFC 7009's revocation endpoint.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.RevokeToken(r.PostForm.Get("token"))
	w.WriteHeader(200)
}

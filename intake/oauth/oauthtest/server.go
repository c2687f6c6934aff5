// Package oauthtest is a small OAuth2 authorisation server for tests, in
// the shapes of Entra ID and Google's token endpoint: the
// client-credentials grant with a client secret or with a client
// assertion signed by a certificate's key (private_key_jwt, verified with
// golang-jwt), the JWT-bearer grant of a Google service account acting
// for a user (domain-wide delegation), token introspection (RFC 7662) as
// Dovecot's oauth2 passdb asks for it, and revocation (RFC 7009, and of a
// whole client). Its tokens live as long as Lifetime says, a few seconds
// in a test; its refusals carry Entra ID's AADSTS codes and Google's
// error texts. It also makes the certificates, keys and service account
// files the clients need.
package oauthtest

import (
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Client is a client the server knows.
type Client struct {
	ID     string
	Tenant string // Entra ID style: the tenant of the token URL /{tenant}/oauth2/v2.0/token
	Secret string // client_secret; "" when it authenticates otherwise
	// Certificate authenticates a signed client assertion (x5t must be
	// its SHA-1 thumbprint).
	CertificateKey *rsa.PublicKey
	Thumbprint     string // base64url SHA-1 of the certificate
	// ServiceAccount is a Google service account's e-mail (the
	// assertion's iss), its key's public half, and whom it may act for
	// ("*@domain" for a whole domain).
	ServiceAccount string
	AccountKey     *rsa.PublicKey
	Subjects       []string
	// Scopes it may ask for.
	Scopes []string
	// Roles are its application permissions (Entra ID: given by admin
	// consent): IMAP.AccessAsApp, SMTP.SendAsApp.
	Roles []string
	// Mailbox is the mailbox its app-only tokens open (Exchange's
	// Add-MailboxPermission): the username introspection gives.
	Mailbox  string
	Disabled bool
}

// Request is a token request as the server received it.
type Request struct {
	Path string
	Form url.Values
}

type issued struct {
	client  *Client
	user    string
	scope   string
	exp     time.Time
	revoked bool
}

// Server is the authorisation server. Start it with Start.
type Server struct {
	URL string // http://127.0.0.1:port
	// Lifetime is how long its tokens live; zero means an hour.
	Lifetime time.Duration
	// ServiceRoles, when set, makes introspection check an Entra-ID-style
	// token's roles against the service Dovecot names
	// (X-Dovecot-Auth-Service: imap → IMAP.AccessAsApp, smtp →
	// SMTP.SendAsApp).
	ServiceRoles bool

	mu            sync.Mutex
	clients       map[string]*Client
	tokens        map[string]*issued
	requests      []Request
	issued        map[string]int // tokens issued, by client id
	introspected  int
	services      map[string]int // introspections by X-Dovecot-Auth-Service
	refusedTokens int            // token requests refused
	srv           *http.Server
	ln            net.Listener
	signKey       *rsa.PrivateKey
}

// Start serves on addr ("127.0.0.1:0" for any port). A fixed port that
// is busy (another test binary's server) is tried again for up to a
// minute.
func Start(addr string) (*Server, error) {
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if ln, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	key, err := NewKey()
	if err != nil {
		ln.Close()
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), clients: map[string]*Client{}, tokens: map[string]*issued{},
		issued: map[string]int{}, services: map[string]int{}, ln: ln, signKey: key}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("POST /introspect", s.introspect)
	mux.HandleFunc("POST /revoke", s.revoke)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// TokenURL is the token endpoint of an Entra-ID-style tenant, or the
// plain one for tenant "".
func (s *Server) TokenURL(tenant string) string {
	if tenant == "" {
		return s.URL + "/token"
	}
	return s.URL + "/" + tenant + "/oauth2/v2.0/token"
}

// Add registers a client (replacing one of the same id).
func (s *Server) Add(c Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := c.ID
	if c.ServiceAccount != "" {
		key = c.ServiceAccount
	}
	s.clients[key] = &c
}

// Revoke disables a client (by id or service account) and revokes every
// token it has: introspection calls them inactive, and it gets no new
// ones until Restore.
func (s *Server) Revoke(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clients[id]; c != nil {
		c.Disabled = true
		for _, t := range s.tokens {
			if t.client == c {
				t.revoked = true
			}
		}
	}
}

// Restore enables a revoked client again.
func (s *Server) Restore(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clients[id]; c != nil {
		c.Disabled = false
	}
}

// RevokeToken revokes one token.
func (s *Server) RevokeToken(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[value]; t != nil {
		t.revoked = true
	}
}

// Issued is how many tokens the client (id or service account) got.
func (s *Server) Issued(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[id]
}

// Introspected is how many introspection requests came.
func (s *Server) Introspected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.introspected
}

// Services counts introspections by the service Dovecot named (imap,
// smtp).
func (s *Server) Services() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]int{}
	for k, v := range s.services {
		m[k] = v
	}
	return m
}

// Requests are the token requests received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// oauthError is a token endpoint's refusal (RFC 6749 5.2).
type oauthError struct {
	status            int
	code, description string
}

func (e *oauthError) Error() string { return e.code + ": " + e.description }

func refuse(status int, code, description string) *oauthError {
	return &oauthError{status, code, description}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	form := url.Values{}
	for k, v := range r.PostForm {
		form[k] = append([]string(nil), v...)
	}
	if u, p, ok := r.BasicAuth(); ok {
		form.Set("(basic)", u+":"+p)
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Path: r.URL.Path, Form: form})
	s.mu.Unlock()
	var t *issued
	var err error
	switch g := r.PostForm.Get("grant_type"); g {
	case "client_credentials":
		t, err = s.clientCredentials(r)
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		t, err = s.jwtBearer(r)
	default:
		err = refuse(400, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", g))
	}
	var oe *oauthError
	if errors.As(err, &oe) {
		s.mu.Lock()
		s.refusedTokens++
		s.mu.Unlock()
		writeJSON(w, oe.status, map[string]string{"error": oe.code, "error_description": oe.description})
		return
	}
	value, life, err := s.store(t, r.PathValue("tenant"))
	if err != nil {
		writeJSON(w, 500, map[string]string{"error": "server_error", "error_description": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]any{"token_type": "Bearer", "access_token": value, "expires_in": int(life.Seconds()),
		"ext_expires_in": int(life.Seconds())})
}

// store issues t: an Entra-ID-style JWT for a tenant's client, an opaque
// ya29.… value otherwise.
func (s *Server) store(t *issued, tenant string) (string, time.Duration, error) {
	life := s.Lifetime
	if life <= 0 {
		life = time.Hour
	}
	now := time.Now()
	t.exp = now.Add(life)
	value := "ya29." + randomString(24)
	if tenant != "" {
		aud := strings.TrimSuffix(strings.TrimSuffix(t.scope, ".default"), "/")
		claims := jwt.MapClaims{"aud": aud, "iss": "https://sts.windows.net/" + t.client.Tenant + "/", "tid": t.client.Tenant,
			"appid": t.client.ID, "iat": now.Unix(), "nbf": now.Unix(), "exp": t.exp.Unix(), "jti": randomString(12)}
		if len(t.client.Roles) > 0 {
			claims["roles"] = t.client.Roles
		}
		var err error
		if value, err = jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(s.signKey); err != nil {
			return "", 0, err
		}
	}
	s.mu.Lock()
	s.tokens[value] = t
	s.issued[t.client.key()]++
	s.mu.Unlock()
	return value, life, nil
}

func (c *Client) key() string {
	if c.ServiceAccount != "" {
		return c.ServiceAccount
	}
	return c.ID
}

// Thumbprint is a certificate's x5t: the base64url SHA-1 of its DER.
func Thumbprint(der []byte) string {
	sum := sha1.Sum(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

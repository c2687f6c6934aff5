// Package web is the blanket's second door: an HTML form, served by the
// daemon behind the förbund's reverse proxy, that hands a submission to
// the workflow core (casework.Processor.Submit) as a mailed blanket is
// handed to it, so the same parsing, masking, acknowledgement by mail and
// notification follow. It works without JavaScript, sets no cookie but
// the one its CSRF check needs, and keeps robots and mail-bombers out: a
// honeypot field, a minimum fill time, a rate per IP address and per
// e-mail address, request size limits and server timeouts; a submission
// from outside the förbund's member agencies is held until a process
// leader releases it.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"lexheller/intake/casework"
	"lexheller/intake/config"
	"lexheller/intake/docx"
	"lexheller/intake/form"
)

//go:embed assets
var assets embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"t": func(lang, sv, en string) string {
		if lang == "en" {
			return en
		}
		return sv
	},
}).ParseFS(assets, "assets/*.html"))

// Submitter is the core the form hands submissions to.
type Submitter interface {
	Submit(ctx context.Context, s casework.Submission) (casework.Outcome, error)
}

// Server serves the form. New sets it up from the deployment.
type Server struct {
	Address  string // host:port, or "off"
	Ours     string // lexheller's own address, which no reporter has
	Forbund  []config.Forbund
	Core     Submitter
	Key      []byte        // signs the form's tokens
	MinFill  time.Duration // faster than this after the form was shown is a robot
	PerHour  int           // submissions an IP address, or an e-mail address, may make an hour
	MaxBytes int64         // a request's size
	Logger   *slog.Logger
	Now      func() time.Time

	addr    atomic.Pointer[string]
	mu      sync.Mutex
	sent    map[string]*page // confirmations by form nonce
	busy    chan struct{}    // submissions handled at once
	limits  map[string]*rate.Limiter
	counts  map[string]int64
	pruneAt time.Time
}

// New is the form of deployment cfg, handing submissions to core, its
// tokens signed with key.
func New(cfg *config.Config, core Submitter, key []byte, log *slog.Logger) *Server {
	return &Server{Address: cfg.Web.Address, Ours: cfg.Address, Forbund: cfg.Forbund, Core: core, busy: make(chan struct{}, 4), Key: key, MinFill: time.Duration(cfg.Web.MinFillSeconds) * time.Second,
		PerHour: cfg.Web.PerHour, MaxBytes: int64(cfg.Limits.AttachmentMB+1) << 20, Logger: log}
}

// Outcomes and Rejections are the keys of Counts: what became of a
// submission, and why one was turned away.
var (
	Outcomes   = []string{"case", "held", "duplicate", "invalid"}
	Rejections = []string{"rejected_honeypot", "rejected_too_fast", "rejected_rate", "rejected_csrf", "rejected_token", "rejected_too_large"}
)

// Counts are the submissions by outcome (case, held, duplicate, invalid)
// and the rejections by reason (honeypot, too_fast, rate, csrf, token,
// too_large), since start; nil when the form is off.
func (s *Server) Counts() map[string]int64 {
	if s.Address == "" || s.Address == config.Off {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

func (s *Server) count(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.counts == nil {
		s.counts = map[string]int64{}
	}
	s.counts[what]++
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Run serves the form at Address until ctx is done, with timeouts
// against slow clients; with Address "off" it serves nothing. A form that
// cannot be served is logged: the mailbox goes on.
func (s *Server) Run(ctx context.Context) error {
	if s.Address == "" || s.Address == config.Off {
		return nil
	}
	ln, err := net.Listen("tcp", s.Address)
	if err != nil {
		s.logger().Error("web form not served", "err", err, "what to do", "set [web] address to a free port, or \"off\"")
		return nil
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Minute,
		WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	addr := ln.Addr().String()
	s.addr.Store(&addr)
	s.logger().Info("web form served", "url", "http://"+addr+"/")
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.logger().Error("web form stopped", "err", err)
	}
	return nil
}

// Addr is the address the form is served on, "" until it is.
func (s *Server) Addr() string {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return ""
}

// Handler serves / (the förbund), /{slug} (its form), /style.css.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=3600")
		b, _ := assets.ReadFile("assets/style.css")
		w.Write(b)
	})
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /{slug}", s.show)
	mux.HandleFunc("POST /{slug}", s.submit)
	return headers(mux)
}

// headers are the security headers of every answer.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

func lang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "sv"
}

func (s *Server) forbund(slug string) *config.Forbund {
	for i := range s.Forbund {
		if s.Forbund[i].Slug == slug {
			return &s.Forbund[i]
		}
	}
	return nil
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "index.html", &page{Lang: lang(r), Forbund: s.Forbund})
}

func (s *Server) show(w http.ResponseWriter, r *http.Request) {
	fb := s.forbund(r.PathValue("slug"))
	if fb == nil {
		s.render(w, http.StatusNotFound, "index.html", &page{Lang: lang(r), Forbund: s.Forbund, NotFound: true})
		return
	}
	p := s.formPage(w, r, fb, values{m: map[string]string{}})
	s.render(w, http.StatusOK, "form.html", p)
}

// formPage is fb's form with v filled in and a fresh token.
func (s *Server) formPage(w http.ResponseWriter, r *http.Request, fb *config.Forbund, v values) *page {
	l := lang(r)
	return &page{Lang: l, Slug: fb.Slug, Name: fb.Name, Fields: fieldsOf(l, v), Token: s.token(fb.Slug), CSRF: s.csrf(w, r), Other: v.other}
}

// submit takes a submission: checked as a robot's, then as a blanket;
// a valid one is committed before the confirmation is sent.
func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	fb := s.forbund(r.PathValue("slug"))
	if fb == nil {
		http.NotFound(w, r)
		return
	}
	// A few submissions at a time: each may hold its files in memory.
	select {
	case s.busy <- struct{}{}:
		defer func() { <-s.busy }()
	case <-r.Context().Done():
		return
	}
	l := lang(r)
	reject := func(code int, why, msg string) {
		s.count("rejected_" + why)
		s.logger().Warn("web form submission refused", "forbund", fb.Slug, "reason", why)
		s.render(w, code, "error.html", &page{Lang: l, Slug: fb.Slug, Name: fb.Name, Message: msg})
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBytes)
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		reject(http.StatusRequestEntityTooLarge, "too_large", "too_large")
		return
	}
	if r.PostFormValue("webbplats") != "" { // the honeypot, hidden from people
		reject(http.StatusBadRequest, "honeypot", "honeypot")
		return
	}
	v := read(r)
	fs := files(r)
	p := s.formPage(w, r, fb, v)
	again := func(code int, why string, msg map[string]string) {
		s.count(why)
		p.Summary = []problem{{Message: msg[l]}}
		p.Refile = len(fs) > 0
		s.render(w, code, "form.html", p)
	}
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 16 || !hmac.Equal([]byte(c.Value), []byte(r.PostFormValue("csrf"))) {
		// Another site's form, or cookies refused: shown again, kept.
		again(http.StatusForbidden, "rejected_csrf", map[string]string{"sv": "Formuläret kunde inte kontrolleras. Kontrollera uppgifterna och skicka igen; din webbläsare måste tillåta kakor från den här sidan.",
			"en": "The form could not be checked. Check what you wrote and send it again; your browser must allow cookies from this page."})
		return
	}
	issued, nonce, ok := s.checkToken(fb.Slug, r.PostFormValue("token"))
	if !ok {
		again(http.StatusBadRequest, "rejected_token", map[string]string{"sv": "Formuläret hade gått ut. Kontrollera uppgifterna och skicka igen.",
			"en": "The form had expired. Check what you wrote and send it again."})
		return
	}
	if first, done := s.sentBefore(nonce); done {
		// The same form again (the back button, a second click): what the
		// first one made.
		s.count("duplicate")
		s.render(w, http.StatusOK, "done.html", first)
		return
	}
	if s.now().Sub(issued) < s.MinFill {
		again(http.StatusBadRequest, "rejected_too_fast", map[string]string{"sv": "Formuläret skickades för fort. Kontrollera uppgifterna och skicka igen.",
			"en": "The form was sent too quickly. Check what you wrote and send it again."})
		return
	}
	// A Word blanket uploaded stands for the fields (the core reads it);
	// the address to answer is needed all the same.
	withDoc := slices.ContainsFunc(fs, func(f casework.SubmittedFile) bool { return docx.IsDocx(f.Name, f.ContentType) })
	if probs := problems(l, p.Fields, v, withDoc, s.Ours); len(probs) > 0 {
		s.count("invalid")
		p.Summary, p.Refile = probs, len(fs) > 0
		s.render(w, http.StatusBadRequest, "form.html", p)
		return
	}
	if !s.allow("ip:"+clientIP(r)) || !s.allow("mail:"+strings.ToLower(v.get(form.ReporterEmail))) {
		reject(http.StatusTooManyRequests, "rate", "rate")
		return
	}
	fields := v.form()
	sub := casework.Submission{Forbund: fb.Slug, Name: v.get(form.ReporterName), Email: v.get(form.ReporterEmail), Text: v.blanket(),
		Form: fields, Key: nonce, Files: fs, Hold: held(fb, v.get(form.ReporterEmail)), At: s.now()}
	out, err := s.Core.Submit(r.Context(), sub)
	if err != nil {
		s.logger().Error("web form submission not recorded", "forbund", fb.Slug, "err", err)
		s.render(w, http.StatusInternalServerError, "error.html", &page{Lang: l, Slug: fb.Slug, Name: fb.Name, Message: "internal"})
		return
	}
	done := &page{Lang: l, Slug: fb.Slug, Name: fb.Name, Case: out.Case, Masked: len(fields.PII) > 0, Held: sub.Hold,
		Email: v.get(form.ReporterEmail), Doc: withDoc}
	switch {
	case out.Case == "":
		// A document too thin, or unreadable: asked by mail, or a process
		// leader looks at it.
		s.count("invalid")
		done.Message = string(out.Kind)
	case out.Duplicate:
		s.count("duplicate")
	case sub.Hold:
		s.count("held")
	default:
		s.count("case")
	}
	s.remember(nonce, done)
	s.render(w, http.StatusOK, "done.html", done)
}

// sentBefore is the confirmation of the form with nonce, if it was sent.
func (s *Server) sentBefore(nonce string) (*page, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.sent[nonce]
	return p, ok
}

// remember keeps a form's confirmation for a day (a token's life).
func (s *Server) remember(nonce string, p *page) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent == nil || len(s.sent) > 100000 {
		s.sent = map[string]*page{}
	}
	s.sent[nonce] = p
}

// held reports whether a submission from address waits for a process
// leader: its domain is not among the förbund's reporter domains (a
// subdomain of one counts as it).
func held(fb *config.Forbund, address string) bool {
	if len(fb.ReporterDomains) == 0 {
		return false
	}
	_, domain, _ := strings.Cut(strings.ToLower(strings.TrimSpace(address)), "@")
	return !slices.ContainsFunc(fb.ReporterDomains, func(d string) bool { return domain == d || strings.HasSuffix(domain, "."+d) })
}

// read is what the form says.
func read(r *http.Request) values {
	v := values{m: map[string]string{}, other: r.PostFormValue("annan")}
	for _, s := range specs {
		v.m[s.Key] = r.PostFormValue(s.Key)
	}
	for _, p := range r.PostForm[form.Parties] {
		if slices.ContainsFunc(parties, func(x struct{ Code, Sv, En string }) bool { return x.Code == p }) && !slices.Contains(v.parties, p) {
			v.parties = append(v.parties, p)
		}
	}
	return v
}

// files are the files attached in the form.
func files(r *http.Request) []casework.SubmittedFile {
	if r.MultipartForm == nil {
		return nil
	}
	var out []casework.SubmittedFile
	for _, fh := range r.MultipartForm.File["bilaga"] {
		f, err := fh.Open()
		if err != nil {
			continue
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			continue
		}
		out = append(out, casework.SubmittedFile{Name: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data})
	}
	return out
}

// problems are what keeps the form from being a blanket: each required
// field that is empty, and an e-mail address that is none; each problem
// is set on its field too.
func problems(l string, fields []*field, v values, withDoc bool, ours string) []problem {
	var out []problem
	for _, f := range fields {
		msg := ""
		switch {
		case withDoc && f.Name != form.ReporterEmail:
		case f.Required && f.Kind == kindParties && len(v.parties) == 0:
			msg = missing[f.Name][l]
		case f.Required && f.Kind != kindParties && strings.TrimSpace(f.Value) == "":
			msg = missing[f.Name][l]
		case f.Kind == kindEmail && f.Value != "" && (!validAddress(f.Value) || strings.EqualFold(strings.TrimSpace(f.Value), ours)):
			msg = map[string]string{"sv": "Skriv en e-postadress, till exempel anna.andersson@arbetsformedlingen.se.",
				"en": "Write an email address, for example anna.andersson@arbetsformedlingen.se."}[l]
		}
		if msg != "" {
			f.Error = msg
			out = append(out, problem{ID: f.ID, Message: msg})
		}
	}
	return out
}

// missing says what to do about an empty required field.
var missing = map[string]map[string]string{
	form.ReporterName:  {"sv": "Skriv ditt namn.", "en": "Write your name."},
	form.ReporterEmail: {"sv": "Skriv din e-postadress, så att vi kan bekräfta anmälan.", "en": "Write your email address, so that we can acknowledge the report."},
	form.ReporterOrg:   {"sv": "Skriv vilken organisation du arbetar på.", "en": "Write which organisation you work for."},
	form.Parties:       {"sv": "Kryssa för minst en part.", "en": "Tick at least one party."},
	form.Description:   {"sv": "Beskriv vad som hände.", "en": "Describe what happened."},
}

func validAddress(a string) bool {
	addr, err := mail.ParseAddress(a)
	return err == nil && addr.Address == strings.TrimSpace(a) && strings.Contains(addr.Address, ".")
}

// allow takes one submission from key's budget (PerHour an hour).
func (s *Server) allow(key string) bool {
	if key == "mail:" {
		return true // none typed: the form asks for it
	}
	key = key[:min(len(key), 330)]
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.limits == nil || now.After(s.pruneAt) || len(s.limits) > 100000 {
		s.limits, s.pruneAt = map[string]*rate.Limiter{}, now.Add(6*time.Hour) // a budget fills in an hour
	}
	l := s.limits[key]
	if l == nil {
		per := max(s.PerHour, 1)
		l = rate.NewLimiter(rate.Every(time.Hour/time.Duration(per)), per)
		s.limits[key] = l
	}
	return l.AllowN(now, 1)
}

// clientIP is the address the request came from: behind the reverse
// proxy (on loopback), the one it names in X-Forwarded-For last.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			parts := strings.Split(fwd, ",")
			host = strings.TrimSpace(parts[len(parts)-1])
		}
	}
	// An IPv6 address counts by its /64: one household, one budget.
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}

// token is a new form's token: when it was shown, a random nonce (the
// submission's key: one form, one case) and a MAC over both and the
// förbund.
func (s *Server) token(slug string) string {
	nonce := make([]byte, 12)
	rand.Read(nonce)
	n := base64.RawURLEncoding.EncodeToString(nonce)
	issued := strconv.FormatInt(s.now().Unix(), 10)
	return issued + "." + n + "." + s.mac(slug, issued, n)
}

func (s *Server) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("lexheller web form\x00" + strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// checkToken reads a token of slug's form, at most a day old.
func (s *Server) checkToken(slug, tok string) (issued time.Time, nonce string, ok bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(s.mac(slug, parts[0], parts[1]))) {
		return time.Time{}, "", false
	}
	sec, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return time.Time{}, "", false
	}
	issued = time.Unix(sec, 0)
	if age := s.now().Sub(issued); age > 24*time.Hour || age < -time.Minute {
		return time.Time{}, "", false
	}
	return issued, parts[1], true
}

const csrfCookie = "lh_csrf"

// csrf is the request's CSRF value, set as a cookie when it has none:
// the only cookie the form sets.
func (s *Server) csrf(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 16 {
		return c.Value
	}
	b := make([]byte, 18)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
	return v
}

func (s *Server) render(w http.ResponseWriter, code int, name string, p *page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if err := pages.ExecuteTemplate(w, name, p); err != nil {
		s.logger().Error("web form page", "page", name, "err", err)
	}
}

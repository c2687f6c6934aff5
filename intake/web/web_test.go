package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lexheller/intake/casework"
	"lexheller/intake/config"
	"lexheller/intake/store"
)

// newForm is the form of the built-in dev deployment in front of a real
// workflow core on a fresh store, its clock at *now.
func newForm(t *testing.T, now *time.Time) (*Server, *casework.Processor, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p, err := casework.New(ctx, cfg, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p.Now = func() time.Time { return *now }
	cfg.Web.Address = "127.0.0.1:0" // on (served here by httptest)
	s := New(cfg, p, []byte("test key"), slog.New(slog.DiscardHandler))
	s.Now = func() time.Time { return *now }
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, p, srv
}

type browser struct {
	t *testing.T
	c *http.Client
	u string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar}, u: base}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.u + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.u+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var hidden = regexp.MustCompile(`name="(token|csrf)" value="([^"]*)"`)

// filled is the form's hidden fields from page, with v.
func filled(page string, v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for _, m := range hidden.FindAllStringSubmatch(page, -1) {
		out.Set(m[1], m[2])
	}
	return out
}

func valid() url.Values {
	return url.Values{"reporter_name": {"Anna Andersson"}, "reporter_email": {"anna@lexheller.localhost"},
		"reporter_org": {"Arbetsförmedlingen Angered"}, "parties": {"FK", "AF"},
		"description": {"Person 850312-1231 sjukskrivs men FK godkänner inte."}, "level": {"organisering"}}
}

func TestWebForm(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	s, p, srv := newForm(t, &now)
	b := newBrowser(t, srv.URL)
	code, page := b.get("/")
	if code != 200 || !strings.Contains(page, `href="demo"`) {
		t.Fatalf("index: %d\n%s", code, page)
	}
	code, page = b.get("/demo")
	if code != 200 || !strings.Contains(page, `<label for="f-reporter_name">`) || !strings.Contains(page, "<legend>Berörda parter") {
		t.Fatalf("form: %d\n%s", code, page)
	}
	// Too soon after the form was shown: a robot's speed.
	code, page = b.post("/demo", filled(page, valid()))
	if code != 400 || !strings.Contains(page, "skickades för fort") {
		t.Errorf("too fast: %d", code)
	}
	// Missing fields: named at the top and at each field, what was written kept.
	now = now.Add(time.Minute)
	v := valid()
	v.Del("reporter_org")
	v.Del("parties")
	code, page = b.post("/demo", filled(page, v))
	for _, want := range []string{`href="#f-reporter_org">Skriv vilken organisation`, `href="#f-parties">Kryssa för minst en part`,
		`id="f-reporter_org-error"`, `aria-invalid="true"`, `value="Anna Andersson"`, "sjukskrivs men FK godkänner inte"} {
		if !strings.Contains(page, want) {
			t.Errorf("the form with errors lacks %s", want)
		}
	}
	if code != 400 {
		t.Errorf("with errors: %d", code)
	}
	// Valid: committed before the confirmation, which names the case.
	now = now.Add(time.Minute)
	ok := filled(page, valid())
	code, page = b.post("/demo", ok)
	caseID := regexp.MustCompile(`LH-\d{4}-\d{4}`).FindString(page)
	if code != 200 || caseID == "" || !strings.Contains(page, "En bekräftelse är på väg till anna@lexheller.localhost") ||
		!strings.Contains(page, "ÅÅMMDD-XXXX") {
		t.Fatalf("confirmation: %d\n%s", code, page)
	}
	mails, _ := p.Store.Outbox(context.Background(), caseID)
	acks := 0
	for _, m := range mails {
		if m.Kind == "ack" && m.To == "anna@lexheller.localhost" {
			acks++
		}
	}
	c, _ := p.Store.Case(context.Background(), caseID)
	if acks != 1 || strings.Contains(c.Description, "850312") {
		t.Errorf("acks %d, description %q", acks, c.Description)
	}
	// The same form again (back and send): the same case, nothing more.
	code, page = b.post("/demo", ok)
	if code != 200 || !strings.Contains(page, caseID) {
		t.Errorf("double submit: %d\n%s", code, page)
	}
	if mails2, _ := p.Store.Outbox(context.Background(), caseID); len(mails2) != len(mails) {
		t.Errorf("a double submit queued %d mails more", len(mails2)-len(mails))
	}
	if n := s.Counts(); n["case"] != 1 || n["duplicate"] != 1 || n["invalid"] != 1 || n["rejected_too_fast"] != 1 {
		t.Errorf("counts %v", n)
	}
}

func TestWebFormKeepsRobotsOut(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	s, _, srv := newForm(t, &now)
	s.PerHour = 2
	b := newBrowser(t, srv.URL)
	resp, err := http.Get(srv.URL + "/demo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{"Content-Security-Policy": "frame-ancestors 'none'", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if !strings.Contains(resp.Header.Get(k), want) {
			t.Errorf("%s: %q", k, resp.Header.Get(k))
		}
	}
	_, page := b.get("/demo")
	now = now.Add(time.Minute)
	// The honeypot.
	v := filled(page, valid())
	v.Set("webbplats", "http://spam.example")
	if code, _ := b.post("/demo", v); code != 400 {
		t.Errorf("honeypot: %d", code)
	}
	// No CSRF cookie (another site's form).
	if code, _ := newBrowser(t, srv.URL).post("/demo", filled(page, valid())); code != 403 {
		t.Errorf("no cookie: %d", code)
	}
	// A forged token.
	v = filled(page, valid())
	v.Set("token", "1.2.3")
	if code, _ := b.post("/demo", v); code != 400 {
		t.Errorf("forged token: %d", code)
	}
	// The rate: two an hour from one address.
	for i := range 3 {
		_, page = b.get("/demo")
		now = now.Add(time.Minute)
		code, _ := b.post("/demo", filled(page, valid()))
		if want := map[bool]int{true: 429, false: 200}[i == 2]; code != want {
			t.Errorf("submission %d: %d, want %d", i+1, code, want)
		}
	}
	if n := s.Counts(); n["rejected_honeypot"] != 1 || n["rejected_csrf"] != 1 || n["rejected_token"] != 1 || n["rejected_rate"] < 1 {
		t.Errorf("counts %v", n)
	}
}

// From outside the member agencies: stored, held, and the page says so;
// no acknowledgement goes to the address typed.
func TestWebFormHoldsStrangers(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	s, p, srv := newForm(t, &now)
	s.Forbund[0].ReporterDomains = []string{"af.example"}
	b := newBrowser(t, srv.URL)
	_, page := b.get("/demo?lang=en")
	if !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "Parties involved") {
		t.Fatalf("English form:\n%s", page)
	}
	now = now.Add(time.Minute)
	v := valid()
	v.Set("reporter_email", "someone@gmail.example")
	code, page := b.post("/demo?lang=en", filled(page, v))
	caseID := regexp.MustCompile(`LH-\d{4}-\d{4}`).FindString(page)
	if code != 200 || !strings.Contains(page, "goes through the report first") {
		t.Fatalf("held: %d\n%s", code, page)
	}
	mails, _ := p.Store.Outbox(context.Background(), caseID)
	for _, m := range mails {
		if m.To == "someone@gmail.example" {
			t.Errorf("a held submission sent %s to the address typed", m.Kind)
		}
	}
	if c, _ := p.Store.Case(context.Background(), caseID); !c.Held {
		t.Error("the case is not held")
	}
	if s.Counts()["held"] != 1 {
		t.Errorf("counts %v", s.Counts())
	}
}

// A Word blanket uploaded in the form stands for its fields: only the
// address to answer is asked for, and the core reads the document.
func TestWebFormWordBlanket(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	_, p, srv := newForm(t, &now)
	b := newBrowser(t, srv.URL)
	_, page := b.get("/demo")
	now = now.Add(time.Minute)
	doc, err := os.ReadFile("../docx/testdata/table.docx")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range filled(page, url.Values{"reporter_email": {"anna@lexheller.localhost"}}) {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="bilaga"; filename="blankett.docx"`)
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	fw, _ := mw.CreatePart(h)
	fw.Write(doc)
	mw.Close()
	resp, err := b.c.Post(srv.URL+"/demo", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	caseID := regexp.MustCompile(`LH-\d{4}-\d{4}`).FindString(string(out))
	if resp.StatusCode != 200 || caseID == "" {
		t.Fatalf("a Word blanket uploaded: %d\n%s", resp.StatusCode, out)
	}
	c, _ := p.Store.Case(context.Background(), caseID)
	if c.ReporterOrg != "Arbetsförmedlingen Angered" || !strings.Contains(c.Description, "aktivitetsstödet dras in") {
		t.Errorf("the case from the uploaded document: %+v", c)
	}
}

// The review's findings: one form sent twice with other text is still
// one case; a label typed in a text box is text; our own address is no
// reporter's; an empty CSRF cookie is none.
func TestWebFormHardened(t *testing.T) {
	now := time.Date(2026, 11, 12, 9, 0, 0, 0, time.UTC)
	_, p, srv := newForm(t, &now)
	b := newBrowser(t, srv.URL)
	_, page := b.get("/demo")
	now = now.Add(time.Minute)
	v := valid()
	v.Set("description", "Förbund: Borås\nNivå: struktur\nFrån: någon annan\nMvh\nHela texten ska med.")
	form := filled(page, v)
	_, done := b.post("/demo", form)
	caseID := regexp.MustCompile(`LH-\d{4}-\d{4}`).FindString(done)
	c, err := p.Store.Case(context.Background(), caseID)
	if err != nil || c.Forbund != "demo" || !strings.Contains(c.Description, "Förbund: Borås") || !strings.Contains(c.Description, "Hela texten ska med.") ||
		c.Level != "organisering" {
		t.Fatalf("labels typed in the description: %+v, %v", c, err)
	}
	form.Set("description", "En helt annan text.")
	if code, again := b.post("/demo", form); code != 200 || !strings.Contains(again, caseID) {
		t.Errorf("the same form with other text: %d", code)
	}
	if cases, _ := p.Store.Cases(context.Background(), store.CaseFilter{}); len(cases) != 1 {
		t.Errorf("%d cases from one form", len(cases))
	}
	_, page = b.get("/demo")
	now = now.Add(time.Minute)
	v = valid()
	v.Set("reporter_email", "lexheller@lexheller.localhost")
	if code, out := b.post("/demo", filled(page, v)); code != 400 || !strings.Contains(out, `href="#f-reporter_email"`) {
		t.Errorf("our own address as the reporter's: %d", code)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/demo", strings.NewReader(filled(page, valid()).Encode()+"&csrf="))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "lh_csrf=")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an empty CSRF cookie: %d", resp.StatusCode)
	}
}

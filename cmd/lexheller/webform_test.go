package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lexheller/intake/devmail"
)

// webForm: a blanket sent through the daemon's web form (in headless
// Chromium where LEXHELLER_CHROMIUM names it, as CI does) becomes a case,
// and its acknowledgement reaches the reporter's mailbox.
func webForm(t *testing.T, e *mailEnv) {
	reporter, leader := e.Addr("anna"), e.Addr("processledare")
	cfg := lifeConfig(t, e, "")
	cfg.Web.Address = "127.0.0.1:0"
	d := startDaemon(t, cfg, func(a *app) { a.web.MinFill = 0 })
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if addr = d.web.Addr(); time.Now().After(deadline) {
			t.Fatal("the web form is not served")
		}
	}
	base := "http://" + addr + "/" + cfg.Forbund[0].Slug
	var caseID string
	if chrome := os.Getenv("LEXHELLER_CHROMIUM"); chrome != "" {
		caseID = submitInChromium(t, chrome, base, reporter)
	} else {
		caseID = submitWithClient(t, base, reporter)
	}
	ack := decoded(e.WaitFor(reporter, "INBOX", "Vi har tagit emot din anm", 1)[0])
	if !strings.Contains(ack, caseID) || !strings.Contains(ack, "motstridiga besked") {
		t.Errorf("the acknowledgement:\n%s", ack)
	}
	e.WaitFor(leader, "INBOX", caseID, 1)
	d.stop()
}

// submitInChromium fills in and sends the form at url in headless
// Chromium, as a reporter would, and returns the case number shown.
func submitInChromium(t *testing.T, chrome, url, reporter string) string {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Navigate(url),
		chromedp.SendKeys(`#f-reporter_name`, "Anna Andersson"),
		chromedp.SendKeys(`#f-reporter_email`, reporter),
		chromedp.SendKeys(`#f-reporter_org`, "Arbetsförmedlingen Angered"),
		chromedp.Click(`#f-party-FK`),
		chromedp.Click(`#f-party-AF`),
		chromedp.SendKeys(`#f-description`, "Webbformuläret: FK och AF gav motstridiga besked."),
		chromedp.Click(`button[type=submit]`, chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(`.case`, chromedp.NodeVisible))
	caseID := regexp.MustCompile(`LH-\d{4}-\d{4}`).FindString(done)
	if err != nil || caseID == "" {
		t.Fatalf("the confirmation in Chromium: %q, %v", done, err)
	}
	return caseID
}

// submitWithClient sends the form at url with Go's HTTP client.
func submitWithClient(t *testing.T, base, reporter string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	v := url.Values{"reporter_name": {"Anna Andersson"}, "reporter_email": {reporter}, "reporter_org": {"Arbetsförmedlingen Angered"},
		"parties": {"FK", "AF"}, "description": {"Webbformuläret: FK och AF gav motstridiga besked."}}
	for _, m := range regexp.MustCompile(`name="(token|csrf)" value="([^"]*)"`).FindAllStringSubmatch(string(page), -1) {
		v.Set(m[1], m[2])
	}
	resp, err = c.PostForm(base, v)
	if err != nil {
		t.Fatal(err)
	}
	done, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	caseID := regexp.MustCompile(`LH-\d{4}-\d{4}`).FindString(string(done))
	if resp.StatusCode != 200 || caseID == "" {
		t.Fatalf("the confirmation: %d\n%s", resp.StatusCode, done)
	}
	return caseID
}

func TestWebFormInProcess(t *testing.T)      { webForm(t, newDevEnv(t, devmail.Options{})) }
func TestWebFormDovecotPostfix(t *testing.T) { webForm(t, newE2EEnv(t)) }

package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestAccessibility runs axe-core (WCAG 2.1 A and AA rules) in Debian's
// Chromium on the three pages a reporter sees: the empty form, the form
// with errors and the confirmation, each at desktop width, at 640 px (a
// 1280 px screen at 200 % zoom) and at a phone's 375 px, where nothing
// may scroll sideways. LEXHELLER_AXE names axe.min.js (npm axe-core);
// LEXHELLER_SCREENSHOTS, if set, is where the pages are saved as PNG.
func TestAccessibility(t *testing.T) {
	axePath := os.Getenv("LEXHELLER_AXE")
	if axePath == "" {
		if os.Getenv("LEXHELLER_E2E_REQUIRED") != "" {
			t.Fatal("LEXHELLER_AXE is not set: .ci/test installs axe-core and Chromium for this test")
		}
		t.Skip("set LEXHELLER_AXE to axe-core's axe.min.js (and have Chromium) to check accessibility")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	chrome := os.Getenv("LEXHELLER_CHROMIUM")
	if chrome == "" {
		chrome = "chromium"
	}
	now := time.Now()
	s, _, srv := newForm(t, &now)
	s.MinFill = 0
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first action starts the browser, on a context without timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	// The form's CSP allows no script; axe is injected past it.
	if _, err := chromedp.Call(ctx, cdpage.SetBypassCSP, cdpage.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	shots := os.Getenv("LEXHELLER_SCREENSHOTS")
	check := func(name string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(axe))); err != nil {
			t.Fatalf("%s: axe: %v", name, err)
		}
		violations, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
				.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
					nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: axe: %v", name, err)
		}
		var vs []map[string]any
		if err := json.Unmarshal([]byte(violations), &vs); err != nil {
			t.Fatalf("%s: axe's answer %q: %v", name, violations, err)
		}
		for _, v := range vs {
			t.Errorf("%s: axe: %v (%v): %v %v", name, v["id"], v["impact"], v["help"], v["nodes"])
		}
		for _, w := range []struct {
			name          string
			width, height int64
			mobile        bool
		}{{"desktop", 1280, 900, false}, {"zoom200", 640, 450, false}, {"phone", 375, 740, true}} {
			view := chromedp.EmulateViewport(w.width, w.height)
			if w.mobile {
				view = chromedp.EmulateViewport(w.width, w.height, chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			if err := chromedp.Do(ctx, view); err != nil {
				t.Fatalf("%s at %s: %v", name, w.name, err)
			}
			wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
			if err != nil {
				t.Fatalf("%s at %s: %v", name, w.name, err)
			}
			if wide {
				t.Errorf("%s scrolls sideways at %d px (%s)", name, w.width, w.name)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
			if err != nil {
				t.Fatalf("%s at %s: %v", name, w.name, err)
			}
			if shots != "" {
				os.MkdirAll(shots, 0o755)
				os.WriteFile(filepath.Join(shots, name+"-"+w.name+".png"), png, 0o644)
			}
		}
		chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900))
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/demo")); err != nil {
		t.Fatal(err)
	}
	check("form")
	if err := chromedp.Do(ctx, chromedp.Click(`button[type=submit]`, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(`.summary`, chromedp.NodeVisible))
	if err != nil || !strings.Contains(summary, "Skriv ditt namn") {
		t.Fatalf("the error summary: %q, %v", summary, err)
	}
	check("form-errors")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(`#f-reporter_name`, "Anna Andersson"),
		chromedp.SendKeys(`#f-reporter_email`, "anna@lexheller.localhost"),
		chromedp.SendKeys(`#f-reporter_org`, "Arbetsförmedlingen Angered"),
		chromedp.Click(`#f-party-FK`),
		chromedp.SendKeys(`#f-description`, "FK och AF gav motstridiga besked."),
		chromedp.Click(`button[type=submit]`, chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(`.case`, chromedp.NodeVisible))
	if err != nil || !strings.Contains(done, "LH-") {
		t.Fatalf("the confirmation: %q, %v", done, err)
	}
	check("confirmation")
}

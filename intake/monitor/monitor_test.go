package monitor_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lexheller/intake/monitor"
	"lexheller/intake/store"
)

// A message that could not be recorded shows in /healthz (503, with the
// count and since when) and in /metrics (the count and the oldest age)
// until it is handled.
func TestFailingMessageShows(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := &monitor.Monitor{Store: st}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != http.StatusOK {
		t.Fatalf("healthy store: /healthz %d %s", code, body)
	}

	since := time.Now().Add(-90 * time.Second)
	for uid := uint32(7); uid <= 8; uid++ {
		if _, err := st.Failed(ctx, "INBOX", 1, uid, "CHECK constraint failed", since); err != nil {
			t.Fatal(err)
		}
	}
	code, body := get("/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "messages: 2 could not be handled") ||
		!strings.Contains(body, since.UTC().Format("2006-01-02T15:04")) {
		t.Errorf("/healthz with two failing messages: %d\n%s", code, body)
	}
	_, metrics := get("/metrics")
	if !strings.Contains(metrics, "lexheller_messages_failing 2\n") {
		t.Errorf("/metrics lacks lexheller_messages_failing 2:\n%s", grep(metrics, "failing"))
	}
	age := regexp.MustCompile(`(?m)^lexheller_messages_failing_oldest_age_seconds (\S+)$`).FindStringSubmatch(metrics)
	if age == nil {
		t.Fatalf("no oldest age in /metrics:\n%s", grep(metrics, "failing"))
	}
	if v, err := strconv.ParseFloat(age[1], 64); err != nil || v < 89 || v > 3600 {
		t.Errorf("oldest age %s, want about 90 s", age[1])
	}

	// Handled: gone from both.
	for uid := uint32(7); uid <= 8; uid++ {
		if err := st.Tx(ctx, func(tx *store.Tx) error { return tx.Handled("INBOX", 1, uid) }); err != nil {
			t.Fatal(err)
		}
	}
	if code, body := get("/healthz"); code != http.StatusOK {
		t.Errorf("after handling: /healthz %d %s", code, body)
	}
	if _, metrics := get("/metrics"); !strings.Contains(metrics, "lexheller_messages_failing 0\n") {
		t.Errorf("after handling:\n%s", grep(metrics, "failing"))
	}
}

func grep(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// The texts caught at each exit (notify/guard's counts, wired by the
// daemon) are in /metrics by exit.
func TestCaughtAtExitInMetrics(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	caught := func() map[string]int64 { return map[string]int64{"site": 3, "mail": 0, "report": 0, "log": 0} }
	srv := httptest.NewServer((&monitor.Monitor{Store: st, Caught: caught}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^lexheller_pii_caught_at_exit_total\{exit="site"\} (\d+)$`).FindStringSubmatch(string(b))
	if m == nil || m[1] != "3" {
		t.Errorf("no count of the catch:\n%s", grep(string(b), "pii_caught"))
	}
	if !strings.Contains(string(b), `lexheller_pii_caught_at_exit_total{exit="mail"} 0`) {
		t.Errorf("the other exits are not shown at 0:\n%s", grep(string(b), "pii_caught"))
	}
}

// With the web form, /healthz says what it took in and turned away.
func TestHealthzCountsTheWebForm(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	web := func() map[string]int64 {
		return map[string]int64{"case": 4, "held": 1, "rejected_honeypot": 2, "rejected_rate": 1}
	}
	srv := httptest.NewServer((&monitor.Monitor{Store: st, Web: web}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "web form: 4 cases, 1 held, 0 double submits, 0 with fields missing, 3 turned away") {
		t.Errorf("/healthz: %d %s", resp.StatusCode, b)
	}
}

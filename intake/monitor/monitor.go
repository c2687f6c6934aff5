// Package monitor tells an operator how the daemon is: /healthz answers
// 200 "ok" or 503 with one line per problem (a mailbox down, messages that
// cannot be recorded, an outbox that cannot send or is stuck, a token
// endpoint that refuses the client), and
// /metrics gives Prometheus the figures behind them, read from the store
// (which survive restarts) and the mailbox watchers when scraped.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"lexheller/intake"
	"lexheller/intake/casework"
	"lexheller/intake/classify"
	"lexheller/intake/config"
	"lexheller/intake/oauth"
	"lexheller/intake/store"
	"lexheller/intake/web"
)

// Monitor reads the daemon's health and figures. Set the fields, then
// Serve it (or use Problems and Handler).
type Monitor struct {
	Store     *store.Store
	Mailboxes []*intake.Watcher
	// Sending reports since when sending has failed (zero when it works)
	// and the last error.
	Sending     func() (failingSince time.Time, lastError string)
	SMTPAddress string // named in the advice when the outbox is stuck
	// SendFailingFor is how long sending may fail (the server
	// unreachable, TLS or login refused) before /healthz says so
	// (zero: 5 minutes; negative: at once): retries push each mail's due
	// time on, so the outbox never looks overdue.
	SendFailingFor time.Duration
	// Web counts the web form's submissions and rejections by outcome
	// (web.Server.Counts); nil shows none.
	Web func() map[string]int64
	// Caught counts, by exit, the texts in which a personnummer was found
	// on the way out (notify/guard's Caught); nil shows none.
	Caught func() map[string]int64
	// Tokens are the OAuth2 token sources, nil without OAuth2.
	Tokens *oauth.Tokens
	Logger *slog.Logger

	addr atomic.Pointer[string]
}

// overdue is how late a due mail may be before the outbox counts as
// stuck: the sender looks at least once a minute.
const overdue = 5 * time.Minute

// Problems says what is wrong, one line each; none means healthy.
func (m *Monitor) Problems(ctx context.Context) []string {
	var problems []string
	for _, w := range m.Mailboxes {
		st := w.Status()
		if !st.Connected {
			p := fmt.Sprintf("mailbox %s: not connected to %s", w.Name, w.IMAP.Address)
			if st.LastError != "" {
				p += ": " + st.LastError
			}
			problems = append(problems, p)
		}
	}
	problems = append(problems, m.tokenProblems()...)
	for _, w := range m.Mailboxes {
		if st := w.Status(); st.DiskFull {
			problems = append(problems, fmt.Sprintf("mailbox %s: the database's disk is full: new mail stays in INBOX until there is room (%s)", w.Name, st.StoreError))
		} else if st.StoreError != "" {
			problems = append(problems, fmt.Sprintf("mailbox %s: messages cannot be recorded: %s", w.Name, st.StoreError))
		}
	}
	if n, oldest, err := m.Store.PendingStats(ctx); err == nil && n > 0 {
		problems = append(problems, fmt.Sprintf("messages: %d could not be handled (the oldest since %s); each is tried %d times, then moved to Karantän",
			n, oldest.Format(time.RFC3339), casework.MaxAttempts))
	}
	failFor := m.SendFailingFor
	if failFor == 0 {
		failFor = 5 * time.Minute
	}
	if m.Sending != nil {
		if since, lastErr := m.Sending(); !since.IsZero() && time.Since(since) >= failFor {
			problems = append(problems, fmt.Sprintf("outbox: no mail could be sent for %s (since %s): %s",
				time.Since(since).Round(time.Second), since.Format(time.RFC3339), lastErr))
		}
	}
	ob, err := m.Store.OutboxStats(ctx)
	switch {
	case err != nil:
		problems = append(problems, "store: "+err.Error())
	case !ob.NextDue.IsZero() && time.Since(ob.NextDue) > overdue:
		problems = append(problems, fmt.Sprintf("outbox: stuck: %d mails queued, one due since %s (more than %s ago); is %s reachable?",
			ob.Queued, ob.NextDue.Format(time.RFC3339), overdue, m.SMTPAddress))
	}
	return problems
}

// tokenProblems: a token endpoint that refuses the client, or that fails
// while no unexpired token is held, with what to do.
func (m *Monitor) tokenProblems() []string {
	if m.Tokens == nil {
		return nil
	}
	var problems []string
	for _, src := range m.Tokens.All() {
		st := src.Status()
		if st.Problem == "" || (!st.Refused && time.Now().Before(st.Expiry)) {
			continue
		}
		p := fmt.Sprintf("oauth2 %s: %s (since %s)", st.Name, st.Problem, st.Since.Format(time.RFC3339))
		if st.Advice != "" {
			p += "; " + st.Advice
		}
		problems = append(problems, p)
	}
	return problems
}

func (m *Monitor) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if p := m.Problems(ctx); len(p) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, strings.Join(p, "\n"))
		return
	}
	fmt.Fprintln(w, "ok")
	if c := m.webCounts(); c != nil {
		rejected := int64(0)
		for _, k := range web.Rejections {
			rejected += c[k]
		}
		fmt.Fprintf(w, "web form: %d cases, %d held, %d double submits, %d with fields missing, %d turned away\n",
			c["case"], c["held"], c["duplicate"], c["invalid"], rejected)
	}
}

// metrics reads the daemon's figures when Prometheus scrapes: counts from
// the store (which survive restarts) and the mailbox watchers' state.
type metrics struct {
	m *Monitor

	messages, cases, outbox, outboxAge, outboxMails, reconnects, lastSync, connected, failing, failingAge *prometheus.Desc
	scrubbed, pruned, caught, web                                                                         *prometheus.Desc
	tokenFetches, tokenFailures, tokenRefusals, relogins                                                  *prometheus.Desc
}

func newMetrics(mon *Monitor) *metrics {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("lexheller_"+name, help, labels, nil)
	}
	return &metrics{m: mon,
		messages:    d("messages_total", "Messages handled, by kind (the ledger).", "kind"),
		cases:       d("cases", "Cases, by status.", "status"),
		outbox:      d("outbox_queued", "Mails queued and not yet sent."),
		outboxAge:   d("outbox_oldest_age_seconds", "Age of the oldest queued mail; 0 when none."),
		outboxMails: d("outbox_mails_total", "Mails in the outbox by status: sent, failed (send failures), bounced, suppressed.", "status"),
		reconnects:  d("imap_reconnects_total", "IMAP connections lost and made again.", "mailbox"),
		lastSync:    d("imap_last_sync_timestamp_seconds", "When the mailbox was last read completely (IDLE or poll).", "mailbox"),
		connected:   d("imap_connected", "1 when the IMAP session is up.", "mailbox"),
		failing:     d("messages_failing", "Messages in INBOX that could not be recorded yet, or were in hand when the process died."),
		failingAge:  d("messages_failing_oldest_age_seconds", "Age of the oldest failing message; 0 when none."),
		scrubbed:    d("retention_cases_scrubbed_total", "Cases whose personal data was removed (retention or erasure)."),
		pruned:      d("retention_mail_bodies_pruned_total", "Mails sent whose body was removed."),
		web:         d("web_submissions_total", "Web form submissions by outcome: case, held, duplicate, invalid, rejected_* (honeypot, too_fast, rate, csrf, token, too_large).", "outcome"),
		caught:      d("pii_caught_at_exit_total", "Texts in which a personnummer was still found on the way out, and masked there (a gap in the masking upstream; each is logged).", "exit"),

		tokenFetches:  d("oauth2_token_fetches_total", "OAuth2 tokens asked of the token endpoint (failures included).", "account"),
		tokenFailures: d("oauth2_token_failures_total", "OAuth2 token requests that failed or were refused.", "account"),
		tokenRefusals: d("oauth2_logins_refused_total", "Logins (IMAP or SMTP) in which a server refused a token.", "account"),
		relogins:      d("oauth2_relogins_total", "IMAP logins with a token after the first: a session renewed before its token expired, or made again after it was lost.", "mailbox"),
	}
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.messages, m.cases, m.outbox, m.outboxAge, m.outboxMails, m.reconnects, m.lastSync, m.connected, m.failing, m.failingAge, m.scrubbed, m.pruned,
		m.caught, m.web, m.tokenFetches, m.tokenFailures, m.tokenRefusals, m.relogins} {
		ch <- d
	}
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts := func(desc *prometheus.Desc, vt prometheus.ValueType, table, column string, all []string) {
		c, err := m.m.Store.Counts(ctx, table, column)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(desc, err)
			return
		}
		for _, k := range all {
			if _, ok := c[k]; !ok {
				c[k] = 0
			}
		}
		for k, n := range c {
			ch <- prometheus.MustNewConstMetric(desc, vt, float64(n), k)
		}
	}
	counts(m.messages, prometheus.CounterValue, "messages", "kind", []string{string(classify.NewCase), string(classify.Reply),
		string(classify.Command), string(classify.FormRequest), string(classify.InvalidForm), string(classify.IgnoreAuto),
		string(classify.IgnoreBounce), string(classify.IgnoreLoop), string(classify.Quarantine)})
	counts(m.cases, prometheus.GaugeValue, "cases", "status", []string{store.StatusNew, store.StatusInDialogue,
		store.StatusForwarded, store.StatusAnswered, store.StatusClosed})
	ob, err := m.m.Store.OutboxStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(m.outbox, err)
	} else {
		ch <- prometheus.MustNewConstMetric(m.outbox, prometheus.GaugeValue, float64(ob.Queued))
		age := 0.0
		if !ob.OldestQueue.IsZero() {
			age = time.Since(ob.OldestQueue).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(m.outboxAge, prometheus.GaugeValue, age)
	}
	if c, err := m.m.Store.Counts(ctx, "outbox", "status"); err != nil {
		ch <- prometheus.NewInvalidMetric(m.outboxMails, err)
	} else {
		for _, s := range []string{store.OutSent, store.OutFailed, store.OutBounced, store.OutSuppressed} {
			ch <- prometheus.MustNewConstMetric(m.outboxMails, prometheus.CounterValue, float64(c[s]), s)
		}
	}
	if scrubbed, pruned, err := m.m.Store.RetentionStats(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(m.scrubbed, err)
	} else {
		ch <- prometheus.MustNewConstMetric(m.scrubbed, prometheus.CounterValue, float64(scrubbed))
		ch <- prometheus.MustNewConstMetric(m.pruned, prometheus.CounterValue, float64(pruned))
	}
	if counts := m.m.webCounts(); counts != nil {
		for _, k := range append(slices.Clone(web.Outcomes), web.Rejections...) {
			ch <- prometheus.MustNewConstMetric(m.web, prometheus.CounterValue, float64(counts[k]), k)
		}
	}
	if m.m.Caught != nil {
		caught := m.m.Caught()
		exits := make([]string, 0, len(caught))
		for exit := range caught {
			exits = append(exits, exit)
		}
		sort.Strings(exits)
		for _, exit := range exits {
			ch <- prometheus.MustNewConstMetric(m.caught, prometheus.CounterValue, float64(caught[exit]), exit)
		}
	}
	if n, oldest, err := m.m.Store.PendingStats(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(m.failing, err)
	} else {
		ch <- prometheus.MustNewConstMetric(m.failing, prometheus.GaugeValue, float64(n))
		age := 0.0
		if !oldest.IsZero() {
			age = time.Since(oldest).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(m.failingAge, prometheus.GaugeValue, age)
	}
	for _, w := range m.m.Mailboxes {
		st := w.Status()
		ch <- prometheus.MustNewConstMetric(m.reconnects, prometheus.CounterValue, float64(st.Reconnects), w.Name)
		last := 0.0
		if !st.LastSync.IsZero() {
			last = float64(st.LastSync.UnixMilli()) / 1000
		}
		ch <- prometheus.MustNewConstMetric(m.lastSync, prometheus.GaugeValue, last, w.Name)
		up := 0.0
		if st.Connected {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(m.connected, prometheus.GaugeValue, up, w.Name)
		if w.IMAP.Auth == config.AuthOAuth2 {
			ch <- prometheus.MustNewConstMetric(m.relogins, prometheus.CounterValue, float64(st.ReLogins), w.Name)
		}
	}
	if m.m.Tokens != nil {
		for _, src := range m.m.Tokens.All() {
			st := src.Status()
			ch <- prometheus.MustNewConstMetric(m.tokenFetches, prometheus.CounterValue, float64(st.Fetches), st.Name)
			ch <- prometheus.MustNewConstMetric(m.tokenFailures, prometheus.CounterValue, float64(st.Failures), st.Name)
			ch <- prometheus.MustNewConstMetric(m.tokenRefusals, prometheus.CounterValue, float64(st.Refusals), st.Name)
		}
	}
}

// Handler serves /healthz and /metrics.
func (m *Monitor) Handler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newMetrics(m), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", m.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// Addr is where Serve listens, once it does; "" before.
func (m *Monitor) Addr() string {
	if p := m.addr.Load(); p != nil {
		return *p
	}
	return ""
}

// Run serves /healthz and /metrics at address until ctx is done; "off"
// serves nothing, and what cannot be served is logged (they are for the
// operator: the mail goes on).
func (m *Monitor) Run(ctx context.Context, address string) error {
	if address == config.Off {
		return nil
	}
	if err := m.Serve(ctx, address); err != nil && m.Logger != nil {
		m.Logger.Error("health and metrics not served", "err", err)
	}
	return nil
}

// Serve serves Handler on address (host:port) until ctx is done.
func (m *Monitor) Serve(ctx context.Context, address string) error {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return fmt.Errorf("http: %w (set [http] address to a free port, or \"off\")", err)
	}
	addr := ln.Addr().String()
	m.addr.Store(&addr)
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if m.Logger != nil {
		m.Logger.Info("health and metrics", "healthz", "http://"+addr+"/healthz", "metrics", "http://"+addr+"/metrics")
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// webCounts are the web form's counts, nil when it is off.
func (m *Monitor) webCounts() map[string]int64 {
	if m.Web == nil {
		return nil
	}
	return m.Web()
}

// Package intake holds lexheller's doors for mail: the watcher that reads
// a mailbox over IMAP (Watcher) and hands each batch to the workflow core
// (casework) through Handler, moving a message out of INBOX only once its
// record has committed; Probe and Advice for the operator. Its
// sub-packages do the pure work of reading mail: parse (MIME), form (the
// blanket), quote (quoted history), classify (what a message is), ident
// (our identifiers), command (process leaders' commands), legacy (old
// sheets), similar (similar cases); oauth gets the OAuth2 tokens a
// mailbox (or the sender) logs in with; store is the case store, and
// casework the core. The packages that read mail never import notify.
package intake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"lexheller/intake/casework"
	"lexheller/intake/config"
	"lexheller/intake/oauth"
	"lexheller/intake/store"
)

// Handler records a batch of messages and says, for each, where it goes
// (casework.Processor). A message with no Folder in its outcome was not
// recorded and stays in INBOX.
type Handler interface {
	Process(ctx context.Context, batch []casework.Incoming) ([]casework.Outcome, error)
}

// Watcher processes every message in one mailbox's INBOX, whatever its
// flags, then waits for more with IDLE (or by polling where the server has
// no IDLE), reconnecting with backoff and jitter when the connection is
// lost. Set the fields, then Run it.
type Watcher struct {
	Name    string // for logs and health: the förbund, or "shared"
	IMAP    config.Server
	Handler Handler
	Store   *store.Store // the ledger: what was moved
	Forbund string       // the mailbox's förbund, "" for a shared mailbox
	Logger  *slog.Logger
	// PollInterval is how often a server without IDLE is polled (with
	// NOOP); zero means 30 seconds.
	PollInterval time.Duration
	// NoIdle polls even where the server has IDLE. Dovecot 2.3 holds each
	// IDLE notification back for 500 ms (its NOTIFY_DELAY_MSECS); a short
	// PollInterval answers faster, at the cost of a command per interval.
	NoIdle bool
	// IdleRestart ends each IDLE after this long to look again (well
	// before the server's 29-minute limit); zero means 20 minutes.
	IdleRestart time.Duration
	// BackoffMin and BackoffMax bound the reconnect delay; zero means 1 s
	// and 2 minutes.
	BackoffMin, BackoffMax time.Duration
	// BatchBytes and BatchCount bound one fetch-record-move round.
	BatchBytes int64
	BatchCount int
	// ExpungeWithoutUIDPlus lets a server with neither MOVE nor UIDPLUS
	// expunge INBOX after copying handled messages out, which also
	// removes messages a person flagged \Deleted. Off, handled messages
	// are copied, flagged \Deleted and left for a person to expunge.
	ExpungeWithoutUIDPlus bool
	// RetryAfter is how soon messages left unrecorded (the database
	// failing, or one message failing) are tried again; zero means
	// DefaultRetryAfter.
	RetryAfter time.Duration
	// Tokens gives the access tokens when IMAP.Auth is oauth2; nil
	// takes one from TokenSources (shared per account), or else makes a
	// source of the mailbox's own, on first use.
	Tokens       *oauth.Source
	TokenSources *oauth.Tokens
	// Mechanisms are the SASL mechanisms a token may be sent with, in
	// order of preference; nil means XOAUTH2, then OAUTHBEARER.
	Mechanisms []string

	mu      sync.Mutex
	status  Status
	wake    chan struct{}     // the mailbox grew
	delim   string            // the server's hierarchy delimiter
	retry   bool              // the last pass left messages unrecorded
	upOnce  bool              // a session has been up since the start
	copied  map[imap.UID]bool // copied out and flagged, not expunged (no MOVE, no UIDPLUS)
	errLog  time.Time         // when a failing store was last logged
	errMute int               // failures not logged since
	token   string            // the token this session logged in with
	renewAt time.Time         // when to log in again with a new one; zero with a password
	// renewRetry is how long the session waits before it asks again
	// for a token the endpoint would not give.
	renewRetry time.Duration
}

// NewWatcher is the watcher of the configured mailbox m, handing its mail
// to h and recording in st what it moved.
func NewWatcher(m config.Mailbox, h Handler, st *store.Store, tokens *oauth.Tokens, log *slog.Logger) *Watcher {
	return &Watcher{
		TokenSources: tokens,
		Name:         m.Name,
		IMAP:         *m.Server,
		Handler:      h,
		Store:        st,
		Forbund:      m.Forbund,
		Logger:       log,
		PollInterval: m.PollInterval.Duration,
		NoIdle:       m.IDLE != nil && !*m.IDLE,

		ExpungeWithoutUIDPlus: m.ExpungeWithoutUIDPlus,
	}
}

// DefaultRetryAfter is how soon a pass that left messages unrecorded is
// tried again, whatever IDLE or the poll interval say.
const DefaultRetryAfter = 30 * time.Second

// Status is a watcher's health.
type Status struct {
	Connected  bool
	LastSync   time.Time // end of the last complete pass over INBOX
	LastError  string
	Reconnects int
	Idle       bool // the server supports IDLE
	// Mechanism is the SASL mechanism of the last OAuth2 login, and
	// ReLogins the OAuth2 logins after the first: a session renewed
	// before its token expired, or made again after it was lost.
	Mechanism string
	ReLogins  int
	// StoreError is why the last batch could not be recorded (the database
	// or its disk failing), "" once one is; DiskFull says it is the disk.
	StoreError string
	DiskFull   bool
}

// Status returns the watcher's health.
func (w *Watcher) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status
}

func (w *Watcher) setStatus(f func(*Status)) {
	w.mu.Lock()
	f(&w.status)
	w.mu.Unlock()
}

func (w *Watcher) logger() *slog.Logger {
	l := w.Logger
	if l == nil {
		l = slog.Default()
	}
	return l.With("mailbox", w.Name)
}

// Run watches until ctx is done. It returns nil then; it never gives up on
// a lost connection.
func (w *Watcher) Run(ctx context.Context) error {
	minB, maxB := w.BackoffMin, w.BackoffMax
	if minB <= 0 {
		minB = time.Second
	}
	if maxB <= 0 {
		maxB = 2 * time.Minute
	}
	delay := minB
	for {
		start := time.Now()
		err := casework.Safely(func() error { return w.session(ctx) })
		if errors.Is(err, errRenew) && ctx.Err() == nil {
			continue // logged out cleanly: log in again with the new token now
		}
		var pe *casework.PanicError
		if errors.As(err, &pe) {
			w.logger().Error("panic in the mailbox session; reconnecting", "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		}
		if ctx.Err() != nil {
			return nil
		}
		w.setStatus(func(s *Status) {
			s.Connected = false
			s.Reconnects++
			if err != nil {
				s.LastError = err.Error()
				if a := Advice(err, w.IMAP); a != "" {
					s.LastError += " (" + a + ")"
				}
			}
		})
		if time.Since(start) > 5*maxB {
			delay = minB // it had been up for a while
		}
		// Full jitter over the upper half, so many daemons do not
		// reconnect in step.
		sleep := delay/2 + rand.N(delay/2+1)
		msg := "mailbox connection lost; reconnecting"
		if !w.upOnce {
			msg = "cannot connect to the mailbox; trying again"
		}
		if a := Advice(err, w.IMAP); a != "" {
			w.logger().Warn(msg, "err", err, "what to do", a, "in", sleep.Round(time.Millisecond))
		} else {
			w.logger().Warn(msg, "err", err, "in", sleep.Round(time.Millisecond))
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		delay = min(delay*2, maxB)
	}
}

func (w *Watcher) dial() (*imapclient.Client, error) {
	o := w.IMAP
	host, _, err := net.SplitHostPort(o.Address)
	if err != nil {
		return nil, fmt.Errorf("imap address %q: %w", o.Address, err)
	}
	opts := &imapclient.Options{
		TLSConfig:             o.TLS,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: w.onMailbox},
		Dialer:                &net.Dialer{Timeout: 30 * time.Second},
	}
	if opts.TLSConfig == nil {
		opts.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	switch o.Security {
	case config.TLS, "":
		return imapclient.DialTLS(o.Address, opts)
	case config.StartTLS:
		return imapclient.DialStartTLS(o.Address, opts)
	case config.None:
		if !config.IsLoopback(host) {
			return nil, fmt.Errorf("imap: refusing an unencrypted connection to %s: only loopback may use security = \"none\"", host)
		}
		return imapclient.DialInsecure(o.Address, opts)
	}
	return nil, fmt.Errorf("imap security %q: want tls, starttls or none", o.Security)
}

func (w *Watcher) wakeChan() chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
	return w.wake
}

func (w *Watcher) onMailbox(d *imapclient.UnilateralDataMailbox) {
	if d.NumMessages != nil {
		select {
		case w.wakeChan() <- struct{}{}:
		default:
		}
	}
}

// session is one connection: log in, make the folders, then process and
// wait until the connection fails or ctx ends.
func (w *Watcher) session(ctx context.Context) error {
	c, err := w.dial()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer c.Close()
	// Close the connection when ctx ends, after giving the step in hand
	// a moment to finish; Close fails every pending command.
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(5*time.Second, func() { c.Close() }) })
	defer stop()

	if err := w.login(ctx, c); err != nil {
		return err
	}
	if err := w.ensureFolders(c); err != nil {
		return err
	}
	mailbox := w.IMAP.Mailbox
	if mailbox == "" {
		mailbox = "INBOX"
	}
	sel, err := c.Select(mailbox, nil).Wait()
	if err != nil {
		return fmt.Errorf("select %s: %w", mailbox, err)
	}
	w.mu.Lock()
	w.copied = map[imap.UID]bool{}
	w.mu.Unlock()
	if !c.Caps().Has(imap.CapMove) && !c.Caps().Has(imap.CapUIDPlus) {
		if w.ExpungeWithoutUIDPlus {
			w.logger().Warn("the server has neither MOVE nor UIDPLUS: handled messages are copied out and INBOX is expunged, which also removes messages a person flagged \\Deleted")
		} else {
			w.logger().Warn("the server has neither MOVE nor UIDPLUS: handled messages are copied out and flagged \\Deleted, and stay in INBOX until a person expunges it")
			moved, err := w.Store.MovedUIDs(ctx, mailbox, sel.UIDValidity)
			if err != nil {
				return err
			}
			w.mu.Lock()
			for _, u := range moved {
				w.copied[imap.UID(u)] = true
			}
			w.mu.Unlock()
		}
	}
	idle := c.Caps().Has(imap.CapIdle) && !w.NoIdle
	w.setStatus(func(s *Status) { s.Connected, s.Idle, s.LastError = true, idle, "" })
	w.upOnce = true
	w.logger().Info("mailbox connected", "address", w.IMAP.Address, "user", w.IMAP.Username, "auth", w.IMAP.Auth,
		"mechanism", w.Status().Mechanism, "messages", sel.NumMessages, "uidvalidity", sel.UIDValidity, "idle", idle)

	for {
		// Drain a pending wake-up first: this pass sees what caused it.
		select {
		case <-w.wakeChan():
		default:
		}
		w.retry = false
		if err := w.pass(ctx, c, mailbox, sel.UIDValidity); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		w.setStatus(func(s *Status) { s.LastSync = time.Now() })
		if err := w.wait(ctx, c, idle); errors.Is(err, errRenew) {
			if w.renewed(ctx) {
				_ = c.Logout().Wait()
				return errRenew
			}
		} else if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

func (w *Watcher) wait(ctx context.Context, c *imapclient.Client, idle bool) error {
	if !idle {
		poll := w.PollInterval
		if poll <= 0 {
			poll = 30 * time.Second
		}
		if w.retry {
			poll = min(poll, w.retryAfter())
		}
		t := time.NewTimer(poll)
		defer t.Stop()
		renew, stop := w.renewTimer()
		defer stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-renew:
			return errRenew
		case <-c.Closed():
			return errors.New("connection closed")
		}
		// A NOOP both checks the connection and fetches news.
		return c.Noop().Wait()
	}
	restart := w.IdleRestart
	if restart <= 0 {
		restart = 20 * time.Minute
	}
	if w.retry {
		restart = min(restart, w.retryAfter())
	}
	cmd, err := c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	t := time.NewTimer(restart)
	defer t.Stop()
	renew, stop := w.renewTimer()
	defer stop()
	var result error
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-w.wakeChan():
	case <-renew:
		result = errRenew
	case <-c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("end idle: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	return result
}

type uidSize struct {
	uid  imap.UID
	size int64
}

// pass processes everything in the selected mailbox, batch by batch.
func (w *Watcher) pass(ctx context.Context, c *imapclient.Client, mailbox string, uidValidity uint32) error {
	// UID FETCH 1:* asks the server, which is valid on an empty mailbox;
	// the client's cached message count can lag behind the server's (a
	// message that arrived while the count said 0 waited for a reconnect).
	msgs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return fmt.Errorf("list %s: %w", mailbox, err)
	}
	present := make([]uint32, 0, len(msgs))
	for _, m := range msgs {
		present = append(present, uint32(m.UID))
	}
	if err := w.Store.PrunePending(context.WithoutCancel(ctx), mailbox, uidValidity, present); err != nil {
		w.logger().Warn("forgetting messages no longer in INBOX failed", "err", err)
	}
	var all []uidSize
	w.mu.Lock()
	for _, m := range msgs {
		if !w.copied[m.UID] {
			all = append(all, uidSize{m.UID, m.RFC822Size})
		}
	}
	w.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].uid < all[j].uid })
	maxBytes, maxCount := w.BatchBytes, w.BatchCount
	if maxBytes <= 0 {
		maxBytes = 32 << 20
	}
	if maxCount <= 0 {
		maxCount = 250
	}
	for len(all) > 0 && ctx.Err() == nil {
		n, bytes := 0, int64(0)
		for n < len(all) && n < maxCount && (n == 0 || bytes+all[n].size <= maxBytes) {
			bytes += all[n].size
			n++
		}
		if err := w.batch(ctx, c, mailbox, uidValidity, all[:n]); err != nil {
			return err
		}
		all = all[n:]
	}
	return nil
}

// batch fetches, records and moves one batch. Messages are moved only
// after the transaction that records them has committed.
func (w *Watcher) batch(ctx context.Context, c *imapclient.Client, mailbox string, uidValidity uint32, items []uidSize) error {
	var set imap.UIDSet
	for _, it := range items {
		set.AddNum(it.uid)
	}
	t0 := time.Now()
	in, err := fetchRaw(c, set)
	if err != nil {
		return err
	}
	tFetch := time.Since(t0)
	for i := range in {
		in[i].Mailbox, in[i].UIDValidity, in[i].Forbund = mailbox, uidValidity, w.Forbund
	}
	if len(in) == 0 {
		return nil
	}
	t0 = time.Now()
	outs, perr := w.Handler.Process(context.WithoutCancel(ctx), in)
	tProcess := time.Since(t0)
	w.noteStoreError(perr)
	if perr != nil {
		// Unrecorded messages stay in INBOX and are tried again soon;
		// the others are moved below.
		w.retry = true
		if outs == nil {
			return nil
		}
	}
	byFolder := map[string]*imap.UIDSet{}
	var ledger []int64
	for i, o := range outs {
		if o.Folder == "" {
			continue
		}
		s := byFolder[o.Folder]
		if s == nil {
			s = &imap.UIDSet{}
			byFolder[o.Folder] = s
		}
		s.AddNum(imap.UID(in[i].UID))
		ledger = append(ledger, o.Ledger)
	}
	folders := make([]string, 0, len(byFolder))
	for f := range byFolder {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	t0 = time.Now()
	for _, f := range folders {
		if err := w.move(c, *byFolder[f], strings.ReplaceAll(f, "/", w.delim)); err != nil {
			return fmt.Errorf("move to %s: %w", f, err)
		}
	}
	tMove := time.Since(t0)
	if err := w.Store.MarkMoved(context.WithoutCancel(ctx), ledger, time.Now()); err != nil {
		w.logger().Warn("recording moves failed", "err", err)
	}
	w.logger().Debug("batch", "messages", len(in), "fetch", tFetch, "process", tProcess, "move", tMove)
	return nil
}

func (w *Watcher) retryAfter() time.Duration {
	if w.RetryAfter > 0 {
		return w.RetryAfter
	}
	return DefaultRetryAfter
}

// noteStoreError keeps the health of recording and logs a failure: a
// failing database at most once a minute (it fails for every message),
// anything else each time.
func (w *Watcher) noteStoreError(err error) {
	systemic := err != nil && store.Unavailable(err)
	w.setStatus(func(s *Status) {
		s.StoreError, s.DiskFull = "", false
		if systemic {
			s.StoreError, s.DiskFull = err.Error(), store.DiskFull(err)
		}
	})
	switch {
	case err == nil:
		if w.errMute > 0 || !w.errLog.IsZero() {
			w.logger().Info("recording messages works again", "failures_not_logged", w.errMute)
		}
		w.errLog, w.errMute = time.Time{}, 0
	case !systemic:
		w.logger().Error("recording messages failed", "err", err)
	case time.Since(w.errLog) >= time.Minute:
		w.logger().Error("recording messages failed; they stay in INBOX until the database works again",
			"err", err, "disk_full", store.DiskFull(err), "failures_not_logged", w.errMute)
		w.errLog, w.errMute = time.Now(), 0
	default:
		w.errMute++
	}
}

// fetchRaw fetches the raw messages of set, sorted by UID. Each literal is
// read into a buffer of exactly its size: reading it into a growing one
// would, for a 30 MB message, allocate several times that.
func fetchRaw(c *imapclient.Client, set imap.UIDSet) ([]casework.Incoming, error) {
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	var in []casework.Incoming
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var uid imap.UID
		var raw []byte
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = item.UID
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil {
					continue
				}
				raw = make([]byte, item.Literal.Size())
				if _, err := io.ReadFull(item.Literal, raw); err != nil {
					cmd.Close()
					return nil, fmt.Errorf("fetch: %w", err)
				}
			}
		}
		if uid != 0 && raw != nil {
			in = append(in, casework.Incoming{UID: uint32(uid), Raw: raw})
		}
	}
	if err := cmd.Close(); err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	sort.Slice(in, func(i, j int) bool { return in[i].UID < in[j].UID })
	return in, nil
}

func (w *Watcher) move(c *imapclient.Client, set imap.UIDSet, folder string) error {
	if c.Caps().Has(imap.CapMove) {
		_, err := c.Move(set, folder).Wait()
		return err
	}
	if _, err := c.Copy(set, folder).Wait(); err != nil {
		return err
	}
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(set, flags, nil).Close(); err != nil {
		return err
	}
	if c.Caps().Has(imap.CapUIDPlus) {
		return c.UIDExpunge(set).Close()
	}
	// A plain EXPUNGE would also remove what a person flagged \Deleted
	// in the shared mailbox: only when the operator asked for it.
	if w.ExpungeWithoutUIDPlus {
		return c.Expunge().Close()
	}
	w.mu.Lock()
	for _, r := range set {
		for u := r.Start; u <= r.Stop && u != 0; u++ {
			w.copied[u] = true
		}
	}
	w.mu.Unlock()
	return nil
}

// ensureFolders creates the outcome folders that do not exist yet.
func (w *Watcher) ensureFolders(c *imapclient.Client) error {
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		return fmt.Errorf("list folders: %w", err)
	}
	have := map[string]bool{}
	w.delim = "/"
	for _, l := range list {
		have[l.Mailbox] = true
		if l.Delim != 0 {
			w.delim = string(l.Delim)
		}
	}
	for _, f := range casework.Folders {
		name := strings.ReplaceAll(f, "/", w.delim)
		if have[name] {
			continue
		}
		if err := c.Create(name, nil).Wait(); err != nil {
			return fmt.Errorf("create folder %q (check that the account may create folders): %w", name, err)
		}
		w.logger().Info("folder created", "folder", name)
	}
	return nil
}

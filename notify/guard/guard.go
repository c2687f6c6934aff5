// Package guard is the last look at text on its way out of lexheller: a
// mail to a party, a report, a published file, a log line. Text is masked
// where it is made (intake masks what comes in; forwards, reports and the
// site mask again); whatever is still shaped like a personnummer when it
// reaches an exit is caught here: masked, counted by exit, and reported
// to the function set with OnCaught (the daemon logs it at ERROR level;
// /metrics shows the counts), so that a gap in the masking upstream is
// both harmless and seen.
package guard

import (
	"context"
	"log/slog"
	"sync"

	"lexheller/intake/form"
)

// Exits.
const (
	Mail   = "mail"   // a mail to a party's representative
	Report = "report" // the pattern report, in any format
	Site   = "site"   // a published file
	Log    = "log"    // a log line
)

var (
	mu      sync.Mutex
	counts  = map[string]int64{}
	onCatch func(exit, where string)
)

// OnCaught sets what is told when a number is caught at an exit: where
// says which mail, report or file (never the text).
func OnCaught(f func(exit, where string)) {
	mu.Lock()
	defer mu.Unlock()
	onCatch = f
}

// Caught returns how many texts were caught at each exit since start,
// every exit listed.
func Caught() map[string]int64 {
	mu.Lock()
	defer mu.Unlock()
	out := map[string]int64{Mail: 0, Report: 0, Site: 0, Log: 0}
	for k, v := range counts {
		out[k] = v
	}
	return out
}

// Text returns s with every personnummer, samordningsnummer or number in
// their shape masked (form.MaskPIIOutgoing); when there was one, the catch
// is counted for exit and told.
func Text(exit, where, s string) string {
	m := form.MaskPIIOutgoing(s)
	if m != s {
		caught(exit, where)
	}
	return m
}

// Bytes is Text for bytes.
func Bytes(exit, where string, b []byte) []byte {
	m := form.MaskPIIOutgoing(string(b))
	if m == string(b) {
		return b
	}
	caught(exit, where)
	return []byte(m)
}

func caught(exit, where string) {
	mu.Lock()
	counts[exit]++
	f := onCatch
	mu.Unlock()
	if f != nil {
		f(exit, where)
	}
}

// Logger is a logger writing through h with every line masked (Handler),
// and made the one a catch at an exit is told to, at ERROR level.
func Logger(h slog.Handler) *slog.Logger {
	log := slog.New(Handler(h))
	OnCaught(func(exit, where string) {
		log.Error("a personnummer reached an exit unmasked and was masked there; please report this", "exit", exit, "where", where)
	})
	return log
}

// Handler masks what h is given to log: the message and every string
// value, in groups too. A caught log line is counted but not told (the
// telling would be logged).
func Handler(h slog.Handler) slog.Handler { return handler{h} }

type handler struct{ h slog.Handler }

func (g handler) Enabled(ctx context.Context, l slog.Level) bool { return g.h.Enabled(ctx, l) }

func (g handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, logText(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return g.h.Handle(ctx, out)
}

func (g handler) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = maskAttr(a)
	}
	return handler{g.h.WithAttrs(masked)}
}

func (g handler) WithGroup(name string) slog.Handler { return handler{g.h.WithGroup(name)} }

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, logText(v.String()))
	case slog.KindGroup:
		g := v.Group()
		masked := make([]any, len(g))
		for i, x := range g {
			masked[i] = maskAttr(x)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, logText(err.Error()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func logText(s string) string {
	m := form.MaskPIIOutgoing(s)
	if m != s {
		mu.Lock()
		counts[Log]++
		mu.Unlock()
	}
	return m
}

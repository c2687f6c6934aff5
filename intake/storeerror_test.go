package intake

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
)

// A failing database fails every message: it is logged once a minute,
// with the count of failures not logged, and once when it works again; a
// failure of one message is logged each time.
func TestStoreErrorLoggedOnceAMinute(t *testing.T) {
	var logged bytes.Buffer
	w := &Watcher{Logger: slog.New(slog.NewTextHandler(&logged, nil))}
	full := fmt.Errorf("record: %w", sqlite3.Error{Code: sqlite3.ErrFull})
	for range 5 {
		w.noteStoreError(full)
	}
	if n := strings.Count(logged.String(), "recording messages failed; they stay in INBOX"); n != 1 {
		t.Errorf("5 failures within a minute logged %d times, want once:\n%s", n, logged.String())
	}
	if st := w.Status(); !st.DiskFull || st.StoreError == "" {
		t.Errorf("status %+v, want the disk full", st)
	}
	w.errLog = w.errLog.Add(-61 * time.Second) // a minute on
	w.noteStoreError(full)
	if n := strings.Count(logged.String(), "recording messages failed; they stay in INBOX"); n != 2 ||
		!strings.Contains(logged.String(), "failures_not_logged=4") {
		t.Errorf("a minute later: logged %d times, want 2 with the 4 not logged:\n%s", n, logged.String())
	}
	w.noteStoreError(nil)
	if !strings.Contains(logged.String(), "recording messages works again") || w.Status().DiskFull {
		t.Errorf("recovery not logged or status kept:\n%s", logged.String())
	}
	logged.Reset()
	for range 3 {
		w.noteStoreError(errors.New("one message's fault"))
	}
	if n := strings.Count(logged.String(), "recording messages failed"); n != 3 {
		t.Errorf("a message's own failure logged %d times of 3", n)
	}
}

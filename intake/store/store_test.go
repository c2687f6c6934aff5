package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrateTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s := open(t, path)
	v1, err := s.SchemaVersion(context.Background())
	if err != nil || v1 < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v1, err)
	}
	s.Close()
	s = open(t, path)
	v2, _ := s.SchemaVersion(context.Background())
	if v2 != v1 {
		t.Errorf("version after reopening = %d, want %d", v2, v1)
	}
	var n int
	s.DB().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != v1 {
		t.Errorf("%d migration rows, want %d", n, v1)
	}
}

// TestCaseNumbersGapFree runs writers on two connections to one file, with
// some transactions rolled back, and checks the numbers are 1..n.
func TestCaseNumbersGapFree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	stores := []*Store{open(t, path), open(t, path)}
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := 0
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := stores[w%2]
			for i := 0; i < 40; i++ {
				rollback := (w+i)%5 == 0
				err := s.Tx(ctx, func(tx *Tx) error {
					seq, err := tx.NextCaseSeq(2026)
					if err != nil {
						return err
					}
					now := time.Now()
					if err := tx.InsertCase(&Case{ID: fmt.Sprintf("LH-2026-%04d", seq), Year: 2026, Seq: seq, Forbund: "x", CreatedAt: now}); err != nil {
						return err
					}
					if rollback {
						return errors.New("roll back")
					}
					return nil
				})
				if err == nil {
					mu.Lock()
					committed++
					mu.Unlock()
				} else if !rollback {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	cases, err := stores[0].Cases(ctx, CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != committed {
		t.Fatalf("%d cases, want %d", len(cases), committed)
	}
	for i, c := range cases {
		if c.Seq != i+1 {
			t.Fatalf("case %d has number %d: a gap", i, c.Seq)
		}
	}
}

func queue(t *testing.T, s *Store, m *OutMail) string {
	t.Helper()
	var st string
	err := s.Tx(context.Background(), func(tx *Tx) error {
		var err error
		st, err = tx.QueueMail(m, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRateLadderAndSuppression(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "x.db"))
	now := time.Now()
	for i := 0; i < 12; i++ {
		got := queue(t, s, &OutMail{Kind: "ack", Automatic: true, MessageID: fmt.Sprintf("a%d@x", i), From: "l@x", To: "Anna@x",
			Raw: []byte("x"), CreatedAt: now.Add(time.Duration(i) * time.Second)})
		want := OutQueued
		if i >= 10 {
			want = OutSuppressed
		}
		if got != want {
			t.Errorf("automatic mail %d: %s, want %s", i+1, got, want)
		}
	}
	// Not automatic: never capped.
	if got := queue(t, s, &OutMail{Kind: "notify_new", MessageID: "n@x", From: "l@x", To: "anna@x", Raw: []byte("x"), CreatedAt: now}); got != OutQueued {
		t.Errorf("notification: %s, want queued", got)
	}
	// An hour later the first step has room again, but not past 20/hour.
	later := now.Add(11 * time.Minute)
	if got := queue(t, s, &OutMail{Kind: "ack", Automatic: true, MessageID: "b@x", From: "l@x", To: "anna@x", Raw: []byte("x"), CreatedAt: later}); got != OutQueued {
		t.Errorf("after 11 minutes: %s, want queued", got)
	}

	// A permanent bounce suppresses automatic mail to the address.
	err := s.Tx(context.Background(), func(tx *Tx) error {
		m, err := tx.OutboxByMessageID("a0@x")
		if err != nil {
			return err
		}
		return tx.MarkBounced(m, now, "returned", now.Add(60*24*time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := queue(t, s, &OutMail{Kind: "ack", Automatic: true, MessageID: "c@x", From: "l@x", To: "anna@x", Raw: []byte("x"), CreatedAt: now.Add(20 * 24 * time.Hour)}); got != OutSuppressed {
		t.Errorf("after a bounce: %s, want suppressed", got)
	}
	if got := queue(t, s, &OutMail{Kind: "ack", Automatic: true, MessageID: "d@x", From: "l@x", To: "anna@x", Raw: []byte("x"), CreatedAt: now.Add(61 * 24 * time.Hour)}); got != OutQueued {
		t.Errorf("61 days after a bounce: %s, want queued", got)
	}
}

func TestOutboxLifecycle(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "x.db"))
	ctx := context.Background()
	now := time.Now()
	queue(t, s, &OutMail{Kind: "form", MessageID: "1@x", From: "l@x", To: "a@x", Raw: []byte("x"), CreatedAt: now})
	queue(t, s, &OutMail{Kind: "form", MessageID: "2@x", From: "l@x", To: "b@x", Raw: []byte("x"), CreatedAt: now})
	due, err := s.Due(ctx, now, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("Due = %d, %v", len(due), err)
	}
	if err := s.MarkSent(ctx, due[:1], now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, due[1], now.Add(time.Minute), "451 later"); err != nil {
		t.Fatal(err)
	}
	due, _ = s.Due(ctx, now, 10)
	if len(due) != 0 {
		t.Errorf("%d due right after, want 0", len(due))
	}
	next, ok, _ := s.NextDue(ctx)
	if !ok || !next.Equal(now.Add(time.Minute).Truncate(time.Millisecond)) && next.Sub(now) < 59*time.Second {
		t.Errorf("NextDue = %v, %v", next, ok)
	}
	due, _ = s.Due(ctx, now.Add(2*time.Minute), 10)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "451 later" {
		t.Fatalf("retry row = %+v", due)
	}
	called := false
	if err := s.MarkFailed(ctx, due[0], now, "550 no", func(tx *Tx) error { called = true; return nil }); err != nil {
		t.Fatal(err)
	}
	st, _ := s.OutboxStats(ctx)
	if !called || st.Queued != 0 || st.Failed != 1 {
		t.Errorf("stats %+v, hook called %v", st, called)
	}
}

func TestRawInChunksAndPurge(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "x.db"))
	ctx := context.Background()
	raw := make([]byte, 3*chunkSize+17)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	old := &Message{Key: "<a@x>", Mailbox: "INBOX", SHA256: "h", Kind: "quarantine", Reason: "r", Size: int64(len(raw)),
		Raw: raw, ReceivedAt: time.Now().AddDate(0, 0, -100)}
	recent := &Message{Key: "<b@x>", Mailbox: "INBOX", SHA256: "h2", Kind: "quarantine", Reason: "r", Size: 3,
		Raw: []byte{}, ReceivedAt: time.Now()}
	if err := s.Tx(ctx, func(tx *Tx) error {
		if err := tx.RecordMessage(old); err != nil {
			return err
		}
		return tx.RecordMessage(recent)
	}); err != nil {
		t.Fatal(err)
	}
	got, found, err := s.RawMessage(ctx, old.ID)
	if err != nil || !found || !bytes.Equal(got, raw) {
		t.Fatalf("RawMessage: %d bytes, found %v, %v; want %d bytes", len(got), found, err, len(raw))
	}
	if got, found, _ := s.RawMessage(ctx, recent.ID); !found || len(got) != 0 {
		t.Errorf("empty raw: %q, %v", got, found)
	}
	n, err := s.PurgeRaw(ctx, time.Now().AddDate(0, 0, -90))
	if err != nil || n != 1 {
		t.Fatalf("PurgeRaw = %d, %v; want 1", n, err)
	}
	if _, found, _ := s.RawMessage(ctx, old.ID); found {
		t.Error("raw message still there after the audit period")
	}
	if _, found, _ := s.RawMessage(ctx, recent.ID); !found {
		t.Error("a recent raw message was purged")
	}
}

// A statement not yet in the Store's cache is prepared once per
// transaction, not once per use: each prepared statement keeps a copy of
// the last value bound to it (1 MiB for a blob chunk) until it is closed.
func TestStatementPreparedOncePerTransaction(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "s.db"))
	q := `SELECT ? + 0`
	err := s.Tx(context.Background(), func(tx *Tx) error {
		for i := 0; i < 50; i++ {
			if _, err := tx.exec(q, i); err != nil {
				return err
			}
		}
		if len(tx.local) != 1 {
			t.Errorf("%d statements prepared in the transaction, want 1", len(tx.local))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// After the transaction the statement is in the Store's cache, and a
	// later transaction uses it rather than preparing it again.
	if _, ok := s.stmts.Load(q); !ok {
		t.Fatal("the statement is not in the Store's cache")
	}
	err = s.Tx(context.Background(), func(tx *Tx) error {
		for i := 0; i < 3; i++ {
			if _, err := tx.exec(q, i); err != nil {
				return err
			}
		}
		if _, again := s.wanted.Load(q); again || len(tx.local) != 1 {
			t.Errorf("statement prepared again in a later transaction (or wrapped more than once)")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// An upgrade keeps a copy of the database as it was before the first
// pending migration; Backup copies a database in use.
func TestUpgradeAndBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	// A version 1 database with one case, as the first release left it.
	uri, _ := fileURI(path, nil)
	raw, err := sql.Open("sqlite3", uri)
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := migrations.ReadFile("migrations/0001_init.sql")
	for _, q := range []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`, string(v1),
		`INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.000Z')`,
		`INSERT INTO cases (id, year, seq, forbund, created_at, updated_at) VALUES ('LH-2026-0001', 2026, 1, 'x', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	s := open(t, path)
	if v, _ := s.SchemaVersion(context.Background()); v < 2 {
		t.Fatalf("schema version %d after Open", v)
	}
	before, err := Open(context.Background(), path+".before-v2.bak")
	if err != nil {
		t.Fatalf("no backup before the upgrade: %v", err)
	}
	// Opening it migrates it too; the case must be there either way.
	if _, err := before.Case(context.Background(), "LH-2026-0001"); err != nil {
		t.Errorf("the pre-upgrade backup lacks the case: %v", err)
	}
	before.Close()

	dest := filepath.Join(dir, "copy.db")
	if err := s.Backup(context.Background(), dest); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(context.Background(), dest); err == nil {
		t.Error("Backup overwrote an existing file")
	}
	if st, err := os.Stat(dest); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v", err, st.Mode())
	}
	cp := open(t, dest)
	if c, err := cp.Case(context.Background(), "LH-2026-0001"); err != nil || c.Forbund != "x" {
		t.Errorf("backup: %v", err)
	}
}

// An attachment waiting in a file is stored chunk by chunk, whatever its
// size against the chunk size.
func TestAttachmentFromFile(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "x.db"))
	ctx := context.Background()
	for _, size := range []int{0, 5, chunkSize, 2*chunkSize + 3} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i * 13)
		}
		path := filepath.Join(t.TempDir(), "att")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		msg := &Message{Key: fmt.Sprintf("<f%d@x>", size), Mailbox: "INBOX", SHA256: "h", Kind: "new_case", Reason: "r", ReceivedAt: time.Now()}
		a := &Attachment{Filename: "a.pdf", ContentType: "application/pdf", Size: int64(size), SHA256: "x", File: path}
		if err := s.Tx(ctx, func(tx *Tx) error {
			if err := tx.RecordMessage(msg); err != nil {
				return err
			}
			a.MessageRow = msg.ID
			return tx.AddAttachment(a)
		}); err != nil {
			t.Fatal(err)
		}
		got, found, err := s.AttachmentContent(ctx, a.ID)
		if err != nil || !found || !bytes.Equal(got, data) {
			t.Errorf("size %d: found %v, %d bytes back, %v", size, found, len(got), err)
		}
	}
}

// Version 6 rebuilds the cases table to allow the level "vet ej": a
// version 5 database keeps every case, with its events, raised text and
// erasure stamp, and foreign keys hold again afterwards.
func TestRebuildKeepsCasesAndForeignKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v5.db")
	uri, _ := fileURI(path, url.Values{"_foreign_keys": {"on"}})
	raw, err := sql.Open("sqlite3", uri)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 5; v++ {
		names, _ := fs.Glob(migrations, fmt.Sprintf("migrations/%04d_*.sql", v))
		body, _ := migrations.ReadFile(names[0])
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		raw.Exec(`INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00.000Z')`, v)
	}
	for _, q := range []string{
		`INSERT INTO cases (id, year, seq, forbund, level, created_at, updated_at, raised, scrubbed_at, edited)
		 VALUES ('LH-2026-0001', 2026, 1, 'x', 'individ', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 'Lyft', '2026-02-01T00:00:00.000Z', 'redigerad')`,
		`INSERT INTO events (case_id, at, kind, actor) VALUES ('LH-2026-0001', '2026-01-01T00:00:00.000Z', 'created', 'a@b.example')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	s := open(t, path)
	ctx := context.Background()
	if v, _ := s.SchemaVersion(ctx); v < 6 {
		t.Fatalf("schema version %d", v)
	}
	c, err := s.Case(ctx, "LH-2026-0001")
	if err != nil || c.Level != "individ" || c.Raised != "Lyft" || c.Forbund != "x" {
		t.Fatalf("case after the rebuild: %+v, %v", c, err)
	}
	if ev, err := s.Timeline(ctx, "LH-2026-0001"); err != nil || len(ev) != 1 {
		t.Errorf("events after the rebuild: %v, %v", ev, err)
	}
	err = s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(`UPDATE cases SET level = 'vet ej' WHERE id = 'LH-2026-0001'`); err != nil {
			return fmt.Errorf("level vet ej: %w", err)
		}
		if _, err := tx.exec(`UPDATE cases SET level = 'kanske' WHERE id = 'LH-2026-0001'`); err == nil {
			return errors.New("a level outside the list was stored")
		}
		if _, err := tx.exec(`INSERT INTO events (case_id, at, kind, actor) VALUES ('LH-2099-0001', '2026-01-01T00:00:00.000Z', 'x', 'y')`); err == nil {
			return errors.New("an event of no case was stored: foreign keys are off")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

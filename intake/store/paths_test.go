package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Names that a file: URI would misread unescaped: "#" starts a fragment,
// "?" the query (mode=memory makes an empty database), "%" an escape.
var oddNames = []string{"bk#3.db", "x?mode=memory.db", "y?mode=ro&cache=shared.db", "a%41b.db", "a%2.db", "with space .db",
	"all #?% of=it&z.db"}

// withUmask runs the test under umask 022, which gives files SQLite makes
// itself mode 0644.
func withUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

// fill gives s rows in cases, messages (with a raw message in
// blob_chunks), outbox and events.
func fill(t *testing.T, s *Store) {
	t.Helper()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	err := s.Tx(context.Background(), func(tx *Tx) error {
		for i, id := range []string{"LH-2026-0001", "LH-2026-0002"} {
			if err := tx.InsertCase(&Case{ID: id, Year: 2026, Seq: i + 1, Forbund: "goteborg", CreatedAt: at}); err != nil {
				return err
			}
			m := &Message{Key: "<" + id + "@x>", Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i + 1), SHA256: "h" + id,
				Kind: "new_case", Reason: "r", CaseID: id, Size: 3, Raw: []byte("raw"), ReceivedAt: at}
			if err := tx.RecordMessage(m); err != nil {
				return err
			}
			if _, err := tx.QueueMail(&OutMail{CaseID: id, Kind: "ack", MessageID: "ack-" + id, From: "lh@x", To: "anna@x",
				Subject: "s", Body: "b", Raw: []byte("x"), CreatedAt: at, NextAttemptAt: at}, nil); err != nil {
				return err
			}
			for _, k := range []string{EventReceived, EventNote} {
				if err := tx.AddEvent(&Event{CaseID: id, At: at, Kind: k, Actor: "x", Summary: "s"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// files lists dir: name → mode.
func files(t *testing.T, dir string) map[string]os.FileMode {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]os.FileMode{}
	for _, e := range es {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = fi.Mode()
	}
	return out
}

func counts(t *testing.T, s *Store) map[string]int64 {
	t.Helper()
	conn, err := s.rdb.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := rowCounts(context.Background(), conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A database whose name holds "#", "?", "%" or spaces is that very file,
// and it and SQLite's side files are 0600.
func TestStoreOddPathsAndModes(t *testing.T) {
	withUmask(t)
	for _, name := range oddNames {
		dir := t.TempDir()
		path := filepath.Join(dir, name)
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		fill(t, s)
		got := files(t, dir)
		for n, m := range got {
			if n != name && n != name+"-wal" && n != name+"-shm" {
				t.Errorf("%s: a file %q beside the database", name, n)
			}
			if m.Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v, want 0600", name, n, m)
			}
		}
		if _, ok := got[name+"-wal"]; !ok {
			t.Errorf("%s: no -wal beside it: %v", name, got)
		}
		s.Close()
		s, err = Open(context.Background(), path)
		if err != nil {
			t.Fatalf("%s: reopen: %v", name, err)
		}
		if c, err := s.Case(context.Background(), "LH-2026-0002"); err != nil || c.Forbund != "goteborg" {
			t.Errorf("%s: the case is not in the file after reopening: %v", name, err)
		}
		s.Close()
	}
}

// An existing database left 0644 by an older version, with its side
// files, is made 0600.
func TestStoreOpenTightensModes(t *testing.T) {
	withUmask(t)
	path := filepath.Join(t.TempDir(), "old.db")
	s := open(t, path)
	fill(t, s)
	s.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.WriteFile(p, nil, 0o644) // creates the side files that are gone
		os.Chmod(p, 0o644)
	}
	s = open(t, path)
	for n, m := range files(t, filepath.Dir(path)) {
		if m.Perm() != 0o600 {
			t.Errorf("%s: mode %v after Open", n, m)
		}
	}
}

// A backup to a name with "#", "?", "%" or spaces is written to that
// file, 0600, and holds every row: nothing goes to "bk", and no backup of
// an empty database in memory is reported done.
func TestBackupOddPathsModesAndCounts(t *testing.T) {
	withUmask(t)
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "lexheller #1?mode=memory.db")
	s := open(t, src)
	fill(t, s)
	want := counts(t, s)
	for _, table := range []string{"cases", "messages", "outbox", "events", "blob_chunks"} {
		if want[table] == 0 {
			t.Fatalf("the fixture has no rows in %s", table)
		}
	}
	for _, name := range oddNames {
		dir := t.TempDir()
		dest := filepath.Join(dir, name)
		if err := s.Backup(ctx, dest); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := files(t, dir)
		if len(got) != 1 || got[name].Perm() != 0o600 {
			t.Errorf("%s: files after the backup: %v, want only it, mode 0600", name, got)
		}
		cp := open(t, dest)
		if c := counts(t, cp); !mapsEqual(c, want) {
			t.Errorf("%s: the copy holds %v, want %v", name, c, want)
		}
		cp.Close()
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// A copy that does not hold the rows the database held is removed, and
// the backup fails saying why.
func TestBackupVerifiesTheCopy(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "x.db"))
	fill(t, s)
	defer func() { afterCopy = nil }()
	afterCopy = func(uri string) {
		db, err := sql.Open("sqlite3", uri)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`DELETE FROM events WHERE kind = 'note'`); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	dest := filepath.Join(dir, "bad #1.db")
	err := s.Backup(ctx, dest)
	if err == nil || !strings.Contains(err.Error(), "the copy holds 2 rows of events, the database 4") {
		t.Errorf("Backup of a spoilt copy = %v", err)
	}
	if left := files(t, dir); len(left) != 0 {
		t.Errorf("the bad copy was left: %v", left)
	}

	// A copy that does not open at all.
	afterCopy = func(string) {
		os.WriteFile(dest, []byte("not a database, not at all, no; not even close to one"), 0o600)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Error("Backup reported a copy that is not a database done")
	}
	if left := files(t, dir); len(left) != 0 {
		t.Errorf("the bad copy was left: %v", left)
	}

	// A file in the way is neither overwritten nor removed.
	afterCopy = nil
	os.WriteFile(dest, []byte("mine"), 0o600)
	if err := s.Backup(ctx, dest); err == nil {
		t.Error("Backup wrote over a file")
	}
	if b, _ := os.ReadFile(dest); string(b) != "mine" {
		t.Errorf("the file in the way holds %q", b)
	}
	os.Remove(dest)
	link := filepath.Join(dir, "link.db")
	os.Symlink(filepath.Join(dir, "target.db"), link)
	if err := s.Backup(ctx, link); err == nil {
		t.Error("Backup wrote through a link")
	}
	if names := files(t, dir); len(names) != 1 {
		t.Errorf("files after a backup to a link: %v", names)
	}
}

// The rows are counted in the snapshot copied: writes while the backup
// runs never make a good copy look bad.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	s := open(t, path)
	fill(t, s)
	w := open(t, path) // another writer, as the daemon beside the CLI
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			if err := w.AddEvent(ctx, &Event{CaseID: "LH-2026-0001", At: time.Now(), Kind: EventNote, Actor: "x", Summary: "s"}); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	dir := t.TempDir()
	for i := range 20 {
		if err := s.Backup(ctx, filepath.Join(dir, fmt.Sprintf("b%d.db", i))); err != nil {
			t.Errorf("backup %d: %v", i, err)
		}
	}
	close(stop)
	if n := <-done; n == 0 {
		t.Error("nothing written during the backups")
	}
}

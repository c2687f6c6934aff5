// Package store is lexheller's system of record: cases, their timelines,
// attachments, the ingest ledger, the outbox and the participants, in one
// SQLite database (WAL, foreign keys, busy timeout).
//
// The schema lives in versioned migrations embedded in the binary and
// applied at Open, each in one transaction with its version row. The store
// only persists: it never sends, moves or logs on its own, and it imports no
// other lexheller package.
//
// Writes go through Tx, one transaction per unit of work, begun IMMEDIATE so
// that concurrent writers (the daemon and a CLI command) queue up rather
// than fail, which also keeps case numbers gap-free.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when a case or row does not exist.
var ErrNotFound = errors.New("store: not found")

// TimeFormat is how times are stored: UTC, millisecond, sortable as text.
const TimeFormat = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string { return t.UTC().Format(TimeFormat) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(TimeFormat, s)
	return t
}

// Store is an open database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

// Open opens (creating if needed) the database at path and applies any
// pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and a single
	// connection means no "database is locked" between our own goroutines.
	db.SetMaxOpenConns(1)
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the underlying handle, for backups and tests.
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	type mig struct {
		version int
		name    string
	}
	var all []mig
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: name must start with a number", n)
		}
		all = append(all, mig{v, n})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	for _, m := range all {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
			return fmt.Errorf("store: read migrations: %w", err)
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(m.name)
		if err != nil {
			return err
		}
		err = s.Tx(ctx, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, m.version, ts(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// SigningKey returns the deployment's secret for signed identifiers,
// creating it with newKey on first use.
func (s *Store) SigningKey(ctx context.Context, newKey func() []byte) ([]byte, error) {
	var key []byte
	err := s.Tx(ctx, func(tx *Tx) error {
		err := tx.tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'signing_key'`).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			key = newKey()
			_, err = tx.tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('signing_key', ?)`, key)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: signing key: %w", err)
	}
	return key, nil
}

// Tx is one write transaction.
type Tx struct {
	tx  *sql.Tx
	ctx context.Context
}

// Tx runs fn in one transaction, committing when fn returns nil and
// rolling back otherwise.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer sqlTx.Rollback()
	if err := fn(&Tx{tx: sqlTx, ctx: ctx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, q, args...)
}

// NextCaseID takes the next sequence number of year and returns it.
func (tx *Tx) NextCaseSeq(year int) (int, error) {
	var seq int
	err := tx.tx.QueryRowContext(tx.ctx,
		`INSERT INTO case_seq (year, last) VALUES (?, 1)
		 ON CONFLICT (year) DO UPDATE SET last = last + 1
		 RETURNING last`, year).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("store: next case number: %w", err)
	}
	return seq, nil
}

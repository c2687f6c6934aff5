// Package store is lexheller's system of record: cases, their timelines,
// attachments, the ingest ledger, the outbox and the participants, in one
// SQLite database (WAL, foreign keys, busy timeout).
//
// The schema lives in versioned migrations embedded in the binary and
// applied at Open, each in one transaction with its version row. The store
// only persists: it never sends, moves or logs on its own. Of lexheller's
// packages it imports only intake/form, for the form.Who that
// Case.Reporter returns to de-identify text; form imports none.
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
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3", and its online backup
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
	path   string
	db     *sql.DB  // the writer: one connection
	rdb    *sql.DB  // readers: WAL lets them run beside the writer
	stmts  sync.Map // query text → *sql.Stmt prepared on db
	wanted sync.Map // query texts to prepare after the current transaction
}

// Open opens (creating if needed) the database at path and applies any
// pending migrations. The database and SQLite's side files (-wal, -shm,
// -journal) are readable by the daemon's user only (0600).
func Open(ctx context.Context, path string) (*Store, error) {
	dsn := func(readOnly bool) (string, error) {
		q := url.Values{}
		q.Set("_journal_mode", "WAL")
		q.Set("_busy_timeout", "10000")
		q.Set("_foreign_keys", "on")
		q.Set("_synchronous", "NORMAL")
		if readOnly {
			q.Set("mode", "ro")
		} else {
			q.Set("_txlock", "immediate")
		}
		return fileURI(path, q)
	}
	// Only the daemon's user may read the cases. SQLite gives its side
	// files the main file's mode, so a new database is made 0600 before
	// SQLite opens it, and an old one is set to 0600 first.
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := chmodPrivate(path); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	uri, err := dsn(false)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db, err := sql.Open("sqlite3", uri)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// One writing connection: SQLite has one writer anyway, and a single
	// connection means no "database is locked" between our own goroutines.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Side files left by an older version, with the umask's mode.
	if err := chmodPrivate(path); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	if uri, err = dsn(true); err == nil {
		s.rdb, err = sql.Open("sqlite3", uri)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s for reading: %w", path, err)
	}
	s.rdb.SetMaxOpenConns(4)
	return s, nil
}

// fileURI is the SQLite URI of the file at path with the query q. The
// path is made absolute and escaped: a "?", "#" or "%" in a file name is
// part of the name, not the start of the query, of a fragment or of an
// escape (SQLite would otherwise open "bk" for "bk#3.db", or an empty
// database in memory for "x?mode=memory").
func fileURI(path string, q url.Values) (string, error) {
	if path == "" {
		return "", errors.New("no file name")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String(), nil
}

// sideFiles are the files SQLite keeps beside a database.
var sideFiles = []string{"-wal", "-shm", "-journal"}

// createPrivate creates path, empty and 0600, unless it exists. SQLite
// takes an empty file for an empty database.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// chmodPrivate sets the database at path and its side files, those that
// exist, to 0600.
func chmodPrivate(path string) error {
	for _, p := range append([]string{path}, sideNames(path)...) {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func sideNames(path string) []string {
	var out []string
	for _, s := range sideFiles {
		out = append(out, path+s)
	}
	return out
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	return errors.Join(s.rdb.Close(), s.db.Close())
}

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
	applied, err := s.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("store: read migrations: %w", err)
	}
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
		if applied > 0 {
			// An upgrade: keep the database as it was before changing it.
			dest := fmt.Sprintf("%s.before-v%d.bak", s.path, m.version)
			if _, err := os.Stat(dest); err == nil {
				dest = fmt.Sprintf("%s.before-v%d.%s.bak", s.path, m.version, time.Now().UTC().Format("20060102T150405"))
			}
			if err := s.backup(ctx, s.db, dest); err != nil {
				return fmt.Errorf("store: backup before migration %s: %w", m.name, err)
			}
			applied = 0 // one backup before the first pending migration
		}
		if err := s.apply(ctx, m.version, string(body)); err != nil {
			return fmt.Errorf("store: apply migration %s: %w", m.name, err)
		}
	}
	return nil
}

// rebuildsMarker marks a migration that rebuilds a table (SQLite cannot
// change a constraint in place): it runs with foreign keys off, as
// SQLite's procedure for it says, and they are checked before the commit.
const rebuildsMarker = "-- lexheller: rebuilds a table"

// apply runs one migration and records it, in one transaction.
func (s *Store) apply(ctx context.Context, version int, body string) error {
	rebuild := strings.Contains(body, rebuildsMarker)
	if rebuild {
		// One connection (SetMaxOpenConns(1)): the pragma holds for the
		// transaction below. It cannot change inside a transaction.
		if _, err := s.db.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return err
		}
		defer s.db.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	}
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, body); err != nil {
			return err
		}
		if rebuild {
			var table string
			err := tx.tx.QueryRowContext(ctx, `SELECT "table" FROM pragma_foreign_key_check LIMIT 1`).Scan(&table)
			switch {
			case err == nil:
				return fmt.Errorf("a row of %s refers to one that is gone", table)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, version, ts(time.Now()))
		return err
	})
}

// Backup copies the database to dest, a file that must not exist yet,
// with SQLite's online backup: consistent, and safe while the daemon runs.
// The copy is 0600, and it is opened and checked before Backup returns:
// each table must hold as many rows as the database did when the copy
// was taken. A copy that fails the check is removed.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Errorf("store: backup: %s exists; name a new file", dest)
	}
	return s.backup(ctx, s.rdb, dest)
}

func (s *Store) backup(ctx context.Context, from *sql.DB, dest string) (err error) {
	uri, err := fileURI(dest, nil)
	if err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	// Made here, 0600 and exclusively (never through a link, never over a
	// file), so that SQLite only writes into it, and gives its journal
	// the same mode.
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	f.Close()
	defer func() {
		if err != nil {
			for _, p := range append([]string{dest}, sideNames(dest)...) {
				os.Remove(p)
			}
			err = fmt.Errorf("store: backup to %s: %w", dest, err)
		}
	}()
	want, err := copyDB(ctx, from, uri)
	if err != nil {
		return err
	}
	if err := chmodPrivate(dest); err != nil {
		return err
	}
	if afterCopy != nil {
		afterCopy(uri)
	}
	if err := verifyCopy(ctx, uri, want); err != nil {
		return err
	}
	return chmodPrivate(dest)
}

// afterCopy, when set, runs between the copy and its check (for the
// tests, which spoil the copy).
var afterCopy func(uri string)

// copyDB copies the database of from into the file at uri and returns the
// rows of each table, counted in the snapshot copied.
func copyDB(ctx context.Context, from *sql.DB, uri string) (map[string]int64, error) {
	dst, err := sql.Open("sqlite3", uri)
	if err != nil {
		return nil, err
	}
	defer dst.Close()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer dconn.Close()
	sconn, err := from.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer sconn.Close()
	// One read transaction for the counts and the copy: the backup uses
	// the source connection's open transaction, so both see one snapshot
	// whatever the daemon writes meanwhile.
	if _, err := sconn.ExecContext(ctx, `BEGIN`); err != nil {
		return nil, err
	}
	defer sconn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	want, err := rowCounts(ctx, sconn, nil)
	if err != nil {
		return nil, fmt.Errorf("count the rows to copy: %w", err)
	}
	err = dconn.Raw(func(d any) error {
		return sconn.Raw(func(src any) error {
			b, err := d.(*sqlite3.SQLiteConn).Backup("main", src.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			done, err := b.Step(-1)
			if err == nil && !done {
				err = errors.New("the database was busy; try again")
			}
			if err != nil {
				b.Close()
				return err
			}
			return b.Finish()
		})
	})
	return want, err
}

// verifyCopy opens the copy at uri anew and checks that it holds the
// tables of want with as many rows each.
func verifyCopy(ctx context.Context, uri string, want map[string]int64) error {
	db, err := sql.Open("sqlite3", uri)
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("the copy does not open: %w", err)
	}
	defer conn.Close()
	got, err := rowCounts(ctx, conn, want)
	if err != nil {
		return fmt.Errorf("the copy does not read back: %w", err)
	}
	for _, t := range slices.Sorted(maps.Keys(want)) {
		if got[t] != want[t] {
			return fmt.Errorf("the copy holds %d rows of %s, the database %d: the copy is removed", got[t], t, want[t])
		}
	}
	return nil
}

// rowCounts counts the rows of the tables named in tables, or of every
// table when tables is nil.
func rowCounts(ctx context.Context, conn *sql.Conn, tables map[string]int64) (map[string]int64, error) {
	var names []string
	if tables != nil {
		names = slices.Sorted(maps.Keys(tables))
	} else {
		rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return nil, err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, errors.New("no tables")
		}
	}
	out := map[string]int64{}
	for _, t := range names {
		var n int64
		q := `SELECT count(*) FROM "` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
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
	s     *Store
	tx    *sql.Tx
	ctx   context.Context
	local map[string]*sql.Stmt // prepared in this transaction, closed with it
}

// Tx runs fn in one transaction, committing when fn returns nil and
// rolling back otherwise.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer s.prepareWanted(context.WithoutCancel(ctx))
	defer sqlTx.Rollback()
	tx := &Tx{s: s, tx: sqlTx, ctx: ctx}
	defer tx.closeLocal()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// stmt returns q prepared for this transaction. Statements are prepared
// once per Store and reused, since preparing costs more than running most
// of them. A statement not prepared yet is prepared in the transaction,
// and on the Store once the transaction has ended: the single writing
// connection is busy until then.
func (tx *Tx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := tx.local[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared, ok := tx.s.stmts.Load(q); ok {
		// database/sql keeps every wrapper until the transaction ends:
		// one per query, not one per use.
		st = tx.tx.StmtContext(tx.ctx, shared.(*sql.Stmt))
	} else {
		tx.s.wanted.Store(q, true)
		var err error
		if st, err = tx.tx.PrepareContext(tx.ctx, q); err != nil {
			return nil, err
		}
	}
	if tx.local == nil {
		tx.local = make(map[string]*sql.Stmt)
	}
	tx.local[q] = st
	return st, nil
}

// closeLocal closes the statements prepared in the transaction. Each one
// holds a copy of the values last bound to it (a 1 MiB blob chunk, say).
func (tx *Tx) closeLocal() {
	for _, st := range tx.local {
		st.Close()
	}
}

// prepareWanted prepares the statements transactions asked for.
func (s *Store) prepareWanted(ctx context.Context) {
	s.wanted.Range(func(q, _ any) bool {
		s.wanted.Delete(q)
		if _, ok := s.stmts.Load(q); ok {
			return true
		}
		if st, err := s.db.PrepareContext(ctx, q.(string)); err == nil {
			if _, loaded := s.stmts.LoadOrStore(q, st); loaded {
				st.Close()
			}
		}
		return true
	})
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(tx.ctx, args...)
}

// queryRow is QueryRowContext with a prepared statement.
func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	st, err := tx.stmt(q)
	if err != nil {
		// Let the error surface at Scan, as QueryRow does.
		return tx.tx.QueryRowContext(tx.ctx, q, args...)
	}
	return st.QueryRowContext(tx.ctx, args...)
}

// scanAll reads every row of a query with scan, closing the rows.
func scanAll[T any](rows *sql.Rows, err error, what string, scan func(scanner) (*T, error)) ([]*T, error) {
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// column returns the one column of rows (ids, UIDs), what says which for
// the error.
func column[T any](rows *sql.Rows, err error, what string) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// query is QueryContext with a prepared statement.
func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(tx.ctx, args...)
}

// NextCaseID takes the next sequence number of year and returns it.
func (tx *Tx) NextCaseSeq(year int) (int, error) {
	var seq int
	err := tx.queryRow(
		`INSERT INTO case_seq (year, last) VALUES (?, 1)
		 ON CONFLICT (year) DO UPDATE SET last = last + 1
		 RETURNING last`, year).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("store: next case number: %w", err)
	}
	return seq, nil
}

// Package store is the GORM adapter of refurbqa for SQLite (the embedded default) and
// PostgreSQL (the scale-out path). It owns the row types, converts them to and from the domain
// types of package audit, and turns database errors into the domain's error vocabulary
// (audit.ErrNotFound, audit.ErrConflict…), so nothing above it ever sees a gorm error.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/migrations"
)

// Dialects supported by Open.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Config says which database to open.
type Config struct {
	Driver string // SQLite or Postgres
	DSN    string // a file path (or file: URI) for SQLite, a URL or key=value DSN for PostgreSQL
	// ReadConns is the size of the read-only pool on SQLite (default 4). PostgreSQL uses one pool.
	ReadConns int
	// Now and Random default to the wall clock (UTC, microseconds) and crypto/rand.
	Now    func() time.Time
	Random io.Reader
}

// Store is the database of refurbqa. It is safe for concurrent use.
type Store struct {
	driver string
	write  *gorm.DB // one connection on SQLite, so writers queue in Go instead of failing busy
	read   *gorm.DB // read-only pool on SQLite; the same pool as write on PostgreSQL
	path   string   // the SQLite file, for backups
	now    func() time.Time
	random io.Reader
	ids    *audit.IDs
	// group is the group commit of the SQLite writer (nil on PostgreSQL), ckpt its background
	// checkpointer.
	group *committer
	ckpt  *checkpointer
	// turn lets the writers of other processes on the SQLite file have their turn (nil on
	// PostgreSQL, whose writers do not starve each other).
	turn   *writeTurn
	stmts  preparedStmts // hot-path read statements, prepared once on the read pool
	wstmts preparedStmts // hot-path write statements, prepared once on the write pool
	// positions caches the sample positions of lots, which never change.
	positions positionsCache
	// sessions is the console's session store (SessionStore), whose sweep Close stops.
	sessions sessions
}

// ErrConfig marks an error in the database configuration that no database could fix: an
// unknown driver, a DSN that cannot be parsed. A database that cannot be reached or opened (a
// refused connection, a missing directory, a file that is not a database) is not ErrConfig.
var ErrConfig = errors.New("database configuration")

// Open connects to the database and checks that it answers. It does not migrate.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{driver: cfg.Driver, now: cfg.Now, random: cfg.Random}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	}
	if s.random == nil {
		s.random = rand.Reader
	}
	s.ids = &audit.IDs{Random: s.random}
	gcfg := func() *gorm.Config {
		return &gorm.Config{
			Logger:                 logger.Discard,
			SkipDefaultTransaction: true,
			TranslateError:         true,
			NowFunc:                s.now,
		}
	}
	var err error
	switch cfg.Driver {
	case SQLite:
		path, werr := sqliteDSN(cfg.DSN, false)
		if werr != nil {
			return nil, werr
		}
		s.path = sqlitePath(cfg.DSN)
		// Processes opening a new database at once would race to switch it to WAL, which
		// SQLite refuses with "database is locked" rather than waiting: set-up takes the same
		// lock as migrations (on a file of its own, never on the database).
		unlock, lerr := lockDatabase(s.path)
		if lerr != nil {
			return nil, sqliteOpenError(cfg.DSN, lerr)
		}
		defer unlock()
		// Before SQLite first opens it, under the lock: a new database is created 0600 (SQLite
		// gives its -wal and -shm files the same mode), an existing one tightened.
		if perr := preparePrivate(s.path); perr != nil {
			return nil, fmt.Errorf("%w: open sqlite %s: %v", ErrConfig, cfg.DSN, perr)
		}
		if s.turn, err = openWriteTurn(s.path, writeTurnPatience); err != nil {
			return nil, sqliteOpenError(cfg.DSN, err)
		}
		opened := false
		defer func() {
			if !opened {
				_ = s.turn.close()
			}
		}()
		if s.write, err = gorm.Open(sqlite.Open(path), gcfg()); err != nil {
			return nil, sqliteOpenError(cfg.DSN, err)
		}
		wdb, _ := s.write.DB()
		wdb.SetMaxOpenConns(1)
		wdb.SetMaxIdleConns(1)
		wdb.SetConnMaxLifetime(0)
		if err := wdb.PingContext(ctx); err != nil {
			return nil, sqliteOpenError(cfg.DSN, err)
		}
		// The writer creates the file and switches it to WAL; readers may only open it then.
		if err := s.write.WithContext(ctx).Exec("PRAGMA journal_mode=WAL").Error; err != nil {
			return nil, sqliteOpenError(cfg.DSN, err)
		}
		// Checkpoints run off the commit path (checkpointer); the writer's automatic one is a
		// safety net only, for when the background one cannot keep up.
		for _, p := range writerPragmas {
			if err := s.write.WithContext(ctx).Exec(p).Error; err != nil {
				return nil, sqliteOpenError(cfg.DSN, err)
			}
		}
		cdb, cerr := gorm.Open(sqlite.Open(path), gcfg())
		if cerr != nil {
			return nil, sqliteOpenError(cfg.DSN, cerr)
		}
		ckdb, _ := cdb.DB()
		ckdb.SetMaxOpenConns(1)
		ckdb.SetMaxIdleConns(1)
		s.ckpt = newCheckpointer(ckdb)
		s.group = newCommitter(s.write, s.turn, s.ckpt.committed)
		rpath, _ := sqliteDSN(cfg.DSN, true)
		if s.read, err = gorm.Open(sqlite.Open(rpath), gcfg()); err != nil {
			return nil, sqliteOpenError(cfg.DSN, err)
		}
		n := cfg.ReadConns
		if n <= 0 {
			n = 4
		}
		rdb, _ := s.read.DB()
		rdb.SetMaxOpenConns(n)
		rdb.SetMaxIdleConns(n)
		opened = true // Close closes the turn from here on
	case Postgres:
		if strings.TrimSpace(cfg.DSN) == "" {
			return nil, fmt.Errorf("%w: postgres needs a DSN (REFURBQA_DSN)", ErrConfig)
		}
		// A DSN that cannot be parsed is a configuration error; one that parses but cannot
		// connect is not.
		if _, perr := pgconn.ParseConfig(cfg.DSN); perr != nil {
			return nil, fmt.Errorf("%w: postgres: %v", ErrConfig, perr)
		}
		if s.write, err = gorm.Open(postgres.New(postgres.Config{DSN: cfg.DSN}), gcfg()); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db, _ := s.write.DB()
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.read = s.write
	default:
		return nil, fmt.Errorf("%w: unknown database %q (want sqlite or postgres)", ErrConfig, cfg.Driver)
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("%s: %w", cfg.Driver, err)
	}
	return s, nil
}

// sqliteOpenError is a failure to open the SQLite database dsn. The cause is said once: a file
// system error already names the file the message starts with, so only its reason is kept.
func sqliteOpenError(dsn string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("open sqlite %s: %w", dsn, err)
}

// sqlitePath returns the file behind a SQLite DSN.
func sqlitePath(dsn string) string {
	p := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

// sqliteDSN builds the connection string with the settings refurbqa relies on: WAL, foreign
// keys, a busy timeout, IMMEDIATE write transactions (GORM drops FOR UPDATE on SQLite, so
// read-modify-write transactions must take the write lock at BEGIN) and full sync.
func sqliteDSN(dsn string, readOnly bool) (string, error) {
	path := sqlitePath(dsn)
	if path == "" {
		return "", fmt.Errorf("%w: sqlite needs a file path (REFURBQA_DSN)", ErrConfig)
	}
	if path == ":memory:" {
		return "", fmt.Errorf("%w: sqlite needs a file, not :memory:, so that readers and the writer share it", ErrConfig)
	}
	q := url.Values{}
	if i := strings.IndexByte(dsn, '?'); i >= 0 {
		var err error
		if q, err = url.ParseQuery(dsn[i+1:]); err != nil {
			return "", fmt.Errorf("%w: sqlite DSN %q: %v", ErrConfig, dsn, err)
		}
	}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(sqliteBusyTimeout.Milliseconds(), 10))
	if q.Get("_synchronous") == "" {
		q.Set("_synchronous", "FULL")
	}
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "true")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode(), nil
}

// sqliteBusyTimeout is how long a SQLite statement waits for a lock another connection holds
// before it fails with "database is locked". Writers yield to another process's waiting writer
// for much less (writeTurnPatience), well within it.
const sqliteBusyTimeout = 10 * time.Second

// Driver names the database in use.
func (s *Store) Driver() string { return s.driver }

// Now returns the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// writerPragmas tune the one SQLite writer connection: a WAL of up to 64 MiB before the writer
// checkpoints itself (the checkpointer normally does it first, on its own connection), the
// WAL file truncated back to 64 MiB after it restarts, and a 64 MiB page cache so that the
// indexes an intake batch touches stay in memory. synchronous stays FULL (sqliteDSN): an
// acknowledged write survives a power cut.
var writerPragmas = []string{
	"PRAGMA wal_autocheckpoint=16384",
	"PRAGMA journal_size_limit=67108864",
	"PRAGMA cache_size=-65536",
	"PRAGMA temp_store=MEMORY",
}

// Close stops the sweep of expired sessions, finishes the writes already queued, then releases
// every connection.
func (s *Store) Close() error {
	var errs []error
	s.sessions.close()
	if s.group != nil {
		s.group.close()
	}
	s.stmts.close()
	s.wstmts.close()
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.close())
	}
	defer func() { _ = s.turn.close() }()
	for _, g := range []*gorm.DB{s.write, s.read} {
		if g == nil {
			continue
		}
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
		if s.read == s.write {
			break
		}
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers on both pools.
func (s *Store) Ping(ctx context.Context) error {
	for _, g := range []*gorm.DB{s.write, s.read} {
		db, err := g.DB()
		if err != nil {
			return err
		}
		if err := db.PingContext(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Pools returns the connection pools by name, for their statistics: "write" and "read" on
// SQLite, "main" on PostgreSQL, where one pool serves both.
func (s *Store) Pools() map[string]*sql.DB {
	w, _ := s.write.DB()
	if s.read == s.write {
		return map[string]*sql.DB{"main": w}
	}
	r, _ := s.read.DB()
	return map[string]*sql.DB{"write": w, "read": r}
}

func (s *Store) gooseDialect() goose.Dialect {
	if s.driver == Postgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// Migrate applies every pending migration and returns the versions it applied, then gives a
// verification code to every record that has none (assignMissingCodes).
func (s *Store) Migrate(ctx context.Context) ([]int64, error) {
	fsys, err := migrations.FS(s.driver)
	if err != nil {
		return nil, err
	}
	db, err := s.write.DB()
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if s.driver == SQLite {
		unlock, err := lockDatabase(s.path)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if s.driver == Postgres {
		// Several instances may start at once on one database: a session advisory lock makes
		// them migrate one after the other. (On SQLite the write lock does the same.)
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(s.gooseDialect(), db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	var applied []int64
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	// What SQL cannot do on both databases alike: cryptographic verification codes for the
	// records stored without one (migration 12).
	if _, err := s.assignMissingCodes(ctx); err != nil {
		return applied, fmt.Errorf("apply migrations: %w", err)
	}
	return applied, nil
}

// newID makes an opaque, creation-ordered id with the given prefix.
func (s *Store) newID(prefix string) string {
	id, err := s.ids.New(prefix, s.now())
	if err != nil {
		// crypto/rand does not fail on supported platforms; a broken random source must not
		// produce guessable ids, so stop here.
		panic(fmt.Sprintf("store: random source failed: %v", err))
	}
	return id
}

// NewID exposes the id generator for callers that build records before storing them.
func (s *Store) NewID(prefix string) string { return s.newID(prefix) }

// translate maps gorm and driver errors to the domain vocabulary, with context.
func translate(err error, what string) error {
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &pg) && (pg.Code == "22021" || pg.Code == "22P05"):
		// PostgreSQL refuses NUL bytes and invalid UTF-8 in text, which SQLite stores: the
		// input is at fault, not the server.
		return fmt.Errorf("%s: text holds a character that cannot be stored: %w", what, audit.ErrInvalid)
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", what, audit.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %w", what, audit.ErrConflict)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fmt.Errorf("%s: refers to a record that does not exist: %w", what, audit.ErrInvalid)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return fmt.Errorf("%s: %w", what, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// tx runs fn in a write transaction. On SQLite the single writer connection and _txlock=immediate
// make read-modify-write sequences safe, and the transaction takes its turn with the writers of
// other processes (writeTurn); on PostgreSQL callers lock what they modify.
func (s *Store) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return turnTx(ctx, s.write, s.turn, fn)
}

// turnTx runs fn in a transaction on write once turn let the writers of other processes that
// wait go first; turn stops counting this store as waiting as soon as the transaction began.
func turnTx(ctx context.Context, write *gorm.DB, turn *writeTurn, fn func(tx *gorm.DB) error) error {
	release := turn.wait(ctx)
	defer release()
	return write.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		release()
		return fn(tx)
	})
}

// groupTx runs fn like tx, but on SQLite through the group commit: fn may share its
// transaction with other callers' (under a savepoint of its own, so it is still stored whole or
// not at all) and must be re-runnable, since it runs again alone when the group fails. rows is
// the size of the write, which bounds a group. The answer comes once the write committed or
// failed; a context that ends while the write is still queued drops it.
func (s *Store) groupTx(ctx context.Context, rows int, fn func(tx *gorm.DB) error) error {
	if s.group == nil {
		return s.tx(ctx, fn)
	}
	return s.group.do(ctx, rows, fn)
}

// Store implements every port of the domain.
var _ audit.Store = (*Store)(nil)

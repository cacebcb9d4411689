package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"
)

// preparedQuery is a statement of a hot path (authentication and scorecard reads on the read
// pool, a lot's samples on the write pool), written with ? placeholders and prepared once per
// pool, bypassing GORM's query building.
type preparedQuery struct {
	name string
	sql  string
}

// preparedStmts holds the statements prepared on one of the store's pools, by query name.
type preparedStmts struct {
	m sync.Map // name → *sql.Stmt
}

// close closes every prepared statement.
func (p *preparedStmts) close() {
	p.m.Range(func(_, v any) bool {
		_ = v.(*sql.Stmt).Close()
		return true
	})
}

// prepared returns q prepared on the read pool (database/sql re-prepares it on each pooled
// connection as needed).
func (s *Store) prepared(ctx context.Context, q preparedQuery) (*sql.Stmt, error) {
	return s.prepareOn(ctx, s.read, &s.stmts, q)
}

// preparedWrite returns q prepared on the write pool, for a write transaction to bind with
// (*sql.Tx).StmtContext: on SQLite's one writer connection it is prepared once and reused by
// every transaction. Preparing takes a connection of the pool: on SQLite, never call it from
// inside a write transaction, whose connection is the only one.
func (s *Store) preparedWrite(ctx context.Context, q preparedQuery) (*sql.Stmt, error) {
	return s.prepareOn(ctx, s.write, &s.wstmts, q)
}

func (s *Store) prepareOn(ctx context.Context, pool *gorm.DB, stmts *preparedStmts, q preparedQuery) (*sql.Stmt, error) {
	if st, ok := stmts.m.Load(q.name); ok {
		return st.(*sql.Stmt), nil
	}
	db, err := pool.DB()
	if err != nil {
		return nil, err
	}
	text := q.sql
	if s.driver == Postgres {
		text = dollarPlaceholders(text)
	}
	st, err := db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if prev, loaded := stmts.m.LoadOrStore(q.name, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// dollarPlaceholders rewrites ? placeholders as PostgreSQL's $1, $2… (the queries prepared
// here hold no ? inside literals).
func dollarPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

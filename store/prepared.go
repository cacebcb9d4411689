package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// preparedQuery is a read statement of a hot path (authentication, scorecard reads), written
// with ? placeholders and prepared once per read pool, bypassing GORM's query building.
type preparedQuery struct {
	name string
	sql  string
}

// preparedStmts holds the statements prepared on the store's read pool, by query name.
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
	db, err := s.read.DB()
	if err != nil {
		return nil, err
	}
	if st, ok := s.stmts.m.Load(q.name); ok {
		return st.(*sql.Stmt), nil
	}
	text := q.sql
	if s.driver == Postgres {
		text = dollarPlaceholders(text)
	}
	st, err := db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.m.LoadOrStore(q.name, st); loaded {
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

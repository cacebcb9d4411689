package store

import (
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"
)

// CountReads counts, from now on, the statements the store runs on its read pool, for the
// tests that hold a use case to a number of queries that does not grow with the data.
func (s *Store) CountReads() *atomic.Int64 {
	n := new(atomic.Int64)
	name := fmt.Sprintf("refurbqa:test:count-reads:%p", n)
	count := func(*gorm.DB) { n.Add(1) }
	if err := s.read.Callback().Query().Before("gorm:query").Register(name, count); err != nil {
		panic(err)
	}
	if err := s.read.Callback().Row().Before("gorm:row").Register(name, count); err != nil {
		panic(err)
	}
	return n
}

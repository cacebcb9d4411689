package store

import (
	"reflect"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
)

// Page limits of every list (audit.DefaultLimit, audit.MaxLimit).
const (
	DefaultLimit = audit.DefaultLimit
	MaxLimit     = audit.MaxLimit
)

// Page is audit.Page. Cursors carry the id of the last item served, and ids sort by creation.
type Page = audit.Page

// EncodeCursor and DecodeCursor are the domain's cursor codec (audit.EncodeCursor).
var (
	EncodeCursor = audit.EncodeCursor
	DecodeCursor = audit.DecodeCursor
)

func pageLimit(p Page) int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// apply runs q for one page into dest (a pointer to a slice of row structs with an ID field)
// ordered by id (descending when newestFirst) and returns the cursor of the next page, empty on
// the last one. It fetches one row more than the limit to know whether a next page exists.
func applyPage(p Page, q *gorm.DB, dest any, newestFirst bool) (string, error) {
	after, err := DecodeCursor(p.Cursor)
	if err != nil {
		return "", err
	}
	table := ""
	if q.Statement != nil && q.Statement.Table != "" {
		table = q.Statement.Table + "."
	}
	if after != "" {
		if newestFirst {
			q = q.Where(table+"id < ?", after)
		} else {
			q = q.Where(table+"id > ?", after)
		}
	}
	order := table + "id"
	if newestFirst {
		order += " DESC"
	}
	n := pageLimit(p)
	if err := q.Order(order).Limit(n + 1).Find(dest).Error; err != nil {
		return "", err
	}
	v := reflect.ValueOf(dest).Elem()
	if v.Len() <= n {
		return "", nil
	}
	v.SetLen(n)
	return EncodeCursor(v.Index(n - 1).FieldByName("ID").String()), nil
}

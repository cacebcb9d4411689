package store

import (
	"encoding/base64"
	"reflect"

	"gorm.io/gorm"

	"github.com/refurbqa/refurbqa/audit"
	"github.com/refurbqa/refurbqa/grading"
)

// Page limits of every list (audit.DefaultLimit, audit.MaxLimit).
const (
	DefaultLimit = audit.DefaultLimit
	MaxLimit     = audit.MaxLimit
)

// Page is audit.Page. Cursors carry the id of the last item served, and ids sort by creation.
type Page = audit.Page

// EncodeCursor makes an opaque cursor from the last id of a page.
func EncodeCursor(id string) string {
	if id == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(id))
}

// DecodeCursor reads a cursor made by EncodeCursor. Anything else is a validation error of the
// cursor field.
func DecodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 || len(b) > 64 {
		return "", badCursor()
	}
	for _, ch := range b {
		if !(ch == '_' || ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z') {
			return "", badCursor()
		}
	}
	return string(b), nil
}

// badCursor is the answer to a cursor that no list of this API made: a validation error that
// names the cursor parameter.
func badCursor() error {
	return audit.Invalid([]grading.FieldError{{Field: "cursor", Message: "is not a cursor this API made"}})
}

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

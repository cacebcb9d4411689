package audit

import (
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// All follows next_cursor to the last page, at the largest page size, and stops at an error.
func TestAll(t *testing.T) {
	items := make([]int, 1234)
	for i := range items {
		items[i] = i
	}
	var calls []Page
	list := func(p Page) ([]int, string, error) {
		calls = append(calls, p)
		from := 0
		if p.Cursor != "" {
			from, _ = strconv.Atoi(p.Cursor)
		}
		to := min(from+p.Limit, len(items))
		next := ""
		if to < len(items) {
			next = strconv.Itoa(to)
		}
		return items[from:to], next, nil
	}
	got, err := All(list)
	require.NoError(t, err)
	assert.Equal(t, items, got)
	assert.Equal(t, []Page{{Limit: MaxLimit}, {Limit: MaxLimit, Cursor: "500"}, {Limit: MaxLimit, Cursor: "1000"}}, calls)

	boom := errors.New("boom")
	_, err = All(func(Page) ([]int, string, error) { return nil, "", boom })
	assert.ErrorIs(t, err, boom)
}

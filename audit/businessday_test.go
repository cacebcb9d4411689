package audit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// at parses an RFC 3339 instant for tests.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v
}

func TestOneBusinessDayDeadline(t *testing.T) {
	// The week of 2026-10-05: Monday 5 to Sunday 11.
	tests := []struct {
		name string
		from string
		want string
	}{
		{"monday", "2026-10-05T10:00:00Z", "2026-10-06T10:00:00Z"},
		{"tuesday", "2026-10-06T08:15:00Z", "2026-10-07T08:15:00Z"},
		{"wednesday keeps nanoseconds", "2026-10-07T10:00:00.5Z", "2026-10-08T10:00:00.5Z"},
		{"thursday", "2026-10-08T10:00:00Z", "2026-10-09T10:00:00Z"},
		{"friday to monday", "2026-10-09T16:00:00Z", "2026-10-12T16:00:00Z"},
		{"friday last instant", "2026-10-09T23:59:59Z", "2026-10-12T23:59:59Z"},
		{"monday midnight", "2026-10-12T00:00:00Z", "2026-10-13T00:00:00Z"},
		{"saturday start", "2026-10-10T00:00:00Z", "2026-10-13T00:00:00Z"},
		{"saturday afternoon", "2026-10-10T15:00:00Z", "2026-10-13T00:00:00Z"},
		{"sunday", "2026-10-11T12:00:00Z", "2026-10-13T00:00:00Z"},
		{"sunday last instant", "2026-10-11T23:59:59.999Z", "2026-10-13T00:00:00Z"},
		{"across a year, no holidays", "2026-12-31T10:00:00Z", "2027-01-01T10:00:00Z"},
		{"new year's day is a business day", "2027-01-01T09:00:00Z", "2027-01-04T09:00:00Z"},
		{"weekend across a month", "2026-10-31T09:00:00Z", "2026-11-03T00:00:00Z"},
		{"friday in New York is saturday in UTC", "2026-10-09T23:30:00-05:00", "2026-10-13T00:00:00Z"},
		{"monday in Berlin is sunday in UTC", "2026-10-12T01:00:00+02:00", "2026-10-13T00:00:00Z"},
		{"offset weekday converted to UTC", "2026-10-08T12:00:00+02:00", "2026-10-09T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OneBusinessDayDeadline(at(t, tt.from))
			assert.True(t, got.Equal(at(t, tt.want)), "got %s, want %s", got, tt.want)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestWithinOneBusinessDay(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     bool
	}{
		{"same instant", "2026-10-06T10:00:00Z", "2026-10-06T10:00:00Z", true},
		{"to before from", "2026-10-06T10:00:00Z", "2026-10-05T10:00:00Z", true},
		{"weekday exactly at the deadline", "2026-10-06T10:00:00Z", "2026-10-07T10:00:00Z", true},
		{"weekday a nanosecond before", "2026-10-06T10:00:00Z", "2026-10-07T09:59:59.999999999Z", true},
		{"weekday one second after", "2026-10-06T10:00:00Z", "2026-10-07T10:00:01Z", false},
		{"thursday to friday", "2026-10-08T10:00:00Z", "2026-10-09T10:00:00Z", true},
		{"thursday to friday late", "2026-10-08T10:00:00Z", "2026-10-09T10:00:01Z", false},
		{"friday to saturday", "2026-10-09T16:00:00Z", "2026-10-10T12:00:00Z", true},
		{"friday to monday at the deadline", "2026-10-09T16:00:00Z", "2026-10-12T16:00:00Z", true},
		{"friday to monday one second late", "2026-10-09T16:00:00Z", "2026-10-12T16:00:01Z", false},
		{"friday to tuesday", "2026-10-09T16:00:00Z", "2026-10-13T09:00:00Z", false},
		{"saturday to monday evening", "2026-10-10T09:00:00Z", "2026-10-12T23:59:59Z", true},
		{"saturday to end of monday", "2026-10-10T09:00:00Z", "2026-10-13T00:00:00Z", true},
		{"saturday to tuesday one second", "2026-10-10T09:00:00Z", "2026-10-13T00:00:01Z", false},
		{"sunday to end of monday", "2026-10-11T22:00:00Z", "2026-10-13T00:00:00Z", true},
		{"sunday to tuesday one second", "2026-10-11T22:00:00Z", "2026-10-13T00:00:01Z", false},
		{"zones do not matter", "2026-10-06T12:00:00+02:00", "2026-10-07T06:00:00-04:00", true},
		{"zones do not matter, late", "2026-10-06T12:00:00+02:00", "2026-10-07T06:00:01-04:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, WithinOneBusinessDay(at(t, tt.from), at(t, tt.to)))
		})
	}
}

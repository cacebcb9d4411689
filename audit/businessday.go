package audit

import "time"

// OneBusinessDayDeadline returns the latest instant that is still "within one business day" of
// t (charter.md §2). Business days are Monday to Friday in UTC and public holidays are not
// modelled, so the rule is the same for every seller wherever it operates:
//
//   - from a weekday instant, the same clock time on the next business day (Thursday 10:00 →
//     Friday 10:00, Friday 16:00 → Monday 16:00);
//   - from a Saturday or Sunday instant, the end of the following Monday, returned as Tuesday
//     00:00:00 UTC. Monday 23:59:59.999999999 is within; the returned instant itself is also
//     treated as within by WithinOneBusinessDay, because the charter says "no later than" and
//     the end of Monday and the start of Tuesday are the same instant.
//
// The result is in UTC whatever the location of t.
func OneBusinessDayDeadline(t time.Time) time.Time {
	t = t.UTC()
	switch t.Weekday() {
	case time.Friday:
		return t.AddDate(0, 0, 3)
	case time.Saturday, time.Sunday:
		// Days until the Tuesday after the weekend: 3 from Saturday, 2 from Sunday.
		days := 3
		if t.Weekday() == time.Sunday {
			days = 2
		}
		y, m, d := t.Date()
		return time.Date(y, m, d+days, 0, 0, 0, 0, time.UTC)
	default:
		return t.AddDate(0, 0, 1)
	}
}

// WithinOneBusinessDay reports whether to is no later than OneBusinessDayDeadline(from); the
// deadline itself is within. It does not check that to comes after from (an instant before from
// is within): putting times in order is validation's job, so that a wrongly ordered record is
// refused with a precise field error rather than silently counted as late.
func WithinOneBusinessDay(from, to time.Time) bool {
	return !to.After(OneBusinessDayDeadline(from))
}

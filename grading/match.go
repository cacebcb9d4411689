package grading

// Rank orders marketplace grades for grade-accuracy checks (grading.md §7): premium 4,
// excellent 3, good 2, fair 1, and 0 for no grade at all (any unsellable outcome). An unknown
// value also ranks 0, so a corrupt stored grade can never look better than it is.
func Rank(m Marketplace) int {
	switch m {
	case Premium:
		return 4
	case Excellent:
		return 3
	case Good:
		return 2
	case Fair:
		return 1
	default:
		return 0
	}
}

// Compare tells whether the grade a listing promised (listed) matches the grade the lab observed
// (observed, empty when the device turned out unsellable). A seller whose device grades below
// its listing has overgraded it, which is what the quality charter penalises; grading above the
// listing is undergrading.
//
// listed must be a valid marketplace grade: a listing without a grade cannot be compared, and
// Compare then returns the empty Match, which callers store as null.
func Compare(observed, listed Marketplace) Match {
	if !listed.Valid() {
		return ""
	}
	o, l := Rank(observed), Rank(listed)
	switch {
	case o < l:
		return Overgraded
	case o > l:
		return Undergraded
	default:
		return MatchEqual
	}
}

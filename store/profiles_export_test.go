package store

// ProfileRecentSQL is the statement of a profile's recent scorecards, for the test of its query
// plan.
const ProfileRecentSQL = profileRecent

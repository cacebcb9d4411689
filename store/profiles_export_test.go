package store

// ProfileSQL is the statement of a public profile, for the test of its query plan.
var ProfileSQL = sellerProfile.sql

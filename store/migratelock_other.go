//go:build !unix

package store

// lockDatabase is a no-op where flock does not exist: start one instance first on such systems.
func lockDatabase(string) (func(), error) { return func() {}, nil }

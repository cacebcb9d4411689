//go:build !unix

package store

// lockFile is a no-op where flock does not exist: start one instance first on such systems.
func lockFile(string) (func(), error) { return func() {}, nil }

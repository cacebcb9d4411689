// Package migrations holds the versioned schema of refurbqa, one folder of goose SQL files per
// database dialect, embedded into the binary so that `refurbqa migrate` and `refurbqa serve`
// need nothing but the binary to bring a database up to date.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// FS returns the migrations of one dialect ("sqlite" or "postgres") as a file system whose root
// holds the numbered .sql files.
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case "sqlite", "postgres":
		return fs.Sub(files, dialect)
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
	}
}

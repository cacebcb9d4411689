package store

// lockPath names the file that lockDatabase locks for the SQLite database db.
func lockPath(db string) string { return db + ".lock" }

//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package wal

import "os"

// lockFile is advisory only where flock is missing: nothing is enforced.
func lockFile(*os.File) error { return nil }

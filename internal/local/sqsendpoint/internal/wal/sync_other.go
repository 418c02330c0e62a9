//go:build !linux

package wal

import "os"

// fdatasync flushes the file (os.File.Sync: F_FULLFSYNC on macOS).
func fdatasync(f *os.File) error { return f.Sync() }

// preallocate is a no-op where fallocate is missing: files grow as written.
func preallocate(*os.File, int64, int64) error { return nil }

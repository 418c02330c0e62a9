//go:build !linux

package sqsendpoint

import "os"

func fdatasyncFile(f *os.File) error { return f.Sync() }

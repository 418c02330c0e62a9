//go:build !linux

package sqsendpoint

import (
	"os"
	"time"
)

func fdatasyncFile(f *os.File) error { return f.Sync() }

// threadCPUTime falls back to the wall clock.
func threadCPUTime() time.Duration { return time.Duration(time.Now().UnixNano()) }

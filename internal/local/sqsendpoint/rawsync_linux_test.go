package sqsendpoint

import (
	"os"
	"syscall"
)

// fdatasyncFile is the raw primitive the durability benchmark compares
// against: what a durable acknowledgement costs at the least.
func fdatasyncFile(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

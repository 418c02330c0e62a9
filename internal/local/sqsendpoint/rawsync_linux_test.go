package sqsendpoint

import (
	"os"
	"syscall"
	"time"
	"unsafe"
)

// fdatasyncFile is the raw primitive the durability benchmark compares
// against: what a durable acknowledgement costs at the least.
func fdatasyncFile(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }

// threadCPUTime is the CPU time the calling thread has used (lock the
// goroutine to its thread around a measurement): time waiting for a CPU
// on a shared machine does not count.
func threadCPUTime() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

package lambdaruntime

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// sysProcAttr puts the bootstrap in its own process group, so a timeout or
// Close can kill it and anything it started, and asks the kernel to kill it
// if this process dies first, so no environment outlives the platform.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// memoryUsage reads the resident set and its peak, in KiB, from
// /proc/<pid>/status. ok is false when they cannot be read.
func memoryUsage(pid int) (rssKiB, peakKiB int64, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	rssKiB, okRSS := statusField(b, "VmRSS:")
	peakKiB, okPeak := statusField(b, "VmHWM:")
	return rssKiB, peakKiB, okRSS && okPeak
}

// statusField parses a line such as "VmRSS:\t   12345 kB".
func statusField(status []byte, name string) (int64, bool) {
	i := bytes.Index(status, []byte(name))
	if i < 0 {
		return 0, false
	}
	rest := status[i+len(name):]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	fields := bytes.Fields(rest)
	if len(fields) == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(fields[0]), 10, 64)
	return n, err == nil
}

// pendingBytes reports how many bytes wait unread in a pipe (FIONREAD).
func pendingBytes(fd uintptr) (int, bool) {
	var n int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	return int(n), errno == 0
}

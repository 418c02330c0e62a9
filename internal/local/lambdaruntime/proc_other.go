//go:build unix && !linux

package lambdaruntime

import "syscall"

// sysProcAttr puts the bootstrap in its own process group, so a timeout or
// Close can kill it and anything it started.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// memoryUsage is unavailable without /proc: memory is then neither enforced
// nor reported.
func memoryUsage(pid int) (rssKiB, peakKiB int64, ok bool) { return 0, 0, false }

// pendingBytes is not implemented here: log lines are then not waited for.
func pendingBytes(fd uintptr) (int, bool) { return 0, false }

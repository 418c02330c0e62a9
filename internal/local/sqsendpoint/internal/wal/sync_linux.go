package wal

import (
	"os"
	"syscall"
)

// fdatasync flushes the file's data and the metadata needed to read it.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// preallocate reserves [off, off+n) so that later writes there do not
// change the file's size.
func preallocate(f *os.File, off, n int64) error {
	for {
		err := syscall.Fallocate(int(f.Fd()), 0, off, n)
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EOPNOTSUPP, syscall.ENOSYS:
			return nil // the file grows as it is written instead
		}
		return err
	}
}

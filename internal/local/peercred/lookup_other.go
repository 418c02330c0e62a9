//go:build !linux

package peercred

import "net"

// Enforced reports whether Guard checks peers on this system: not here.
func Enforced() bool { return false }

// PeerUID is not available on this system.
func PeerUID(net.Conn) (uint32, error) { return 0, ErrUnsupported }

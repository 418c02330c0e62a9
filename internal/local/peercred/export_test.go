package peercred

import "net"

// GuardWithLookup is Guard with a stand-in for PeerUID.
func GuardWithLookup(l net.Listener, opts Options, lookup func(net.Conn) (uint32, error)) net.Listener {
	opts.lookup = lookup
	return Guard(l, opts)
}

// SetLookup replaces PeerUID for Check and Guard until the test ends.
func SetLookup(t interface{ Cleanup(func()) }, f func(net.Conn) (uint32, error)) {
	old := lookupPeer
	lookupPeer = f
	t.Cleanup(func() { lookupPeer = old })
}

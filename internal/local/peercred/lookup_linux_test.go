package peercred

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
)

// pair returns both ends of a loopback connection on network/addr.
func pair(t testing.TB, network, addr string) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback here: %v", network, err)
	}
	defer l.Close()
	client, err = net.Dial(network, l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestLookupsFindOwnSockets: both lookups find the process's own peer
// sockets, IPv4 and IPv6, and agree with each other.
func TestLookupsFindOwnSockets(t *testing.T) {
	me := uint32(os.Getuid())
	for _, tc := range []struct{ network, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}, {"tcp", "127.0.0.2:0"}} {
		t.Run(tc.addr, func(t *testing.T) {
			_, server := pair(t, tc.network, tc.addr)
			local, remote, err := endpoints(server)
			if err != nil {
				t.Fatal(err)
			}
			if uid, err := PeerUID(server); err != nil || uid != me {
				t.Errorf("PeerUID = %d, %v; want %d", uid, err, me)
			}
			if uid, err := diag.lookup(remote, local); err != nil || uid != me {
				t.Errorf("netlink = %d, %v; want %d", uid, err, me)
			}
			if uid, err := procLookup(remote, local); err != nil || uid != me {
				t.Errorf("/proc = %d, %v; want %d", uid, err, me)
			}
		})
	}
}

// TestClosedPeerIsNotFound: once the peer has closed its socket the kernel
// no longer knows its owner (uid 0, inode 0): that must never read as
// root's, whoever runs the test.
func TestClosedPeerIsNotFound(t *testing.T) {
	client, server := pair(t, "tcp4", "127.0.0.1:0")
	client.Close()
	local, remote, _ := endpoints(server)
	if uid, err := diag.lookup(remote, local); !errors.Is(err, ErrNotFound) {
		t.Errorf("netlink: %d, %v; want ErrNotFound", uid, err)
	}
	if uid, err := procLookup(remote, local); !errors.Is(err, ErrNotFound) {
		t.Errorf("/proc: %d, %v; want ErrNotFound", uid, err)
	}
	// A port nobody holds.
	gone := netip.AddrPortFrom(remote.Addr(), 1)
	if _, err := diag.lookup(gone, local); !errors.Is(err, ErrNotFound) {
		t.Errorf("netlink, no such socket: %v; want ErrNotFound", err)
	}
}

func TestFindSocket(t *testing.T) {
	table := []byte(`  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2454 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1063 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9CFD 0100007F:2454 01 00000000:00000000 00:00000000 00000000  1000        0 4521 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:9CFE 0100007F:2454 06 00000000:00000000 03:00000201 00000000     0        0 0 3 0000000000000000
   3: 0100007F:9CFF 0100007F:2454 04 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
   4: 0100007F:9D00 0100007F:2454 01 00000000:00000000 00:00000000 00000000  zzz        0 4522 1 0000000000000000 20 4 30 10 -1
`)
	tests := []struct {
		name, local string
		uid         uint32
		err         error
	}{
		{"established, uid 1000", "0100007F:9CFD", 1000, nil},
		{"time wait reads as uid 0: refused", "0100007F:9CFE", 0, ErrNotFound},
		{"orphaned (inode 0): refused", "0100007F:9CFF", 0, ErrNotFound},
		{"absent", "0100007F:1234", 0, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			uid, err := findSocket(table, tc.local, "0100007F:2454")
			if uid != tc.uid || !errors.Is(err, tc.err) {
				t.Errorf("got %d, %v; want %d, %v", uid, err, tc.uid, tc.err)
			}
		})
	}
	if _, err := findSocket(table, "0100007F:9D00", "0100007F:2454"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("an unreadable line: %v, want a parse error", err)
	}
}

func TestProcAddr(t *testing.T) {
	// /proc prints each 32-bit word in host byte order; these are the
	// little-endian (amd64, arm64) forms.
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the expected forms are little-endian")
	}
	tests := []struct {
		ap   string
		six  bool
		want string
	}{
		{"127.0.0.1:9324", false, "0100007F:246C"},
		{"[::1]:3000", true, "00000000000000000000000001000000:0BB8"},
		{"127.0.0.1:80", true, "0000000000000000FFFF00000100007F:0050"},
	}
	for _, tc := range tests {
		if got := procAddr(netip.MustParseAddrPort(tc.ap), tc.six); got != tc.want {
			t.Errorf("procAddr(%s, %v) = %s, want %s", tc.ap, tc.six, got, tc.want)
		}
	}
}

package peercred

import (
	"bytes"
	"net"
	"os"
	"testing"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// acceptCycle dials l and accepts the connection through accept, then
// closes both ends: what one short client connection costs the server.
func acceptCycle(b *testing.B, l net.Listener, accept func() (net.Conn, error)) func() {
	return func() {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		s, err := accept()
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
		c.Close()
	}
}

// BenchmarkGuardedAccept: a connection accepted through Guard (netlink
// lookup) against the same connection accepted bare; x-bare-accept is the
// ratio, and the difference in ns/op is the uid check's cost per accepted
// connection.
func BenchmarkGuardedAccept(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	g := Guard(l, Options{})
	benchcmp.Ratio(b, acceptCycle(b, l, g.Accept), map[string]func(){"bare-accept": acceptCycle(b, l, l.Accept)})
}

// BenchmarkLookup times the two ways of finding a peer's uid on one
// established loopback connection, each against a bare accept cycle.
func BenchmarkLookup(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	server, err := l.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer server.Close()
	local, remote, _ := endpoints(server)
	me := uint32(os.Getuid())
	check := func(uid uint32, err error) {
		if err != nil || uid != me {
			b.Fatalf("lookup: %d, %v", uid, err)
		}
	}
	bare := map[string]func(){"bare-accept": acceptCycle(b, l, l.Accept)}
	b.Run("netlink", func(b *testing.B) {
		benchcmp.Ratio(b, func() { check(diag.lookup(remote, local)) }, bare)
	})
	b.Run("proc", func(b *testing.B) {
		benchcmp.Ratio(b, func() { check(procLookup(remote, local)) }, bare)
		// Its cost grows with the socket table (TIME_WAIT included), which
		// the accept cycles above have filled.
		if table, err := os.ReadFile("/proc/net/tcp"); err == nil {
			b.ReportMetric(float64(bytes.Count(table, []byte("\n"))-1), "ipv4-sockets")
		}
	})
}

package peercred

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
)

// Errors of PeerUID.
var (
	// ErrUnsupported: this system offers no way to identify a TCP peer.
	ErrUnsupported = errors.New("peer identification is not supported on this system")
	// ErrNotFound: no live socket on this machine is the connection's other
	// end (a remote peer, or one that has closed its socket already).
	ErrNotFound = errors.New("the peer socket is not on this machine or is already closed")
)

// lookupPeer is PeerUID; tests replace it to see Check and Guard fail
// closed.
var lookupPeer = PeerUID

// Options configures Guard.
type Options struct {
	// Name names the listener in log lines ("SQS endpoint").
	Name string
	// Logger receives a warning per refused connection; nil discards.
	Logger *slog.Logger
	// Owner is the uid allowed in; nil means the process's own uid.
	Owner *uint32
	// lookup replaces PeerUID in tests.
	lookup func(net.Conn) (uint32, error)
}

// Guard returns a listener whose Accept hands over only connections from
// the owner's uid (see the package doc). On systems where Enforced is false
// it returns l unchanged.
func Guard(l net.Listener, opts Options) net.Listener {
	if opts.lookup == nil {
		if !Enforced() {
			return l
		}
		opts.lookup = lookupPeer
	}
	owner := uint32(os.Getuid())
	if opts.Owner != nil {
		owner = *opts.Owner
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &guarded{Listener: l, name: opts.Name, owner: owner, log: logger, lookup: opts.lookup}
}

type guarded struct {
	net.Listener
	name   string
	owner  uint32
	log    *slog.Logger
	lookup func(net.Conn) (uint32, error)
}

// Accept returns the next connection from the owner; it closes every other
// one it takes from the underlying listener on the way.
func (g *guarded) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uid, err := g.lookup(c)
		if err == nil && uid == g.owner {
			return c, nil
		}
		remote := c.RemoteAddr().String()
		_ = c.Close()
		if err != nil {
			g.log.Warn("connection refused: its user could not be identified",
				"event", "connection_refused", "listener", g.name, "remote_addr", remote, "owner_uid", g.owner, "err", err.Error())
			continue
		}
		g.log.Warn("connection refused: another user (pass --allow-other-users to let other users in)",
			"event", "connection_refused", "listener", g.name, "remote_addr", remote, "peer_uid", uid, "owner_uid", g.owner)
	}
}

// CheckLoopback refuses a listener bound beyond this machine: any address
// that is not loopback, the unspecified 0.0.0.0 and [::] included. flag
// names the setting and addr its value as given, for the message.
func CheckLoopback(l net.Listener, flag, addr string) error {
	bound, ok := l.Addr().(*net.TCPAddr)
	if ok && bound.IP.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s %s is reachable from other machines (it listens on %s, not a loopback address); the local platform has no authentication, "+
		"so it listens on 127.0.0.1 or ::1 only unless you pass --allow-other-users (or set SQSGATE_ALLOW_OTHER_USERS=true)",
		flag, addr, l.Addr())
}

// Check looks up the peer of one connection to itself, so a caller can
// refuse to start, with a clear message, where the lookup cannot work
// (a sandbox without /proc/net or netlink) instead of refusing every
// connection later.
func Check() error {
	if !Enforced() {
		return ErrUnsupported
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		return err
	}
	defer client.Close()
	server, err := l.Accept()
	if err != nil {
		return err
	}
	defer server.Close()
	uid, err := lookupPeer(server)
	if err != nil {
		return err
	}
	if uid != uint32(os.Getuid()) {
		return fmt.Errorf("a connection to itself reads as uid %d, not %d", uid, os.Getuid())
	}
	return nil
}

package peercred

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Enforced reports whether Guard checks peers on this system.
func Enforced() bool { return true }

// PeerUID returns the uid owning the other end of c, a TCP connection whose
// peer is a socket on this machine.
func PeerUID(c net.Conn) (uint32, error) {
	local, remote, err := endpoints(c)
	if err != nil {
		return 0, err
	}
	// The peer's socket has our remote address as its local one.
	uid, err := diag.lookup(remote, local)
	if errors.Is(err, errNetlinkUnavailable) {
		return procLookup(remote, local)
	}
	return uid, err
}

func endpoints(c net.Conn) (local, remote netip.AddrPort, err error) {
	l, ok1 := c.LocalAddr().(*net.TCPAddr)
	r, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return local, remote, fmt.Errorf("peercred: not a TCP connection (%T)", c.LocalAddr())
	}
	return l.AddrPort(), r.AddrPort(), nil
}

// A socket's owner is only known while a process holds it: the kernel
// reports uid 0 and inode 0 for an orphaned socket (closed by its process,
// still finishing) and for TIME_WAIT, so those are refused rather than read
// as root's.
const tcpTimeWait = 6

func owner(state uint8, uid uint32, inode uint64) (uint32, error) {
	if inode == 0 || state == tcpTimeWait {
		return 0, ErrNotFound
	}
	return uid, nil
}

// --- netlink sock_diag -----------------------------------------------------

const (
	netlinkSockDiag  = 4  // NETLINK_SOCK_DIAG
	sockDiagByFamily = 20 // SOCK_DIAG_BY_FAMILY
	inetDiagNoCookie = ^uint32(0)
	reqLen           = syscall.NLMSG_HDRLEN + 56 // nlmsghdr + inet_diag_req_v2
	// Offsets in inet_diag_msg: family, state, timer, retrans (4 bytes),
	// inet_diag_sockid (48), expires, rqueue, wqueue (12), then uid, inode.
	msgStateOff = 1
	msgUIDOff   = 4 + 48 + 12
	msgInodeOff = msgUIDOff + 4
	msgMinLen   = msgInodeOff + 4
)

var errNetlinkUnavailable = errors.New("peercred: netlink sock_diag unavailable")

// diagSocket is one netlink socket shared by every lookup; a lookup is one
// request and one answer, so a mutex costs less than a socket per lookup.
type diagSocket struct {
	mu     sync.Mutex
	fd     int
	broken bool // netlink refused: use /proc from now on
	seq    uint32
	buf    [8192]byte
}

var diag = &diagSocket{fd: -1}

func (d *diagSocket) lookup(src, dst netip.AddrPort) (uint32, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.broken {
		return 0, errNetlinkUnavailable
	}
	if d.fd < 0 {
		fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
		if err != nil {
			d.broken = true
			return 0, errNetlinkUnavailable
		}
		// An answer never takes long; a kernel that gives none must not
		// hold Accept.
		tv := syscall.NsecToTimeval(int64(time.Second))
		_ = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
		d.fd = fd
	}
	uid, err := d.exchange(src, dst)
	if err != nil && !errors.Is(err, ErrNotFound) {
		// Start afresh next time: a half-read answer must not be taken
		// for the next lookup's.
		_ = syscall.Close(d.fd)
		d.fd = -1
		if errors.Is(err, syscall.EPROTONOSUPPORT) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
			d.broken = true
			return 0, errNetlinkUnavailable
		}
	}
	return uid, err
}

// exchange sends one exact lookup for the TCP socket src→dst and reads its
// answer.
func (d *diagSocket) exchange(src, dst netip.AddrPort) (uint32, error) {
	d.seq++
	seq := d.seq
	var req [reqLen]byte
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], reqLen)
	ne.PutUint16(req[4:], sockDiagByFamily)
	ne.PutUint16(req[6:], syscall.NLM_F_REQUEST)
	ne.PutUint32(req[8:], seq)
	r := req[syscall.NLMSG_HDRLEN:]
	family := uint8(syscall.AF_INET6)
	if src.Addr().Is4() && dst.Addr().Is4() {
		family = syscall.AF_INET
	}
	r[0], r[1] = family, syscall.IPPROTO_TCP
	ne.PutUint32(r[4:], ^uint32(0)) // every state
	id := r[8:]
	binary.BigEndian.PutUint16(id[0:], src.Port())
	binary.BigEndian.PutUint16(id[2:], dst.Port())
	putAddr(id[4:20], src.Addr(), family)
	putAddr(id[20:36], dst.Addr(), family)
	ne.PutUint32(id[40:], inetDiagNoCookie)
	ne.PutUint32(id[44:], inetDiagNoCookie)
	if err := syscall.Sendto(d.fd, req[:], 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return 0, fmt.Errorf("peercred: netlink send: %w", err)
	}
	for {
		n, _, err := syscall.Recvfrom(d.fd, d.buf[:], 0)
		if err != nil {
			return 0, fmt.Errorf("peercred: netlink receive: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(d.buf[:n])
		if err != nil {
			return 0, fmt.Errorf("peercred: netlink answer: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != seq {
				continue // an answer to an earlier, abandoned lookup
			}
			switch m.Header.Type {
			case syscall.NLMSG_ERROR:
				if len(m.Data) < 4 {
					return 0, errors.New("peercred: short netlink error")
				}
				errno := syscall.Errno(-int32(ne.Uint32(m.Data)))
				if errno == syscall.ENOENT {
					return 0, ErrNotFound
				}
				return 0, fmt.Errorf("peercred: netlink: %w", errno)
			case sockDiagByFamily:
				if len(m.Data) < msgMinLen {
					return 0, errors.New("peercred: short sock_diag answer")
				}
				return owner(m.Data[msgStateOff], ne.Uint32(m.Data[msgUIDOff:]), uint64(ne.Uint32(m.Data[msgInodeOff:])))
			}
		}
	}
}

// putAddr writes a as inet_diag_sockid wants it: 4 bytes for AF_INET, 16
// (IPv4 mapped when needed) for AF_INET6.
func putAddr(b []byte, a netip.Addr, family uint8) {
	if family == syscall.AF_INET {
		v4 := a.Unmap().As4()
		copy(b, v4[:])
		return
	}
	v6 := a.As16()
	copy(b, v6[:])
}

// --- /proc/net/tcp{,6} ------------------------------------------------------

// procLookup finds the socket src→dst in /proc/net/tcp or tcp6. An IPv4
// peer may hold an AF_INET socket (tcp) or a dual-stack AF_INET6 one whose
// addresses are IPv4-mapped (tcp6).
func procLookup(src, dst netip.AddrPort) (uint32, error) {
	type table struct {
		file     string
		src, dst string
	}
	var tables []table
	if src.Addr().Unmap().Is4() && dst.Addr().Unmap().Is4() {
		tables = append(tables, table{"/proc/net/tcp", procAddr(src, false), procAddr(dst, false)})
	}
	tables = append(tables, table{"/proc/net/tcp6", procAddr(src, true), procAddr(dst, true)})
	for _, t := range tables {
		data, err := os.ReadFile(t.file)
		if err != nil {
			continue // no IPv6, for one
		}
		if uid, err := findSocket(data, t.src, t.dst); !errors.Is(err, ErrNotFound) {
			return uid, err
		}
	}
	return 0, ErrNotFound
}

// procAddr formats an address as /proc/net/tcp does: each 32-bit word of
// the address in host byte order as hex, then the port in hex.
func procAddr(ap netip.AddrPort, six bool) string {
	var b []byte
	if six {
		a := ap.Addr().As16()
		b = a[:]
	} else {
		a := ap.Addr().Unmap().As4()
		b = a[:]
	}
	out := make([]byte, 0, 2*len(b)+5)
	for i := 0; i < len(b); i += 4 {
		out = fmt.Appendf(out, "%08X", binary.NativeEndian.Uint32(b[i:]))
	}
	return string(fmt.Appendf(out, ":%04X", ap.Port()))
}

// findSocket scans a /proc/net/tcp table for the socket with these local
// and remote addresses: "sl local rem st tx:rx tr:when retrnsmt uid timeout
// inode ...".
func findSocket(table []byte, local, remote string) (uint32, error) {
	key := []byte(" " + local + " " + remote + " ")
	for len(table) > 0 {
		line := table
		if i := bytes.IndexByte(table, '\n'); i >= 0 {
			line, table = table[:i], table[i+1:]
		} else {
			table = nil
		}
		if !bytes.Contains(line, key) {
			continue
		}
		f := bytes.Fields(line)
		if len(f) < 10 || string(f[1]) != local || string(f[2]) != remote {
			continue
		}
		state, err1 := strconv.ParseUint(string(f[3]), 16, 8)
		uid, err2 := strconv.ParseUint(string(f[7]), 10, 32)
		inode, err3 := strconv.ParseUint(string(f[9]), 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return 0, fmt.Errorf("peercred: unreadable socket table line %q: %w", line, err)
		}
		return owner(uint8(state), uint32(uid), inode)
	}
	return 0, ErrNotFound
}

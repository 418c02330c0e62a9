// Package peercred lets only the user who started the local platform talk
// to its TCP listeners.
//
// A loopback port is reachable by every process on the machine, whatever
// its user: on a shared dev box or a CI runner another user could long-poll
// a function's Runtime API and answer its invocations (an authorizer's "yes"
// included), invoke functions with forged authorizer context, or read every
// queued message. Guard wraps a listener so that Accept hands over only
// connections whose peer socket belongs to the owner's uid; others are
// closed at once and logged with the peer's uid.
//
// On Linux the peer's uid is read from the kernel's socket table: by an
// exact NETLINK_SOCK_DIAG lookup of the peer socket (one request, no
// capability needed), falling back to /proc/net/tcp and /proc/net/tcp6 when
// netlink is unavailable. The peer socket is the one whose local address is
// the connection's remote address and whose remote address is the
// connection's local address; it exists on this machine only for a local
// peer, so a connection from elsewhere is refused too. A peer that has
// already closed its socket (inode 0: the kernel no longer knows its owner)
// or sits in TIME_WAIT is refused: fail closed.
//
// On other systems no peer identity is available for TCP: Guard then
// enforces nothing and Enforced reports false, so the caller can say so.
// Loopback-only binding (CheckLoopback) is enforced everywhere.
package peercred

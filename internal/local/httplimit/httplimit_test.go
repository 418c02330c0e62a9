package httplimit_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/httplimit"
)

// short limits keep the tests quick; the code paths are the defaults'.
var short = httplimit.Limits{
	ReadHeaderTimeout: 200 * time.Millisecond,
	BodyTimeout:       200 * time.Millisecond,
	WriteTimeout:      200 * time.Millisecond,
	IdleTimeout:       200 * time.Millisecond,
	MaxConns:          2,
}

// failAfter bounds a client's wait: only a broken server reaches it. It
// is below every default, so a short limit replaced by its default fails.
const failAfter = 5 * time.Second

func serve(t *testing.T, lim httplimit.Limits, h http.HandlerFunc) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := httplimit.Serve(l, h, lim, nil)
	t.Cleanup(func() { stop() })
	return l.Addr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(failAfter))
	return c
}

// waitClosed reads until the server ends the connection and returns what
// came before.
func waitClosed(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the connection open for %v (read so far %q)", failAfter, b)
	}
	return string(b)
}

// TestSlowBodyIsCut: a client that sends part of its body and stalls is
// cut at BodyTimeout, and the handler's read says so.
func TestSlowBodyIsCut(t *testing.T) {
	readErr := make(chan error, 1)
	addr := serve(t, short, func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
		w.WriteHeader(http.StatusRequestTimeout)
	})
	c := dial(t, addr)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789")
	waitClosed(t, c)
	if err := <-readErr; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("handler's body read ended with %v, want the deadline", err)
	}
}

// TestSlowHeadersAreCut: a client that never finishes its headers is cut.
func TestSlowHeadersAreCut(t *testing.T) {
	addr := serve(t, short, func(http.ResponseWriter, *http.Request) { t.Error("a request without its headers was served") })
	c := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
	waitClosed(t, c)
}

// TestIdleConnectionIsClosed: a kept-alive connection with no next request
// is closed at IdleTimeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	addr := serve(t, short, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	c := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first response: %v %v", resp, err)
	}
	// Never closed before this change: the only limit was the header
	// timeout, which an idle connection never starts.
	waitClosed(t, c)
}

// TestLongPollsAreNotCut: handlers that wait longer than every timeout
// after reading their request (SQS's 20 s ReceiveMessage, the Runtime
// API's /next) still answer, with their context intact, and a second long
// poll on the same connection is not cut by the first one's deadline.
func TestLongPollsAreNotCut(t *testing.T) {
	const poll = 5 * 200 * time.Millisecond // longer than each timeout in short
	addr := serve(t, short, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		select {
		case <-time.After(poll): // the long poll under test, not a synchronisation
		case <-r.Context().Done():
			t.Errorf("the request's context ended during the poll: %v", r.Context().Err())
		}
		io.WriteString(w, "polled "+string(body))
	})
	c := dial(t, addr)
	br := bufio.NewReader(c)
	for i, req := range []string{
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nsqs1",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nsqs2",
		"GET /next HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		io.WriteString(c, req)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("long poll %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "polled") {
			t.Errorf("long poll %d: %d %q", i, resp.StatusCode, b)
		}
	}
}

// TestConnectionCap: past MaxConns a connection gets a readable 503 at
// once; when a connection ends, the next one is served.
func TestConnectionCap(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	addr := serve(t, short, func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		if r.URL.Path == "/hold" {
			<-release
		}
		io.WriteString(w, "served")
	})
	var held []net.Conn
	for range 2 {
		c := dial(t, addr)
		io.WriteString(c, "GET /hold HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		<-entered
		held = append(held, c)
	}
	extra := dial(t, addr)
	io.WriteString(extra, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	got := waitClosed(t, extra)
	if !strings.HasPrefix(got, "HTTP/1.1 503 ") || !strings.Contains(got, `"code":"too_many_connections"`) || !strings.Contains(got, "Retry-After: 1") {
		t.Errorf("over the cap: %q, want a 503 too_many_connections", got)
	}

	close(release)
	if got := waitClosed(t, held[0]); !strings.Contains(got, "served") {
		t.Errorf("held connection: %q", got)
	}
	next := dial(t, addr)
	io.WriteString(next, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if got := waitClosed(t, next); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
		t.Errorf("after a connection ended: %q, want it served", got)
	}
}

// TestRefuseBody: a body over the limit announced by Content-Length gets
// the handler's answer instead of a connection reset, also for a client
// that sends its whole request before it reads (Python's http.client and
// requests do): without the drain the server closes with the body unread,
// the kernel resets the connection, and that client's write fails.
func TestRefuseBody(t *testing.T) {
	const limit = 1 << 20
	addr := serve(t, httplimit.Limits{}, func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			httplimit.RefuseBody(w, r, func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusRequestEntityTooLarge)
				io.WriteString(w, `{"message":"Request Entity Too Large"}`)
			})
			return
		}
		io.Copy(io.Discard, r.Body)
	})
	body := bytes.Repeat([]byte("x"), 12*limit)
	for i := range 3 {
		c := dial(t, addr)
		_, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
		if err == nil {
			_, err = c.Write(body)
		}
		if err != nil {
			t.Fatalf("attempt %d: sending the body: %v, want the server to read it", i, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("attempt %d: %v, want a 413", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || string(b) != `{"message":"Request Entity Too Large"}` || !resp.Close {
			t.Errorf("attempt %d: %d %s (close %v), want 413, the message and Connection: close", i, resp.StatusCode, b, resp.Close)
		}
	}
}

// TestZeroLimitsTakeDefaults: an unset field takes Defaults' value, a set
// one is kept.
func TestZeroLimitsTakeDefaults(t *testing.T) {
	srv := httplimit.Server(http.NotFoundHandler(), httplimit.Limits{IdleTimeout: time.Second})
	if srv.ReadHeaderTimeout != httplimit.Defaults.ReadHeaderTimeout || srv.IdleTimeout != time.Second {
		t.Errorf("ReadHeaderTimeout %v, IdleTimeout %v; want the default %v and the given 1s", srv.ReadHeaderTimeout, srv.IdleTimeout, httplimit.Defaults.ReadHeaderTimeout)
	}
	srv = httplimit.Server(http.NotFoundHandler(), httplimit.Limits{ReadHeaderTimeout: time.Second})
	if srv.ReadHeaderTimeout != time.Second || srv.IdleTimeout != httplimit.Defaults.IdleTimeout {
		t.Errorf("ReadHeaderTimeout %v, IdleTimeout %v; want the given 1s and the default %v", srv.ReadHeaderTimeout, srv.IdleTimeout, httplimit.Defaults.IdleTimeout)
	}
}

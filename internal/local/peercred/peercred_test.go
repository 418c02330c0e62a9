package peercred_test

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/peercred"
	"github.com/sqsgate/sqsgate/internal/local/peercred/peercredtest"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// serveGuarded serves a handler answering "hello" behind Guard and returns
// its URL and log.
func serveGuarded(t *testing.T) (string, *testpeer.SyncBuffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &testpeer.SyncBuffer{}
	g := peercred.Guard(l, peercred.Options{Name: "test listener", Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") })}
	go srv.Serve(g)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String(), logs
}

// TestGuardRefusesAnotherUser: a request from user nobody gets no answer
// and leaves a log line with its uid; the owner's is served.
func TestGuardRefusesAnotherUser(t *testing.T) {
	if !peercred.Enforced() {
		t.Skip("no peer identification on this system")
	}
	other := peercredtest.OtherUser(t)
	url, logs := serveGuarded(t)

	if r := other.Do(t, "GET", url, ""); !r.Refused() {
		t.Errorf("as uid %d: %+v, want the connection refused", other.UID, r)
	}
	for _, want := range []string{`"event":"connection_refused"`, `"listener":"test listener"`, `"peer_uid":` + strconv.Itoa(other.UID), `"owner_uid":` + strconv.Itoa(os.Getuid())} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("the owner is refused: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" {
		t.Errorf("owner got %q", b)
	}
}

// TestGuardSkipsRefusedConnections: Accept goes on past refused peers and
// hands over the next allowed one, and a failed lookup refuses too.
func TestGuardSkipsRefusedConnections(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	verdicts := []error{errors.New("lookup failed"), nil, nil}
	uids := []uint32{0, 4242, 1000}
	i := 0
	owner := uint32(1000)
	g := peercred.GuardWithLookup(l, peercred.Options{Owner: &owner}, func(net.Conn) (uint32, error) {
		uid, err := uids[i], verdicts[i]
		i++
		return uid, err
	})
	var clients []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients = append(clients, c)
	}
	c, err := g.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if i != 3 {
		t.Errorf("Accept returned after %d lookups, want 3", i)
	}
	// The refused ones were closed: their reads end.
	for n, cl := range clients[:2] {
		cl.SetReadDeadline(time.Now().Add(10 * time.Second)) // a failure bound, not a wait
		if _, err := cl.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("refused client %d can still read", n)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"[::1]:0", true},
		{"0.0.0.0:0", false},
		{"[::]:0", false},
	}
	for _, tc := range tests {
		l, err := net.Listen("tcp", tc.addr)
		if err != nil {
			t.Logf("%s: %v", tc.addr, err)
			continue
		}
		err = peercred.CheckLoopback(l, "--sqs-addr", tc.addr)
		l.Close()
		if tc.ok != (err == nil) {
			t.Errorf("%s: %v, want ok=%v", tc.addr, err, tc.ok)
		}
		if err != nil && (!strings.Contains(err.Error(), "--sqs-addr") || !strings.Contains(err.Error(), "--allow-other-users") || !strings.Contains(err.Error(), "SQSGATE_ALLOW_OTHER_USERS")) {
			t.Errorf("message %q must name the flag, the way to open it and its variable", err)
		}
	}
}

func TestCheck(t *testing.T) {
	if peercred.Enforced() {
		// Check must look the peer up, and fail when the lookup fails or
		// names someone else.
		me := uint32(os.Getuid())
		for _, tc := range []struct {
			uid uint32
			err error
		}{{me, errors.New("no socket table here")}, {me + 1, nil}} {
			called := false
			peercred.SetLookup(t, func(net.Conn) (uint32, error) { called = true; return tc.uid, tc.err })
			if err := peercred.Check(); err == nil || !called {
				t.Errorf("lookup (%d, %v): Check = %v (lookup called: %v), want an error", tc.uid, tc.err, err, called)
			}
		}
		peercred.SetLookup(t, peercred.PeerUID)
	}
	err := peercred.Check()
	if peercred.Enforced() && err != nil {
		t.Errorf("Check: %v", err)
	}
	if !peercred.Enforced() && !errors.Is(err, peercred.ErrUnsupported) {
		t.Errorf("Check: %v, want ErrUnsupported", err)
	}
}

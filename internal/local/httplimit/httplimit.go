package httplimit

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits are one server's bounds; zero fields take Defaults' values.
type Limits struct {
	// ReadHeaderTimeout bounds reading a request's line and headers.
	ReadHeaderTimeout time.Duration
	// BodyTimeout bounds reading a request's body, from the handler's
	// start to the body's end.
	BodyTimeout time.Duration
	// WriteTimeout bounds writing a response, from its first byte.
	WriteTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a kept-alive
	// connection.
	IdleTimeout time.Duration
	// MaxConns caps open connections; more are answered 503 and closed.
	MaxConns int
}

// Defaults suit a developer's machine: a 10 MB body over loopback takes
// milliseconds, so 30 s only stops a client that stalls on purpose.
var Defaults = Limits{
	ReadHeaderTimeout: 10 * time.Second,
	BodyTimeout:       30 * time.Second,
	WriteTimeout:      30 * time.Second,
	IdleTimeout:       60 * time.Second,
	MaxConns:          512,
}

func (lim Limits) withDefaults() Limits {
	if lim.ReadHeaderTimeout <= 0 {
		lim.ReadHeaderTimeout = Defaults.ReadHeaderTimeout
	}
	if lim.BodyTimeout <= 0 {
		lim.BodyTimeout = Defaults.BodyTimeout
	}
	if lim.WriteTimeout <= 0 {
		lim.WriteTimeout = Defaults.WriteTimeout
	}
	if lim.IdleTimeout <= 0 {
		lim.IdleTimeout = Defaults.IdleTimeout
	}
	if lim.MaxConns <= 0 {
		lim.MaxConns = Defaults.MaxConns
	}
	return lim
}

// Server returns an http.Server for h with lim's timeouts; Listener adds
// the connection cap. Its ErrorLog is discarded: refused and timed-out
// clients are routine here.
func Server(h http.Handler, lim Limits) *http.Server {
	lim = lim.withDefaults()
	return &http.Server{
		Handler:           Handler(h, lim),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		IdleTimeout:       lim.IdleTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
}

// Serve serves h on l with lim in the background; stop shuts the server
// down (waiting up to 5 s for requests in flight) and returns when it has.
func Serve(l net.Listener, h http.Handler, lim Limits, logger *slog.Logger) (stop func() error) {
	srv := Server(h, lim)
	capped := Listener(l, lim, logger)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(capped); err != nil && !errors.Is(err, http.ErrServerClosed) && logger != nil {
			logger.Error("server stopped", "addr", l.Addr().String(), "err", err)
		}
	}()
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if err != nil {
			err = errors.Join(err, srv.Close())
		}
		<-done
		return err
	}
}

// Handler arms the body and write timeouts around h (see the package doc).
func Handler(h http.Handler, lim Limits) http.Handler {
	lim = lim.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		// A deadline set for the previous response on this connection
		// must not cut this one.
		_ = rc.SetWriteDeadline(time.Time{})
		if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			_ = rc.SetReadDeadline(time.Now().Add(lim.BodyTimeout))
			r.Body = &bodyReader{ReadCloser: r.Body, done: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		}
		tw := &timedWriter{ResponseWriter: w, rc: rc, timeout: lim.WriteTimeout}
		h.ServeHTTP(tw, r)
		tw.arm() // the server writes what is buffered after the handler
	})
}

// bodyReader clears the read deadline once the body has been read, so a
// handler that then waits (a long poll) is not cut by it.
type bodyReader struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.once.Do(b.done)
	}
	return n, err
}

// timedWriter starts the write timeout at the response's first byte.
type timedWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	armed   bool
}

func (t *timedWriter) arm() {
	if !t.armed {
		t.armed = true
		_ = t.rc.SetWriteDeadline(time.Now().Add(t.timeout))
	}
}

func (t *timedWriter) WriteHeader(code int) {
	if code >= 200 { // 1xx answers are not the response
		t.arm()
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *timedWriter) Write(b []byte) (int, error) {
	t.arm()
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (t *timedWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// Listener caps l at lim.MaxConns open connections. One more is answered
// 503 {"code":"too_many_connections",...} with Connection: close, and
// closed, so its client learns why instead of hanging in the backlog.
func Listener(l net.Listener, lim Limits, logger *slog.Logger) net.Listener {
	lim = lim.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &capListener{Listener: l, slots: make(chan struct{}, lim.MaxConns), refusing: make(chan struct{}, refusersMax), log: logger}
}

// refusersMax bounds the goroutines answering refused connections; past it
// a connection is closed without an answer.
const refusersMax = 32

// refuseWait bounds writing the 503 and reading what the client sent.
const refuseWait = 2 * time.Second

var refusal = func() []byte {
	body := `{"code":"too_many_connections","message":"too many open connections to this server; retry shortly"}`
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

type capListener struct {
	net.Listener
	slots    chan struct{}
	refusing chan struct{}
	log      *slog.Logger
}

func (c *capListener) Accept() (net.Conn, error) {
	for {
		conn, err := c.Listener.Accept()
		if err != nil {
			return nil, err
		}
		select {
		case c.slots <- struct{}{}:
			return &slotConn{Conn: conn, release: func() { <-c.slots }}, nil
		default:
		}
		c.log.Warn("connection refused: too many open connections", "event", "connection_refused",
			"addr", c.Listener.Addr().String(), "max_conns", cap(c.slots), "remote_addr", conn.RemoteAddr().String())
		select {
		case c.refusing <- struct{}{}:
			go func() {
				defer func() { <-c.refusing }()
				refuse(conn)
			}()
		default:
			_ = conn.Close()
		}
	}
}

// refuse answers 503 and closes gracefully: closing with the client's
// request unread would reset the connection and could lose the answer.
func refuse(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(refuseWait))
	if _, err := conn.Write(refusal); err != nil {
		return
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(conn, 64<<10))
}

// slotConn frees its slot when it starts to close: by the time its client
// sees the end of the connection, the slot is free for the next one.
type slotConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (s *slotConn) Close() error {
	s.once.Do(s.release)
	return s.Conn.Close()
}

// CloseWrite keeps http.Server's graceful close (FIN, a short wait, then
// Close) working through the wrapper.
func (s *slotConn) CloseWrite() error {
	s.once.Do(s.release)
	if cw, ok := s.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

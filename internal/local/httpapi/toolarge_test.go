package httpapi

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// TestOversizedBodyGetsReadable413: a request over HTTP API's 10 MB with a
// Content-Length is answered 413 {"message":"Request Entity Too Large"}, as
// API Gateway answers, and the client reads it even when it sends its whole
// body before reading (as Python's requests does). Before, the emulator
// answered without reading the body and the connection was reset under the
// client's write (broken pipe); chunked bodies, read up to the limit, got
// the 413.
func TestOversizedBodyGetsReadable413(t *testing.T) {
	s := newTestServer(t, baseConfig(lambdaRoute("POST", "/webhooks/github", "Fn")), Options{Invoker: &fakeInvoker{respond: answer(`{"statusCode":202}`)}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	body := bytes.Repeat([]byte("x"), MaxBodyBytes+1)
	for i := range 3 {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(30 * time.Second)) // a failure bound
		_, err = io.WriteString(c, "POST /webhooks/github HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
		if err == nil {
			_, err = c.Write(body)
		}
		if err != nil {
			c.Close()
			t.Fatalf("request %d: sending the body: %v, want it read and a 413", i, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			c.Close()
			t.Fatalf("request %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		c.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || string(b) != `{"message":"Request Entity Too Large"}` || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: %d %s %q", i, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
}

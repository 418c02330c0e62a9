package httplimit

import (
	"io"
	"net/http"
	"time"
)

// Drain limits: what is read of a refused body so its client can read the
// answer. A larger body is cut off (its client may then see a reset).
const (
	maxDrainBytes = 64 << 20
	drainWait     = 10 * time.Second
)

// RefuseBody answers a request whose body will not be read (too large),
// then reads and discards that body so the client, still sending, reads
// the answer instead of a connection reset: closing a connection with
// unread data makes the kernel send RST, and a client writing its body may
// never see the response. The connection is closed afterwards. A client
// that sent "Expect: 100-continue" has not sent its body and will not:
// it only gets the answer.
func RefuseBody(w http.ResponseWriter, r *http.Request, answer func(http.ResponseWriter)) {
	w.Header().Set("Connection", "close")
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody || r.Header.Get("Expect") != "" {
		answer(w)
		return
	}
	rc := http.NewResponseController(w)
	// Without full duplex, net/http may stop the body once the answer is
	// written.
	_ = rc.EnableFullDuplex()
	answer(w)
	_ = rc.Flush()
	_ = rc.SetReadDeadline(time.Now().Add(drainWait))
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
}

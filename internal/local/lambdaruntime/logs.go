package lambdaruntime

import (
	"bytes"
	"io"
	"os"
	"sync"
	"time"
)

// maxLogLine cuts a line that never ends, so one runaway write cannot grow
// the buffer without bound.
const maxLogLine = 256 * 1024

// logTailBytes is how much of an invocation's log X-Amz-Log-Result carries.
const logTailBytes = 4096

// logSink serialises whole lines from every environment onto one writer, so
// concurrent functions never interleave within a line.
type logSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *logSink) writeLine(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.w.Write(append(line, '\n'))
}

// lineWriter receives one environment's stdout or stderr and hands each
// complete line to emit.
type lineWriter struct {
	emit func(line []byte)
	buf  []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.emit(bytes.TrimSuffix(w.buf[:i], []byte("\r")))
		w.buf = append(w.buf[:0], w.buf[i+1:]...)
	}
	if len(w.buf) > maxLogLine {
		w.flush()
	}
	return len(p), nil
}

// flush emits a last line that had no newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
}

// tail keeps the last logTailBytes of an invocation's log lines.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) add(line []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, line...)
	t.buf = append(t.buf, '\n')
	if over := len(t.buf) - logTailBytes; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
}

func (t *tail) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.buf)
}

// outputPipe carries a process's stdout or stderr to a lineWriter. It owns
// the pipe (rather than leaving the copy to os/exec) so that an invocation
// can wait until what its function printed has been read, and the lines land
// in its own log, before END and REPORT.
type outputPipe struct {
	r, w *os.File
	lw   *lineWriter
	mu   sync.Mutex // held while a read is being handed to lw
	done chan struct{}
}

func newOutputPipe(emit func([]byte)) (*outputPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	return &outputPipe{r: r, w: w, lw: &lineWriter{emit: emit}, done: make(chan struct{})}, nil
}

func (p *outputPipe) run() {
	defer close(p.done)
	buf := make([]byte, 32*1024)
	for {
		n, err := p.r.Read(buf)
		p.mu.Lock()
		if n > 0 {
			_, _ = p.lw.Write(buf[:n])
		}
		if err != nil {
			p.lw.flush()
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
}

// drain waits, at most limit, until nothing written to the pipe is left
// unread or unhandled.
func (p *outputPipe) drain(limit time.Duration) {
	sc, err := p.r.SyscallConn()
	if err != nil {
		return
	}
	deadline := time.Now().Add(limit)
	for {
		n, ok := 0, false
		_ = sc.Control(func(fd uintptr) { n, ok = pendingBytes(fd) })
		if !ok {
			return
		}
		if n == 0 {
			p.mu.Lock() // a read in hand is finished with
			p.mu.Unlock()
			return
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// finish waits for the reader to reach the end of the pipe, which a
// grandchild holding it open can delay; after limit it stops reading.
func (p *outputPipe) finish(limit time.Duration) {
	select {
	case <-p.done:
	case <-time.After(limit):
		_ = p.r.Close()
		<-p.done
	}
	_ = p.r.Close()
}

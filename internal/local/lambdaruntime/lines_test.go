package lambdaruntime_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineLog collects output line by line and lets a test wait for lines as
// events: each new line wakes the waiters, so no test polls or sleeps.
type lineLog struct {
	mu      sync.Mutex
	all     bytes.Buffer
	partial []byte
	lines   []string
	changed chan struct{} // closed and replaced whenever a line arrives
}

func newLineLog() *lineLog { return &lineLog{changed: make(chan struct{})} }

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	l.partial = append(l.partial, p...)
	added := false
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.partial[:i]))
		l.partial = l.partial[i+1:]
		added = true
	}
	if added {
		close(l.changed)
		l.changed = make(chan struct{})
	}
	return len(p), nil
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

// matching returns the lines so far that match.
func (l *lineLog) matching(match func(string) bool) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var got []string
	for _, line := range l.lines {
		if match(line) {
			got = append(got, line)
		}
	}
	return got
}

// waitN returns once n lines match, and fails the test if they have not
// after a bound that only a broken runtime reaches.
func (l *lineLog) waitN(t testing.TB, n int, match func(string) bool, what string) []string {
	t.Helper()
	limit := time.NewTimer(30 * time.Second)
	defer limit.Stop()
	for {
		l.mu.Lock()
		changed := l.changed
		l.mu.Unlock()
		if got := l.matching(match); len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-limit.C:
			t.Fatalf("timed out waiting for %s; log:\n%s", what, l.String())
		}
	}
}

// contains matches lines holding every one of parts.
func contains(parts ...string) func(string) bool {
	return func(line string) bool {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				return false
			}
		}
		return true
	}
}

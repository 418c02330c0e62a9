package testpeer

import (
	"fmt"
	"strings"
	"testing"
)

// recorder stands in for a test or benchmark: it records what the rule
// asked of it instead of stopping the goroutine.
type recorder struct {
	testing.TB
	fatal, logged string
	skipped       bool
}

// Only what the rule may call; anything else panics on the nil TB.
func (r *recorder) Helper()                        {}
func (r *recorder) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }
func (r *recorder) Logf(format string, a ...any)   { r.logged = fmt.Sprintf(format, a...) }
func (r *recorder) SkipNow()                       { r.skipped = true }

const absentPeer = "sqsgate-no-such-peer-on-any-path"

// notShort runs a test of the rule as a full run sees it, also under
// `go test -short` (make test-short).
func notShort(t *testing.T) {
	old := short
	short = func() bool { return false }
	t.Cleanup(func() { short = old })
}

func TestMissingPeerRule(t *testing.T) {
	notShort(t)
	tests := []struct {
		name      string
		required  string
		call      func(tb testing.TB)
		wantFatal bool
		wantSkip  bool
	}{
		{"benchmark without an optional peer, required", "1", func(tb testing.TB) { Optional(tb, absentPeer) }, true, false},
		{"missing build, required", "1", func(tb testing.TB) { Missing(tb, "functions/x does not build") }, true, false},
		{"missing peer, required", "1", func(tb testing.TB) { LookPath(tb, absentPeer) }, true, false},
		{"benchmark without an optional peer", "", func(tb testing.TB) { Optional(tb, absentPeer) }, false, false},
		{"missing build", "", func(tb testing.TB) { Missing(tb, "functions/x does not build") }, false, true},
		{"missing peer", "", func(tb testing.TB) { LookPath(tb, absentPeer) }, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(RequireEnv, tt.required)
			r := &recorder{}
			tt.call(r)
			if (r.fatal != "") != tt.wantFatal {
				t.Fatalf("fatal = %q, want fatal %v", r.fatal, tt.wantFatal)
			}
			if !tt.wantFatal && r.logged == "" {
				t.Fatal("the reason was not logged")
			}
			if tt.wantSkip && !r.skipped {
				t.Fatal("not skipped")
			}
			if !tt.wantSkip && !tt.wantFatal && r.skipped {
				t.Fatal("an optional peer skipped the whole benchmark")
			}
		})
	}
}

func TestOptionalFindsAPresentPeer(t *testing.T) {
	notShort(t)
	t.Setenv(RequireEnv, "1")
	r := &recorder{}
	if path, ok := Optional(r, "go"); !ok || path == "" || r.fatal != "" {
		t.Fatalf("Optional(go) = %q, %v (fatal %q)", path, ok, r.fatal)
	}
}

// Issue 14, friction 4: `make test-short` (go test -short) ran moto_server
// and the AWS CLIs although README says it needs no peer. Under -short
// every peer is left out, present or not, and even when peers are
// required: the skip is asked for.
func TestShortLeavesPeersOut(t *testing.T) {
	defer func(f func() bool) { short = f }(short)
	short = func() bool { return true }
	t.Setenv(RequireEnv, "1")
	tests := []struct {
		name     string
		call     func(tb testing.TB)
		wantSkip bool
	}{
		{"present peer", func(tb testing.TB) { LookPath(tb, "go") }, true},
		{"absent peer", func(tb testing.TB) { LookPath(tb, absentPeer) }, true},
		{"missing build", func(tb testing.TB) { Missing(tb, "functions/x does not build") }, true},
		{"optional peer of a benchmark", func(tb testing.TB) {
			if _, ok := Optional(tb, "go"); ok {
				tb.Fatalf("Optional found a peer under -short")
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			tt.call(r)
			if r.fatal != "" {
				t.Fatalf("fatal under -short: %q", r.fatal)
			}
			if r.skipped != tt.wantSkip {
				t.Fatalf("skipped = %v, want %v", r.skipped, tt.wantSkip)
			}
			if !strings.Contains(r.logged, "-short") {
				t.Fatalf("logged %q, want the -short reason", r.logged)
			}
		})
	}
}

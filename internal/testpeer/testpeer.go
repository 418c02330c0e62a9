package testpeer

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv is the variable that turns a missing peer from a skip into a
// failure.
const RequireEnv = "SQSGATE_REQUIRE_PEERS"

// Required reports whether missing peers must fail the test run.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// short reports whether this is `go test -short`, which means "no peers
// and no builds" (`make test-short`); a variable so the rule's own test
// can set it.
var short = testing.Short

// shortReason is logged by every peer a -short run leaves out.
const shortReason = "-short runs no peer and no build"

// SkipShort skips t under -short, which runs no peer and no build, even
// when SQSGATE_REQUIRE_PEERS=1: asking for -short is asking for that. It
// reports whether it skipped (SkipNow stops a real test's goroutine).
func SkipShort(t testing.TB, what string) bool {
	t.Helper()
	if !short() {
		return false
	}
	t.Logf("%s: %s is left out", shortReason, what)
	t.SkipNow()
	return true
}

// Lacking is the one rule for a peer or a build that a test or benchmark
// cannot have. Under SQSGATE_REQUIRE_PEERS=1 it fails tb: a skipped test,
// or a benchmark that quietly drops the ratio it could not measure, would
// otherwise pass unnoticed in CI. Otherwise it logs reason and returns, and
// the caller goes on without what is missing: Missing skips, a benchmark
// with other figures reports those.
func Lacking(tb testing.TB, reason string) {
	tb.Helper()
	if Required() {
		tb.Fatalf("%s (required because %s=1)", reason, RequireEnv)
		return
	}
	tb.Logf("%s; set %s=1 to make this a failure", reason, RequireEnv)
}

// Missing skips t (test or benchmark) with reason, or fails it when peers
// are required.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if SkipShort(t, reason) {
		return
	}
	Lacking(t, reason)
	t.SkipNow()
}

// LookPath finds a peer's executable or calls Missing.
func LookPath(t testing.TB, name string) string {
	t.Helper()
	if SkipShort(t, name) {
		return ""
	}
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, fmt.Sprintf("%s not found on PATH", name))
	}
	return path
}

// Optional finds the executable of a peer a benchmark can report without
// (one ratio among several). If it is missing, Lacking decides: the
// benchmark fails when peers are required, else goes on without it.
func Optional(tb testing.TB, name string) (string, bool) {
	tb.Helper()
	if short() {
		tb.Logf("%s: %s's ratio is not measured", shortReason, name)
		return "", false
	}
	path, err := exec.LookPath(name)
	if err != nil {
		Lacking(tb, fmt.Sprintf("%s not found on PATH: its ratio is not measured", name))
		return "", false
	}
	return path, true
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Moto is a running moto_server.
type Moto struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:41234.
	URL string
}

// StartMoto starts a fresh moto_server on a free loopback port for the
// duration of t and waits until it answers. Every call gets its own server,
// so tests never see each other's queues.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	bin := LookPath(t, "moto_server")
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(t)
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		logPath := filepath.Join(t.TempDir(), "moto.log")
		logFile, err := os.Create(logPath)
		if err != nil {
			cancel()
			t.Fatalf("create moto log: %v", err)
		}
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			cancel()
			logFile.Close()
			t.Fatalf("start moto_server: %v", err)
		}
		var waitOnce sync.Once
		wait := func() { waitOnce.Do(func() { _ = cmd.Wait(); logFile.Close() }) }
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		if waitReady(url+"/moto-api/", 30*time.Second) {
			t.Cleanup(func() { cancel(); wait() })
			return &Moto{URL: url}
		}
		cancel()
		wait()
		if attempt == 2 {
			out, _ := os.ReadFile(logPath)
			t.Fatalf("moto_server did not become ready on port %d:\n%s", port, out)
		}
	}
	return nil
}

func waitReady(url string, limit time.Duration) bool {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// AWSEnv returns environment variables that point an AWS SDK or CLI at
// endpoint with dummy credentials and no shared config, so nothing can
// reach real AWS by accident.
func AWSEnv(endpoint string) []string {
	return []string{
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_SESSION_TOKEN=",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// SetAWSEnv applies AWSEnv to the test process for the duration of t.
func SetAWSEnv(t *testing.T, endpoint string) {
	t.Helper()
	for _, kv := range AWSEnv(endpoint) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Package peercredtest runs HTTP requests as another OS user (nobody), so
// tests can show who the local platform's listeners let in. Switching user
// needs root and setpriv; where either is missing the test is skipped, or
// failed under SQSGATE_REQUIRE_PEERS=1 (CI runs as root).
package peercredtest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// Other is a client that runs as user nobody.
type Other struct {
	setpriv, bin string
	UID          int
}

// Result is what one request as the other user came to: a status and body,
// or the error the client saw (a refused connection reads as EOF or a
// reset).
type Result struct {
	UID    int    `json:"uid"`
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error"`
}

// Refused reports whether the request got no HTTP answer at all.
func (r Result) Refused() bool { return r.Status == 0 && r.Error != "" }

// OtherUser builds the client program where user nobody can run it.
func OtherUser(t testing.TB) *Other {
	t.Helper()
	if os.Getuid() != 0 {
		testpeer.Missing(t, "running a client as another user needs root")
	}
	setpriv := testpeer.LookPath(t, "setpriv")
	if _, err := user.Lookup("nobody"); err != nil {
		testpeer.Missing(t, "no user nobody: "+err.Error())
	}
	if _, err := user.LookupGroup("nogroup"); err != nil {
		testpeer.Missing(t, "no group nogroup: "+err.Error())
	}
	// t.TempDir is private to root; nobody must be able to reach the
	// binary.
	dir, err := os.MkdirTemp("", "peercredtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "client")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/sqsgate/sqsgate/internal/local/peercred/peercredtest/client")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the client: %v\n%s", err, out)
	}
	o := &Other{setpriv: setpriv, bin: bin}
	o.UID = o.Do(t, "GET", "http://127.0.0.1:1/", "").UID
	if o.UID == os.Getuid() || o.UID == 0 {
		t.Fatalf("the client runs as uid %d, not as another user", o.UID)
	}
	return o
}

// Do makes one request as the other user.
func (o *Other) Do(t testing.TB, method, url, body string, headers ...string) Result {
	t.Helper()
	args := []string{"--reuid=nobody", "--regid=nogroup", "--clear-groups", o.bin, "-method", method, "-url", url, "-body", body}
	for _, h := range headers {
		args = append(args, "-header", h)
	}
	cmd := exec.Command(o.setpriv, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("client as nobody: %v\n%s", err, stderr.String())
	}
	var r Result
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("client output %q: %v", stdout.String(), err)
	}
	return r
}

package cli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// tinyTemplate is a SAM template with one function and nothing else.
const tinyTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: ./
      Handler: bootstrap
      Runtime: provided.al2023
      Timeout: 5
`

// tinyFunction speaks the Lambda Runtime API by hand (no dependency, so
// the module builds in a second or two) and answers every event with
// greeting().
const tinyFunction = `package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
)

func main() {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		r, err := http.Get(api + "next")
		if err != nil {
			os.Exit(1)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		id := r.Header.Get("Lambda-Runtime-Aws-Request-Id")
		resp, err := http.Post(api+id+"/response", "application/json", bytes.NewReader([]byte(greeting())))
		if err == nil {
			resp.Body.Close()
		}
	}
}
`

func greetingFile(s string) string {
	return "package main\n\nfunc greeting() string { return `\"" + s + "\"` }\n"
}

// signalBuffer is a log that wakes whoever waits for a line.
type signalBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newSignalBuffer() *signalBuffer { return &signalBuffer{changed: make(chan struct{})} }

func (b *signalBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

func (b *signalBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor returns once the log holds want n times; the bound is one only a
// broken watcher reaches.
func (b *signalBuffer) waitFor(t *testing.T, want string, n int) {
	t.Helper()
	limit := time.NewTimer(2 * time.Minute)
	defer limit.Stop()
	for {
		b.mu.Lock()
		ch, got := b.changed, strings.Count(b.buf.String(), want)
		b.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-limit.C:
			t.Fatalf("timed out waiting for %q (x%d) in:\n%s", want, n, b.String())
		}
	}
}

// TestRunWatchSwapsAnEditedFunction is issue 14's end-to-end check of
// --watch on a copy of a small module: an edit is rebuilt and answers
// without a restart, a broken edit keeps the running binary and shows the
// compiler's error, and a template change asks for a restart.
func TestRunWatchSwapsAnEditedFunction(t *testing.T) {
	testpeer.SkipShort(t, "sqsgate run --watch building a module")
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                     "module example.com/tiny\n\ngo 1.22\n",
		"template.yaml":              tinyTemplate,
		"functions/echo/main.go":     tinyFunction,
		"functions/echo/greeting.go": greetingFile("v1"),
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lambdaAddr := "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
	stdout, stderr := newSignalBuffer(), newSignalBuffer()
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"run", "--watch",
			"--template", filepath.Join(dir, "template.yaml"), "--functions-dir", filepath.Join(dir, "bin"),
			"--api-addr", "127.0.0.1:0", "--sqs-addr", "127.0.0.1:0", "--lambda-addr", lambdaAddr, "--data-dir", "",
		}, stdout, stderr, func(string) (string, bool) { return "", false })
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-exited; code != 0 {
			t.Errorf("run --watch exited %d:\n%s", code, stderr.String())
		}
	})
	stdout.waitFor(t, "sqsgate: ready", 1)
	if !strings.Contains(stderr.String(), "sqsgate: built EchoFunction (./functions/echo) in ") {
		t.Errorf("no build progress line for EchoFunction:\n%s", stderr.String())
	}

	invoke := func() string {
		t.Helper()
		resp, err := http.Post("http://"+lambdaAddr+"/2015-03-31/functions/EchoFunction/invocations", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return b.String()
	}
	if got := invoke(); got != `"v1"` {
		t.Fatalf("first answer %s, want \"v1\"", got)
	}

	edit := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("functions/echo/greeting.go", greetingFile("v2"))
	stderr.waitFor(t, "sqsgate: swapped in the new EchoFunction", 1)
	if got := invoke(); got != `"v2"` {
		t.Fatalf("after the edit: %s, want \"v2\" without a restart", got)
	}

	edit("functions/echo/greeting.go", "package main\n\nfunc greeting() string { return 42 }\n")
	stderr.waitFor(t, "EchoFunction still runs its previous bootstrap; the compiler said:", 1)
	if !strings.Contains(stderr.String(), "greeting.go:3") {
		t.Errorf("the compiler's error (greeting.go:3) is not shown:\n%s", stderr.String())
	}
	if got := invoke(); got != `"v2"` {
		t.Fatalf("after a failed build: %s, want the running \"v2\"", got)
	}

	edit("template.yaml", tinyTemplate+"      MemorySize: 256\n")
	stderr.waitFor(t, "changed: restart to apply", 1)
}

package lambdaruntime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
)

// testFn is the path of the test function's bootstrap, built once per run.
var testFn string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdaruntime-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testFn = filepath.Join(dir, "testfn", "bootstrap")
	if err := goBuild(testFn, "./testdata/testfn"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goBuild builds a function for the host as `make run` does: static, with
// the lambda.norpc tag.
func goBuild(out, pkg string) error {
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	cmd := exec.Command(goBin, "build", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// fn returns a Function running the test bootstrap.
func fn(name string, mutate ...func(*lambdaruntime.Function)) lambdaruntime.Function {
	f := lambdaruntime.Function{Name: name, Executable: testFn, Timeout: 5 * time.Second, MaxConcurrency: 2}
	for _, m := range mutate {
		m(&f)
	}
	return f
}

func withEnv(kv ...string) func(*lambdaruntime.Function) {
	return func(f *lambdaruntime.Function) {
		if f.Environment == nil {
			f.Environment = map[string]string{}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Environment[kv[i]] = kv[i+1]
		}
	}
}

func newRuntime(t testing.TB, opts lambdaruntime.Options) (*lambdaruntime.Runtime, *lineLog) {
	t.Helper()
	rt, logs, _ := newRuntimeEvents(t, opts)
	return rt, logs
}

// newRuntimeEvents also returns the runtime's own log (JSON, debug level):
// "execution environment started" and "... ended" (after the process is
// reaped) lines are the events tests wait for.
func newRuntimeEvents(t testing.TB, opts lambdaruntime.Options) (*lambdaruntime.Runtime, *lineLog, *lineLog) {
	t.Helper()
	logs, events := newLineLog(), newLineLog()
	if opts.LogOutput == nil {
		opts.LogOutput = logs
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(events, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	rt, err := lambdaruntime.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return rt, logs, events
}

// Runtime events, as matchers of the runtime's log.
var (
	envStarted = func(function string) func(string) bool {
		return contains(`"msg":"execution environment started"`, `"function":"`+function+`"`)
	}
	envEnded = func(function string) func(string) bool {
		return contains(`"msg":"execution environment ended"`, `"function":"`+function+`"`)
	}
)

func invoke(t testing.TB, rt *lambdaruntime.Runtime, name string, event any) *lambdaruntime.Result {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := rt.Invoke(ctx, name, payload)
	if err != nil {
		t.Fatalf("Invoke %s: %v", name, err)
	}
	return res
}

// echoResponse mirrors testfn.Response.
type echoResponse struct {
	Data        json.RawMessage   `json:"data"`
	PID         int               `json:"pid"`
	Count       int64             `json:"count"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	DeadlineMS  int64             `json:"deadlineMs"`
	Env         map[string]string `json:"env"`
}

func decodeEcho(t testing.TB, res *lambdaruntime.Result) echoResponse {
	t.Helper()
	if res.FunctionError != "" {
		t.Fatalf("function error %s: %s", res.FunctionError, res.Payload)
	}
	var r echoResponse
	if err := json.Unmarshal(res.Payload, &r); err != nil {
		t.Fatalf("decode %s: %v", res.Payload, err)
	}
	return r
}

type lambdaError struct {
	ErrorMessage string          `json:"errorMessage"`
	ErrorType    string          `json:"errorType"`
	StackTrace   json.RawMessage `json:"stackTrace"`
}

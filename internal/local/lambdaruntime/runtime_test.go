package lambdaruntime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/httplimit"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
)

func TestNewRejectsBadFunctions(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		fns   []lambdaruntime.Function
		match string
	}{
		{"no name", []lambdaruntime.Function{fn("")}, "without a name"},
		{"twice", []lambdaruntime.Function{fn("A"), fn("A")}, "configured twice"},
		{"memory too small", []lambdaruntime.Function{fn("A", func(f *lambdaruntime.Function) { f.MemoryMB = 64 })}, "MemoryMB 64"},
		{"memory too large", []lambdaruntime.Function{fn("A", func(f *lambdaruntime.Function) { f.MemoryMB = 10241 })}, "MemoryMB 10241"},
		{"timeout too long", []lambdaruntime.Function{fn("A", func(f *lambdaruntime.Function) { f.Timeout = 901 * time.Second })}, "Timeout"},
		{"negative concurrency", []lambdaruntime.Function{fn("A", func(f *lambdaruntime.Function) { f.MaxConcurrency = -1 })}, "MaxConcurrency"},
		{"missing executable", []lambdaruntime.Function{fn("A", func(f *lambdaruntime.Function) { f.Executable = notExec + ".missing" })}, "not an executable"},
		{"not executable", []lambdaruntime.Function{fn("A", func(f *lambdaruntime.Function) { f.Executable = notExec })}, "not an executable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := lambdaruntime.New(lambdaruntime.Options{Functions: tc.fns})
			if err == nil || !strings.Contains(err.Error(), tc.match) {
				t.Fatalf("New error = %v, want one containing %q", err, tc.match)
			}
		})
	}
}

// TestInvokeConformance checks that each way a function can fail answers
// with the status and error document Lambda gives.
func TestInvokeConformance(t *testing.T) {
	const id = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	tests := []struct {
		name        string
		fn          lambdaruntime.Function
		initTimeout time.Duration
		event       map[string]any
		// want
		errorType   string
		message     string // regexp; REQ stands for the request id
		stackTrace  bool
		status      string
		reportError string
		alive       bool // environment kept for reuse
		needsProc   bool // memory is measured through Linux's /proc
	}{
		{
			name: "function error", fn: fn("F"), event: map[string]any{"action": "error", "message": "bad input"},
			errorType: "errorString", message: `^bad input$`, alive: true,
		},
		{
			name: "panic", fn: fn("F"), event: map[string]any{"action": "panic", "message": "boom"},
			errorType: "string", message: `^boom$`, stackTrace: true,
		},
		{
			name: "timeout", fn: fn("F", func(f *lambdaruntime.Function) { f.Timeout = 500 * time.Millisecond }),
			event:     map[string]any{"action": "sleep", "ms": 10000},
			errorType: "Sandbox.Timedout", message: `^RequestId: REQ Error: Task timed out after 0\.50 seconds$`, status: "timeout",
		},
		{
			name: "out of memory", fn: fn("F", func(f *lambdaruntime.Function) { f.MemoryMB = 128 }),
			event:     map[string]any{"action": "alloc", "mb": 1024},
			errorType: "Runtime.OutOfMemory", message: `^RequestId: REQ Error: Runtime exited with error: signal: killed$`,
			status: "error", reportError: "Runtime.OutOfMemory", needsProc: true,
		},
		{
			name: "exit during invocation", fn: fn("F"), event: map[string]any{"action": "exit"},
			errorType: "Runtime.ExitError", message: `^RequestId: REQ Error: Runtime exited with error: exit status 2$`,
			status: "error", reportError: "Runtime.ExitError",
		},
		{
			name: "exit during init", fn: fn("F", withEnv("TESTFN_INIT", "exit")), event: map[string]any{},
			errorType: "Runtime.ExitError", message: `^RequestId: REQ Error: Runtime exited with error: exit status 3$`,
			status: "error", reportError: "Runtime.ExitError",
		},
		{
			name: "init error reported", fn: fn("F", withEnv("TESTFN_INIT", "init-error")), event: map[string]any{},
			errorType: "Runtime.ConfigError", message: `^config missing: QUEUE_URL$`,
			status: "error", reportError: "Runtime.ConfigError",
		},
		{
			name: "init too slow", fn: fn("F", withEnv("TESTFN_INIT", "slow:20s")), initTimeout: 300 * time.Millisecond,
			event:     map[string]any{},
			errorType: "Sandbox.Timedout", message: `^RequestId: REQ Error: Task timed out after 0\.30 seconds$`, status: "timeout",
		},
		{
			name: "response too large", fn: fn("F"), event: map[string]any{"action": "big", "mb": 7},
			errorType: "Function.ResponseSizeTooLarge",
			message:   `^Response payload size exceeded maximum allowed payload size \(6291556 bytes\)\.$`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.needsProc && runtime.GOOS != "linux" {
				t.Skip("memory limits are enforced through /proc, on Linux only")
			}
			rt, logs, events := newRuntimeEvents(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{tc.fn}, InitTimeout: tc.initTimeout})
			res := invoke(t, rt, "F", tc.event)
			if res.FunctionError != lambdaruntime.FunctionErrorUnhandled {
				t.Fatalf("FunctionError = %q, want Unhandled; payload %s", res.FunctionError, res.Payload)
			}
			var got lambdaError
			if err := json.Unmarshal(res.Payload, &got); err != nil {
				t.Fatalf("payload %s: %v", res.Payload, err)
			}
			if got.ErrorType != tc.errorType {
				t.Errorf("errorType = %q, want %q (payload %s)", got.ErrorType, tc.errorType, res.Payload)
			}
			re := regexp.MustCompile(strings.ReplaceAll(tc.message, "REQ", regexp.QuoteMeta(res.Report.RequestID)))
			if !re.MatchString(got.ErrorMessage) {
				t.Errorf("errorMessage = %q, want match for %s", got.ErrorMessage, re)
			}
			if tc.stackTrace != (len(got.StackTrace) > 0) {
				t.Errorf("stackTrace present = %v, want %v", len(got.StackTrace) > 0, tc.stackTrace)
			}
			if !regexp.MustCompile(`^` + id + `$`).MatchString(res.Report.RequestID) {
				t.Errorf("RequestID %q is not a UUID", res.Report.RequestID)
			}
			if res.Report.Status != tc.status || res.Report.ErrorType != tc.reportError {
				t.Errorf("report status %q/%q, want %q/%q", res.Report.Status, res.Report.ErrorType, tc.status, tc.reportError)
			}
			if !strings.Contains(logs.String(), res.Report.String()+"\n") {
				t.Errorf("REPORT line %q not in log:\n%s", res.Report.String(), logs.String())
			}
			if !tc.alive {
				// The process is reaped after the invocation has answered.
				events.waitN(t, 1, envEnded("F"), "the environment's end")
			}
			if n := rt.Environments("F"); (n == 1) != tc.alive {
				t.Errorf("%d environments, want alive = %v", n, tc.alive)
			}
		})
	}
}

func TestInvokeSuccess(t *testing.T) {
	rt, logs := newRuntime(t, lambdaruntime.Options{
		Region: "eu-west-1", AccountID: "123456789012",
		Functions: []lambdaruntime.Function{fn("Echo", func(f *lambdaruntime.Function) { f.Timeout = 7 * time.Second; f.MemoryMB = 256 })},
	})
	before := time.Now()
	res := invoke(t, rt, "Echo", map[string]any{"data": map[string]any{"hello": "world"}})
	got := decodeEcho(t, res)

	if string(got.Data) != `{"hello":"world"}` {
		t.Errorf("data = %s", got.Data)
	}
	if got.RequestID != res.Report.RequestID {
		t.Errorf("function saw request id %q, report says %q", got.RequestID, res.Report.RequestID)
	}
	if want := "arn:aws:lambda:eu-west-1:123456789012:function:Echo"; got.FunctionARN != want {
		t.Errorf("function ARN = %q, want %q", got.FunctionARN, want)
	}
	deadline := time.UnixMilli(got.DeadlineMS)
	if deadline.Before(before.Add(7*time.Second)) || deadline.After(time.Now().Add(7*time.Second)) {
		t.Errorf("deadline %v is not 7s after the invocation (%v)", deadline, before)
	}
	r := res.Report
	if r.InitDuration <= 0 || r.Duration <= 0 || r.MemorySizeMB != 256 || r.MaxMemoryUsedMB <= 0 {
		t.Errorf("cold report %+v: want init and duration > 0, 256 MB, memory used > 0", r)
	}
	if r.BilledDuration < r.Duration+r.InitDuration || r.BilledDuration%time.Millisecond != 0 {
		t.Errorf("billed %v, want duration+init %v rounded up to ms", r.BilledDuration, r.Duration+r.InitDuration)
	}
	log := logs.String()
	start := strings.Index(log, "START RequestId: "+r.RequestID+" Version: $LATEST\n")
	end := strings.Index(log, "END RequestId: "+r.RequestID+"\n")
	report := strings.Index(log, r.String()+"\n")
	if start < 0 || end < start || report < end {
		t.Errorf("want START, END, REPORT in order in the log:\n%s", log)
	}
}

func TestReportString(t *testing.T) {
	r := lambdaruntime.Report{
		RequestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd", Duration: 12345 * time.Microsecond,
		BilledDuration: 13 * time.Millisecond, MemorySizeMB: 128, MaxMemoryUsedMB: 20,
	}
	want := "REPORT RequestId: 8476a536-e9f4-11e8-9739-2dfe598c3fcd\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB"
	if got := r.String(); got != want {
		t.Errorf("warm:\n got %q\nwant %q", got, want)
	}
	r.InitDuration = 45670 * time.Microsecond
	r.Status, r.ErrorType = "error", "Runtime.ExitError"
	if got := r.String(); got != want+"\tInit Duration: 45.67 ms\tStatus: error\tError Type: Runtime.ExitError" {
		t.Errorf("cold failed: %q", got)
	}
}

func TestWarmReuseAndDiscard(t *testing.T) {
	// One environment at most: the checks below name the process that
	// served each call, and with more slots a call made while the previous
	// environment is still returning (slow under load) may start another.
	rt, _, events := newRuntimeEvents(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("F", func(f *lambdaruntime.Function) {
		f.Timeout = time.Second
		f.MaxConcurrency = 1
	})}})

	first := decodeEcho(t, invoke(t, rt, "F", map[string]any{}))
	warm := invoke(t, rt, "F", map[string]any{})
	second := decodeEcho(t, warm)
	if second.PID != first.PID || second.Count != 2 {
		t.Errorf("second invocation: pid %d count %d, want warm pid %d count 2", second.PID, second.Count, first.PID)
	}
	if warm.Report.InitDuration != 0 {
		t.Errorf("warm invocation reports init %v", warm.Report.InitDuration)
	}
	// A handled error keeps the environment.
	if res := invoke(t, rt, "F", map[string]any{"action": "error", "message": "x"}); res.FunctionError == "" {
		t.Fatalf("want a function error, got %s", res.Payload)
	}
	if third := decodeEcho(t, invoke(t, rt, "F", map[string]any{})); third.PID != first.PID || third.Count != 4 {
		t.Errorf("after a function error: pid %d count %d, want pid %d count 4", third.PID, third.Count, first.PID)
	}
	// A panic, a timeout and an exit each cost the environment.
	for _, ev := range []map[string]any{{"action": "panic"}, {"action": "sleep", "ms": 5000}, {"action": "exit"}} {
		before := decodeEcho(t, invoke(t, rt, "F", map[string]any{}))
		if res := invoke(t, rt, "F", ev); res.FunctionError == "" {
			t.Fatalf("%v: want a function error, got %s", ev, res.Payload)
		}
		after := invoke(t, rt, "F", map[string]any{})
		if got := decodeEcho(t, after); got.PID == before.PID || got.Count != 1 || after.Report.InitDuration == 0 {
			t.Errorf("after %v: pid %d count %d init %v, want a new environment (old pid %d)",
				ev, got.PID, got.Count, after.Report.InitDuration, before.PID)
		}
		// A discarded environment is killed at once but reaped
		// asynchronously; its end is logged once it is reaped.
		events.waitN(t, 1, contains(`"msg":"execution environment ended"`, fmt.Sprintf(`"pid":%d,`, before.PID)), fmt.Sprintf("the end of process %d", before.PID))
		if err := syscall.Kill(before.PID, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("after %v: old process %d still exists (kill 0: %v)", ev, before.PID, err)
		}
	}
}

// TestConcurrentInvocations: parallel invocations each get their own
// answer, reuse warm environments and never exceed MaxConcurrency.
func TestConcurrentInvocations(t *testing.T) {
	const maxConcurrency, rounds, parallel = 3, 3, 8
	rt, _, events := newRuntimeEvents(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{
		fn("F", func(f *lambdaruntime.Function) { f.MaxConcurrency = maxConcurrency }),
	}})
	var (
		mu   sync.Mutex
		pids = map[int]int64{} // pid → highest count seen
	)
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		for i := 0; i < parallel; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				want := fmt.Sprintf(`{"round":%d,"i":%d}`, round, i)
				res, err := rt.Invoke(context.Background(), "F", []byte(`{"ms":20,"data":`+want+`}`))
				if err != nil {
					t.Errorf("invoke %s: %v", want, err)
					return
				}
				got := decodeEcho(t, res)
				if string(got.Data) != want || got.RequestID != res.Report.RequestID {
					t.Errorf("crossed answers: sent %s (request %s), got %s (request %s)", want, res.Report.RequestID, got.Data, got.RequestID)
				}
				mu.Lock()
				pids[got.PID] = max(pids[got.PID], got.Count)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	// The peak of live processes, replayed from the runtime's start and
	// end events in the order they happened.
	peak, alive := 0, 0
	for _, line := range events.matching(func(string) bool { return true }) {
		switch {
		case envStarted("F")(line):
			alive++
			peak = max(peak, alive)
		case envEnded("F")(line):
			alive--
		}
	}
	if len(pids) > maxConcurrency || peak > maxConcurrency {
		t.Errorf("%d processes served, peak %d environments; want at most %d", len(pids), peak, maxConcurrency)
	}
	var total int64
	for _, n := range pids {
		total += n
	}
	if total != rounds*parallel {
		t.Errorf("processes counted %d invocations, want %d", total, rounds*parallel)
	}
	if len(pids) == rounds*parallel {
		t.Errorf("no environment was reused")
	}
}

func TestWaitForEnvironmentIsBoundedByContext(t *testing.T) {
	rt, _, events := newRuntimeEvents(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{
		fn("F", func(f *lambdaruntime.Function) { f.MaxConcurrency = 1 }),
	}})
	busy := make(chan error, 1)
	go func() {
		_, err := rt.Invoke(context.Background(), "F", []byte(`{"action":"sleep","ms":1500}`))
		busy <- err
	}()
	events.waitN(t, 1, envStarted("F"), "the first environment")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := rt.Invoke(ctx, "F", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second invocation: err = %v, want context.DeadlineExceeded", err)
	}
	if err := <-busy; err != nil {
		t.Errorf("first invocation: %v", err)
	}
	if n := rt.Environments("F"); n != 1 {
		t.Errorf("%d environments, want 1", n)
	}
}

func TestInvokeRejects(t *testing.T) {
	rt, _ := newRuntime(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("F")}})
	tests := []struct {
		name     string
		function string
		payload  []byte
		want     error
	}{
		{"unknown function", "Nope", []byte(`{}`), lambdaruntime.ErrFunctionNotFound},
		{"not JSON", "F", []byte(`{"a":`), lambdaruntime.ErrInvalidRequestContent},
		{"too large", "F", []byte(`"` + strings.Repeat("x", lambdaruntime.MaxRequestBytes) + `"`), lambdaruntime.ErrRequestTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := rt.Invoke(context.Background(), tc.function, tc.payload); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if n := rt.Environments("F"); n != 0 {
		t.Errorf("a rejected invocation started %d environments", n)
	}
}

func TestProcessEnvironment(t *testing.T) {
	t.Setenv("SQSGATE_HOST_ONLY", "must-not-leak")
	rt, _ := newRuntime(t, lambdaruntime.Options{
		Region: "eu-central-1",
		Functions: []lambdaruntime.Function{fn("EnvFn", withEnv(
			"QUEUE_URL", "http://127.0.0.1:9324/000000000000/IngestQueue",
			"AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324",
			"AWS_LAMBDA_FUNCTION_NAME", "Impostor", // reserved: the runtime's value wins
			"TZ", "Europe/Paris", // not reserved: the function's value wins
		))},
	})
	got := decodeEcho(t, invoke(t, rt, "EnvFn", map[string]any{"action": "env"})).Env
	want := map[string]string{
		"QUEUE_URL":                       "http://127.0.0.1:9324/000000000000/IngestQueue",
		"AWS_ENDPOINT_URL_SQS":            "http://127.0.0.1:9324",
		"AWS_LAMBDA_FUNCTION_NAME":        "EnvFn",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/EnvFn",
		"AWS_REGION":                      "eu-central-1",
		"AWS_DEFAULT_REGION":              "eu-central-1",
		"LAMBDA_TASK_ROOT":                filepath.Dir(testFn),
		"_HANDLER":                        "bootstrap",
		"TZ":                              "Europe/Paris",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            os.Getenv("PATH"),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(got["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", got["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(got["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", got["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	for _, k := range []string{"SQSGATE_HOST_ONLY", "HOME", "AWS_EXECUTION_ENV"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s leaked into the function: %q", k, v)
		}
	}
}

func TestFunctionLogs(t *testing.T) {
	rt, logs := newRuntime(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("F")}})
	res := invoke(t, rt, "F", map[string]any{"action": "log", "message": `{"level":"INFO","msg":"json passes through"}`})
	for _, line := range []string{`{"level":"INFO","msg":"json passes through"}`, `stderr: {"level":"INFO","msg":"json passes through"}`} {
		if !strings.Contains(logs.String(), line+"\n") {
			t.Errorf("log lacks %q:\n%s", line, logs.String())
		}
		if !strings.Contains(string(res.Log), line+"\n") {
			t.Errorf("invocation log tail lacks %q:\n%s", line, res.Log)
		}
	}
	if !strings.HasSuffix(string(res.Log), res.Report.String()+"\n") {
		t.Errorf("log tail does not end with the REPORT line:\n%s", res.Log)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	logs := newLineLog()
	rt, err := lambdaruntime.New(lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("F"), fn("G")}, LogOutput: logs})
	if err != nil {
		t.Fatal(err)
	}
	idle := decodeEcho(t, invoke(t, rt, "G", map[string]any{}))
	inflight := make(chan error, 1)
	go func() {
		_, err := rt.Invoke(context.Background(), "F", []byte(`{"action":"sleep","ms":4000,"message":"sleeping"}`))
		inflight <- err
	}()
	// The function prints before it sleeps: it has taken the event.
	logs.waitN(t, 1, func(line string) bool { return line == "sleeping" }, "the function taking the event")

	if err := rt.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Close did not wait for the 4 s handler: the invocation was cut.
	if err := <-inflight; !errors.Is(err, lambdaruntime.ErrClosed) {
		t.Errorf("in-flight invocation: err = %v, want ErrClosed", err)
	}
	if err := syscall.Kill(idle.PID, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("idle process %d survived Close (kill 0: %v)", idle.PID, err)
	}
	if n := rt.Environments("F") + rt.Environments("G"); n != 0 {
		t.Errorf("%d environments after Close", n)
	}
	if _, err := rt.Invoke(context.Background(), "G", nil); !errors.Is(err, lambdaruntime.ErrClosed) {
		t.Errorf("invoke after Close: err = %v, want ErrClosed", err)
	}
	if err := rt.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestCallerGoneInvocationRunsOn: as in Lambda, an invocation whose caller
// gave up still completes, and its environment is reused afterwards.
func TestCallerGoneInvocationRunsOn(t *testing.T) {
	rt, logs := newRuntime(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("F")}})
	before := decodeEcho(t, invoke(t, rt, "F", map[string]any{}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// Invoke returns at the caller's deadline, not with the 600 ms result.
	if _, err := rt.Invoke(ctx, "F", []byte(`{"action":"sleep","ms":600}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	logs.waitN(t, 2, func(line string) bool { return strings.HasPrefix(line, "REPORT RequestId: ") }, "the abandoned invocation's REPORT line")
	after := decodeEcho(t, invoke(t, rt, "F", map[string]any{}))
	if after.PID != before.PID || after.Count != 3 {
		t.Errorf("after an abandoned invocation: pid %d count %d, want warm pid %d count 3", after.PID, after.Count, before.PID)
	}
}

// TestJSONLogFormat: with AWS_LAMBDA_LOG_FORMAT=JSON (the template's
// LoggingConfig), the platform's lines are Lambda's JSON records.
func TestJSONLogFormat(t *testing.T) {
	rt, logs := newRuntime(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{
		fn("F", withEnv("AWS_LAMBDA_LOG_FORMAT", "JSON"), func(f *lambdaruntime.Function) { f.Timeout = 500 * time.Millisecond }),
	}})
	ok := invoke(t, rt, "F", map[string]any{})
	timedOut := invoke(t, rt, "F", map[string]any{"action": "sleep", "ms": 5000})

	type record struct {
		Time   string `json:"time"`
		Type   string `json:"type"`
		Record struct {
			RequestID string             `json:"requestId"`
			Status    string             `json:"status"`
			Version   string             `json:"version"`
			Metrics   map[string]float64 `json:"metrics"`
		} `json:"record"`
	}
	var got []record
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if _, err := time.Parse(time.RFC3339Nano, r.Time); err != nil {
			t.Errorf("time %q: %v", r.Time, err)
		}
		got = append(got, r)
	}
	if len(got) != 6 {
		t.Fatalf("%d records, want 3 per invocation:\n%s", len(got), logs.String())
	}
	for i, want := range []struct {
		typ, id, status string
	}{
		{"platform.start", ok.Report.RequestID, ""},
		{"platform.runtimeDone", ok.Report.RequestID, "success"},
		{"platform.report", ok.Report.RequestID, "success"},
		{"platform.start", timedOut.Report.RequestID, ""},
		{"platform.runtimeDone", timedOut.Report.RequestID, "timeout"},
		{"platform.report", timedOut.Report.RequestID, "timeout"},
	} {
		if r := got[i]; r.Type != want.typ || r.Record.RequestID != want.id || r.Record.Status != want.status {
			t.Errorf("record %d: %s %s %s, want %s %s %s", i, r.Type, r.Record.RequestID, r.Record.Status, want.typ, want.id, want.status)
		}
	}
	m := got[2].Record.Metrics
	if m["memorySizeMB"] != 128 || m["billedDurationMs"] != float64(ok.Report.BilledDuration.Milliseconds()) || m["initDurationMs"] <= 0 {
		t.Errorf("report metrics %v do not match %+v", m, ok.Report)
	}
}

// TestParkedEnvironmentOutlivesTimeouts: a warm environment waits on
// /next for its next event longer than every Runtime API timeout (short
// ones injected here) and is still the one that serves it: the long poll
// is not cut.
func TestParkedEnvironmentOutlivesTimeouts(t *testing.T) {
	const limit = 200 * time.Millisecond
	rt, _ := newRuntime(t, lambdaruntime.Options{
		Functions:        []lambdaruntime.Function{fn("F", func(f *lambdaruntime.Function) { f.MaxConcurrency = 1 })},
		RuntimeAPILimits: httplimit.Limits{ReadHeaderTimeout: limit, BodyTimeout: limit, WriteTimeout: limit, IdleTimeout: limit},
	})
	first := decodeEcho(t, invoke(t, rt, "F", map[string]any{}))
	<-time.After(5 * limit) // the environment idles on /next: the scenario under test
	second := decodeEcho(t, invoke(t, rt, "F", map[string]any{}))
	if second.PID != first.PID || second.Count != 2 {
		t.Errorf("after idling past the timeouts: pid %d count %d, want the warm pid %d, count 2", second.PID, second.Count, first.PID)
	}
}

// An environment stopped while its runtime waits in /invocation/next must
// not answer that call: Lambda's Runtime API never answers a pending
// /next at shutdown, it stops the process (SIGTERM, then SIGKILL; see
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-shutdown).
// An error answer made aws-lambda-go print "failed to GET
// .../invocation/next: got unexpected status code: 500" after every
// `make invoke` and at every shutdown.
func TestCloseLeavesNoRuntimeClientError(t *testing.T) {
	logs := newLineLog()
	rt, err := lambdaruntime.New(lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("F")}, LogOutput: logs})
	if err != nil {
		t.Fatal(err)
	}
	decodeEcho(t, invoke(t, rt, "F", map[string]any{"action": "echo"}))
	if err := rt.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, bad := range []string{"failed to GET", "unexpected status code"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("the function's output after Close has %q:\n%s", bad, logs.String())
		}
	}
}

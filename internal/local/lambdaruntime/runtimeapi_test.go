package lambdaruntime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
)

// scriptedRuntime starts a function whose bootstrap only publishes its
// AWS_LAMBDA_RUNTIME_API and waits, so the test itself plays the runtime
// and can send what a well-behaved runtime never would.
func scriptedRuntime(t *testing.T) (rt *lambdaruntime.Runtime, addrFile string) {
	t.Helper()
	dir := t.TempDir()
	addrFile = filepath.Join(dir, "addr")
	script := filepath.Join(dir, "bootstrap")
	body := "#!/bin/sh\necho \"$AWS_LAMBDA_RUNTIME_API\" > \"$ADDR_FILE.tmp\" && mv \"$ADDR_FILE.tmp\" \"$ADDR_FILE\"\nexec sleep 60\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	rt, _ = newRuntime(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{{
		Name: "Scripted", Executable: script, Timeout: 10 * time.Second, MaxConcurrency: 1,
		Environment: map[string]string{"ADDR_FILE": addrFile},
	}}})
	return rt, addrFile
}

type apiCall struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url string, header http.Header, body []byte) apiCall {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return apiCall{resp.StatusCode, resp.Header, b}
}

func wantError(t *testing.T, what string, got apiCall, status int, errorType string) {
	t.Helper()
	var e struct{ ErrorType, ErrorMessage string }
	_ = json.Unmarshal(got.body, &e)
	if got.status != status || e.ErrorType != errorType || e.ErrorMessage == "" {
		t.Errorf("%s: %d %s, want %d with errorType %s", what, got.status, got.body, status, errorType)
	}
}

func wantAccepted(t *testing.T, what string, got apiCall) {
	t.Helper()
	if got.status != http.StatusAccepted || strings.TrimSpace(string(got.body)) != `{"status":"OK"}` {
		t.Errorf("%s: %d %s, want 202 {\"status\":\"OK\"}", what, got.status, got.body)
	}
}

type invokeResult struct {
	res *lambdaruntime.Result
	err error
}

func TestRuntimeAPIConformance(t *testing.T) {
	rt, addrFile := scriptedRuntime(t)
	results := make(chan invokeResult, 1)
	do := func(req lambdaruntime.Request) {
		go func() {
			res, err := rt.Do(context.Background(), req)
			results <- invokeResult{res, err}
		}()
	}
	do(lambdaruntime.Request{
		Function: "Scripted", Payload: []byte(`{"n":1}`),
		ClientContext: `{"client":{"app_title":"t"}}`, CognitoIdentity: `{"cognitoIdentityId":"id"}`,
	})
	invoked := time.Now()
	waitFor(t, func() bool { _, err := os.Stat(addrFile); return err == nil }, "runtime API address")
	addr, _ := os.ReadFile(addrFile)
	base := "http://" + strings.TrimSpace(string(addr)) + "/2018-06-01/runtime"

	wantError(t, "response before any event", call(t, "POST", base+"/invocation/nope/response", nil, []byte(`{}`)), 400, "InvalidRequestID")

	next := call(t, "GET", base+"/invocation/next", nil, nil)
	id := next.header.Get("Lambda-Runtime-Aws-Request-Id")
	if next.status != 200 || string(next.body) != `{"n":1}` {
		t.Fatalf("next: %d %s", next.status, next.body)
	}
	deadline, _ := strconv.ParseInt(next.header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if d := time.UnixMilli(deadline).Sub(invoked); d < 9*time.Second || d > 11*time.Second {
		t.Errorf("deadline %d is %v after the invocation, want about 10s", deadline, d)
	}
	for header, want := range map[string]string{
		"Lambda-Runtime-Invoked-Function-Arn": `^arn:aws:lambda:us-east-1:000000000000:function:Scripted$`,
		"Lambda-Runtime-Trace-Id":             `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`,
		"Lambda-Runtime-Client-Context":       `^\{"client":\{"app_title":"t"\}\}$`,
		"Lambda-Runtime-Cognito-Identity":     `^\{"cognitoIdentityId":"id"\}$`,
		"Lambda-Runtime-Aws-Request-Id":       `^[0-9a-f-]{36}$`,
	} {
		if got := next.header.Get(header); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("%s = %q, want %s", header, got, want)
		}
	}

	wantError(t, "next while an invocation runs", call(t, "GET", base+"/invocation/next", nil, nil), 403, "InvalidStateTransition")
	wantError(t, "response for another id", call(t, "POST", base+"/invocation/other/response", nil, []byte(`{}`)), 400, "InvalidRequestID")
	wantError(t, "init error after init", call(t, "POST", base+"/init/error", nil, []byte(`{}`)), 403, "InvalidStateTransition")
	if got := call(t, "POST", base+"/invocation/next", nil, nil); got.status != http.StatusMethodNotAllowed {
		t.Errorf("POST next: %d, want 405", got.status)
	}
	if got := call(t, "GET", base+"/unknown", nil, nil); got.status != http.StatusNotFound {
		t.Errorf("unknown path: %d, want 404", got.status)
	}
	wantAccepted(t, "response", call(t, "POST", base+"/invocation/"+id+"/response", nil, []byte(`{"ok":true}`)))
	wantError(t, "second response", call(t, "POST", base+"/invocation/"+id+"/response", nil, []byte(`{}`)), 403, "InvalidStateTransition")
	wantError(t, "error after response", call(t, "POST", base+"/invocation/"+id+"/error", nil, []byte(`{}`)), 403, "InvalidStateTransition")
	if r := <-results; r.err != nil || string(r.res.Payload) != `{"ok":true}` || r.res.FunctionError != "" {
		t.Fatalf("first invocation: %+v %v", r.res, r.err)
	}

	// An error that is not a JSON document is wrapped, typed by the header.
	do(lambdaruntime.Request{Function: "Scripted"})
	next = call(t, "GET", base+"/invocation/next", nil, nil)
	if string(next.body) != `{}` {
		t.Errorf("empty invocation delivered as %q, want {}", next.body)
	}
	id = next.header.Get("Lambda-Runtime-Aws-Request-Id")
	wantAccepted(t, "error", call(t, "POST", base+"/invocation/"+id+"/error",
		http.Header{"Lambda-Runtime-Function-Error-Type": {"Custom.Failure"}}, []byte("plain text")))
	r := <-results
	if r.err != nil || r.res.FunctionError != "Unhandled" ||
		string(r.res.Payload) != `{"errorMessage":"plain text","errorType":"Custom.Failure"}` {
		t.Fatalf("error invocation: %+v %v", r.res, r.err)
	}

	// The largest response passes; one byte more is refused.
	for _, size := range []int{lambdaruntime.MaxResponseBytes, lambdaruntime.MaxResponseBytes + 1} {
		do(lambdaruntime.Request{Function: "Scripted"})
		next = call(t, "GET", base+"/invocation/next", nil, nil)
		id = next.header.Get("Lambda-Runtime-Aws-Request-Id")
		payload := []byte(`"` + strings.Repeat("x", size-2) + `"`)
		got := call(t, "POST", base+"/invocation/"+id+"/response", nil, payload)
		r := <-results
		if size == lambdaruntime.MaxResponseBytes {
			wantAccepted(t, "largest response", got)
			if r.err != nil || len(r.res.Payload) != size || r.res.FunctionError != "" {
				t.Errorf("largest response: %d bytes, error %q, %v", len(r.res.Payload), r.res.FunctionError, r.err)
			}
			continue
		}
		wantError(t, "response too large", got, 413, "RequestEntityTooLarge")
		if r.err != nil || r.res.FunctionError != "Unhandled" || errorTypeOf(r.res.Payload) != "Function.ResponseSizeTooLarge" {
			t.Errorf("oversized response: %s %v", r.res.Payload, r.err)
		}
	}
}

func errorTypeOf(payload []byte) string {
	var e lambdaError
	_ = json.Unmarshal(payload, &e)
	return e.ErrorType
}

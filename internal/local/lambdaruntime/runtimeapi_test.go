package lambdaruntime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/sqsgate/sqsgate/internal/local/peercred/peercredtest"
)

// scriptedRuntime starts a function whose bootstrap only prints its
// AWS_LAMBDA_RUNTIME_API and waits, so the test itself plays the runtime
// and can send what a well-behaved runtime never would. runtimeAPI waits
// for that line once an invocation has started the process.
func scriptedRuntime(t *testing.T) (rt *lambdaruntime.Runtime, runtimeAPI func() string) {
	t.Helper()
	rt, runtimeAPI, _ = scriptedRuntimeWith(t, lambdaruntime.Options{})
	return rt, runtimeAPI
}

// scriptedRuntimeWith is scriptedRuntime with options and the runtime's own
// log.
func scriptedRuntimeWith(t *testing.T, opts lambdaruntime.Options) (rt *lambdaruntime.Runtime, runtimeAPI func() string, events *lineLog) {
	t.Helper()
	script := filepath.Join(t.TempDir(), "bootstrap")
	body := "#!/bin/sh\necho \"runtime-api=$AWS_LAMBDA_RUNTIME_API\"\nexec sleep 60\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	opts.Functions = []lambdaruntime.Function{{Name: "Scripted", Executable: script, Timeout: 10 * time.Second, MaxConcurrency: 1}}
	rt, logs, events := newRuntimeEvents(t, opts)
	return rt, func() string {
		line := logs.waitN(t, 1, contains("runtime-api="), "the runtime API address")[0]
		return "http://" + strings.TrimPrefix(line, "runtime-api=") + "/2018-06-01/runtime"
	}, events
}

// TestRuntimeAPIRefusesOtherUsers: a process of another user (nobody)
// polling an environment's /next, as in issue 16's hijack of the
// authorizer, gets no answer, and the event stays for the environment's own
// runtime; with AllowOtherUsers it would have taken it.
func TestRuntimeAPIRefusesOtherUsers(t *testing.T) {
	other := peercredtest.OtherUser(t)
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("AllowOtherUsers=%v", allow), func(t *testing.T) {
			rt, runtimeAPI, events := scriptedRuntimeWith(t, lambdaruntime.Options{AllowOtherUsers: allow})
			results := make(chan invokeResult, 1)
			go func() {
				res, err := rt.Do(context.Background(), lambdaruntime.Request{Function: "Scripted", Payload: []byte(`{"token":"secret"}`)})
				results <- invokeResult{res, err}
			}()
			base := runtimeAPI()
			stolen := other.Do(t, "GET", base+"/invocation/next", "")
			if allow {
				if stolen.Status != 200 || stolen.Body != `{"token":"secret"}` {
					t.Fatalf("with AllowOtherUsers, another user's /next: %+v", stolen)
				}
				return
			}
			if !stolen.Refused() {
				t.Fatalf("another user's /next was answered: %+v", stolen)
			}
			events.waitN(t, 1, contains(`"event":"connection_refused"`, `"listener":"Runtime API of Scripted"`, fmt.Sprintf(`"peer_uid":%d`, other.UID)), "the refusal's log line")

			next := call(t, "GET", base+"/invocation/next", nil, nil)
			if next.status != 200 || string(next.body) != `{"token":"secret"}` {
				t.Fatalf("the owner's /next: %d %s, want the event", next.status, next.body)
			}
			id := next.header.Get("Lambda-Runtime-Aws-Request-Id")
			if r := other.Do(t, "POST", base+"/invocation/"+id+"/response", `{"isAuthorized":true}`); !r.Refused() {
				t.Errorf("another user's answer was taken: %+v", r)
			}
			wantAccepted(t, "owner's response", call(t, "POST", base+"/invocation/"+id+"/response", nil, []byte(`{"isAuthorized":false}`)))
			if r := <-results; r.err != nil || string(r.res.Payload) != `{"isAuthorized":false}` {
				t.Errorf("invocation result %+v %v, want the owner's answer", r.res, r.err)
			}
		})
	}
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
	rt, runtimeAPI := scriptedRuntime(t)
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
	base := runtimeAPI()

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

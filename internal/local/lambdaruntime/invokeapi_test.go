package lambdaruntime_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

func startInvokeAPI(t *testing.T) (srv *httptest.Server, logs *lineLog) {
	t.Helper()
	rt, logs := newRuntime(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("Echo")}})
	srv = httptest.NewServer(rt.InvokeAPI())
	t.Cleanup(srv.Close)
	return srv, logs
}

func TestInvokeAPI(t *testing.T) {
	srv, logs := startInvokeAPI(t)
	invokeURL := func(name string) string {
		return srv.URL + "/2015-03-31/functions/" + url.PathEscape(name) + "/invocations"
	}
	tests := []struct {
		name      string
		method    string
		url       string
		header    http.Header
		body      string
		status    int
		errorCode string // X-Amzn-ErrorType
		funcError string // X-Amz-Function-Error
		bodyHas   string
	}{
		{name: "unknown function", url: invokeURL("Nope"), body: `{}`, status: 404, errorCode: "ResourceNotFoundException",
			bodyHas: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:Nope"},
		{name: "other account", url: invokeURL("arn:aws:lambda:us-east-1:111111111111:function:Echo"), status: 404, errorCode: "ResourceNotFoundException"},
		{name: "published version", url: invokeURL("Echo") + "?Qualifier=1", status: 404, errorCode: "ResourceNotFoundException"},
		{name: "not JSON", url: invokeURL("Echo"), body: `{"a":`, status: 400, errorCode: "InvalidRequestContentException"},
		{name: "too large", url: invokeURL("Echo"), body: `"` + strings.Repeat("x", lambdaruntime.MaxRequestBytes) + `"`,
			status: 413, errorCode: "RequestTooLargeException", bodyHas: "(limit 6291456 bytes)"},
		{name: "bad invocation type", url: invokeURL("Echo"), header: http.Header{"X-Amz-Invocation-Type": {"Later"}},
			status: 400, errorCode: "InvalidParameterValueException"},
		{name: "bad client context", url: invokeURL("Echo"), header: http.Header{"X-Amz-Client-Context": {"%%%"}},
			status: 400, errorCode: "InvalidRequestContentException"},
		{name: "wrong method", method: "GET", url: invokeURL("Echo"), status: 404, errorCode: "UnknownOperationException"},
		{name: "function error", url: invokeURL("Echo"), body: `{"action":"error","message":"nope"}`, status: 200,
			funcError: "Unhandled", bodyHas: `"errorMessage":"nope"`},
		{name: "dry run", url: invokeURL("Echo"), header: http.Header{"X-Amz-Invocation-Type": {"DryRun"}}, status: 204},
		{name: "by name", url: invokeURL("Echo"), body: `{"data":"by-name"}`, status: 200, bodyHas: `"data":"by-name"`},
		{name: "by ARN with $LATEST", url: invokeURL("arn:aws:lambda:us-east-1:000000000000:function:Echo:$LATEST"),
			body: `{"data":"by-arn"}`, status: 200, bodyHas: `"data":"by-arn"`},
		{name: "empty payload", url: invokeURL("Echo") + "?Qualifier=$LATEST", status: 200, bodyHas: `"requestId"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "POST"
			}
			got := call(t, method, tc.url, tc.header, []byte(tc.body))
			if got.status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
			if code := got.header.Get("X-Amzn-ErrorType"); code != tc.errorCode {
				t.Errorf("X-Amzn-ErrorType = %q, want %q", code, tc.errorCode)
			}
			if fe := got.header.Get("X-Amz-Function-Error"); fe != tc.funcError {
				t.Errorf("X-Amz-Function-Error = %q, want %q", fe, tc.funcError)
			}
			if tc.status == 200 && got.header.Get("X-Amz-Executed-Version") != "$LATEST" {
				t.Errorf("X-Amz-Executed-Version = %q", got.header.Get("X-Amz-Executed-Version"))
			}
			if !strings.Contains(string(got.body), tc.bodyHas) {
				t.Errorf("body %s lacks %s", got.body, tc.bodyHas)
			}
		})
	}

	t.Run("log tail", func(t *testing.T) {
		got := call(t, "POST", invokeURL("Echo"), http.Header{"X-Amz-Log-Type": {"Tail"}}, []byte(`{"action":"log","message":"tail me"}`))
		tail, err := base64.StdEncoding.DecodeString(got.header.Get("X-Amz-Log-Result"))
		if err != nil || !strings.Contains(string(tail), "tail me\n") || !strings.Contains(string(tail), "REPORT RequestId: ") {
			t.Errorf("X-Amz-Log-Result %q (%v), want the invocation's log lines", tail, err)
		}
	})
	t.Run("event", func(t *testing.T) {
		got := call(t, "POST", invokeURL("Echo"), http.Header{"X-Amz-Invocation-Type": {"Event"}}, []byte(`{"action":"log","message":"async ran"}`))
		if got.status != http.StatusAccepted || len(got.body) != 0 {
			t.Fatalf("event: %d %s, want 202 and no body", got.status, got.body)
		}
		logs.waitN(t, 1, func(line string) bool { return line == "async ran" }, "the asynchronous invocation's log line")
	})
}

// TestInvokeAPIWithAWSCLI drives the Invoke API with the AWS CLI, as a user
// of `aws lambda invoke --endpoint-url` would: the aws on PATH (CLI v1 in
// the image) and Debian's CLI v2 at /usr/bin/aws when installed.
func TestInvokeAPIWithAWSCLI(t *testing.T) {
	clis := []string{testpeer.LookPath(t, "aws")}
	if v2 := "/usr/bin/aws"; clis[0] != v2 {
		if _, err := os.Stat(v2); err == nil {
			clis = append(clis, v2)
		}
	}
	srv, _ := startInvokeAPI(t)
	for _, aws := range clis {
		t.Run(aws, func(t *testing.T) { invokeWithCLI(t, aws, srv.URL) })
	}
}

func invokeWithCLI(t *testing.T, aws, endpoint string) {
	dir := t.TempDir()
	version, err := exec.Command(aws, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("aws --version: %v\n%s", err, version)
	}
	// CLI v2 reads --payload as base64 unless told otherwise; v1 takes it raw
	// and does not know the flag.
	var binaryFormat []string
	if !strings.HasPrefix(string(version), "aws-cli/1.") {
		binaryFormat = []string{"--cli-binary-format", "raw-in-base64-out"}
	}
	tests := []struct {
		name      string
		payload   string
		funcError string
		outHas    string
	}{
		{"function error", `{"action":"panic","message":"cli boom"}`, "Unhandled", `"errorMessage":"cli boom"`},
		{"success", `{"data":{"from":"cli"}}`, "", `"data":{"from":"cli"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			args := append([]string{"lambda", "invoke", "--function-name", "Echo", "--payload", tc.payload,
				"--endpoint-url", endpoint}, binaryFormat...)
			cmd := exec.Command(aws, append(args, out)...)
			cmd.Env = append(testpeer.AWSEnv(endpoint), "PATH="+os.Getenv("PATH"), "HOME="+dir)
			stdout, err := cmd.Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("aws lambda invoke: %v\n%s\n%s", err, stdout, stderr)
			}
			var meta struct {
				StatusCode      int
				FunctionError   string
				ExecutedVersion string
			}
			if err := json.Unmarshal(stdout, &meta); err != nil {
				t.Fatalf("CLI output %s: %v", stdout, err)
			}
			if meta.StatusCode != 200 || meta.FunctionError != tc.funcError || meta.ExecutedVersion != "$LATEST" {
				t.Errorf("CLI output %+v, want 200, FunctionError %q, $LATEST", meta, tc.funcError)
			}
			body, _ := os.ReadFile(out)
			if !strings.Contains(string(body), tc.outHas) {
				t.Errorf("outfile %s lacks %s", body, tc.outHas)
			}
		})
	}
}

func FuzzParseFunctionName(f *testing.F) {
	for _, s := range []string{"Echo", "Echo:$LATEST", "000000000000:function:Echo",
		"arn:aws:lambda:us-east-1:000000000000:function:Echo:$LATEST", "arn:aws:lambda:::function:", ":", "a:b:c:d:e"} {
		f.Add(s)
	}
	rt, err := lambdaruntime.New(lambdaruntime.Options{Functions: []lambdaruntime.Function{{Name: "Echo", Executable: testFn}}})
	if err != nil {
		f.Fatal(err)
	}
	h := rt.InvokeAPI()
	f.Fuzz(func(t *testing.T, name string) {
		// DryRun exercises name resolution without starting a process.
		req := httptest.NewRequest("POST", "/2015-03-31/functions/x/invocations", nil)
		req.URL.RawPath = ""
		req.URL.Path = "/2015-03-31/functions/" + strings.ReplaceAll(name, "/", "") + "/invocations"
		req.Header.Set("X-Amz-Invocation-Type", "DryRun")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code == http.StatusNoContent {
			n := strings.ReplaceAll(name, "/", "")
			if n != "Echo" && !strings.HasSuffix(n, ":function:Echo") && !strings.HasSuffix(n, ":Echo:$LATEST") &&
				!strings.HasSuffix(n, "Echo:$LATEST") {
				t.Fatalf("%q resolved to a function", name)
			}
		}
	})
}

package lambdaruntime_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime/internal/testfn"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// projectFunction is one of the application's functions, built from
// functions/<dir> as `make run` builds it, with an environment that lets its
// init phase succeed without AWS.
type projectFunction struct {
	dir string
	env func(b *testing.B) map[string]string
}

var projectFunctions = []projectFunction{
	{"webhook", func(*testing.B) map[string]string {
		return map[string]string{
			"QUEUE_URL":             "http://127.0.0.1:9/000000000000/IngestQueue",
			"AWS_ENDPOINT_URL_SQS":  "http://127.0.0.1:9",
			"GITHUB_WEBHOOK_SECRET": "sqsgate-dev-github-secret",
			"PADDLE_WEBHOOK_SECRET": "pdl_ntfset_sqsgatedev_localonly",
			"AWS_ACCESS_KEY_ID":     "test", "AWS_SECRET_ACCESS_KEY": "test",
		}
	}},
	{"authorizer", func(b *testing.B) map[string]string {
		issuer, err := devissuer.Load()
		if err != nil {
			b.Fatalf("dev issuer: %v", err)
		}
		jwks := issuer.JWKS()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(jwks)
		}))
		b.Cleanup(srv.Close)
		return map[string]string{
			"COGNITO_ISSUER":     devissuer.Issuer,
			"COGNITO_CLIENT_IDS": devissuer.ClientID,
			"COGNITO_JWKS_URL":   srv.URL + devissuer.JWKSPath,
		}
	}},
	{"transformer", func(*testing.B) map[string]string {
		return map[string]string{
			"QUEUE_URL":            "http://127.0.0.1:9/000000000000/IngestQueue",
			"AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9",
			"AWS_ACCESS_KEY_ID":    "test", "AWS_SECRET_ACCESS_KEY": "test",
		}
	}},
}

// BenchmarkColdStart measures each function's init under the runtime
// (process start to its first /invocation/next, Lambda's Init Duration) and,
// in the same loop, the primitive beneath it: starting and reaping a
// process that does nothing (/bin/true). x-spawn is their ratio.
func BenchmarkColdStart(b *testing.B) {
	trueBin, err := exec.LookPath("true")
	if err != nil {
		testpeer.Missing(b, "no true(1) on PATH for the process-spawn baseline")
	}
	b.Run("testfn", func(b *testing.B) { benchColdStart(b, fn("F"), trueBin) })
	root, err := filepath.Abs("../../..")
	if err != nil {
		b.Fatal(err)
	}
	for _, pf := range projectFunctions {
		b.Run(pf.dir, func(b *testing.B) {
			pkg := filepath.Join(root, "functions", pf.dir)
			if _, err := os.Stat(filepath.Join(pkg, "main.go")); err != nil {
				testpeer.Missing(b, "functions/"+pf.dir+" not in the tree")
			}
			exe := filepath.Join(b.TempDir(), pf.dir, "bootstrap")
			if err := goBuild(exe, pkg); err != nil {
				testpeer.Missing(b, fmt.Sprintf("functions/%s does not build: %v", pf.dir, err))
			}
			benchColdStart(b, lambdaruntime.Function{Name: pf.dir, Executable: exe, Environment: pf.env(b)}, trueBin)
		})
	}
}

func benchColdStart(b *testing.B, f lambdaruntime.Function, trueBin string) {
	var initTotal, spawnTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rt, err := lambdaruntime.New(lambdaruntime.Options{Functions: []lambdaruntime.Function{f}})
		if err != nil {
			b.Fatal(err)
		}
		res, err := rt.Invoke(context.Background(), f.Name, []byte(`{}`))
		if err != nil {
			b.Fatal(err)
		}
		if res.Report.Status != "" {
			b.Fatalf("%s did not start: %s", f.Name, res.Payload)
		}
		initTotal += res.Report.InitDuration
		b.StopTimer()
		_ = rt.Close()
		start := time.Now()
		if err := exec.Command(trueBin).Run(); err != nil {
			b.Fatal(err)
		}
		spawnTotal += time.Since(start)
		b.StartTimer()
	}
	initMS := float64(initTotal) / float64(time.Millisecond) / float64(b.N)
	spawnMS := float64(spawnTotal) / float64(time.Millisecond) / float64(b.N)
	b.ReportMetric(initMS, "init-ms")
	b.ReportMetric(spawnMS, "spawn-ms")
	b.ReportMetric(initMS/spawnMS, "x-spawn")
}

// BenchmarkWarmInvoke compares, in one loop, a warm invocation of the test
// function under the runtime (Invoke → Runtime API → bootstrap → response)
// with the same handler called in-process through aws-lambda-go's
// lambda.Handler (JSON in and out, no process or HTTP). x-inproc is their
// ratio, overhead-us their difference.
func BenchmarkWarmInvoke(b *testing.B) {
	rt, _ := newRuntime(b, lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("Echo")}})
	payload := []byte(`{"data":{"id":"evt_01","type":"push","attempt":1}}`)
	ctx := context.Background()
	if _, err := rt.Invoke(ctx, "Echo", payload); err != nil { // warm it
		b.Fatal(err)
	}
	inProc := lambda.NewHandler((&testfn.Handler{}).Handle)

	var runtimeTotal, inProcTotal time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res, err := rt.Invoke(ctx, "Echo", payload)
		runtimeTotal += time.Since(start)
		if err != nil || res.FunctionError != "" || res.Report.InitDuration != 0 {
			b.Fatalf("warm invocation: %v %+v", err, res)
		}
		start = time.Now()
		if _, err := inProc.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
		inProcTotal += time.Since(start)
	}
	runtimeUS := float64(runtimeTotal) / float64(time.Microsecond) / float64(b.N)
	inProcUS := float64(inProcTotal) / float64(time.Microsecond) / float64(b.N)
	b.ReportMetric(runtimeUS, "runtime-us")
	b.ReportMetric(inProcUS, "inproc-us")
	b.ReportMetric(runtimeUS-inProcUS, "overhead-us")
	b.ReportMetric(runtimeUS/inProcUS, "x-inproc")
}

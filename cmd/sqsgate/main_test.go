package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/local/build"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// The end-to-end tests run what `make run` runs: the sqsgate binary and
// every function's real bootstrap, built for this machine by TestMain.
var (
	raceBuild    bool // set by race_test.go
	repoRoot     string
	sqsgateBin   string
	functionsDir string
)

// functionPackages maps each logical ID to its main package.
var functionPackages = map[string]string{
	"WebhookFunction":     "./functions/webhook",
	"AuthorizerFunction":  "./functions/authorizer",
	"TransformerFunction": "./functions/transformer",
	"ConsumerFunction":    "./functions/consumer",
}

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run() // every test here needs the built binaries: they skip
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = filepath.Join(wd, "..", "..")
	tmp, err := os.MkdirTemp("", "sqsgate-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	sqsgateBin = filepath.Join(tmp, "sqsgate")
	functionsDir = filepath.Join(tmp, "functions")
	sqsgateBuild := []string{"build", "-o", sqsgateBin, "./cmd/sqsgate"}
	if raceBuild {
		sqsgateBuild = []string{"build", "-race", "-o", sqsgateBin, "./cmd/sqsgate"}
	}
	cmd := exec.Command("go", sqsgateBuild...)
	cmd.Dir = repoRoot
	if !raceBuild { // the race detector needs cgo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go %s: %v\n%s", strings.Join(sqsgateBuild, " "), err, out)
		return 1
	}
	// As `sqsgate run` builds them (CGO off, lambda.norpc, host OS), with
	// the stamps that tell it they are current.
	var fns []build.Function
	for id, pkg := range functionPackages {
		fns = append(fns, build.Function{Name: id, Package: pkg, Out: filepath.Join(functionsDir, id, "bootstrap")})
	}
	if err := (&build.Builder{Dir: repoRoot}).Ensure(context.Background(), fns); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// needBinaries skips under -short, where TestMain builds nothing.
func needBinaries(t testing.TB) {
	t.Helper()
	if sqsgateBin == "" {
		t.Skip("-short: the sqsgate binary and the function bootstraps are not built")
	}
}

// stack is a running `sqsgate run`.
type stack struct {
	API, Lambda, SQS string // base URLs
	stdout, stderr   *testpeer.SyncBuffer
	sqs              *sqs.Client
}

// startStack runs `sqsgate run` on free ports with the repository's
// template and env.local.json, plus args, and waits until it is ready. At
// the end of the test it sends SIGINT and checks that everything stopped
// cleanly (exit code 0).
func startStack(t testing.TB, args ...string) *stack {
	t.Helper()
	needBinaries(t)
	api := "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
	lambda := "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
	sqsAddr := "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
	s := &stack{API: "http://" + api, Lambda: "http://" + lambda, SQS: "http://" + sqsAddr, stdout: &testpeer.SyncBuffer{}, stderr: &testpeer.SyncBuffer{}}
	full := append([]string{"run",
		"--template", "template.yaml",
		"--env-vars", "env.local.json",
		"--functions-dir", functionsDir,
		"--api-addr", api, "--lambda-addr", lambda, "--sqs-addr", sqsAddr,
		"--data-dir", filepath.Join(t.TempDir(), "data"),
	}, args...)
	cmd := exec.Command(sqsgateBin, full...)
	cmd.Dir = repoRoot
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("sqsgate run did not stop cleanly after SIGINT: %v\nstderr:\n%s", err, tail(s.stderr.String()))
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Errorf("sqsgate run still running 15s after SIGINT")
		}
		if t.Failed() {
			t.Logf("sqsgate run stdout:\n%s\nstderr:\n%s", s.stdout.String(), tail(s.stderr.String()))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.stdout.String(), "sqsgate: ready") {
		select {
		case err := <-exited:
			t.Fatalf("sqsgate run exited before ready: %v\nstderr:\n%s", err, s.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("sqsgate run not ready after 30s\nstdout:\n%s\nstderr:\n%s", s.stdout.String(), s.stderr.String())
		}
	}
	endpoint := s.SQS
	for i, a := range args {
		if a == "--sqs-endpoint" && i+1 < len(args) {
			endpoint = args[i+1]
		}
	}
	s.sqs = sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   httpClient,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
	return s
}

// cleanEnv is the test process's environment without SQSGATE_* and AWS_*
// variables, so only the flags shape the run.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SQSGATE_") || strings.HasPrefix(kv, "AWS_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func tail(s string) string {
	if len(s) > 6000 {
		return "..." + s[len(s)-6000:]
	}
	return s
}

// queueURL asks the SQS endpoint in use for a template queue's URL.
func (s *stack) queueURL(t testing.TB, name string) string {
	t.Helper()
	out, err := s.sqs.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("GetQueueUrl %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

var httpClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128},
}

// sqsgate runs the binary with args and returns its stdout, stderr and
// exit code.
func sqsgate(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	needBinaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sqsgateBin, args...)
	cmd.Dir = repoRoot
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("sqsgate %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}

package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// waitTimeSeconds is how long the receives below ask to wait. Shutdown must
// answer them well before that.
const waitTimeSeconds = 20

// TestShutdownAnswersWaitingReceives: Ctrl-C while receives long-poll
// answers them at once (no messages), stops, exits 0 and prints no error.
// Before Drain, the HTTP servers' shutdown waited on each poll: `sqsgate
// sqs` exited 1 after 5 s and `sqsgate run` after 11 s, both printing
// "context deadline exceeded" (twice for run).
func TestShutdownAnswersWaitingReceives(t *testing.T) {
	t.Run("sqsgate sqs, a receive waiting on the endpoint", func(t *testing.T) {
		addr := "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
		p := startProcess(t, "sqs", "--sqs-addr", addr, "--log-level", "debug")
		client := localClient("http://" + addr)
		out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("waiting")})
		require.NoError(t, err)
		waiting := p.stderr.watch(`"queue":"waiting"`)
		answered := receiveInBackground(client, aws.ToString(out.QueueUrl))
		p.await(t, waiting, "the receive to wait")

		p.interrupt(t)
		r := <-answered
		require.NoError(t, r.err)
		assert.Empty(t, r.messages, "a drained receive answers with no messages")
		assert.Less(t, r.elapsed, waitTimeSeconds*time.Second/2, "answered by the shutdown, not by the end of its wait")
	})

	t.Run("sqsgate run, GET /v1/messages and a receive waiting", func(t *testing.T) {
		api := "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
		sqsAddr := "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
		p := startProcess(t, "run",
			"--template", "template.yaml", "--env-vars", "env.local.json", "--functions-dir", functionsDir,
			"--api-addr", api, "--lambda-addr", "127.0.0.1:"+strconv.Itoa(testpeer.FreePort(t)), "--sqs-addr", sqsAddr,
			"--data-dir", filepath.Join(t.TempDir(), "data"), "--log-level", "debug", "--access-log=false",
			"--build=false") // the functions are built; build progress lines would read as errors below
		client := localClient("http://" + sqsAddr)
		ingestWaiting := p.stderr.watch(`"queue":"` + ingestQueue + `"`)
		dlqWaiting := p.stderr.watch(`"queue":"` + deadLetters + `"`)

		token := devToken(t)
		type apiAnswer struct {
			status  int
			body    []byte
			elapsed time.Duration
		}
		routeAnswered := make(chan apiAnswer, 1)
		go func() {
			start := time.Now()
			req, _ := http.NewRequest(http.MethodGet, "http://"+api+"/v1/messages?wait="+strconv.Itoa(waitTimeSeconds), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			a := apiAnswer{}
			if resp, err := httpClient.Do(req); err == nil {
				var b bytes.Buffer
				_, _ = b.ReadFrom(resp.Body)
				resp.Body.Close()
				a.status, a.body = resp.StatusCode, b.Bytes()
			}
			a.elapsed = time.Since(start)
			routeAnswered <- a
		}()
		received := receiveInBackground(client, "http://"+sqsAddr+"/000000000000/"+deadLetters)
		p.await(t, ingestWaiting, "GET /v1/messages to wait on "+ingestQueue)
		p.await(t, dlqWaiting, "the receive to wait on "+deadLetters)

		p.interrupt(t)
		a := <-routeAnswered
		assert.Equal(t, http.StatusOK, a.status, "body: %s", a.body)
		assert.NotContains(t, string(a.body), `"Body"`, "a drained receive answers with no messages")
		assert.Less(t, a.elapsed, waitTimeSeconds*time.Second/2, "answered by the shutdown, not by the end of its wait")
		r := <-received
		require.NoError(t, r.err)
		assert.Empty(t, r.messages)
		assert.Less(t, r.elapsed, waitTimeSeconds*time.Second/2)
	})
}

type receiveAnswer struct {
	messages int
	err      error
	elapsed  time.Duration
}

// receiveInBackground long-polls queueURL for waitTimeSeconds.
func receiveInBackground(client *sqs.Client, queueURL string) <-chan receiveAnswer {
	answered := make(chan receiveAnswer, 1)
	go func() {
		start := time.Now()
		out, err := client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: waitTimeSeconds})
		a := receiveAnswer{err: err, elapsed: time.Since(start)}
		if err == nil {
			a.messages = len(out.Messages)
		}
		answered <- a
	}()
	return answered
}

func localClient(endpoint string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		HTTPClient:       httpClient,
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
}

// process is a running sqsgate whose output the test watches.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *watchWriter
	exited         chan error
}

// startProcess runs sqsgate with args and waits for "sqsgate: ready". The
// test must end it with interrupt; a process still running at the end is
// killed.
func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	needBinaries(t)
	p := &process{cmd: exec.Command(sqsgateBin, args...), stdout: &watchWriter{}, stderr: &watchWriter{}, exited: make(chan error, 1)}
	p.cmd.Dir = repoRoot
	p.cmd.Env = cleanEnv()
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	ready := p.stdout.watch("sqsgate: ready")
	require.NoError(t, p.cmd.Start())
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("sqsgate %s stdout:\n%s\nstderr:\n%s", args[0], p.stdout.String(), tail(p.stderr.String()))
		}
	})
	p.await(t, ready, "sqsgate "+args[0]+" to be ready")
	return p
}

// await waits for event, failing if the process exits first.
func (p *process) await(t *testing.T, event <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-event:
	case err := <-p.exited:
		p.exited <- err
		t.Fatalf("sqsgate exited (%v) while waiting for %s", err, what)
	case <-time.After(60 * time.Second):
		t.Fatalf("gave up waiting for %s", what)
	}
}

// interrupt sends SIGINT, as Ctrl-C does, and checks that the process
// exits 0 without printing an error.
func (p *process) interrupt(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-p.exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Errorf("exit code %d after SIGINT, want 0", ee.ExitCode())
		} else {
			require.NoError(t, err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("still running 60 s after SIGINT")
	}
	assert.False(t, strings.Contains(p.stderr.String(), "deadline exceeded"), "stderr says a shutdown timed out")
	for _, line := range strings.Split(p.stderr.String(), "\n") {
		assert.False(t, strings.HasPrefix(line, "sqsgate: "), "an error line: %s", line)
	}
}

// watchWriter keeps what a process writes and closes a channel the first
// time the output contains each watched string: tests wait on events in
// the process's log, not on time.
type watchWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	watches []watch
}

type watch struct {
	s    []byte
	seen chan struct{}
}

func (w *watchWriter) watch(s string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := make(chan struct{})
	if bytes.Contains(w.buf.Bytes(), []byte(s)) {
		close(seen)
		return seen
	}
	w.watches = append(w.watches, watch{s: []byte(s), seen: seen})
	return seen
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	start := w.buf.Len()
	w.buf.Write(p)
	pending := w.watches[:0]
	for _, x := range w.watches {
		// Look at the new bytes and enough before them for a match that
		// straddles two writes.
		from := max(0, start-len(x.s))
		if bytes.Contains(w.buf.Bytes()[from:], x.s) {
			close(x.seen)
			continue
		}
		pending = append(pending, x)
	}
	w.watches = pending
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

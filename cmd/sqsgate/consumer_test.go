package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/local/fixtures"
)

// The consumer flows run `sqsgate run` with EnableConsumer=true: the
// template's SQS event source mapping invokes ConsumerFunction (the real
// one, or testdata/testconsumer, whose behaviour the bodies choose).

var (
	testConsumerOnce sync.Once
	testConsumerDir  string
	testConsumerErr  error
)

// testConsumerFunctions is a functions dir holding every built bootstrap,
// with testdata/testconsumer as ConsumerFunction. Stacks on it run with
// --build=false, or the build on start would put the real consumer back.
func testConsumerFunctions(t *testing.T) string {
	t.Helper()
	needBinaries(t)
	testConsumerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sqsgate-consumer-")
		if err != nil {
			testConsumerErr = err
			return
		}
		for id := range functionPackages {
			if id == "ConsumerFunction" {
				continue
			}
			if err := os.MkdirAll(filepath.Join(dir, id), 0o755); err == nil {
				err = os.Symlink(filepath.Join(functionsDir, id, "bootstrap"), filepath.Join(dir, id, "bootstrap"))
			}
			if err != nil {
				testConsumerErr = err
				return
			}
		}
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "ConsumerFunction", "bootstrap"), "./cmd/sqsgate/testdata/testconsumer")
		cmd.Dir = repoRoot
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			testConsumerErr = fmt.Errorf("build testconsumer: %v\n%s", err, out)
		}
		testConsumerDir = dir
	})
	if testConsumerErr != nil {
		t.Fatal(testConsumerErr)
	}
	return testConsumerDir
}

// logLines are the JSON lines on the stack's stderr whose message is msg
// (key "msg" in slog's default JSON, "message" in the functions' Lambda
// format).
func (s *stack) logLines(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		i := strings.IndexByte(line, '{')
		if i < 0 || !strings.Contains(line, `":"`+msg+`"`) {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line[i:]), &m) == nil && (m["msg"] == msg || m["message"] == msg) {
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls the stack's log until cond holds (the platform logs every
// batch, so the log is the event to wait on).
func (s *stack) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sendTest(t *testing.T, s *stack, queueURL string, bodies []string, group string) {
	t.Helper()
	for i := 0; i < len(bodies); i += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for j, b := range bodies[i:min(i+10, len(bodies))] {
			e := sqstypes.SendMessageBatchRequestEntry{
				Id:          aws.String(fmt.Sprint(j)),
				MessageBody: aws.String(b),
				MessageAttributes: map[string]sqstypes.MessageAttributeValue{
					"provider": {DataType: aws.String("String"), StringValue: aws.String("test")},
					"event":    {DataType: aws.String("String"), StringValue: aws.String("e2e")},
				},
			}
			if group != "" {
				e.MessageGroupId = aws.String(group)
				e.MessageDeduplicationId = aws.String(fmt.Sprintf("%s-%d", b, time.Now().UnixNano()))
			}
			entries = append(entries, e)
		}
		out, err := s.sqs.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil || len(out.Failed) > 0 {
			t.Fatalf("SendMessageBatch: %v %+v", err, out)
		}
	}
}

func bodiesOf(lines []map[string]any) []string {
	var out []string
	for _, l := range lines {
		out = append(out, fmt.Sprint(l["body"]))
	}
	return out
}

func TestConsumerEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: starts sqsgate run and the real functions")
	}
	t.Run("the example consumer", func(t *testing.T) {
		s := startStack(t, "--parameter-overrides", "EnableConsumer=true")
		ingest := s.queueURL(t, ingestQueue)
		if !strings.Contains(s.stdout.String(), "SQS event source mappings") || !strings.Contains(s.stdout.String(), "ConsumerFunction (Ingest)") {
			t.Fatalf("the summary does not list the mapping:\n%s", s.stdout.String())
		}
		t.Run("a signed webhook reaches ConsumerFunction and leaves the queue", func(t *testing.T) {
			var push fixtures.Webhook
			for _, w := range fixtures.Webhooks(time.Now()) {
				if w.Name == "github-push" {
					push = w
				}
			}
			status, body := postWebhook(t, s, push)
			if status != http.StatusAccepted {
				t.Fatalf("status %d: %s", status, body)
			}
			delivery := push.Headers.Get("X-GitHub-Delivery")
			s.waitFor(t, "the consumer's record line", func() bool {
				for _, l := range s.logLines("record") {
					if l["delivery_id"] == delivery && l["outcome"] == "ok" && l["provider"] == "github" && l["event"] == "push" {
						return true
					}
				}
				return false
			})
			s.waitFor(t, "an empty queue", func() bool { return queueDepth(t, s, ingest) == 0 })
		})
		t.Run("a filtered-out message is deleted without an invocation", func(t *testing.T) {
			before := len(s.logLines("record"))
			out, err := s.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(ingest), MessageBody: aws.String(`{"no":"attributes"}`)})
			if err != nil {
				t.Fatal(err)
			}
			s.waitFor(t, "a filtered batch", func() bool {
				for _, l := range s.logLines("event source batch") {
					if l["outcome"] == "filtered" {
						return true
					}
				}
				return false
			})
			s.waitFor(t, "an empty queue", func() bool { return queueDepth(t, s, ingest) == 0 })
			for _, l := range s.logLines("record")[before:] {
				if l["message_id"] == *out.MessageId {
					t.Fatalf("the filtered message reached the function: %v", l)
				}
			}
		})
	})

	t.Run("--no-event-sources lists the mapping and does not poll", func(t *testing.T) {
		s := startStack(t, "--no-event-sources", "--parameter-overrides", "EnableConsumer=true")
		if !strings.Contains(s.stdout.String(), "[off (--no-event-sources)]") {
			t.Fatalf("the summary does not show the mapping off:\n%s", s.stdout.String())
		}
		ingest := s.queueURL(t, ingestQueue)
		sendTest(t, s, ingest, []string{"left-alone"}, "")
		// With the mapping polling, its long poll would hold the message
		// in flight (or have deleted it); off, it waits for us.
		out, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(ingest), WaitTimeSeconds: 2,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) != 1 || out.Messages[0].Attributes["ApproximateReceiveCount"] != "1" {
			t.Fatalf("messages %+v, want the one message, never received before", out.Messages)
		}
	})

	t.Run("retries and the dead-letter queue", func(t *testing.T) {
		s := startStack(t, "--functions-dir", testConsumerFunctions(t), "--build=false", "--parameter-overrides",
			fmt.Sprintf("EnableConsumer=true VisibilityTimeoutSeconds=5 MaxReceiveCount=%d", maxReceiveCount))
		ingest, dlq := s.queueURL(t, ingestQueue), s.queueURL(t, deadLetters)
		t.Run("a consumer failing one record of ten gets only that record again", func(t *testing.T) {
			var bodies []string
			for i := range 10 {
				b := fmt.Sprintf("ten-%d", i)
				if i == 6 {
					b = "ten-6-fail-once"
				}
				bodies = append(bodies, b)
			}
			sendTest(t, s, ingest, bodies, "")
			s.waitFor(t, "all ten done", func() bool { return len(s.logLines("done")) == 10 })
			for _, l := range s.logLines("received") {
				if l["receive_count"] != "1" && l["body"] != "ten-6-fail-once" {
					t.Errorf("%v was delivered again", l["body"])
				}
			}
			var again int
			for _, l := range s.logLines("done") {
				if l["receive_count"] == "2" {
					again++
					if l["body"] != "ten-6-fail-once" {
						t.Errorf("%v done on a second receive", l["body"])
					}
				}
			}
			if again != 1 {
				t.Errorf("%d records done on a second receive, want 1", again)
			}
			s.waitFor(t, "an empty queue", func() bool { return queueDepth(t, s, ingest) == 0 })
		})
		t.Run("a consumer that always fails sends the message to the DLQ after maxReceiveCount", func(t *testing.T) {
			sendTest(t, s, ingest, []string{"crash-always"}, "")
			s.waitFor(t, "the message in the DLQ", func() bool { return queueDepth(t, s, dlq) == 1 })
			var receives int
			for _, l := range s.logLines("received") {
				if l["body"] == "crash-always" {
					receives++
				}
			}
			if receives != maxReceiveCount {
				t.Errorf("received %d times, want maxReceiveCount = %d", receives, maxReceiveCount)
			}
			if n := queueDepth(t, s, ingest); n != 0 {
				t.Errorf("ingest queue holds %d", n)
			}
		})
	})

	t.Run("FIFO order holds across a failure", func(t *testing.T) {
		s := startStack(t, "--functions-dir", testConsumerFunctions(t), "--build=false", "--parameter-overrides",
			"EnableConsumer=true QueueType=fifo VisibilityTimeoutSeconds=5")
		ingest := s.queueURL(t, strings.Replace(ingestQueue, "-ingest", "-ingest.fifo", 1))
		want := []string{"g-1", "g-2-fail-once", "g-3", "g-4", "g-5"}
		sendTest(t, s, ingest, want, "group-a")
		s.waitFor(t, "the group done", func() bool { return len(s.logLines("done")) == len(want) })
		if got := bodiesOf(s.logLines("done")); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("done in order %v, want %v", got, want)
		}
		failed := false
		for _, l := range s.logLines("record") {
			failed = failed || l["outcome"] == "failed"
		}
		if !failed {
			t.Fatal("no record failed: the test did not exercise a failure")
		}
	})
}

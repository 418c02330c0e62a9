package eventsource

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// AWS documentation each behaviour comes from.
const (
	docWithSQS   = "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html"
	docErrors    = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html"
	docScaling   = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
	docParams    = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"
	docFiltering = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"
	docEvent     = "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event"
)

// backend is an SQS endpoint the mappings run against.
type backend struct {
	name   string
	client *sqs.Client
}

func backends(t *testing.T) []backend {
	t.Helper()
	srv, err := sqsendpoint.New(sqsendpoint.Options{})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	out := []backend{{"embedded", newClient(ts.URL)}}
	if testing.Short() {
		return out
	}
	moto := testpeer.StartMoto(t)
	return append(out, backend{"moto", newClient(moto.URL)})
}

func newClient(url string) *sqs.Client {
	return sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

var queueSeq int
var queueSeqMu sync.Mutex

// queue creates a queue (FIFO if fifo) with a dead-letter queue after
// maxReceive receives when maxReceive > 0.
func (b backend) queue(t *testing.T, fifo bool, visibility, maxReceive int) (url, arn, dlqURL string) {
	t.Helper()
	ctx := context.Background()
	queueSeqMu.Lock()
	queueSeq++
	name := fmt.Sprintf("es%d", queueSeq)
	queueSeqMu.Unlock()
	suffix := ""
	attrs := map[string]string{"VisibilityTimeout": strconv.Itoa(visibility)}
	if fifo {
		suffix = ".fifo"
		attrs["FifoQueue"] = "true"
	}
	if maxReceive > 0 {
		dlq, err := b.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq" + suffix), Attributes: pick(attrs, "FifoQueue")})
		require.NoError(t, err)
		dlqURL = *dlq.QueueUrl
		attrs["RedrivePolicy"] = fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, arnOf(t, b.client, dlqURL), maxReceive)
	}
	q, err := b.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + suffix), Attributes: attrs})
	require.NoError(t, err)
	return *q.QueueUrl, arnOf(t, b.client, *q.QueueUrl), dlqURL
}

func pick(m map[string]string, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

func arnOf(t *testing.T, c *sqs.Client, url string) string {
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	return out.Attributes["QueueArn"]
}

type msg struct {
	body, group string
	attrs       map[string]string
}

func (b backend) send(t *testing.T, url string, msgs ...msg) []string {
	t.Helper()
	var ids []string
	for i, m := range msgs {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(m.body), MessageAttributes: map[string]types.MessageAttributeValue{}}
		for k, v := range m.attrs {
			in.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
		if m.group != "" {
			in.MessageGroupId = aws.String(m.group)
			in.MessageDeduplicationId = aws.String(fmt.Sprintf("d%d-%d", time.Now().UnixNano(), i))
		}
		out, err := b.client.SendMessage(context.Background(), in)
		require.NoError(t, err)
		ids = append(ids, *out.MessageId)
	}
	return ids
}

// depth is visible + in flight.
func (b backend) depth(t *testing.T, url string) int {
	out, err := b.client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	require.NoError(t, err)
	a, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	n, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
	return a + n
}

// harness runs mappings with a scripted function and reports each batch.
type harness struct {
	t       *testing.T
	batches chan Batch
	mu      sync.Mutex
	events  []events.SQSEvent
	raw     [][]byte
}

func (b backend) run(t *testing.T, fn func(call int, ev events.SQSEvent) ([]byte, bool), mappings ...Mapping) *harness {
	t.Helper()
	h := &harness{t: t, batches: make(chan Batch, 1000)}
	calls := 0
	r, err := Start(Options{
		Mappings: mappings,
		SQS:      b.client,
		Region:   "us-east-1",
		OnBatch:  func(b Batch) { h.batches <- b },
		Invoke: func(_ context.Context, _ string, payload []byte) ([]byte, bool, error) {
			var ev events.SQSEvent
			dec := json.NewDecoder(bytes.NewReader(payload))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ev); err != nil {
				t.Errorf("event is not an events.SQSEvent: %v", err)
			}
			h.mu.Lock()
			h.events = append(h.events, ev)
			h.raw = append(h.raw, payload)
			calls++
			n := calls
			h.mu.Unlock()
			resp, fnErr := fn(n, ev)
			return resp, fnErr, nil
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return h
}

// next waits for the next batch report.
func (h *harness) next() Batch {
	h.t.Helper()
	select {
	case b := <-h.batches:
		return b
	case <-time.After(30 * time.Second):
		h.t.Fatal("no batch within 30s")
	}
	return Batch{}
}

// until collects batches until done says so.
func (h *harness) until(done func(all []Batch) bool) []Batch {
	h.t.Helper()
	var all []Batch
	for !done(all) {
		all = append(all, h.next())
	}
	return all
}

func ids(ev events.SQSEvent) []string {
	var out []string
	for _, r := range ev.Records {
		out = append(out, r.MessageId)
	}
	return out
}

func failuresOf(ids ...string) []byte {
	var resp events.SQSEventResponse
	for _, id := range ids {
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	b, _ := json.Marshal(resp)
	return b
}

func newMapping(url, arn string) Mapping {
	return Mapping{Function: "Fn", Name: "Ingest", QueueURL: url, QueueARN: arn, BatchSize: 10, ReportBatchItemFailures: true, MaximumConcurrency: 2, Enabled: true}
}

// TestMappingBehaviours is the table of what a mapping does, each row with
// the AWS page it comes from, run against the embedded SQS endpoint and
// moto_server.
func TestMappingBehaviours(t *testing.T) {
	rows := []struct {
		name, doc string
		run       func(t *testing.T, b backend)
	}{
		{"the event is events.SQSEvent as Lambda sends it", docEvent, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 30, 0)
			b.send(t, url, msg{body: `{"a":1}`, attrs: map[string]string{"provider": "github"}})
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) { return nil, false }, newMapping(url, arn))
			h.next()
			h.mu.Lock()
			defer h.mu.Unlock()
			r := h.events[0].Records[0]
			assert.Equal(t, `{"a":1}`, r.Body)
			assert.Equal(t, "aws:sqs", r.EventSource)
			assert.Equal(t, arn, r.EventSourceARN)
			assert.Equal(t, "us-east-1", r.AWSRegion)
			assert.Equal(t, sqsmsg.MD5OfBody(r.Body), r.Md5OfBody)
			assert.Equal(t, sqsmsg.MD5OfAttributes(map[string]sqsmsg.Attribute{"provider": {DataType: "String", StringValue: "github"}}), r.Md5OfMessageAttributes)
			assert.NotEmpty(t, r.ReceiptHandle)
			assert.Equal(t, "1", r.Attributes["ApproximateReceiveCount"])
			for _, k := range []string{"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
				assert.NotEmpty(t, r.Attributes[k], k)
			}
			var raw struct {
				Records []map[string]json.RawMessage
			}
			require.NoError(t, json.Unmarshal(h.raw[0], &raw))
			assert.JSONEq(t, `{"provider":{"stringValue":"github","stringListValues":[],"binaryListValues":[],"dataType":"String"}}`, string(raw.Records[0]["messageAttributes"]))
		}},
		{"success deletes the batch", docWithSQS, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 30, 0)
			b.send(t, url, msg{body: "1"}, msg{body: "2"}, msg{body: "3"})
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) { return []byte(`{"batchItemFailures":[]}`), false }, newMapping(url, arn))
			h.until(func(all []Batch) bool { return invoked(all) == 3 })
			assert.Equal(t, 0, b.depth(t, url))
		}},
		{"BatchSize bounds each batch", docParams, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 30, 0)
			b.send(t, url, msg{body: "1"}, msg{body: "2"}, msg{body: "3"}, msg{body: "4"}, msg{body: "5"})
			m := newMapping(url, arn)
			m.BatchSize = 2
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) { return nil, false }, m)
			for _, batch := range h.until(func(all []Batch) bool { return invoked(all) == 5 }) {
				assert.LessOrEqual(t, batch.Size, 2)
			}
		}},
		{"the batching window gathers records across receives", docParams, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 30, 0)
			b.send(t, url, msg{body: "first"})
			m := newMapping(url, arn)
			// One poller, so the second record can only join its batch.
			m.BatchSize, m.BatchingWindow, m.MaximumConcurrency = 20, 2*time.Second, 1
			first := make(chan struct{})
			h := &harness{t: t, batches: make(chan Batch, 10)}
			r, err := Start(Options{Mappings: []Mapping{m}, SQS: b.client, Region: "us-east-1",
				OnBatch: func(x Batch) { h.batches <- x },
				Invoke:  func(context.Context, string, []byte) ([]byte, bool, error) { return nil, false, nil },
				Now:     nowAfter(first),
			})
			require.NoError(t, err)
			t.Cleanup(func() { r.Close() })
			<-first // the window has started: the first record is in
			b.send(t, url, msg{body: "second"})
			all := h.until(func(all []Batch) bool { return invoked(all) == 2 })
			assert.Len(t, all, 1, "both records in one batch")
		}},
		{"ReportBatchItemFailures returns only the listed records", docErrors, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 1, 0)
			sent := b.send(t, url, msg{body: "1"}, msg{body: "2"}, msg{body: "3"})
			m := newMapping(url, arn)
			m.MaximumConcurrency = 2
			h := b.run(t, func(call int, ev events.SQSEvent) ([]byte, bool) {
				for _, r := range ev.Records {
					if r.MessageId == sent[1] && r.Attributes["ApproximateReceiveCount"] == "1" {
						return failuresOf(sent[1]), false
					}
				}
				return nil, false
			}, m)
			all := h.until(func(all []Batch) bool { return invoked(all) == 4 })
			h.mu.Lock()
			defer h.mu.Unlock()
			var again []string
			for _, ev := range h.events {
				for _, r := range ev.Records {
					if r.Attributes["ApproximateReceiveCount"] != "1" {
						again = append(again, r.MessageId)
					}
				}
			}
			assert.Equal(t, []string{sent[1]}, again)
			assert.Equal(t, OutcomePartial, outcomes(all)[0])
			assert.Equal(t, 0, b.depth(t, url))
		}},
		{"an empty or null list, {} and null are full success", docErrors, func(t *testing.T, b backend) {
			for _, resp := range []string{`{"batchItemFailures":[]}`, `{"batchItemFailures":null}`, `{}`, `null`, ``} {
				url, arn, _ := b.queue(t, false, 30, 0)
				b.send(t, url, msg{body: "1"})
				h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) { return []byte(resp), false }, newMapping(url, arn))
				assert.Equal(t, OutcomeSuccess, h.next().Outcome, resp)
				assert.Equal(t, 0, b.depth(t, url), resp)
			}
		}},
		{"an unknown, empty or null itemIdentifier, or invalid JSON, fails the whole batch", docErrors, func(t *testing.T, b backend) {
			for _, resp := range []string{`{"batchItemFailures":[{"itemIdentifier":"not-in-batch"}]}`, `{"batchItemFailures":[{"itemIdentifier":""}]}`,
				`{"batchItemFailures":[{"itemIdentifier":null}]}`, `{"batchItemFailures":[{"itemidentifier":"x"}]}`, `{"batchItemFailures":`, `"ok"`} {
				url, arn, _ := b.queue(t, false, 1, 0)
				b.send(t, url, msg{body: "1"}, msg{body: "2"})
				m := newMapping(url, arn)
				m.BatchSize = 2
				m.MaximumConcurrency = 2
				h := b.run(t, func(call int, ev events.SQSEvent) ([]byte, bool) {
					if ev.Records[0].Attributes["ApproximateReceiveCount"] == "1" {
						return []byte(resp), false
					}
					return nil, false
				}, m)
				all := h.until(func(all []Batch) bool {
					return countOutcome(all, OutcomeSuccess) > 0 && invokedWithOutcome(all, OutcomeSuccess) == 2
				})
				assert.Equal(t, 2, invokedWithOutcome(all, OutcomeInvalidResponse), "%s: the whole batch returned", resp)
				assert.Equal(t, 0, b.depth(t, url))
			}
		}},
		{"without ReportBatchItemFailures a batchItemFailures answer is ignored: success", docErrors, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 30, 0)
			sent := b.send(t, url, msg{body: "1"})
			m := newMapping(url, arn)
			m.ReportBatchItemFailures = false
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) { return failuresOf(sent[0]), false }, m)
			assert.Equal(t, OutcomeSuccess, h.next().Outcome)
			assert.Equal(t, 0, b.depth(t, url))
		}},
		{"a function error returns the whole batch, and maxReceiveCount moves it to the DLQ", docErrors, func(t *testing.T, b backend) {
			url, arn, dlq := b.queue(t, false, 1, 2)
			b.send(t, url, msg{body: "poison"})
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) {
				return []byte(`{"errorType":"Runtime.ExitError","errorMessage":"boom"}`), true
			}, newMapping(url, arn))
			all := h.until(func(all []Batch) bool { return len(all) == 2 })
			assert.Equal(t, []string{OutcomeFunctionError, OutcomeFunctionError}, outcomes(all))
			require.Eventually(t, func() bool { return b.depth(t, dlq) == 1 }, 30*time.Second, 50*time.Millisecond, "message in the DLQ")
			assert.Equal(t, 0, b.depth(t, url))
		}},
		{"MaximumConcurrency bounds concurrent invocations", docScaling, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 30, 0)
			for range 6 {
				b.send(t, url, msg{body: "x"})
			}
			m := newMapping(url, arn)
			m.BatchSize, m.MaximumConcurrency = 1, 2
			var mu sync.Mutex
			inFlight, peak := 0, 0
			release := make(chan struct{})
			full := make(chan struct{}, 1)
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) {
				mu.Lock()
				inFlight++
				peak = max(peak, inFlight)
				if inFlight == 2 {
					select {
					case full <- struct{}{}:
					default:
					}
				}
				mu.Unlock()
				<-release
				mu.Lock()
				inFlight--
				mu.Unlock()
				return nil, false
			}, m)
			<-full
			close(release)
			h.until(func(all []Batch) bool { return invoked(all) == 6 })
			assert.Equal(t, 2, peak)
		}},
		{"FIFO keeps each group's order across a failure", docScaling, func(t *testing.T, b backend) {
			if b.name == "moto" {
				// Seen with moto 5.2: after the visibility timeout it returns
				// a failed group's a3 before a2, which SQS's FIFO order
				// forbids; the order is the queue's to keep, not the poller's.
				t.Skip("moto_server redelivers a FIFO group's returned messages out of order")
			}
			url, arn, _ := b.queue(t, true, 1, 0)
			b.send(t, url, msg{body: "a1", group: "A"}, msg{body: "b1", group: "B"}, msg{body: "a2", group: "A"}, msg{body: "a3", group: "A"}, msg{body: "b2", group: "B"})
			m := newMapping(url, arn)
			m.BatchSize, m.MaximumConcurrency = 2, 2
			var mu sync.Mutex
			done := map[string][]string{}
			failedOnce := false
			h := b.run(t, func(_ int, ev events.SQSEvent) ([]byte, bool) {
				mu.Lock()
				defer mu.Unlock()
				var failed []string
				stopped := map[string]bool{}
				for _, r := range ev.Records {
					g := r.Attributes["MessageGroupId"]
					if stopped[g] {
						failed = append(failed, r.MessageId)
						continue
					}
					if r.Body == "a2" && !failedOnce {
						failedOnce = true
						stopped[g] = true
						failed = append(failed, r.MessageId)
						continue
					}
					done[g] = append(done[g], r.Body)
				}
				return failuresOf(failed...), false
			}, m)
			h.until(func([]Batch) bool { mu.Lock(); defer mu.Unlock(); return len(done["A"]) == 3 && len(done["B"]) == 2 })
			mu.Lock()
			defer mu.Unlock()
			assert.True(t, failedOnce)
			for _, ev := range h.events {
				var seen []string
				for _, r := range ev.Records {
					seen = append(seen, r.Body+"#"+r.Attributes["ApproximateReceiveCount"])
				}
				t.Logf("batch %v", seen)
			}
			assert.Equal(t, []string{"a1", "a2", "a3"}, done["A"])
			assert.Equal(t, []string{"b1", "b2"}, done["B"])
			for _, ev := range h.events {
				for _, r := range ev.Records {
					for _, k := range []string{"MessageGroupId", "MessageDeduplicationId", "SequenceNumber"} {
						assert.NotEmpty(t, r.Attributes[k], k)
					}
				}
			}
		}},
		{"records failing FilterCriteria are deleted without an invocation", docFiltering, func(t *testing.T, b backend) {
			url, arn, _ := b.queue(t, false, 30, 0)
			b.send(t, url,
				msg{body: `{"kind":"order","amount":150}`, attrs: map[string]string{"provider": "github"}},
				msg{body: `{"kind":"order","amount":5}`, attrs: map[string]string{"provider": "github"}},
				msg{body: `plain text`, attrs: map[string]string{"provider": "paddle"}},
				msg{body: `{"kind":"refund"}`},
			)
			m := newMapping(url, arn)
			m.FilterPatterns = []string{
				`{"body":{"kind":["order"],"amount":[{"numeric":[">=",100]}]}}`,
				`{"messageAttributes":{"provider":{"stringValue":[{"prefix":"pad"}]}}}`,
			}
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) { return nil, false }, m)
			all := h.until(func(all []Batch) bool { return sizes(all) == 4 })
			assert.Equal(t, 2, invoked(all))
			h.mu.Lock()
			var bodies []string
			for _, ev := range h.events {
				for _, r := range ev.Records {
					bodies = append(bodies, r.Body)
				}
			}
			h.mu.Unlock()
			assert.ElementsMatch(t, []string{`{"kind":"order","amount":150}`, `plain text`}, bodies)
			assert.Equal(t, 0, b.depth(t, url))
		}},
		{"Enabled: false does not poll", docParams, func(t *testing.T, b backend) {
			off, offARN, _ := b.queue(t, false, 30, 0)
			on, onARN, _ := b.queue(t, false, 30, 0)
			b.send(t, off, msg{body: "stays"})
			disabled := newMapping(off, offARN)
			disabled.Enabled = false
			h := b.run(t, func(int, events.SQSEvent) ([]byte, bool) { return nil, false }, disabled, newMapping(on, onARN))
			b.send(t, on, msg{body: "goes"})
			assert.Equal(t, 1, h.next().Invoked)
			assert.Equal(t, 1, b.depth(t, off))
			out, err := b.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(off), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
			require.NoError(t, err)
			require.Len(t, out.Messages, 1)
			assert.Equal(t, "1", out.Messages[0].Attributes["ApproximateReceiveCount"], "never received by the disabled mapping")
		}},
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			for _, row := range rows {
				t.Run(row.name, func(t *testing.T) {
					t.Logf("AWS: %s", row.doc)
					row.run(t, b)
				})
			}
		})
	}
}

// nowAfter is time.Now that closes first the first time it is asked,
// which is when the batching window starts.
func nowAfter(first chan struct{}) func() time.Time {
	var once sync.Once
	return func() time.Time {
		once.Do(func() { close(first) })
		return time.Now()
	}
}

func invoked(all []Batch) int {
	n := 0
	for _, b := range all {
		n += b.Invoked
	}
	return n
}

func sizes(all []Batch) int {
	n := 0
	for _, b := range all {
		n += b.Size
	}
	return n
}

func outcomes(all []Batch) []string {
	var out []string
	for _, b := range all {
		out = append(out, b.Outcome)
	}
	return out
}

func countOutcome(all []Batch, o string) int {
	n := 0
	for _, b := range all {
		if b.Outcome == o {
			n++
		}
	}
	return n
}

func invokedWithOutcome(all []Batch, o string) int {
	n := 0
	for _, b := range all {
		if b.Outcome == o {
			n += b.Invoked
		}
	}
	return n
}

package transform

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/require"
)

// sendFunc and batchFunc are function-type fakes for the two SQS calls.
type sendFunc func(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)

func (f sendFunc) SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return f(ctx, in, optFns...)
}

type batchFunc func(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)

func (f batchFunc) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	return f(ctx, in, optFns...)
}

// fakeQueue records what it is sent and fails entries as told.
type fakeQueue struct {
	mu      sync.Mutex
	singles []*sqs.SendMessageInput
	batches []*sqs.SendMessageBatchInput
	// attempts counts sends per entry id (the item index).
	attempts map[string]int
	// fail returns a failure for an entry on its n-th send, or nil.
	fail func(id string, attempt int) *types.BatchResultErrorEntry
}

func newFakeQueue() *fakeQueue { return &fakeQueue{attempts: map[string]int{}} }

func (q *fakeQueue) sender() sendFunc {
	return func(ctx context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.singles = append(q.singles, in)
		return &sqs.SendMessageOutput{MessageId: aws.String(fmt.Sprintf("msg-single-%d", len(q.singles)))}, nil
	}
}

func (q *fakeQueue) batchSender() batchFunc {
	return func(ctx context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.batches = append(q.batches, in)
		out := &sqs.SendMessageBatchOutput{}
		for _, e := range in.Entries {
			id := aws.ToString(e.Id)
			q.attempts[id]++
			if q.fail != nil {
				if f := q.fail(id, q.attempts[id]); f != nil {
					f.Id = aws.String(id)
					out.Failed = append(out.Failed, *f)
					continue
				}
			}
			out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: aws.String(id), MessageId: aws.String("msg-" + id)})
		}
		return out, nil
	}
}

var testNow = time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC)

// testSetup is what newTestHandler passes to New; options change it.
type testSetup struct {
	Config
	Deps
	Logger *slog.Logger
}

type testOption func(*testSetup)

func newTestHandler(t testing.TB, q *fakeQueue, opts ...testOption) *Handler {
	t.Helper()
	n := 0
	var mu sync.Mutex
	c := testSetup{
		Config: Config{QueueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/ingest"},
		Deps: Deps{
			Sender:      q.sender(),
			BatchSender: q.batchSender(),
			Now:         func() time.Time { return testNow },
			Sleep:       func(context.Context, time.Duration) error { return nil },
			NewID: func() string {
				mu.Lock()
				defer mu.Unlock()
				n++
				return "gen-" + strconv.Itoa(n)
			},
		},
	}
	for _, o := range opts {
		o(&c)
	}
	h, err := New(c.Config, c.Deps, c.Logger)
	require.NoError(t, err)
	return h
}

const testSub = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"

func request(route, contentType, body string) events.APIGatewayV2HTTPRequest {
	method, path, _ := strings.Cut(route, " ")
	return events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: route,
		RawPath:  path,
		Headers:  map[string]string{"content-type": contentType, "user-agent": "test-agent/1"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID:  "req-1",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, SourceIP: "198.51.100.7", UserAgent: "test-agent/1"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"sub": testSub}},
		},
		Body: body,
	}
}

type responseBody struct {
	Code    string      `json:"code"`
	Message string      `json:"message"`
	Errors  []ItemError `json:"errors"`
	Results []Result    `json:"results"`
}

func decodeResponse(t testing.TB, body string) responseBody {
	t.Helper()
	var rb responseBody
	require.NoError(t, json.Unmarshal([]byte(body), &rb), body)
	return rb
}

// items builds n batch items of about size bytes of data each.
func batchJSON(n, size int) string {
	items := make([]map[string]any, n)
	pad := make([]byte, max(size-40, 1))
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	for i := range items {
		items[i] = map[string]any{"id": "item-" + strconv.Itoa(i), "data": map[string]any{"n": i, "pad": string(pad)}}
	}
	b, _ := json.Marshal(items)
	return string(b)
}

func itoa(i int) string { return strconv.Itoa(i) }

func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

package transform

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	single = "POST /v1/events"
	batch  = "POST /v1/events/batch"
)

const validOrder = `{"orderId":"ord_abc123","amount":12.5,"currency":"EUR","items":[{"sku":"A-1","quantity":2}]}`

func TestHandleRejectsWholeRequest(t *testing.T) {
	strict := func(c *testSetup) { c.Schema = "strict-order" }
	maxThree := func(c *testSetup) { c.MaxBatchItems = 3 }
	tests := []struct {
		name    string
		req     events.APIGatewayV2HTTPRequest
		opts    []testOption
		status  int
		code    string
		index   int // -1: no item errors expected
		pointer string
		rule    string
	}{
		{name: "unknown route", req: request("POST /v1/other", "application/json", `{}`), status: 404, code: "route_not_found", index: -1},
		{name: "GET", req: request("GET /v1/events", "application/json", `{}`), status: 405, code: "method_not_allowed", index: -1},
		{name: "no authorizer context", req: func() events.APIGatewayV2HTTPRequest {
			r := request(single, "application/json", `{}`)
			r.RequestContext.Authorizer = nil
			return r
		}(), status: 401, code: "missing_identity", index: -1},
		{name: "bad VALIDATE_ONLY", req: func() events.APIGatewayV2HTTPRequest {
			r := request(single, "application/json", `{}`)
			r.QueryStringParameters = map[string]string{"validate_only": "maybe"}
			return r
		}(), status: 400, code: "invalid_request", index: -1},
		{name: "VALIDATE_ONLY given twice, in two cases", req: func() events.APIGatewayV2HTTPRequest {
			// Map order must not decide between a dry run and a real send.
			r := request(single, "application/json", `{}`)
			r.QueryStringParameters = map[string]string{"VALIDATE_ONLY": "true", "validate_only": "false"}
			return r
		}(), status: 400, code: "invalid_request", index: -1},
		{name: "bad base64", req: func() events.APIGatewayV2HTTPRequest {
			r := request(single, "application/json", `!!!`)
			r.IsBase64Encoded = true
			return r
		}(), status: 400, code: "invalid_request", index: -1},
		{name: "body over Lambda's limit", req: request(single, "application/json", strings.Repeat(" ", MaxBodyBytes+1)), status: 413, code: "body_too_large", index: -1},
		{name: "single empty body", req: request(single, "application/json", ``), status: 400, code: "invalid_json", index: 0},
		{name: "single malformed JSON", req: request(single, "application/json", `{"a":`), status: 400, code: "invalid_json", index: 0},
		{name: "single trailing data", req: request(single, "application/json", `{} {}`), status: 400, code: "invalid_json", index: 0},
		{name: "single text/plain", req: request(single, "text/plain", `{}`), status: 415, code: "unsupported_media_type", index: -1},
		{name: "single Ce-Type with space", req: func() events.APIGatewayV2HTTPRequest {
			r := request(single, "application/json", `{}`)
			r.Headers["ce-type"] = "a b"
			return r
		}(), status: 400, code: "invalid_request", index: -1},
		{name: "single Idempotency-Key too long", req: func() events.APIGatewayV2HTTPRequest {
			r := request(single, "application/json", `{}`)
			r.Headers["idempotency-key"] = strings.Repeat("k", 129)
			return r
		}(), status: 400, code: "invalid_request", index: -1},
		{name: "single Ce-Type repeated", req: func() events.APIGatewayV2HTTPRequest {
			// HTTP API joins repeated headers with a comma.
			r := request(single, "application/json", `{}`)
			r.Headers["ce-type"] = "com.example.a,com.example.b"
			return r
		}(), status: 400, code: "repeated_header", index: -1},
		{name: "single Idempotency-Key repeated", req: func() events.APIGatewayV2HTTPRequest {
			r := request(single, "application/json", `{}`)
			r.Headers["idempotency-key"] = "key-1,key-2"
			return r
		}(), status: 400, code: "repeated_header", index: -1},
		{name: "batch Ce-Type repeated", req: func() events.APIGatewayV2HTTPRequest {
			r := request(batch, "application/json", `[{"data":{}}]`)
			r.Headers["Ce-Type"] = "t.a,t.b"
			return r
		}(), status: 400, code: "repeated_header", index: -1},
		{name: "single default schema wants an object", req: request(single, "application/json", `[1]`), status: 422, code: "validation_failed", index: 0, pointer: "", rule: "type"},
		{name: "single strict schema", req: request(single, "application/json", `{"orderId":"ord_abc123","amount":-1,"currency":"EUR","items":[{"sku":"A","quantity":1}]}`), opts: []testOption{strict}, status: 422, code: "validation_failed", index: 0, pointer: "/amount", rule: "minimum"},
		{name: "batch not an array", req: request(batch, "application/json", `{"data":{}}`), status: 400, code: "invalid_json", index: 0},
		{name: "batch empty", req: request(batch, "application/json", `[]`), status: 400, code: "empty_batch", index: -1},
		{name: "batch blank NDJSON", req: request(batch, "application/x-ndjson", "\n\n"), status: 400, code: "empty_batch", index: -1},
		{name: "batch text/csv", req: request(batch, "text/csv", `[]`), status: 415, code: "unsupported_media_type", index: -1},
		{name: "batch item without data", req: request(batch, "application/json", `[{"data":{}},{"type":"x"}]`), status: 400, code: "invalid_item", index: 1, pointer: "/data"},
		{name: "batch item unknown field", req: request(batch, "application/json", `[{"data":{},"idempotency_key":"k"}]`), status: 400, code: "invalid_item", index: 0, pointer: "/idempotency_key"},
		{name: "batch item not an object", req: request(batch, "application/json", `[{"data":{}},{"data":{}},7]`), status: 400, code: "invalid_item", index: 2},
		{name: "batch item id with space", req: request(batch, "application/json", `[{"data":{},"id":"a b"}]`), status: 400, code: "invalid_item", index: 0, pointer: "/id"},
		{name: "batch item type not a string", req: request(batch, "application/json", `[{"data":{},"type":5}]`), status: 400, code: "invalid_item", index: 0, pointer: "/type"},
		{name: "batch duplicate ids", req: request(batch, "application/json", `[{"data":{},"id":"k"},{"data":{},"id":"k"}]`), status: 400, code: "invalid_item", index: 1, pointer: "/id"},
		{name: "batch Idempotency-Key header", req: func() events.APIGatewayV2HTTPRequest {
			r := request(batch, "application/json", `[{"data":{}}]`)
			r.Headers["idempotency-key"] = "k"
			return r
		}(), status: 400, code: "invalid_request", index: -1},
		{name: "batch malformed NDJSON line", req: request(batch, "application/x-ndjson", "{\"data\":{}}\n{\"data\":\n"), status: 400, code: "invalid_json", index: 1},
		{name: "batch two items on one NDJSON line", req: request(batch, "application/x-ndjson", `{"data":{}} {"data":{}}`), status: 400, code: "invalid_json", index: 0},
		{name: "batch over MAX_BATCH_ITEMS", req: request(batch, "application/json", `[{"data":{}},{"data":{}},{"data":{}},{"data":{}}]`), opts: []testOption{maxThree}, status: 413, code: "too_many_items", index: -1},
		{name: "batch item over 1 MiB", req: request(batch, "application/json", `[{"data":{}},{"data":"`+strings.Repeat("x", 1<<20)+`"}]`), status: 413, code: "item_too_large", index: 1},
		{name: "batch item with U+FFFE", req: request(batch, "application/json", "[{\"data\":{\"s\":\"\uFFFE\"}}]"), status: 400, code: "invalid_characters", index: 0},
		{name: "batch strict schema", req: request(batch, "application/json", `[{"data":`+validOrder+`},{"data":`+validOrder+`},{"data":{"orderId":"ord_abc123","amount":1,"currency":"XXX","items":[{"sku":"A","quantity":1}]}}]`), opts: []testOption{strict}, status: 422, code: "validation_failed", index: 2, pointer: "/currency", rule: "enum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newFakeQueue()
			h := newTestHandler(t, q, tt.opts...)
			resp, err := h.Handle(context.Background(), tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode, resp.Body)
			assert.Equal(t, "application/json", resp.Headers["content-type"])
			rb := decodeResponse(t, resp.Body)
			assert.Equal(t, tt.code, rb.Code)
			assert.NotEmpty(t, rb.Message)
			if tt.index < 0 {
				assert.Empty(t, rb.Errors)
			} else {
				require.NotEmpty(t, rb.Errors, resp.Body)
				assert.Equal(t, tt.index, rb.Errors[0].Index)
				assert.Equal(t, tt.pointer, rb.Errors[0].Pointer)
				assert.Equal(t, tt.rule, rb.Errors[0].Rule)
			}
			assert.Empty(t, q.singles, "nothing may be sent")
			assert.Empty(t, q.batches, "nothing may be sent")
		})
	}
}

func TestHandleValidationListsEveryFailingItem(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q, func(c *testSetup) { c.Schema = "strict-order" })
	body := `[{"data":{"amount":-1,"currency":"EUR","items":[{"sku":"A","quantity":1}],"orderId":"ord_abc123"}},` +
		`{"data":` + validOrder + `},` +
		`{"data":{"orderId":"ord_abc123","amount":1,"currency":"EUR","items":[{"sku":"A","quantity":0}],"extra":true}}]`
	resp, err := h.Handle(context.Background(), request(batch, "application/json", body))
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	rb := decodeResponse(t, resp.Body)
	type loc struct {
		Index         int
		Pointer, Rule string
	}
	var got []loc
	for _, e := range rb.Errors {
		got = append(got, loc{e.Index, e.Pointer, e.Rule})
	}
	assert.ElementsMatch(t, []loc{
		{0, "/amount", "minimum"},
		{2, "/items/0/quantity", "minimum"},
		{2, "/extra", "additionalProperties"},
	}, got)
	assert.Equal(t, `2 item(s) do not match the "strict-order" schema; nothing was sent`, rb.Message)
}

func TestHandleSingle(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q)
	req := request(single, "application/json; charset=utf-8", `{"b": "<&>", "a": [1, 2.50]}`)
	req.Headers["ce-type"] = "com.example.thing"
	req.Headers["idempotency-key"] = "key-1"
	resp, err := h.Handle(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
	assert.Equal(t, []Result{{Index: 0, ID: "key-1", MessageID: "msg-single-1"}}, decodeResponse(t, resp.Body).Results)

	require.Len(t, q.singles, 1)
	in := q.singles[0]
	assert.Equal(t, "https://sqs.us-east-1.amazonaws.com/123456789012/ingest", aws.ToString(in.QueueUrl))
	assert.Nil(t, in.MessageGroupId, "standard queue")
	assert.Nil(t, in.MessageDeduplicationId, "standard queue")
	assert.Equal(t, "com.example.thing", aws.ToString(in.MessageAttributes["type"].StringValue))
	assert.Equal(t, "sqsgate", aws.ToString(in.MessageAttributes["source"].StringValue))
	assert.Equal(t, "String", aws.ToString(in.MessageAttributes["type"].DataType))
	// The data is the producer's JSON byte for byte, "<&>" and spaces included.
	assert.JSONEq(t, `{
		"specversion":"1.0","id":"key-1","source":"sqsgate","type":"com.example.thing",
		"time":"2026-11-22T01:02:03Z","subject":"`+testSub+`","datacontenttype":"application/json",
		"requestid":"req-1","sourceip":"198.51.100.7","useragent":"test-agent/1",
		"data":{"b":"<&>","a":[1,2.50]}}`, aws.ToString(in.MessageBody))
	assert.True(t, strings.HasSuffix(aws.ToString(in.MessageBody), `,"data":{"b": "<&>", "a": [1, 2.50]}}`))
}

func TestHandleSingleGeneratesID(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q, func(c *testSetup) { c.NewID = nil })
	resp, err := h.Handle(context.Background(), request(single, "", `{}`))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
	var ev CloudEvent
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(q.singles[0].MessageBody)), &ev))
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, ev.ID)
	assert.Equal(t, DefaultType, ev.Type)
}

func TestHandleSingleSQSFailure(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q, func(c *testSetup) {
		c.Sender = sendFunc(func(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
			return nil, errors.New("connection refused")
		})
	})
	resp, err := h.Handle(context.Background(), request(single, "application/json", `{}`))
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "sqs_unavailable", decodeResponse(t, resp.Body).Code)
	assert.NotContains(t, resp.Body, "connection refused", "detail stays in logs")
}

func TestHandleBatchEnvelopes(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q)
	req := request(batch, "application/x-ndjson", "{\"data\":{\"n\":0},\"type\":\"t.zero\",\"id\":\"zero\"}\n\r\n{\"data\":{\"n\":1}}\n")
	req.Headers["ce-type"] = "t.default"
	req.Body = base64.StdEncoding.EncodeToString([]byte(req.Body))
	req.IsBase64Encoded = true
	resp, err := h.Handle(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
	assert.Equal(t, []Result{{Index: 0, ID: "zero", MessageID: "msg-0"}, {Index: 1, ID: "gen-1", MessageID: "msg-1"}}, decodeResponse(t, resp.Body).Results)

	require.Len(t, q.batches, 1)
	entries := q.batches[0].Entries
	require.Len(t, entries, 2)
	wantType := []string{"t.zero", "t.default"}
	for i, e := range entries {
		var ev CloudEvent
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(e.MessageBody)), &ev))
		assert.Equal(t, wantType[i], ev.Type)
		assert.Equal(t, wantType[i], aws.ToString(e.MessageAttributes["type"].StringValue))
		assert.Equal(t, testSub, ev.Subject)
		assert.Equal(t, "1.0", ev.SpecVersion)
		assert.JSONEq(t, `{"n":`+string(rune('0'+i))+`}`, string(ev.Data))
	}
}

func TestHandleBatchPartialFailure(t *testing.T) {
	q := newFakeQueue()
	q.fail = func(id string, attempt int) *types.BatchResultErrorEntry {
		switch {
		case id == "3":
			return &types.BatchResultErrorEntry{Code: aws.String("InvalidParameterValue"), Message: aws.String("bad"), SenderFault: true}
		case id == "5" && attempt == 1:
			return &types.BatchResultErrorEntry{Code: aws.String("InternalError"), SenderFault: false}
		case id == "17":
			return &types.BatchResultErrorEntry{Code: aws.String("ServiceUnavailable"), SenderFault: false}
		}
		return nil
	}
	var mu sync.Mutex
	var pauses []time.Duration
	h := newTestHandler(t, q, func(c *testSetup) {
		c.Sleep = func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			pauses = append(pauses, d)
			return nil
		}
	})
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(25, 100)))
	require.NoError(t, err)
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode, resp.Body)
	results := decodeResponse(t, resp.Body).Results
	require.Len(t, results, 25)
	for i, r := range results {
		assert.Equal(t, i, r.Index)
		assert.Equal(t, "item-"+itoa(i), r.ID)
		switch i {
		case 3:
			assert.Empty(t, r.MessageID)
			require.NotNil(t, r.Error)
			assert.Equal(t, "sqs_rejected", r.Error.Code)
			assert.Contains(t, r.Error.Message, "InvalidParameterValue")
		case 17:
			assert.Empty(t, r.MessageID)
			require.NotNil(t, r.Error)
			assert.Equal(t, "sqs_unavailable", r.Error.Code)
		default:
			assert.Nil(t, r.Error, "item %d", i)
			assert.Equal(t, "msg-"+itoa(i), r.MessageID)
		}
	}
	assert.Equal(t, 1, q.attempts["3"], "sender faults are not retried")
	assert.Equal(t, 2, q.attempts["5"], "retried once, then accepted")
	assert.Equal(t, DefaultMaxAttempts, q.attempts["17"], "retried until attempts run out")
	assert.Equal(t, 1, q.attempts["0"])
	assert.ElementsMatch(t, []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}, pauses)
	// The retries carry only the failed entries: 3 calls, then one retry of
	// item 5 and two of item 17, alone.
	sent := 0
	for _, b := range q.batches {
		sent += len(b.Entries)
	}
	assert.Len(t, q.batches, 6)
	assert.Equal(t, 25+1+2, sent)
}

func TestHandleBatchCallFails(t *testing.T) {
	q := newFakeQueue()
	inner := q.batchSender()
	h := newTestHandler(t, q, func(c *testSetup) {
		c.BatchSender = batchFunc(func(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
			if aws.ToString(in.Entries[0].Id) == "10" {
				return nil, errors.New("throttled after SDK retries")
			}
			return inner(ctx, in, o...)
		})
	})
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(25, 100)))
	require.NoError(t, err)
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode)
	for _, r := range decodeResponse(t, resp.Body).Results {
		if r.Index >= 10 && r.Index < 20 {
			require.NotNil(t, r.Error)
			assert.Equal(t, "sqs_unavailable", r.Error.Code)
			assert.NotContains(t, r.Error.Message, "throttled")
		} else {
			assert.Equal(t, "msg-"+itoa(r.Index), r.MessageID)
		}
	}
}

func TestHandleBatchRetryCancelled(t *testing.T) {
	q := newFakeQueue()
	q.fail = func(id string, _ int) *types.BatchResultErrorEntry {
		if id == "1" {
			return &types.BatchResultErrorEntry{Code: aws.String("InternalError")}
		}
		return nil
	}
	h := newTestHandler(t, q, func(c *testSetup) {
		c.Sleep = func(context.Context, time.Duration) error { return context.DeadlineExceeded }
	})
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(2, 10)))
	require.NoError(t, err)
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode)
	results := decodeResponse(t, resp.Body).Results
	assert.Equal(t, "msg-0", results[0].MessageID)
	require.NotNil(t, results[1].Error)
	assert.Equal(t, "sqs_unavailable", results[1].Error.Code)
	assert.Equal(t, 1, q.attempts["1"])
}

// TestHandleBatchConcurrencyBound holds every call until as many calls as
// the bound allows are in flight together, so the overlap is reached by
// waiting on events, not on time.
func TestHandleBatchConcurrencyBound(t *testing.T) {
	const bound = 4
	q := newFakeQueue()
	inner := q.batchSender()
	var mu sync.Mutex
	inFlight, peak := 0, 0
	full := make(chan struct{}) // closed when bound calls are in flight
	var fill sync.Once
	h := newTestHandler(t, q, func(c *testSetup) {
		c.Concurrency = bound
		c.BatchSender = batchFunc(func(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			if inFlight == bound {
				fill.Do(func() { close(full) })
			}
			mu.Unlock()
			defer func() {
				mu.Lock()
				inFlight--
				mu.Unlock()
			}()
			select {
			case <-full:
			case <-time.After(time.Minute): // a hang guard, not a pause
				return nil, errors.New("the calls never reached the bound together")
			}
			return inner(ctx, in, o...)
		})
	})
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(120, 50)))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
	assert.Equal(t, bound, peak, "calls overlap up to the bound, never past it")
	assert.Len(t, q.batches, 12)
}

// On FIFO the calls go one at a time and in order, each with the subject as
// its group and the event id as its deduplication id.
func TestHandleFIFOSendsOneCallAtATime(t *testing.T) {
	q := newFakeQueue()
	inner := q.batchSender()
	var mu sync.Mutex
	inFlight, peak := 0, 0
	h := newTestHandler(t, q, func(c *testSetup) {
		c.QueueURL, c.Concurrency = c.QueueURL+".fifo", 4
		c.BatchSender = batchFunc(func(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			mu.Unlock()
			defer func() {
				mu.Lock()
				inFlight--
				mu.Unlock()
			}()
			return inner(ctx, in, o...)
		})
	})
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(120, 50)))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, 1, peak)
	require.Len(t, q.batches, 12)
	for i, b := range q.batches {
		assert.Equal(t, itoa(i*10), aws.ToString(b.Entries[0].Id), "call %d out of order", i)
		for _, e := range b.Entries {
			assert.Equal(t, testSub, aws.ToString(e.MessageGroupId))
			assert.Equal(t, "item-"+aws.ToString(e.Id), aws.ToString(e.MessageDeduplicationId))
		}
	}
}

func TestHandleValidateOnly(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q, func(c *testSetup) { c.QueueURL += ".fifo" })
	req := request(batch, "application/json", batchJSON(25, 100))
	req.QueryStringParameters = map[string]string{"VALIDATE_ONLY": "true"}
	resp, err := h.Handle(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	assert.Empty(t, q.batches)
	var plan PlanBody
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &plan))
	assert.True(t, plan.ValidateOnly)
	require.Len(t, plan.Calls, 3)
	assert.Len(t, plan.Calls[0].Entries, 10)
	assert.Len(t, plan.Calls[2].Entries, 5)
	e := plan.Calls[2].Entries[4]
	assert.Equal(t, 24, e.Index)
	assert.Equal(t, "item-24", e.ID)
	assert.Equal(t, testSub, e.MessageGroupID)
	assert.Equal(t, "item-24", e.MessageDeduplicationID)
	assert.Equal(t, map[string]string{"type": DefaultType, "source": DefaultSource}, e.MessageAttributes)
	var ev CloudEvent
	require.NoError(t, json.Unmarshal(e.Body, &ev))
	assert.Equal(t, "item-24", ev.ID)
	assert.Greater(t, e.Size, len(e.Body))

	req = request(single, "application/json", `{}`)
	req.QueryStringParameters = map[string]string{"validate_only": "1"}
	resp, err = h.Handle(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, resp.Body)
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &plan))
	require.Len(t, plan.Calls, 1)
	assert.Equal(t, "SendMessage", plan.Calls[0].Action)
	assert.Empty(t, q.singles)
}

func TestHandleLogsNoPayload(t *testing.T) {
	q := newFakeQueue()
	var logs strings.Builder
	h := newTestHandler(t, q, func(c *testSetup) {
		c.Schema = "strict-order"
		c.Logger = newJSONLogger(&logs)
	})
	secret := "ord_SECRETSECRET"
	for _, body := range []string{
		`[{"data":{"orderId":"` + secret + `","amount":1,"currency":"EUR","items":[{"sku":"A","quantity":1}]}}]`,
		`[{"data":{"orderId":"` + secret + `","amount":-1,"currency":"EUR","items":[{"sku":"A","quantity":1}]}}]`,
	} {
		_, err := h.Handle(context.Background(), request(batch, "application/json", body))
		require.NoError(t, err)
	}
	out := logs.String()
	assert.Contains(t, out, `"msg":"transformer request"`)
	assert.Contains(t, out, `"code":"validation_failed"`)
	assert.NotContains(t, out, secret)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var fields map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &fields), line)
		for key := range fields {
			assert.Regexp(t, `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`, key, "log keys are snake_case")
		}
	}
	assert.Contains(t, out, `"request_id":"req-1"`)
	assert.Contains(t, out, `"validate_only":false`)
}

func TestNew(t *testing.T) {
	q := newFakeQueue()
	base := testSetup{Config: Config{QueueURL: "https://sqs.example/1/q"}, Deps: Deps{Sender: q.sender(), BatchSender: q.batchSender()}}
	tests := []struct {
		name   string
		modify func(*testSetup)
		want   string
	}{
		{"no queue", func(c *testSetup) { c.QueueURL = "" }, "QueueURL"},
		{"no sender", func(c *testSetup) { c.Sender = nil }, "Sender"},
		{"no batch sender", func(c *testSetup) { c.BatchSender = nil }, "BatchSender"},
		{"unknown schema", func(c *testSetup) { c.Schema = "nope" }, "unknown event schema"},
		{"source SQS would refuse", func(c *testSetup) { c.Source = "a\x00b" }, "Source"},
		{"negative items", func(c *testSetup) { c.MaxBatchItems = -1 }, "MaxBatchItems"},
		{"negative concurrency", func(c *testSetup) { c.Concurrency = -1 }, "Concurrency"},
		{"negative attempts", func(c *testSetup) { c.MaxAttempts = -1 }, "MaxAttempts"},
		{"negative backoff", func(c *testSetup) { c.Backoff = -time.Second }, "Backoff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.modify(&c)
			_, err := New(c.Config, c.Deps, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := New(base.Config, base.Deps, nil)
	assert.NoError(t, err)
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	_, err := ConfigFromEnv(env(map[string]string{}))
	assert.ErrorContains(t, err, "QUEUE_URL")
	_, err = ConfigFromEnv(env(map[string]string{"QUEUE_URL": "u", "MAX_BATCH_ITEMS": "0"}))
	assert.ErrorContains(t, err, "MAX_BATCH_ITEMS")
	_, err = ConfigFromEnv(env(map[string]string{"QUEUE_URL": "u", "MAX_BATCH_ITEMS": "ten"}))
	assert.ErrorContains(t, err, "MAX_BATCH_ITEMS")
	cfg, err := ConfigFromEnv(env(map[string]string{"QUEUE_URL": "u", "EVENT_SCHEMA": "strict-order", "EVENT_SOURCE": "shop", "MAX_BATCH_ITEMS": "50"}))
	require.NoError(t, err)
	assert.Equal(t, Config{QueueURL: "u", Schema: "strict-order", Source: "shop", MaxBatchItems: 50}, cfg)
}

func TestHandleValidationCapsErrors(t *testing.T) {
	q := newFakeQueue()
	h := newTestHandler(t, q, func(c *testSetup) { c.Schema = "strict-order" })
	resp, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(150, 10)))
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	rb := decodeResponse(t, resp.Body)
	assert.Len(t, rb.Errors, maxReportedErrors)
	assert.Equal(t, `150 item(s) do not match the "strict-order" schema; nothing was sent`, rb.Message)
	for i := 1; i < len(rb.Errors); i++ {
		assert.LessOrEqual(t, rb.Errors[i-1].Index, rb.Errors[i].Index, "errors in item order")
	}
}

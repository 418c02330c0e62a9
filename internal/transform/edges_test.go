package transform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The edges of the transformer's rules, each checked on both sides.

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain ~!a b", `"plain ~!a b"`},
		// Each character that needs escaping, first in the string, so the
		// check of that one character alone decides.
		{"\x01", `"\u0001"`},
		{"\x1f", `"\u001f"`},
		{`"`, `"\""`},
		{`\`, `"\\"`},
		{"\x7f", "\"\x7f\""},
		{"\xff", `"\ufffd"`},
		{"é", `"é"`},
		{"<&>", `"<&>"`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendJSONString(nil, tt.in)), "%q", tt.in)
	}
}

// Ids and types are printable ASCII: they are copied as they are, with no
// encoder and no allocation, space and '~' at the edges of the range.
func TestAppendJSONStringCopiesPrintableASCII(t *testing.T) {
	buf := make([]byte, 0, 64)
	for _, s := range []string{"a b", "~", " ", "!a~"} {
		allocs := testing.AllocsPerRun(100, func() { _ = appendJSONString(buf[:0], s) })
		assert.Zero(t, allocs, "%q", s)
	}
}

// The envelope is written into one buffer sized up front: one allocation
// for the bytes, one for the string.
func TestEnvelopeWriteAllocatesOnce(t *testing.T) {
	w := newEnvelopeWriter("src", "2026-11-22T01:02:03Z", Caller{Subject: testSub, RequestID: "req-1", SourceIP: "203.0.113.1", UserAgent: "ua/1"})
	id, typ, data := "0b2f5c1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b", "com.example.order.created", []byte(validOrder)
	allocs := testing.AllocsPerRun(100, func() { _ = w.write(id, typ, data) })
	assert.Equal(t, 2.0, allocs)
}

func TestCheckToken(t *testing.T) {
	assert.NoError(t, checkToken(strings.Repeat("k", maxIDLength), maxIDLength), "exactly the limit")
	assert.Error(t, checkToken(strings.Repeat("k", maxIDLength+1), maxIDLength))
	assert.Error(t, checkToken("", maxIDLength))
	assert.NoError(t, checkToken("!", maxIDLength), "0x21, the first printable character")
	assert.NoError(t, checkToken("~", maxIDLength), "0x7e, the last")
	assert.Error(t, checkToken(" ", maxIDLength))
	assert.Error(t, checkToken("\x7f", maxIDLength))
}

// An item's error names its line in NDJSON, and no line in an array.
func TestItemErrorsNameTheirLine(t *testing.T) {
	_, err := DecodeBatch([]byte(`[{"data":{},"x":1}]`), false, 10)
	var ie *ItemError
	require.ErrorAs(t, err, &ie)
	assert.False(t, strings.HasPrefix(ie.Message, "line"), ie.Message)
	_, err = DecodeBatch([]byte("{\"data\":{}}\n{\"data\":{},\"x\":1}\n"), true, 10)
	require.ErrorAs(t, err, &ie)
	assert.True(t, strings.HasPrefix(ie.Message, "line 2: "), ie.Message)
}

// Pack never plans an empty call, even for an item larger than a batch,
// which the handler refuses before packing.
func TestPackGivesAnOversizeItemItsOwnCall(t *testing.T) {
	assert.Equal(t, [][]int{{0}, {1}}, Pack([]int{2 << 20, 10}))
}

func TestConfigFromEnvAcceptsOneItem(t *testing.T) {
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvQueueURL: "u", EnvMaxBatchItems: "1"}[k]
	})
	require.NoError(t, err)
	assert.Equal(t, 1, cfg.MaxBatchItems)
}

func TestNewAcceptsTheSmallestSettings(t *testing.T) {
	q := newFakeQueue()
	h, err := New(Config{QueueURL: "u", MaxBatchItems: 1, Concurrency: 1, MaxAttempts: 1}, Deps{Sender: q.sender(), BatchSender: q.batchSender()}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, h.maxItems)
	assert.Equal(t, 1, h.concurrency)
	assert.Equal(t, 1, h.maxAttempts)
}

// An error with no answer of its own is a 500 whose detail is logged, not
// shown; an answered one is not logged as a failure.
func TestRejectionOfAnUnexpectedError(t *testing.T) {
	var logs bytes.Buffer
	h := newTestHandler(t, newFakeQueue(), func(c *testSetup) { c.Logger = newJSONLogger(&logs) })
	resp, code := h.rejection(context.Background(), errors.New("boom: a detail"))
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, "internal_error", code)
	assert.NotContains(t, resp.Body, "detail")
	assert.Contains(t, logs.String(), `"msg":"transformer failed"`)
	assert.Contains(t, logs.String(), "boom: a detail")

	logs.Reset()
	resp, code = h.rejection(context.Background(), ErrEmptyBatch)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, "empty_batch", code)
	assert.Empty(t, logs.String())
}

func TestSplit(t *testing.T) {
	tests := []struct{ n, procs, workers, chunk int }{
		{1, 8, 1, 1},
		{63, 8, 1, 63},
		{64, 8, 2, 32},
		{130, 8, 3, 44},
		{1000, 2, 2, 500},
		{1001, 2, 2, 501},
		{5000, 64, 64, 79},
	}
	for _, tt := range tests {
		workers, chunk := split(tt.n, tt.procs)
		assert.Equal(t, tt.workers, workers, "%d items on %d CPUs", tt.n, tt.procs)
		assert.Equal(t, tt.chunk, chunk, "%d items on %d CPUs", tt.n, tt.procs)
	}
}

func TestBackoff(t *testing.T) {
	h := newTestHandler(t, newFakeQueue())
	for attempt, want := range map[int]time.Duration{
		1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 5: 1600 * time.Millisecond,
		6:  2 * time.Second, // 3.2 s, capped
		57: 2 * time.Second, // 100 ms doubled 56 times is 2^64·390625 ns: 0 in an int64
		63: 2 * time.Second, // negative in an int64
	} {
		assert.Equal(t, want, h.backoff(attempt), "attempt %d", attempt)
	}
}

// Items of one type share one read-only attribute map; a new type gets its
// own.
func TestItemsOfOneTypeShareAttributes(t *testing.T) {
	h := newTestHandler(t, newFakeQueue())
	req := request(batch, "application/json", `[{"data":{},"type":"a"},{"data":{},"type":"a"},{"data":{},"type":"b"}]`)
	in, err := h.input(&req, []byte(req.Body), true)
	require.NoError(t, err)
	msgs, err := h.prepare(in, Caller{Subject: testSub}, testNow)
	require.NoError(t, err)
	same := func(i, j int) bool {
		return reflect.ValueOf(msgs[i].Attributes).UnsafePointer() == reflect.ValueOf(msgs[j].Attributes).UnsafePointer()
	}
	assert.True(t, same(0, 1))
	assert.False(t, same(1, 2))
	assert.Equal(t, "b", msgs[2].Attributes[AttributeType].StringValue)
}

// TestEnvelopedSizeAtSQSLimit: SQS counts the body and every attribute's
// name, type and value against its 1 MiB; an envelope of exactly 1 MiB is
// sent, one byte more is refused. The size is measured on what was sent.
func TestEnvelopedSizeAtSQSLimit(t *testing.T) {
	sentSize := func(in *sqs.SendMessageInput) int {
		n := len(aws.ToString(in.MessageBody))
		for name, v := range in.MessageAttributes {
			n += len(name) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
		}
		return n
	}
	event := func(pad int) string { return `{"pad":"` + strings.Repeat("x", pad) + `"}` }
	q := newFakeQueue()
	h := newTestHandler(t, q)
	resp, err := h.Handle(context.Background(), request(single, "application/json", event(0)))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	pad := sqsmsg.MaxMessageBytes - sentSize(q.singles[0])

	resp, err = h.Handle(context.Background(), request(single, "application/json", event(pad)))
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, "exactly 1 MiB")
	assert.Equal(t, sqsmsg.MaxMessageBytes, sentSize(q.singles[1]))

	resp, err = h.Handle(context.Background(), request(single, "application/json", event(pad+1)))
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, "one byte more")
	assert.Len(t, q.singles, 2)
}

// The FIFO stop is logged with the item that stopped it and how many were
// left unsent; a failure in the last call leaves nothing unsent to log.
func TestFIFOStopIsLogged(t *testing.T) {
	for _, tt := range []struct {
		name    string
		failAt  string
		logged  bool
		unsent  float64
		stopped float64
	}{
		{"first call fails", "0", true, 15, 0},
		{"last call fails", "20", false, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			q := &fifoQueue{failCall: func(in *sqs.SendMessageBatchInput) error {
				if aws.ToString(in.Entries[0].Id) == tt.failAt {
					return errors.New("throttled")
				}
				return nil
			}}
			h := newTestHandler(t, newFakeQueue(), func(c *testSetup) {
				c.QueueURL, c.BatchSender, c.Logger = c.QueueURL+".fifo", q, newJSONLogger(&logs)
			})
			_, err := h.Handle(context.Background(), request(batch, "application/json", batchJSON(25, 100)))
			require.NoError(t, err)
			var line map[string]any
			for l := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(l, "FIFO request stopped") {
					require.NoError(t, json.Unmarshal([]byte(l), &line))
				}
			}
			if !tt.logged {
				assert.Nil(t, line)
				return
			}
			require.NotNil(t, line)
			assert.Equal(t, tt.unsent, line["unsent"])
			assert.Equal(t, tt.stopped, line["index"])
		})
	}
}

// A false subschema fails with no keyword of its own: the rule is "false".
func TestLeavesOfAFalseSchema(t *testing.T) {
	s, err := LoadSchema(DefaultSchema)
	require.NoError(t, err)
	var out []Violation
	s.leaves(&jsonschema.ValidationError{InstanceLocation: []string{"a", "b"}, ErrorKind: &kind.FalseSchema{}}, &out)
	require.Len(t, out, 1)
	assert.Equal(t, "/a/b", out[0].Pointer)
	assert.Equal(t, "false", out[0].Rule)
}

// Behind an HTTP API JWT authorizer the caller is the token's sub claim.
func TestCallerFromAJWTAuthorizer(t *testing.T) {
	req := request(single, "application/json", `{}`)
	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "jwt-user"}},
	}
	c, err := callerOf(&req)
	require.NoError(t, err)
	assert.Equal(t, "jwt-user", c.Subject)

	req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"other": "x"}}
	_, err = callerOf(&req)
	assert.ErrorIs(t, err, ErrMissingIdentity, "no sub from either authorizer")
}

// The error texts are for logs: kind, message, and the item's place.
func TestErrorTexts(t *testing.T) {
	assert.Equal(t, "invalid_request: the request is malformed: Ce-Type is odd", (&RequestError{Err: ErrInvalidRequest, Message: "Ce-Type is odd"}).Error())
	assert.Equal(t, "item 3: invalid_item: an item is malformed: no data", (&ItemError{Index: 3, Message: "no data", Err: ErrInvalidItem}).Error())
}

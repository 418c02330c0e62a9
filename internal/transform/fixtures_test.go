package transform

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixturesDir holds the events `make invoke` and `sam local invoke -e` use.
const fixturesDir = "../../events/transformer"

// TestFixtures runs every fixture through the handler, under both bundled
// schemas, and checks the answer. batch-one-invalid.json breaks only the
// strict-order schema (amount -5), which is why both are run.
func TestFixtures(t *testing.T) {
	tests := []struct {
		file    string
		schema  string
		status  int
		results int
		calls   int
		code    string
		index   int
		pointer string
		rule    string
	}{
		{file: "oversize-item.json", schema: "default", status: 413, code: "item_too_large", index: 1},
		{file: "oversize-item.json", schema: "strict-order", status: 413, code: "item_too_large", index: 1},
		{file: "batch-one-invalid.json", schema: "strict-order", status: 422, code: "validation_failed", index: 2, pointer: "/amount", rule: "minimum"},
		{file: "batch-one-invalid.json", schema: "default", status: 202, results: 4, calls: 1},
		{file: "single.json", schema: "default", status: 202, results: 1},
		{file: "single.json", schema: "strict-order", status: 202, results: 1},
		{file: "batch-array.json", schema: "strict-order", status: 202, results: 3, calls: 1},
		{file: "batch-ndjson.json", schema: "strict-order", status: 202, results: 3, calls: 1},
		{file: "batch-over-10.json", schema: "strict-order", status: 202, results: 25, calls: 3},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
		t.Run(tt.file+"/"+tt.schema, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(fixturesDir, tt.file))
			require.NoError(t, err)
			var req events.APIGatewayV2HTTPRequest
			require.NoError(t, json.Unmarshal(raw, &req))
			q := newFakeQueue()
			h := newTestHandler(t, q, func(c *testSetup) { c.Schema = tt.schema })
			resp, err := h.Handle(context.Background(), req)
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode, truncate(resp.Body))
			rb := decodeResponse(t, resp.Body)
			if tt.code != "" {
				assert.Equal(t, tt.code, rb.Code)
				require.NotEmpty(t, rb.Errors)
				assert.Equal(t, tt.index, rb.Errors[0].Index)
				assert.Equal(t, tt.pointer, rb.Errors[0].Pointer)
				assert.Equal(t, tt.rule, rb.Errors[0].Rule)
				assert.Empty(t, q.batches)
				return
			}
			require.Len(t, rb.Results, tt.results)
			for i, r := range rb.Results {
				assert.Equal(t, i, r.Index)
				assert.Equal(t, "order-"+itoa(i+1), r.ID, "fixtures carry idempotency keys")
				assert.NotEmpty(t, r.MessageID)
			}
			assert.Len(t, q.batches, tt.calls)
			for _, b := range q.batches {
				for _, e := range b.Entries {
					assert.Equal(t, "com.example.order.created", aws.ToString(e.MessageAttributes["type"].StringValue))
				}
			}
			for _, in := range q.singles {
				var ev CloudEvent
				require.NoError(t, json.Unmarshal([]byte(aws.ToString(in.MessageBody)), &ev))
				assert.Equal(t, "com.example.order.created", ev.Type)
				assert.Equal(t, req.RequestContext.Authorizer.Lambda["sub"], ev.Subject)
				assert.Equal(t, "203.0.113.10", ev.SourceIP)
			}
		})
	}
	files, err := filepath.Glob(filepath.Join(fixturesDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		assert.True(t, covered[filepath.Base(f)], "fixture %s has no test", f)
	}
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

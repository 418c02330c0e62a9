package consumer

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// TestEventFixtures reads events/consumer/*.json (what `make invoke
// FN=ConsumerFunction` and `sam local invoke -e` take): each is an
// events.SQSEvent with no unknown field, shaped as Lambda sends it, with
// correct digests, and the example consumer's routing accepts every record.
func TestEventFixtures(t *testing.T) {
	paths, err := filepath.Glob("../../events/consumer/*.json")
	require.NoError(t, err)
	names := map[string]bool{}
	for _, p := range paths {
		names[filepath.Base(p)] = true
	}
	for _, want := range []string{"one-record.json", "batch.json", "fifo-batch.json", "webhook-message.json", "transformer-message.json"} {
		assert.True(t, names[want], "events/consumer/%s missing", want)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			raw, err := os.ReadFile(p)
			require.NoError(t, err)
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			var ev events.SQSEvent
			require.NoError(t, dec.Decode(&ev))
			require.NotEmpty(t, ev.Records)
			fifo := strings.HasSuffix(ev.Records[0].EventSourceARN, ".fifo")
			for _, r := range ev.Records {
				assert.Equal(t, "aws:sqs", r.EventSource)
				assert.Equal(t, "us-east-1", r.AWSRegion)
				assert.Equal(t, sqsmsg.MD5OfBody(r.Body), r.Md5OfBody, r.MessageId)
				attrs := map[string]sqsmsg.Attribute{}
				for k, a := range r.MessageAttributes {
					assert.NotNil(t, a.StringListValues, "Lambda sends stringListValues as []")
					assert.NotNil(t, a.BinaryListValues, "Lambda sends binaryListValues as []")
					attrs[k] = sqsmsg.Attribute{DataType: a.DataType, StringValue: *a.StringValue}
				}
				if len(attrs) > 0 {
					assert.Equal(t, sqsmsg.MD5OfAttributes(attrs), r.Md5OfMessageAttributes, r.MessageId)
				}
				for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
					assert.NotEmpty(t, r.Attributes[k], "%s: attribute %s", r.MessageId, k)
				}
				for _, k := range []string{"MessageGroupId", "MessageDeduplicationId", "SequenceNumber"} {
					assert.Equal(t, fifo, r.Attributes[k] != "", "%s: attribute %s on a FIFO queue only", r.MessageId, k)
				}
				_, err := Decode(r)
				assert.NoError(t, err, r.MessageId)
			}
			resp, err := New(Options{}).Default(func(context.Context, Record) error { return nil }).Handle(context.Background(), ev)
			require.NoError(t, err)
			assert.Empty(t, resp.BatchItemFailures)
		})
	}
}

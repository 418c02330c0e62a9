package sqsendpoint

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// batchForm is a SendMessageBatch of `entries` entries with `attrs`
// message attributes each, in the query protocol.
func batchForm(entries, attrs int) url.Values {
	form := url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {"/000000000000/q"}}
	for e := 1; e <= entries; e++ {
		p := "SendMessageBatchRequestEntry." + strconv.Itoa(e) + "."
		form.Set(p+"Id", "e"+strconv.Itoa(e))
		form.Set(p+"MessageBody", "body "+strconv.Itoa(e))
		for a := 1; a <= attrs; a++ {
			q := p + "MessageAttribute." + strconv.Itoa(a) + "."
			form.Set(q+"Name", "attr"+strconv.Itoa(a))
			form.Set(q+"Value.DataType", "String")
			form.Set(q+"Value.StringValue", "value")
		}
	}
	return form
}

// formTree parses form as a request body would be.
func formTree(t testing.TB, form url.Values) queryNode {
	t.Helper()
	tree := newQueryTree()
	require.True(t, tree.parse(form.Encode()))
	return tree.root()
}

func entriesForm(action, entry string, n int) url.Values {
	form := url.Values{"Action": {action}, "QueueUrl": {"/000000000000/q"}}
	for e := 1; e <= n; e++ {
		p := entry + "." + strconv.Itoa(e) + "."
		form.Set(p+"Id", "e"+strconv.Itoa(e))
		form.Set(p+"ReceiptHandle", "handle")
		form.Set(p+"VisibilityTimeout", "5")
	}
	return form
}

// TestQueryDecodingStopsAtSQSLimits: more than 10 batch entries is
// TooManyEntriesInBatchRequest for the whole request, with the number
// sent (SQS API Reference, SendMessageBatch / DeleteMessageBatch /
// ChangeMessageVisibilityBatch, Errors: "The batch request contains more
// entries than permissible ... is 10"); more than 10 message attributes
// (Developer Guide, "Amazon SQS message attributes": "Each message can
// have up to 10 attributes") is refused as over JSON.
func TestQueryDecodingStopsAtSQSLimits(t *testing.T) {
	s := newTestServer(t)
	_, err := s.EnsureQueue("q", nil, nil)
	require.NoError(t, err)
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"11 entries", batchForm(11, 1), 400, []string{"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "You have sent 11."}},
		{"100 entries of 30 attributes", batchForm(100, 30), 400, []string{"TooManyEntriesInBatchRequest", "You have sent 100."}},
		{"11 deletes", entriesForm("DeleteMessageBatch", "DeleteMessageBatchRequestEntry", 11), 400, []string{"TooManyEntriesInBatchRequest", "You have sent 11."}},
		{"11 visibility changes", entriesForm("ChangeMessageVisibilityBatch", "ChangeMessageVisibilityBatchRequestEntry", 11), 400, []string{"TooManyEntriesInBatchRequest", "You have sent 11."}},
		{"an entry with 50 attributes fails on its own", batchForm(2, 50), 200, []string{"<Id>e1</Id>", "<Code>InvalidParameterValue</Code>", "Number of message attributes [11] exceeds the allowed maximum [10]."}},
		{"10 entries of 10 attributes", batchForm(10, 10), 200, []string{"<SendMessageBatchResultEntry><Id>e10</Id>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := queryCall(t, s, "/", tc.form)
			assert.Equal(t, tc.status, status, body)
			for _, w := range tc.want {
				assert.Contains(t, body, w)
			}
		})
	}

	t.Run("11 attributes on SendMessage as over JSON", func(t *testing.T) {
		form := url.Values{"Action": {"SendMessage"}, "QueueUrl": {"/000000000000/q"}, "MessageBody": {"b"}}
		json := `{"QueueUrl":"/000000000000/q","MessageBody":"b","MessageAttributes":{`
		for a := 1; a <= 11; a++ {
			p := "MessageAttribute." + strconv.Itoa(a) + "."
			form.Set(p+"Name", "attr"+strconv.Itoa(a))
			form.Set(p+"Value.DataType", "String")
			form.Set(p+"Value.StringValue", "v")
			if a > 1 {
				json += ","
			}
			json += fmt.Sprintf(`"attr%d":{"DataType":"String","StringValue":"v"}`, a)
		}
		status, _, body := queryCall(t, s, "/", form)
		assert.Equal(t, 400, status)
		assert.Contains(t, body, "<Code>InvalidParameterValue</Code>")
		jsonStatus, _, jsonBody := jsonCall(t, s, "SendMessage", json+"}}")
		assert.Equal(t, 400, jsonStatus)
		assert.Contains(t, jsonBody, "Number of message attributes [11] exceeds the allowed maximum [10].")
		assert.Contains(t, body, "Number of message attributes [11] exceeds the allowed maximum [10].", "same answer over both protocols")
	})
}

// TestDecodeQueryCollectsOnlyWhatDecides: however many members a request
// carries, the decoder builds at most one attribute past SQS's limit.
func TestDecodeQueryCollectsOnlyWhatDecides(t *testing.T) {
	form := batchForm(1, 100)
	var in sendMessageBatchInput
	require.NoError(t, decodeQuery(formTree(t, form), &in))
	require.Len(t, in.Entries, 1)
	assert.Len(t, in.Entries[0].MessageAttributes, 11)

	err := decodeQuery(formTree(t, batchForm(100, 30)), &in)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "TooManyEntriesInBatchRequest", e.Code)
}

// TestDecodeQueryMembers: members are taken in numeric order and only
// with canonical indexes; a map member needs its key.
func TestDecodeQueryMembers(t *testing.T) {
	form := url.Values{
		"AttributeName.10": {"ten"}, "AttributeName.2": {"two"}, "AttributeName.1": {"one"},
		"AttributeName.01": {"leading zero"}, "AttributeName.-1": {"negative"}, "AttributeName.x": {"not a number"},
	}
	var in getQueueAttributesInput
	require.NoError(t, decodeQuery(formTree(t, form), &in))
	assert.Equal(t, []string{"one", "two", "ten"}, in.AttributeNames)

	var create createQueueInput
	require.NoError(t, decodeQuery(formTree(t, url.Values{"Attribute.1.Name": {"DelaySeconds"}, "Attribute.1.Value": {"5"}, "Attribute.2.Name": {"VisibilityTimeout"}}), &create))
	assert.Equal(t, map[string]string{"DelaySeconds": "5", "VisibilityTimeout": ""}, create.Attributes)
	err := decodeQuery(formTree(t, url.Values{"Attribute.3.Value": {"5"}}), &create)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Parameter Attribute.3.Name is missing.")
	var send sendMessageInput
	err = decodeQuery(formTree(t, url.Values{"MessageAttribute.1.Value.DataType": {"String"}}), &send)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Parameter MessageAttribute.1.Name is missing.")
}

// FuzzQueryTreeMatchesParseQuery: the one-pass parser refuses what
// url.ParseQuery refuses and gives every key the value url.Values.Get
// gives it.
func FuzzQueryTreeMatchesParseQuery(f *testing.F) {
	f.Add("Action=SendMessage&MessageBody=a+b%21&MessageAttribute.1.Name=x")
	f.Add("a=1&a=2&a.b=3&&=4&a..b=5&%41=6")
	f.Add("bad=%zz")
	f.Add("semi=1;2")
	f.Add(batchForm(3, 12).Encode())
	f.Fuzz(func(t *testing.T, raw string) {
		if strings.Count(raw, "&") >= maxQueryParams {
			return
		}
		want, err := url.ParseQuery(raw)
		tree := newQueryTree()
		ok := tree.parse(raw)
		require.Equal(t, err == nil, ok, "refused alike: %v", err)
		if !ok {
			return
		}
		for key := range want {
			n := tree.root()
			for part := range strings.SplitSeq(key, ".") {
				n = n.child(part)
			}
			require.True(t, n.given(), "key %q", key)
			require.Equal(t, want.Get(key), n.text(), "key %q", key)
		}
	})
}

package sqsendpoint

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInvalidCharactersAreRefusedNotAltered: a message body that is not
// valid UTF-8 (or escapes a lone surrogate) is refused with
// InvalidMessageContents on both protocols and nothing is stored. SQS
// "rejects the message and returns an InvalidMessageContents error" for
// characters outside its set
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
// MessageBody). Before, encoding/json turned the JSON protocol's bad bytes
// into U+FFFD and the altered message was stored.
func TestInvalidCharactersAreRefusedNotAltered(t *testing.T) {
	s := newTestServer(t)
	status, _, body := jsonCall(t, s, "CreateQueue", `{"QueueName":"utf8"}`)
	require.Equal(t, 200, status, body)
	var created struct{ QueueUrl string }
	require.NoError(t, json.Unmarshal([]byte(body), &created))
	q := created.QueueUrl

	tests := []struct {
		name string
		send func() (int, string)
	}{
		{"query protocol, bytes FF FE", func() (int, string) {
			st, _, b := queryCall(t, s, "/", url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"\xff\xfe"}})
			return st, b
		}},
		{"JSON protocol, raw bytes FF FE", func() (int, string) {
			st, _, b := jsonCall(t, s, "SendMessage", `{"QueueUrl":"`+q+`","MessageBody":"ok `+"\xff\xfe"+`"}`)
			return st, b
		}},
		{"JSON protocol, lone high surrogate escape", func() (int, string) {
			st, _, b := jsonCall(t, s, "SendMessage", `{"QueueUrl":"`+q+`","MessageBody":"\ud800 then text"}`)
			return st, b
		}},
		{"JSON protocol, lone low surrogate escape", func() (int, string) {
			st, _, b := jsonCall(t, s, "SendMessage", `{"QueueUrl":"`+q+`","MessageBody":"x\uDC00"}`)
			return st, b
		}},
		{"JSON protocol, batch entry", func() (int, string) {
			st, _, b := jsonCall(t, s, "SendMessageBatch", `{"QueueUrl":"`+q+`","Entries":[{"Id":"a","MessageBody":"fine"},{"Id":"b","MessageBody":"`+"\xc3"+`"}]}`)
			return st, b
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := tc.send()
			assert.Equal(t, 400, status)
			assert.Contains(t, body, "InvalidMessageContents")
			assert.Equal(t, "0", approximateCount(t, s, q), "nothing may be stored")
		})
	}

	t.Run("escaped backslashes and valid pairs pass unchanged", func(t *testing.T) {
		want := `\ud800 is text here; 📦 is a pair`
		status, _, body := jsonCall(t, s, "SendMessage", `{"QueueUrl":"`+q+`","MessageBody":"\\ud800 is text here; \ud83d\udce6 is a pair"}`)
		require.Equal(t, 200, status, body)
		status, _, body = jsonCall(t, s, "ReceiveMessage", `{"QueueUrl":"`+q+`"}`)
		require.Equal(t, 200, status, body)
		var got struct{ Messages []struct{ Body string } }
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		require.Len(t, got.Messages, 1)
		assert.Equal(t, want, got.Messages[0].Body)
	})
}

func approximateCount(t *testing.T, s *Server, q string) string {
	t.Helper()
	status, _, body := jsonCall(t, s, "GetQueueAttributes", `{"QueueUrl":"`+q+`","AttributeNames":["ApproximateNumberOfMessages"]}`)
	require.Equal(t, 200, status, body)
	var out struct{ Attributes map[string]string }
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	return out.Attributes["ApproximateNumberOfMessages"]
}

func TestHasLoneSurrogateEscape(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`"\ud800"`, true},
		{`"\udbff\u0041"`, true},
		{`"\udfff"`, true},
		{`"\ud800\`, true},
		{`"\ud83d\udce6"`, false},
		{`"\\ud800"`, false},
		{`"\\\ud800"`, true},
		{`"\u00e9\n\t\""`, false},
		{`"\u12"`, false},
		{strings.Repeat(`\ud83d\udce6`, 3), false},
	}
	for _, tc := range tests {
		if got := hasLoneSurrogateEscape([]byte(tc.in)); got != tc.want {
			t.Errorf("hasLoneSurrogateEscape(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

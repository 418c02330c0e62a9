package sqsendpoint

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// do sends one raw request to s and returns status, headers and body.
func do(t testing.TB, s *Server, method, target string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = "sqs.test:9324"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, rec.Header(), string(b)
}

func jsonCall(t testing.TB, s *Server, op, body string) (int, http.Header, string) {
	return do(t, s, http.MethodPost, "/", map[string]string{"X-Amz-Target": "AmazonSQS." + op, "Content-Type": jsonContentType}, body)
}

func queryCall(t testing.TB, s *Server, path string, form url.Values) (int, http.Header, string) {
	return do(t, s, http.MethodPost, path, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form.Encode())
}

func newTestServer(t testing.TB) *Server {
	s, err := New(Options{})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestJSONErrors(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name       string
		op, body   string
		status     int
		jsonType   string
		queryError string
	}{
		{"unknown operation", "Frobnicate", `{}`, 400, "com.amazonaws.sqs#UnknownOperationException", "InvalidAction;Sender"},
		{"malformed JSON", "GetQueueUrl", `{"QueueName":`, 400, "com.amazonaws.sqs#SerializationException", "SerializationException;Sender"},
		{"wrong member type", "ReceiveMessage", `{"QueueUrl":"x","MaxNumberOfMessages":"ten"}`, 400, "com.amazonaws.sqs#SerializationException", "SerializationException;Sender"},
		{"missing queue", "GetQueueUrl", `{"QueueName":"nope"}`, 400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
		{"missing parameter", "DeleteQueue", ``, 400, "com.amazonaws.sqs#MissingParameter", "MissingParameter;Sender"},
		{"queue URL of another account", "PurgeQueue", `{"QueueUrl":"http://x/111111111111/q"}`, 400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := jsonCall(t, s, tt.op, tt.body)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.queryError, h.Get("X-Amzn-Query-Error"))
			assert.Equal(t, jsonContentType, h.Get("Content-Type"))
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &e), body)
			assert.Equal(t, tt.jsonType, e.Type)
			assert.NotEmpty(t, e.Message)
		})
	}
}

func TestQueryProtocol(t *testing.T) {
	s := newTestServer(t)
	t.Run("unknown action is an ErrorResponse", func(t *testing.T) {
		status, _, body := queryCall(t, s, "/", url.Values{"Action": {"Frobnicate"}})
		assert.Equal(t, 400, status)
		var e struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Error   struct{ Type, Code, Message string }
			ID      string `xml:"RequestId"`
		}
		require.NoError(t, xml.Unmarshal([]byte(body), &e), body)
		assert.Equal(t, "Sender", e.Error.Type)
		assert.Equal(t, "InvalidAction", e.Error.Code)
		assert.NotEmpty(t, e.ID)
	})
	t.Run("missing queue uses the legacy code", func(t *testing.T) {
		status, h, body := queryCall(t, s, "/", url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"nope"}})
		assert.Equal(t, 400, status)
		assert.Contains(t, body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>")
		assert.Equal(t, "AWS.SimpleQueueService.NonExistentQueue;Sender", h.Get("X-Amzn-Query-Error"))
	})
	t.Run("GET with query parameters, URL from the Host", func(t *testing.T) {
		status, _, body := do(t, s, http.MethodGet, "/?Action=CreateQueue&QueueName=getq&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=7", nil, "")
		require.Equal(t, 200, status, body)
		var r struct {
			XMLName  xml.Name `xml:"CreateQueueResponse"`
			Xmlns    string   `xml:"xmlns,attr"`
			QueueURL string   `xml:"CreateQueueResult>QueueUrl"`
			ID       string   `xml:"ResponseMetadata>RequestId"`
		}
		require.NoError(t, xml.Unmarshal([]byte(body), &r))
		assert.Equal(t, xmlNamespace, r.Xmlns)
		assert.Equal(t, "http://sqs.test:9324/000000000000/getq", r.QueueURL)
		assert.NotEmpty(t, r.ID)
	})
	t.Run("post to the queue's own path, then receive as XML", func(t *testing.T) {
		status, _, body := queryCall(t, s, "/000000000000/getq", url.Values{
			"Action": {"SendMessage"}, "MessageBody": {"hi"},
			"MessageAttribute.1.Name": {"b"}, "MessageAttribute.1.Value.DataType": {"Binary"}, "MessageAttribute.1.Value.BinaryValue": {"AAE="},
		})
		require.Equal(t, 200, status, body)
		status, _, body = queryCall(t, s, "/", url.Values{
			"Action": {"ReceiveMessage"}, "QueueUrl": {"http://sqs.test:9324/000000000000/getq"},
			"AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"},
		})
		require.Equal(t, 200, status, body)
		var r struct {
			Messages []struct {
				Body       string                         `xml:"Body"`
				Attributes []struct{ Name, Value string } `xml:"Attribute"`
				MsgAttrs   []struct {
					Name  string
					Value struct{ BinaryValue, DataType string }
				} `xml:"MessageAttribute"`
			} `xml:"ReceiveMessageResult>Message"`
		}
		require.NoError(t, xml.Unmarshal([]byte(body), &r), body)
		require.Len(t, r.Messages, 1)
		assert.Equal(t, "hi", r.Messages[0].Body)
		assert.NotEmpty(t, r.Messages[0].Attributes)
		require.Len(t, r.Messages[0].MsgAttrs, 1)
		assert.Equal(t, "AAE=", r.Messages[0].MsgAttrs[0].Value.BinaryValue)
	})
	t.Run("non-integer parameter", func(t *testing.T) {
		status, _, body := queryCall(t, s, "/", url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {"/000000000000/getq"}, "MaxNumberOfMessages": {"ten"}})
		assert.Equal(t, 400, status)
		assert.Contains(t, body, "<Code>InvalidParameterValue</Code>")
	})
	t.Run("AddPermission over query: AWSAccountId.N and ActionName.N", func(t *testing.T) {
		// The query model's flattened member names (botocore's SQS query
		// model before the JSON protocol; Debian's awscli 2.9 sends them).
		status, _, body := queryCall(t, s, "/", url.Values{"Action": {"AddPermission"}, "QueueUrl": {"/000000000000/getq"}, "Label": {"q"},
			"AWSAccountId.1": {"111122223333"}, "ActionName.1": {"SendMessage"}, "ActionName.2": {"ReceiveMessage"}})
		require.Equal(t, 200, status, body)
		q, qerr := s.queueIn(s.region, "getq")
		require.Nil(t, qerr)
		attrs, aerr := s.getQueueAttributes(q, []string{"Policy"})
		require.Nil(t, aerr)
		assert.Contains(t, attrs["Policy"], `"Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["SQS:SendMessage","SQS:ReceiveMessage"]`)
	})
	t.Run("StartMessageMoveTask over query", func(t *testing.T) {
		status, _, body := queryCall(t, s, "/", url.Values{"Action": {"StartMessageMoveTask"}, "SourceArn": {"arn:aws:sqs:us-east-1:000000000000:getq"}})
		assert.Equal(t, 400, status)
		assert.Contains(t, body, "must be configured as a Dead Letter Queue")
	})
}

func TestRequestTooLarge(t *testing.T) {
	s := newTestServer(t)
	status, _, body := jsonCall(t, s, "SendMessage", `{"MessageBody":"`+strings.Repeat("x", MaxRequestBytes)+`"}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, body, "RequestEntityTooLarge")
}

// FuzzJSONRequest feeds arbitrary bodies to every operation over the JSON
// protocol: the answer is always an SQS response, never a crash or a 500.
func FuzzJSONRequest(f *testing.F) {
	ops := make([]string, 0, len(operations()))
	for op := range operations() {
		ops = append(ops, op)
	}
	sort.Strings(ops) // a stable index for the corpus
	f.Add(uint8(0), `{"QueueName":"q"}`)
	f.Add(uint8(1), `{"QueueUrl":"/000000000000/q","Entries":[{"Id":"a","MessageBody":"b"}]}`)
	f.Add(uint8(2), `{"QueueUrl":"/000000000000/q","MessageBody":"b","MessageAttributes":{"a":{"DataType":"Binary","BinaryValue":"AA=="}}}`)
	f.Add(uint8(3), `{"QueueUrl":"/000000000000/q","ReceiptHandle":"cTEAeAB5"}`)
	s := newTestServer(f)
	if _, err := s.EnsureQueue("q", nil, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		name := ops[int(op)%len(ops)]
		if name == "ReceiveMessage" || name == "DeleteQueue" || name == "PurgeQueue" {
			// Long polls would stall the fuzzer; deleting the queue would
			// make every later input trivially fail.
			return
		}
		status, _, _ := jsonCall(t, s, name, body)
		if status != 200 && (status < 400 || status >= 500) {
			t.Fatalf("%s %q: status %d", name, body, status)
		}
	})
}

// FuzzQueryRequest does the same for the query protocol's form decoder.
func FuzzQueryRequest(f *testing.F) {
	f.Add("Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5")
	f.Add("Action=SendMessageBatch&QueueUrl=/000000000000/q&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=x&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=1")
	f.Add("Action=TagQueue&QueueUrl=/000000000000/q&Tag.1.Key=a&Tag.1.Value=b")
	f.Add("Action=ChangeMessageVisibilityBatch&QueueUrl=/000000000000/q&ChangeMessageVisibilityBatchRequestEntry.01.Id=a")
	s := newTestServer(f)
	if _, err := s.EnsureQueue("q", nil, nil); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, form string) {
		values, err := url.ParseQuery(form)
		if err == nil {
			if a := values.Get("Action"); a == "ReceiveMessage" || a == "DeleteQueue" || a == "PurgeQueue" {
				return
			}
		}
		status, _, _ := do(t, s, http.MethodPost, "/", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form)
		if status != 200 && (status < 400 || status >= 500) {
			t.Fatalf("%q: status %d", form, status)
		}
	})
}

func TestPanicBecomesInternalFailure(t *testing.T) {
	s := newTestServer(t)
	s.ops["TestPanic"] = func(*Server, *call) (any, error) { panic("boom") }
	status, h, body := jsonCall(t, s, "TestPanic", `{}`)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "InternalFailure;Receiver", h.Get("X-Amzn-Query-Error"))
	assert.Contains(t, body, "com.amazonaws.sqs#InternalFailure")
	assert.NotContains(t, body, "boom", "the panic value stays in the log")
	status, _, body = queryCall(t, s, "/", url.Values{"Action": {"TestPanic"}})
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Contains(t, body, "<Type>Receiver</Type>")
}

// TestRequestRegion: the region comes from the SigV4 credential scope of
// the Authorization header or of a presigned URL, else the server's.
func TestRequestRegion(t *testing.T) {
	s, err := New(Options{Region: "eu-central-1"})
	require.NoError(t, err)
	defer s.Close()
	tests := []struct {
		name, authorization, presigned, want string
	}{
		{"header", "AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-southeast-2/sqs/aws4_request, SignedHeaders=host, Signature=abc", "", "ap-southeast-2"},
		{"presigned", "", "AKID/20260101/us-gov-west-1/sqs/aws4_request", "us-gov-west-1"},
		{"unsigned", "", "", "eu-central-1"},
		{"not a region", "AWS4-HMAC-SHA256 Credential=AKID/20260101/../sqs/aws4_request, Signature=abc", "", "eu-central-1"},
		{"short scope", "AWS4-HMAC-SHA256 Credential=AKID/us-east-1, Signature=abc", "", "eu-central-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, s.requestRegion(tt.authorization, tt.presigned))
		})
	}
}

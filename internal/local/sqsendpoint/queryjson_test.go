package sqsendpoint

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The query protocol's JSON rendering (queryjson.go). AWS documents the
// query protocol's XML only; the JSON that SQS answers a query request
// with Accept: application/json is taken from what AWS is observed to
// send, and where sources differ the one closest to AWS's own pages wins:
//
//   - SendMessage: AWS's own samples, all recorded through API Gateway
//     (aws-samples serverless-patterns READMEs, e.g. the apigw-sqs CDK
//     patterns, 2023, and aws-samples/multi-language-notification-with-
//     amazon-translate-amazon-pinpoint):
//     {"SendMessageResponse":{"ResponseMetadata":{"RequestId":…},
//     "SendMessageResult":{"MD5OfMessageAttributes":null,"MD5OfMessageBody":…,
//     "MD5OfMessageSystemAttributes":null,"MessageId":…,"SequenceNumber":null}}}.
//     Issue 12's seed omits MD5OfMessageSystemAttributes: it predates the
//     member (added to SendMessageResult with AWSTraceHeader in 2019–2020);
//     every capture since has it, and "every member present, absent ones
//     null" implies it, so it is rendered.
//   - ReceiveMessage: serverless-patterns apigw-sqs-receive (AWS, 2024):
//     {"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":null},…}}
//     when empty, else messages:[{"Attributes":null,"Body":…,"MD5OfBody":…,
//     "MD5OfMessageAttributes":null,"MessageAttributes":null,"MessageId":…,
//     "ReceiptHandle":…}]; the lowercase "messages" is confirmed by
//     LocalStack's AWS-validated test_marker_serialization_json_protocol
//     (LocalStack itself answers "Message" there and says it deviates).
//     Attributes is an object ({"ApproximateReceiveCount":"1"}, JustSaying's
//     README capture). How MessageAttributes values render was not found
//     in any capture: the MessageAttributeValue shape with every member
//     (absent ones null) is our reading of the same rule.
//   - Errors: an API Gateway test-invoke log of an SQS integration
//     (aws-samples cdk-queue-based-load-levelling-api README):
//     {"Error":{"Code":"AccessDenied","Message":…,"Type":"Sender"},"RequestId":…}
//     with Content-Type application/json; LocalStack's AWS-validated
//     test_get_list_queues_fails_json_format reads Error.Code and
//     Error.Message with status 400.
//   - SendMessageBatch: no capture found; the members are the SQS model's
//     (Successful, Failed; the Elixir client Proca matches
//     SendMessageBatchResult "Failed" => nil when nothing failed), with the
//     same null and ordering rules.
//   - DeleteMessage (no output): {"DeleteMessageResponse":{"ResponseMetadata":{…}}}.
//   - Keys are in byte order at every level in every capture above.
//
// moto (5.2.1, the peer on this machine) is no second opinion here: it
// answers query requests in XML whatever Accept says, a GET SendMessage
// with Accept: application/json gets a 500, and its errors then take the
// AWS JSON 1.0 form ({"__type":…}). So these tests run against our
// endpoint only.

const acceptJSON = "application/json"

// queryJSONCall sends a query request with Accept: application/json.
// form goes in the body of a POST, or in the URL of a GET.
func queryJSONCall(t *testing.T, s *Server, method, path string, form url.Values) (int, http.Header, string) {
	t.Helper()
	header := map[string]string{"Accept": acceptJSON}
	body := ""
	if method == http.MethodGet {
		path += "?" + form.Encode()
	} else {
		header["Content-Type"] = "application/x-www-form-urlencoded"
		body = form.Encode()
	}
	return do(t, s, method, path, header, body)
}

// volatile matches the values that differ on every run: ids, receipt
// handles, sequence numbers and timestamps.
var volatile = regexp.MustCompile(`"(RequestId|MessageId|ReceiptHandle|SequenceNumber|SentTimestamp|ApproximateFirstReceiveTimestamp)":"[^"]+"`)

// normalized replaces volatile string values by "…". A member that should
// hold one but is null or missing stays visibly different.
func normalized(body string) string {
	return volatile.ReplaceAllString(body, `"$1":"…"`)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// requireQueryJSON checks a query-JSON answer's headers and that its
// RequestId is the x-amzn-RequestId header's.
func requireQueryJSON(t *testing.T, status int, h http.Header, body string, wantStatus int) {
	t.Helper()
	require.Equal(t, wantStatus, status, body)
	assert.Equal(t, "application/json", h.Get("Content-Type"))
	require.True(t, json.Valid([]byte(body)), body)
	assert.Contains(t, body, `"RequestId":"`+h.Get("X-Amzn-Requestid")+`"`)
	assert.Regexp(t, uuidPattern, h.Get("X-Amzn-Requestid"))
}

func newQueryJSONServer(t *testing.T) *Server {
	t.Helper()
	now := time.UnixMilli(1_700_000_000_000)
	s, err := New(Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.EnsureQueue("q", nil, nil)
	require.NoError(t, err)
	_, err = s.EnsureQueue("q.fifo", map[string]string{"FifoQueue": "true"}, nil)
	require.NoError(t, err)
	return s
}

// TestQueryJSONSendMessageSeed: issue 12's seed, GET /v1/send?MessageBody=
// TestMessageHello through API Gateway's SendMessage integration (a GET
// with the query string, or a POST with a form body, to /<account>/<queue>),
// MD5 0ef0d7773a388095bee26966144cc131.
func TestQueryJSONSendMessageSeed(t *testing.T) {
	const want = `{"SendMessageResponse":{"ResponseMetadata":{"RequestId":"…"},"SendMessageResult":{"MD5OfMessageAttributes":null,"MD5OfMessageBody":"0ef0d7773a388095bee26966144cc131","MD5OfMessageSystemAttributes":null,"MessageId":"…","SequenceNumber":null}}}`
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			s := newQueryJSONServer(t)
			status, h, body := queryJSONCall(t, s, method, "/000000000000/q", url.Values{"Action": {"SendMessage"}, "MessageBody": {"TestMessageHello"}})
			requireQueryJSON(t, status, h, body, http.StatusOK)
			assert.Equal(t, want, normalized(body))
			var doc struct {
				SendMessageResponse struct{ SendMessageResult struct{ MessageId string } }
			}
			require.NoError(t, json.Unmarshal([]byte(body), &doc))
			assert.Regexp(t, uuidPattern, doc.SendMessageResponse.SendMessageResult.MessageId)
			// The message is in the queue as sent.
			msgs := peek(t, s, "q")
			require.Len(t, msgs, 1)
			assert.Equal(t, "TestMessageHello", msgs[0].Body)
			assert.Equal(t, doc.SendMessageResponse.SendMessageResult.MessageId, msgs[0].MessageID)
		})
	}
}

// TestQueryJSONSendMessageAllMembers: a FIFO send with a message attribute
// and AWSTraceHeader fills every member the seed leaves null.
func TestQueryJSONSendMessageAllMembers(t *testing.T) {
	s := newQueryJSONServer(t)
	status, h, body := queryJSONCall(t, s, http.MethodPost, "/000000000000/q.fifo", url.Values{
		"Action": {"SendMessage"}, "MessageBody": {"TestMessageHello"},
		"MessageGroupId": {"g"}, "MessageDeduplicationId": {"d"},
		"MessageAttribute.1.Name": {"sub"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {"abc"},
		"MessageSystemAttribute.1.Name": {"AWSTraceHeader"}, "MessageSystemAttribute.1.Value.DataType": {"String"},
		"MessageSystemAttribute.1.Value.StringValue": {"Root=1-5759e988-bd862e3fe1be46a994272793"},
	})
	requireQueryJSON(t, status, h, body, http.StatusOK)
	var doc struct {
		SendMessageResponse struct{ SendMessageResult map[string]*string }
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	result := doc.SendMessageResponse.SendMessageResult
	assert.Len(t, result, 5, body)
	for _, member := range []string{"MD5OfMessageAttributes", "MD5OfMessageBody", "MD5OfMessageSystemAttributes", "MessageId", "SequenceNumber"} {
		if assert.NotNil(t, result[member], member) {
			assert.NotEmpty(t, *result[member], member)
		}
	}
	assert.Equal(t, "0ef0d7773a388095bee26966144cc131", *result["MD5OfMessageBody"])
	assert.Regexp(t, `^[0-9]{20}$`, *result["SequenceNumber"])
	assert.Regexp(t, `^[0-9a-f]{32}$`, *result["MD5OfMessageAttributes"])
	assert.Regexp(t, `^[0-9a-f]{32}$`, *result["MD5OfMessageSystemAttributes"])
}

// batchEntries is a SendMessageBatch form of bodies, ids e1, e2, ….
func batchEntries(bodies ...string) url.Values {
	form := url.Values{"Action": {"SendMessageBatch"}}
	for i, b := range bodies {
		p := "SendMessageBatchRequestEntry." + strconv.Itoa(i+1) + "."
		form.Set(p+"Id", "e"+strconv.Itoa(i+1))
		form.Set(p+"MessageBody", b)
	}
	return form
}

// peek is the queue's messages, without receiving them.
func peek(t *testing.T, s *Server, queue string) []PeekedMessage {
	t.Helper()
	msgs, ok := s.Peek(queue, 100)
	require.True(t, ok, queue)
	return msgs
}

// TestQueryJSONSendMessageBatch: Successful and Failed as arrays of every
// member, null when empty. The failing entry is one whose body is a
// character SQS refuses: an entry's own failure, reported in Failed with
// the request answered 200 (SQS API Reference, SendMessageBatch: "The
// result of sending each message is reported individually in the
// response"; LocalStack's AWS-validated
// test_batch_send_with_invalid_char_should_succeed: nine bodies and a tenth
// of "\x01" give exactly one Failed entry, InvalidMessageContents).
func TestQueryJSONSendMessageBatch(t *testing.T) {
	entry := `{"Id":"e%s","MD5OfMessageAttributes":null,"MD5OfMessageBody":"0ef0d7773a388095bee26966144cc131","MD5OfMessageSystemAttributes":null,"MessageId":"…","SequenceNumber":null}`
	tests := []struct {
		name   string
		bodies []string
		want   string
	}{
		{"one entry fails", []string{"TestMessageHello", "\x01", "TestMessageHello"},
			`{"SendMessageBatchResponse":{"ResponseMetadata":{"RequestId":"…"},"SendMessageBatchResult":{"Failed":[{"Code":"InvalidMessageContents","Id":"e2","Message":"Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF","SenderFault":true}],"Successful":[` +
				strings.Replace(entry, "%s", "1", 1) + "," + strings.Replace(entry, "%s", "3", 1) + `]}}}`},
		{"none fails", []string{"TestMessageHello"},
			`{"SendMessageBatchResponse":{"ResponseMetadata":{"RequestId":"…"},"SendMessageBatchResult":{"Failed":null,"Successful":[` + strings.Replace(entry, "%s", "1", 1) + `]}}}`},
		{"all fail", []string{"\x01"},
			`{"SendMessageBatchResponse":{"ResponseMetadata":{"RequestId":"…"},"SendMessageBatchResult":{"Failed":[{"Code":"InvalidMessageContents","Id":"e1","Message":"Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF","SenderFault":true}],"Successful":null}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newQueryJSONServer(t)
			status, h, body := queryJSONCall(t, s, http.MethodPost, "/000000000000/q", batchEntries(tc.bodies...))
			requireQueryJSON(t, status, h, body, http.StatusOK)
			assert.Equal(t, tc.want, normalized(body))
		})
	}
}

// TestQueryJSONBatchOfTenWithOneFailingEntry is the REST e2e's case as the
// REST batch template sends it (form-encoded, $util.urlEncode of each
// body): ten entries, the seventh's body "\u0001" (%01), and only that
// entry fails. Both XML and JSON say so.
func TestQueryJSONBatchOfTenWithOneFailingEntry(t *testing.T) {
	bodies := make([]string, 10)
	for i := range bodies {
		bodies[i] = `{"n":` + strconv.Itoa(i+1) + `}`
	}
	bodies[6] = "\u0001"
	form := batchEntries(bodies...)
	require.Contains(t, form.Encode(), "SendMessageBatchRequestEntry.7.MessageBody=%01")
	s := newQueryJSONServer(t)
	status, h, body := queryJSONCall(t, s, http.MethodPost, "/000000000000/q", form)
	requireQueryJSON(t, status, h, body, http.StatusOK)
	var doc struct {
		SendMessageBatchResponse struct {
			SendMessageBatchResult struct {
				Successful []struct{ Id string }
				Failed     []struct {
					Id, Code, Message string
					SenderFault       bool
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	result := doc.SendMessageBatchResponse.SendMessageBatchResult
	assert.Len(t, result.Successful, 9)
	require.Len(t, result.Failed, 1)
	assert.Equal(t, "e7", result.Failed[0].Id)
	assert.Equal(t, "InvalidMessageContents", result.Failed[0].Code)
	assert.True(t, result.Failed[0].SenderFault)
	assert.Len(t, peek(t, s, "q"), 9)

	status, _, xmlBody := queryCall(t, s, "/000000000000/q", form)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, 1, strings.Count(xmlBody, "<BatchResultErrorEntry>"), xmlBody)
	assert.Contains(t, xmlBody, "<BatchResultErrorEntry><Id>e7</Id><SenderFault>true</SenderFault><Code>InvalidMessageContents</Code>")
	assert.Equal(t, 9, strings.Count(xmlBody, "<SendMessageBatchResultEntry>"))
}

// TestQueryJSONReceiveMessage: messages null when empty; each message with
// every member; Attributes and MessageAttributes objects when asked for.
func TestQueryJSONReceiveMessage(t *testing.T) {
	s := newQueryJSONServer(t)
	receive := url.Values{"Action": {"ReceiveMessage"}}
	status, h, body := queryJSONCall(t, s, http.MethodGet, "/000000000000/q", receive)
	requireQueryJSON(t, status, h, body, http.StatusOK)
	assert.Equal(t, `{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":null},"ResponseMetadata":{"RequestId":"…"}}}`, normalized(body))

	status, _, _ = queryJSONCall(t, s, http.MethodGet, "/000000000000/q", url.Values{"Action": {"SendMessage"}, "MessageBody": {"TestMessageHello"}})
	require.Equal(t, http.StatusOK, status)
	status, h, body = queryJSONCall(t, s, http.MethodGet, "/000000000000/q", receive)
	requireQueryJSON(t, status, h, body, http.StatusOK)
	assert.Equal(t, `{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":[{"Attributes":null,"Body":"TestMessageHello","MD5OfBody":"0ef0d7773a388095bee26966144cc131","MD5OfMessageAttributes":null,"MessageAttributes":null,"MessageId":"…","ReceiptHandle":"…"}]},"ResponseMetadata":{"RequestId":"…"}}}`, normalized(body))

	// With attributes: the REST route's AttributeName.1=All and
	// MessageAttributeName.1=All, on a message carrying the `sub` string
	// attribute the REST templates add and a binary one.
	status, _, _ = queryJSONCall(t, s, http.MethodPost, "/000000000000/q", url.Values{
		"Action": {"SendMessage"}, "MessageBody": {"with attributes"},
		"MessageAttribute.1.Name": {"sub"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {"abc"},
		"MessageAttribute.2.Name": {"raw"}, "MessageAttribute.2.Value.DataType": {"Binary"}, "MessageAttribute.2.Value.BinaryValue": {"AAE="},
	})
	require.Equal(t, http.StatusOK, status)
	status, h, body = queryJSONCall(t, s, http.MethodGet, "/000000000000/q", url.Values{
		"Action": {"ReceiveMessage"}, "AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"}, "VisibilityTimeout": {"0"},
	})
	requireQueryJSON(t, status, h, body, http.StatusOK)
	assert.Equal(t, `{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":[{"Attributes":{"ApproximateFirstReceiveTimestamp":"…","ApproximateReceiveCount":"1","SenderId":"000000000000","SentTimestamp":"…"},"Body":"with attributes","MD5OfBody":"c2d900c011c138c4a68934fee2fdd344","MD5OfMessageAttributes":"`+md5OfAttributesIn(t, body)+`","MessageAttributes":{"raw":{"BinaryListValues":null,"BinaryValue":"AAE=","DataType":"Binary","StringListValues":null,"StringValue":null},"sub":{"BinaryListValues":null,"BinaryValue":null,"DataType":"String","StringListValues":null,"StringValue":"abc"}},"MessageId":"…","ReceiptHandle":"…"}]},"ResponseMetadata":{"RequestId":"…"}}}`, normalized(body))
}

// md5OfAttributesIn is the digest the answer carries, checked against the
// XML rendering of the same message (the digest itself is tested in
// internal/sqsmsg).
func md5OfAttributesIn(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`"MD5OfMessageAttributes":"([0-9a-f]{32})"`).FindStringSubmatch(body)
	require.NotNil(t, m, body)
	return m[1]
}

// TestQueryJSONDeleteMessage: an operation without output has only
// ResponseMetadata; DELETE /v1/messages?receiptHandle= goes this way.
func TestQueryJSONDeleteMessage(t *testing.T) {
	s := newQueryJSONServer(t)
	queryJSONCall(t, s, http.MethodGet, "/000000000000/q", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}})
	_, _, body := queryJSONCall(t, s, http.MethodGet, "/000000000000/q", url.Values{"Action": {"ReceiveMessage"}})
	var doc struct {
		ReceiveMessageResponse struct {
			ReceiveMessageResult struct {
				Messages []struct{ ReceiptHandle string } `json:"messages"`
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	require.Len(t, doc.ReceiveMessageResponse.ReceiveMessageResult.Messages, 1)
	handle := doc.ReceiveMessageResponse.ReceiveMessageResult.Messages[0].ReceiptHandle

	status, h, body := queryJSONCall(t, s, http.MethodGet, "/000000000000/q", url.Values{"Action": {"DeleteMessage"}, "ReceiptHandle": {handle}})
	requireQueryJSON(t, status, h, body, http.StatusOK)
	assert.Equal(t, `{"DeleteMessageResponse":{"ResponseMetadata":{"RequestId":"…"}}}`, normalized(body))
	assert.Empty(t, peek(t, s, "q"))
}

// TestQueryJSONErrors: the same status as the XML answer, the same code
// and words, in SQS's query-JSON error document.
func TestQueryJSONErrors(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"queue does not exist", http.MethodGet, "/000000000000/nope", url.Values{"Action": {"SendMessage"}, "MessageBody": {"x"}}, 400,
			`{"Error":{"Code":"AWS.SimpleQueueService.NonExistentQueue","Message":"The specified queue does not exist for this wsdl version.","Type":"Sender"},"RequestId":"…"}`},
		{"receipt handle invalid", http.MethodGet, "/000000000000/q", url.Values{"Action": {"DeleteMessage"}, "ReceiptHandle": {"bogus"}}, 400,
			`{"Error":{"Code":"ReceiptHandleIsInvalid","Message":"The input receipt handle \"bogus\" is not a valid receipt handle.","Type":"Sender"},"RequestId":"…"}`},
		{"missing message body", http.MethodPost, "/000000000000/q", url.Values{"Action": {"SendMessage"}}, 400,
			`{"Error":{"Code":"MissingParameter","Message":"The request must contain the parameter MessageBody.","Type":"Sender"},"RequestId":"…"}`},
		{"batch error of the whole request", http.MethodPost, "/000000000000/q", url.Values{"Action": {"SendMessageBatch"}}, 400,
			`{"Error":{"Code":"AWS.SimpleQueueService.EmptyBatchRequest","Message":"There should be at least one SendMessageBatchRequestEntry in the request.","Type":"Sender"},"RequestId":"…"}`},
		{"unknown action", http.MethodGet, "/000000000000/q", url.Values{"Action": {"Frobnicate"}}, 400,
			`{"Error":{"Code":"InvalidAction","Message":"The action Frobnicate is not valid for this endpoint.","Type":"Sender"},"RequestId":"…"}`},
		{"purge twice", http.MethodGet, "/000000000000/q", url.Values{"Action": {"PurgeQueue"}}, 403,
			`{"Error":{"Code":"AWS.SimpleQueueService.PurgeQueueInProgress","Message":"Only one PurgeQueue operation on q is allowed every 60 seconds.","Type":"Sender"},"RequestId":"…"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newQueryJSONServer(t)
			if tc.name == "purge twice" {
				status, _, _ := queryJSONCall(t, s, tc.method, tc.path, tc.form)
				require.Equal(t, http.StatusOK, status)
			}
			status, h, body := queryJSONCall(t, s, tc.method, tc.path, tc.form)
			requireQueryJSON(t, status, h, body, tc.status)
			assert.Equal(t, tc.want, normalized(body))
			var doc struct{ Error struct{ Code, Type string } }
			require.NoError(t, json.Unmarshal([]byte(body), &doc))
			assert.Equal(t, doc.Error.Code+";"+doc.Error.Type, h.Get("X-Amzn-Query-Error"))

			// The XML answer to the same request has the same status.
			xmlStatus, xh, xmlBody := do(t, s, tc.method, tc.path+"?"+tc.form.Encode(), nil, "")
			assert.Equal(t, tc.status, xmlStatus, xmlBody)
			assert.Equal(t, "text/xml", xh.Get("Content-Type"))
			assert.Contains(t, xmlBody, "<Code>"+doc.Error.Code+"</Code>")
		})
	}
}

// TestQueryJSONMalformedRequest: errors found before any operation runs
// (a bad form, no Action) answer in JSON too.
func TestQueryJSONMalformedRequest(t *testing.T) {
	s := newQueryJSONServer(t)
	status, h, body := do(t, s, http.MethodGet, "/000000000000/q?Action=SendMessage&MessageBody=%zz", map[string]string{"Accept": acceptJSON}, "")
	requireQueryJSON(t, status, h, body, http.StatusBadRequest)
	assert.Equal(t, `{"Error":{"Code":"InvalidParameterValue","Message":"The query string is not valid URL encoding.","Type":"Sender"},"RequestId":"…"}`, normalized(body))

	status, h, body = do(t, s, http.MethodGet, "/000000000000/q", map[string]string{"Accept": acceptJSON}, "")
	requireQueryJSON(t, status, h, body, http.StatusBadRequest)
	assert.Equal(t, `{"Error":{"Code":"MissingParameter","Message":"The request must contain the parameter Action.","Type":"Sender"},"RequestId":"…"}`, normalized(body))
}

// TestQueryJSONOnlyWhenAsked: without Accept: application/json a query
// request is answered in XML exactly as before, and a JSON-protocol request
// keeps the AWS JSON 1.0 form whatever Accept says.
func TestQueryJSONOnlyWhenAsked(t *testing.T) {
	form := url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"q"}}
	tests := []struct {
		name   string
		accept string
		json   bool
	}{
		{"no Accept", "", false},
		{"any type", "*/*", false},
		{"XML", "text/xml", false},
		{"JSON refused", "application/json;q=0", false},
		{"JSON with a bad q", "application/json;q=x", false},
		{"malformed", "application/json;;", false},
		{"JSON", "application/json", true},
		{"JSON among others", "text/html, application/json;q=0.5", true},
		{"JSON in capitals", "Application/JSON", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.json, wantsQueryJSON(tc.accept))
			s := newQueryJSONServer(t)
			header := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			if tc.accept != "" {
				header["Accept"] = tc.accept
			}
			status, h, body := do(t, s, http.MethodPost, "/", header, form.Encode())
			require.Equal(t, http.StatusOK, status, body)
			if tc.json {
				assert.Equal(t, `{"GetQueueUrlResponse":{"GetQueueUrlResult":{"QueueUrl":"http://sqs.test:9324/000000000000/q"},"ResponseMetadata":{"RequestId":"…"}}}`, normalized(body))
				return
			}
			assert.Equal(t, "text/xml", h.Get("Content-Type"))
			assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<GetQueueUrlResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><GetQueueUrlResult><QueueUrl>http://sqs.test:9324/000000000000/q</QueueUrl></GetQueueUrlResult><ResponseMetadata><RequestId>`+h.Get("X-Amzn-Requestid")+`</RequestId></ResponseMetadata></GetQueueUrlResponse>`, body)
		})
	}

	s := newQueryJSONServer(t)
	status, h, body := do(t, s, http.MethodPost, "/", map[string]string{"X-Amz-Target": "AmazonSQS.GetQueueUrl", "Content-Type": jsonContentType, "Accept": acceptJSON}, `{"QueueName":"q"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, jsonContentType, h.Get("Content-Type"))
	assert.JSONEq(t, `{"QueueUrl":"http://sqs.test:9324/000000000000/q"}`, body)
}

// TestQueryJSONEveryOperation: every operation the endpoint serves in XML
// answers in JSON too, from the same output values, in a run through the
// whole API on one queue.
func TestQueryJSONEveryOperation(t *testing.T) {
	s := newQueryJSONServer(t)
	dlqARN, err := s.EnsureQueue("dlq", nil, nil)
	require.NoError(t, err)
	_, err = s.EnsureQueue("src", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"1"}`}, nil)
	require.NoError(t, err)
	const queueURL = "http://sqs.test:9324/000000000000/a"
	var handles []string
	steps := []struct {
		action string
		form   url.Values
		status int
		// want is the answer, normalized; "" checks only the envelope.
		want string
		// after reads what later steps need.
		after func(t *testing.T, doc map[string]any)
	}{
		{action: "CreateQueue", form: url.Values{"QueueName": {"a"}}, want: `{"CreateQueueResponse":{"CreateQueueResult":{"QueueUrl":"` + queueURL + `"},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "GetQueueUrl", form: url.Values{"QueueName": {"a"}}, want: `{"GetQueueUrlResponse":{"GetQueueUrlResult":{"QueueUrl":"` + queueURL + `"},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "ListQueues", form: url.Values{"QueueNamePrefix": {"a"}}, want: `{"ListQueuesResponse":{"ListQueuesResult":{"NextToken":null,"QueueUrls":["` + queueURL + `"]},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "ListQueues", form: url.Values{"QueueNamePrefix": {"none"}}, want: `{"ListQueuesResponse":{"ListQueuesResult":{"NextToken":null,"QueueUrls":null},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "SetQueueAttributes", form: url.Values{"QueueUrl": {queueURL}, "Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"10"}}, want: `{"SetQueueAttributesResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "GetQueueAttributes", form: url.Values{"QueueUrl": {queueURL}, "AttributeName.1": {"VisibilityTimeout"}, "AttributeName.2": {"DelaySeconds"}},
			want: `{"GetQueueAttributesResponse":{"GetQueueAttributesResult":{"Attributes":[{"Name":"DelaySeconds","Value":"0"},{"Name":"VisibilityTimeout","Value":"10"}]},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "GetQueueAttributes", form: url.Values{"QueueUrl": {queueURL}},
			want: `{"GetQueueAttributesResponse":{"GetQueueAttributesResult":{"Attributes":null},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "TagQueue", form: url.Values{"QueueUrl": {queueURL}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"ingest"}}, want: `{"TagQueueResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "ListQueueTags", form: url.Values{"QueueUrl": {queueURL}}, want: `{"ListQueueTagsResponse":{"ListQueueTagsResult":{"Tags":{"team":"ingest"}},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "UntagQueue", form: url.Values{"QueueUrl": {queueURL}, "TagKey.1": {"team"}}, want: `{"UntagQueueResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "ListQueueTags", form: url.Values{"QueueUrl": {queueURL}}, want: `{"ListQueueTagsResponse":{"ListQueueTagsResult":{"Tags":null},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "AddPermission", form: url.Values{"QueueUrl": {queueURL}, "Label": {"l"}, "AWSAccountId.1": {"111122223333"}, "ActionName.1": {"SendMessage"}}, want: `{"AddPermissionResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "RemovePermission", form: url.Values{"QueueUrl": {queueURL}, "Label": {"l"}}, want: `{"RemovePermissionResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "SendMessage", form: url.Values{"QueueUrl": {queueURL}, "MessageBody": {"TestMessageHello"}}},
		{action: "SendMessageBatch", form: url.Values{"QueueUrl": {queueURL}, "SendMessageBatchRequestEntry.1.Id": {"b"}, "SendMessageBatchRequestEntry.1.MessageBody": {"TestMessageHello"}}},
		{action: "ReceiveMessage", form: url.Values{"QueueUrl": {queueURL}, "MaxNumberOfMessages": {"10"}}, after: func(t *testing.T, doc map[string]any) {
			result := doc["ReceiveMessageResponse"].(map[string]any)["ReceiveMessageResult"].(map[string]any)
			msgs, _ := result["messages"].([]any)
			require.Len(t, msgs, 2)
			for _, m := range msgs {
				handles = append(handles, m.(map[string]any)["ReceiptHandle"].(string))
			}
		}},
		{action: "ChangeMessageVisibility", form: url.Values{"QueueUrl": {queueURL}, "VisibilityTimeout": {"30"}}, want: `{"ChangeMessageVisibilityResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "ChangeMessageVisibilityBatch", form: url.Values{"QueueUrl": {queueURL}, "ChangeMessageVisibilityBatchRequestEntry.1.Id": {"c"}, "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout": {"30"}, "ChangeMessageVisibilityBatchRequestEntry.2.Id": {"bad"}, "ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle": {"bogus"}, "ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout": {"30"}},
			want: `{"ChangeMessageVisibilityBatchResponse":{"ChangeMessageVisibilityBatchResult":{"Failed":[{"Code":"ReceiptHandleIsInvalid","Id":"bad","Message":"The input receipt handle \"bogus\" is not a valid receipt handle.","SenderFault":true}],"Successful":[{"Id":"c"}]},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "DeleteMessage", form: url.Values{"QueueUrl": {queueURL}}, want: `{"DeleteMessageResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "DeleteMessageBatch", form: url.Values{"QueueUrl": {queueURL}, "DeleteMessageBatchRequestEntry.1.Id": {"d"}},
			want: `{"DeleteMessageBatchResponse":{"DeleteMessageBatchResult":{"Failed":null,"Successful":[{"Id":"d"}]},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "PurgeQueue", form: url.Values{"QueueUrl": {queueURL}}, want: `{"PurgeQueueResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "ListDeadLetterSourceQueues", form: url.Values{"QueueUrl": {"http://sqs.test:9324/000000000000/dlq"}},
			want: `{"ListDeadLetterSourceQueuesResponse":{"ListDeadLetterSourceQueuesResult":{"NextToken":null,"queueUrls":["http://sqs.test:9324/000000000000/src"]},"ResponseMetadata":{"RequestId":"…"}}}`},
		{action: "StartMessageMoveTask", form: url.Values{"SourceArn": {dlqARN}}},
		{action: "ListMessageMoveTasks", form: url.Values{"SourceArn": {dlqARN}}, after: func(t *testing.T, doc map[string]any) {
			results := doc["ListMessageMoveTasksResponse"].(map[string]any)["ListMessageMoveTasksResult"].(map[string]any)["Results"].([]any)
			require.Len(t, results, 1)
			task := results[0].(map[string]any)
			assert.Len(t, task, 9, task)
			assert.Equal(t, "COMPLETED", task["Status"])
			assert.Equal(t, dlqARN, task["SourceArn"])
			assert.Nil(t, task["DestinationArn"])
			assert.Nil(t, task["FailureReason"])
			assert.Nil(t, task["MaxNumberOfMessagesPerSecond"])
			assert.Equal(t, float64(1_700_000_000_000), task["StartedTimestamp"])
			assert.Equal(t, float64(0), task["ApproximateNumberOfMessagesMoved"])
		}},
		{action: "CancelMessageMoveTask", form: url.Values{"TaskHandle": {"x"}}, status: http.StatusBadRequest},
		{action: "DeleteQueue", form: url.Values{"QueueUrl": {queueURL}}, want: `{"DeleteQueueResponse":{"ResponseMetadata":{"RequestId":"…"}}}`},
	}
	served := map[string]bool{}
	for _, step := range steps {
		served[step.action] = true
		form := url.Values{"Action": {step.action}}
		for k, v := range step.form {
			form[k] = v
		}
		// Steps that act on a received message use the next handle.
		if strings.Contains(step.action, "Visibility") || strings.HasPrefix(step.action, "DeleteMessage") {
			require.NotEmpty(t, handles, step.action)
			key := "ReceiptHandle"
			if strings.HasSuffix(step.action, "Batch") {
				key = step.action + "RequestEntry.1.ReceiptHandle"
			}
			form.Set(key, handles[0])
			if strings.HasPrefix(step.action, "DeleteMessage") {
				handles = handles[1:]
			}
		}
		status, h, body := queryJSONCall(t, s, http.MethodPost, "/", form)
		wantStatus := step.status
		if wantStatus == 0 {
			wantStatus = http.StatusOK
		}
		requireQueryJSON(t, status, h, body, wantStatus)
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &doc))
		if wantStatus == http.StatusOK {
			assert.Contains(t, doc, step.action+"Response", body)
		} else {
			assert.Contains(t, doc, "Error", body)
		}
		if step.want != "" {
			assert.Equal(t, step.want, normalized(body), step.action)
		}
		if step.after != nil {
			step.after(t, doc)
		}
	}
	for action := range s.ops {
		assert.True(t, served[action], "%s is not exercised in JSON", action)
	}
}

// FuzzWantsQueryJSON: any Accept header is read without panicking, and
// JSON is chosen only when the header names application/json.
func FuzzWantsQueryJSON(f *testing.F) {
	for _, seed := range []string{"", "*/*", "application/json", "application/json;q=0", "text/html, application/json;q=0.5", "application/json;;", "application/json; charset=utf-8"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		if wantsQueryJSON(accept) {
			assert.Contains(t, strings.ToLower(accept), "application/json")
		}
	})
}

// TestQueryJSONBatchEntryOverQueueLimit: the other per-entry failure AWS is
// recorded giving (LocalStack's AWS-validated test_send_batch_message_size,
// snapshot recorded against AWS 2024-04-30): on a queue with
// MaximumMessageSize 1024, an entry of 1025 bytes fails on its own with
// InvalidParameterValue, "One or more parameters cannot be validated.
// Reason: Message must be shorter than 1024 bytes.", and one of 1024
// bytes is sent. (With the default 1 MiB limit an entry that large makes
// the batch over 1 MiB, which fails the whole request instead.)
func TestQueryJSONBatchEntryOverQueueLimit(t *testing.T) {
	s := newQueryJSONServer(t)
	_, err := s.EnsureQueue("small", map[string]string{"MaximumMessageSize": "1024"}, nil)
	require.NoError(t, err)
	status, h, body := queryJSONCall(t, s, http.MethodPost, "/000000000000/small", batchEntries(strings.Repeat("a", 1024), strings.Repeat("a", 1025)))
	requireQueryJSON(t, status, h, body, http.StatusOK)
	assert.Equal(t, `{"SendMessageBatchResponse":{"ResponseMetadata":{"RequestId":"…"},"SendMessageBatchResult":{"Failed":[{"Code":"InvalidParameterValue","Id":"e2","Message":"One or more parameters cannot be validated. Reason: Message must be shorter than 1024 bytes.","SenderFault":true}],"Successful":[{"Id":"e1","MD5OfMessageAttributes":null,"MD5OfMessageBody":"c9a34cfc85d982698c6ac89f76071abd","MD5OfMessageSystemAttributes":null,"MessageId":"…","SequenceNumber":null}]}}}`, normalized(body))
}

// TestQueryJSONInternalFailure: a failure of ours is a Receiver error,
// status 500, in the JSON form the client asked for.
func TestQueryJSONInternalFailure(t *testing.T) {
	s := newQueryJSONServer(t)
	s.ops["Boom"] = func(*Server, *call) (any, error) { panic("boom") }
	status, h, body := queryJSONCall(t, s, http.MethodGet, "/", url.Values{"Action": {"Boom"}})
	requireQueryJSON(t, status, h, body, http.StatusInternalServerError)
	assert.Equal(t, `{"Error":{"Code":"InternalFailure","Message":"The request processing has failed because of an unknown error.","Type":"Receiver"},"RequestId":"…"}`, normalized(body))
}

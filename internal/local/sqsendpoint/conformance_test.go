package sqsendpoint

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/fakeclock"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// The conformance suite is written once, against SQS's documented
// behaviour, and runs against our endpoint and against moto_server in the
// same `go test`. Where moto disagrees with the documentation the case is
// listed in motoDeviations with the rule it breaks: on moto the case must
// still fail (so the table stays true), and on our endpoint it always
// runs with the full assertion.
//
// Error codes are those the API Reference models per operation, and for
// out-of-range or missing parameters the API Reference's Common Errors
// (InvalidParameterValue, MissingParameter). Clients see the legacy query
// codes (AWS.SimpleQueueService.NonExistentQueue, ...) that SQS sends in
// x-amzn-query-error and aws-sdk-go-v2 reports.

// checker is what a conformance case asserts through: *testing.T, or a
// recorder when a known moto deviation is expected to fail.
type checker interface {
	require.TestingT
	Helper()
	Logf(format string, args ...any)
}

// conformanceEnv is what a case gets: a client for the target, a way to
// make fresh queues on it, to let time pass and to see a receive wait.
// Against our endpoint every case has its own server on a fake clock, so
// time passes at once and in no other case; moto's clock is the
// machine's, so against moto time passing is waiting for it.
type conformanceEnv struct {
	t        *testing.T
	endpoint string
	client   *sqs.Client
	moto     bool

	server  *Server          // ours only
	clock   *fakeclock.Clock // ours only
	waiting <-chan struct{}  // ours only: one value per "sqs receive waiting"
}

// advance lets d pass on the target.
func (e *conformanceEnv) advance(d time.Duration) {
	if e.moto {
		<-time.After(d) // moto reads the machine's clock; nothing to inject
		return
	}
	e.clock.Advance(d)
	e.server.wakeAll()
}

// receiveWaiting returns once a receive on the target is waiting. Our
// endpoint logs each wait; moto cannot be observed, so there the case goes
// on at once and the receive may not be waiting yet (the case's
// assertions hold either way).
func (e *conformanceEnv) receiveWaiting() {
	if e.moto {
		return
	}
	select {
	case <-e.waiting:
	case <-time.After(30 * time.Second):
		e.t.Fatal("no receive started waiting")
	}
}

// clientIn is a client whose requests are signed for region.
func (e *conformanceEnv) clientIn(region string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region: region, BaseEndpoint: aws.String(e.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), RetryMaxAttempts: 1,
	})
}

// rawResponse is an answer to a hand-made request: its status and, for an
// error, the code a query-compatible client reports (x-amzn-query-error,
// else the __type or <Code>) and the message.
type rawResponse struct {
	status        int
	code, message string
	body          string
}

// rawJSON sends one AWS JSON 1.0 request, for what the SDK cannot send (an
// explicit zero, an empty list).
func (e *conformanceEnv) rawJSON(c checker, op, body string) rawResponse {
	c.Helper()
	return e.raw(c, http.Header{"X-Amz-Target": {"AmazonSQS." + op}, "Content-Type": {"application/x-amz-json-1.0"}}, body)
}

// rawQuery sends one query-protocol request.
func (e *conformanceEnv) rawQuery(c checker, form url.Values) rawResponse {
	c.Helper()
	return e.raw(c, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form.Encode())
}

func (e *conformanceEnv) raw(c checker, header http.Header, body string) rawResponse {
	c.Helper()
	req, err := http.NewRequest(http.MethodPost, e.endpoint+"/", strings.NewReader(body))
	require.NoError(c, err)
	req.Header = header
	// moto routes on the credential scope; our endpoint reads the region
	// from it and checks nothing else.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := rawResponse{status: resp.StatusCode, body: string(b)}
	if resp.StatusCode == http.StatusOK {
		return out
	}
	var j struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	var x struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	if json.Unmarshal(b, &j) == nil {
		out.code, out.message = j.Type[strings.LastIndex(j.Type, "#")+1:], j.Message
	} else if xml.Unmarshal(b, &x) == nil {
		out.code, out.message = x.Code, x.Message
	}
	if qe := resp.Header.Get("X-Amzn-Query-Error"); qe != "" {
		out.code, _, _ = strings.Cut(qe, ";")
	}
	return out
}

// errorIs asserts an SQS error's code and, when message is not "", its
// message word for word.
func errorIs(c checker, err error, code, message string) {
	c.Helper()
	assert.Equal(c, code, errorCode(err))
	var apiErr smithy.APIError
	if message != "" && errors.As(err, &apiErr) {
		assert.Equal(c, message, apiErr.ErrorMessage())
	}
}

func (e *conformanceEnv) createQueue(c checker, name string, attrs map[string]string) string {
	c.Helper()
	out, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(c, err)
	return aws.ToString(out.QueueUrl)
}

func (e *conformanceEnv) arn(c checker, queueURL string) string {
	c.Helper()
	out, err := e.client.GetQueueAttributes(ctx(e.t), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	require.NoError(c, err)
	return out.Attributes["QueueArn"]
}

func (e *conformanceEnv) counts(c checker, queueURL string) (visible, notVisible, delayed string) {
	c.Helper()
	out, err := e.client.GetQueueAttributes(ctx(e.t), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	require.NoError(c, err)
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"], out.Attributes["ApproximateNumberOfMessagesDelayed"]
}

func (e *conformanceEnv) send(c checker, queueURL, body string) *sqs.SendMessageOutput {
	c.Helper()
	out, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)})
	require.NoError(c, err)
	return out
}

// asyncReceive is a ReceiveMessage under way.
type asyncReceive struct {
	ch   chan receiveResult
	have *receiveResult
}

type receiveResult struct {
	messages []types.Message
	err      error
}

// receiveAsync starts a ReceiveMessage and returns at once.
func (e *conformanceEnv) receiveAsync(in *sqs.ReceiveMessageInput) *asyncReceive {
	a := &asyncReceive{ch: make(chan receiveResult, 1)}
	go func() {
		out, err := e.client.ReceiveMessage(ctx(e.t), in)
		r := receiveResult{err: err}
		if err == nil {
			r.messages = out.Messages
		}
		a.ch <- r
	}()
	return a
}

// done reports whether the receive has answered.
func (a *asyncReceive) done() bool {
	if a.have != nil {
		return true
	}
	select {
	case r := <-a.ch:
		a.have = &r
		return true
	default:
		return false
	}
}

// await returns the receive's answer; the guard only turns a hang into a
// failure.
func (a *asyncReceive) await(c checker) receiveResult {
	c.Helper()
	if a.have != nil {
		return *a.have
	}
	select {
	case r := <-a.ch:
		return r
	case <-time.After(40 * time.Second):
		c.Errorf("the receive never answered")
		c.FailNow()
		return receiveResult{}
	}
}

func (e *conformanceEnv) receive(c checker, in *sqs.ReceiveMessageInput) []types.Message {
	c.Helper()
	out, err := e.client.ReceiveMessage(ctx(e.t), in)
	require.NoError(c, err)
	return out.Messages
}

type conformanceCase struct {
	name string
	run  func(c checker, e *conformanceEnv)
}

// motoDeviations names each case moto fails and the documented rule it
// breaks. Sources: the SQS API Reference and Developer Guide pages named.
var motoDeviations = map[string]string{
	"CreateQueue/VisibilityTimeout out of range":                           "CreateQueue: VisibilityTimeout is 0 to 43,200 seconds; InvalidAttributeValue otherwise",
	"CreateQueue/unknown attribute":                                        "CreateQueue errors: InvalidAttributeName for an attribute that does not exist",
	"SendMessage/invalid characters":                                       "SendMessage: only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF; InvalidMessageContents",
	"SendMessage/eleven attributes":                                        "Developer Guide, message metadata: at most 10 message attributes",
	"Batch/send, receive, change visibility, delete":                       "SendMessageBatch: each entry is validated like SendMessage (invalid characters fail that entry)",
	"PurgeQueue/twice within 60 s":                                         "PurgeQueue: only one PurgeQueue per queue every 60 seconds; PurgeQueueInProgress",
	"DeleteQueue/recreate within 60 s":                                     "CreateQueue: wait 60 seconds after deleting a queue before creating one with the same name; QueueDeletedRecently",
	"ListQueues/prefix and pages":                                          "ListQueues: MaxResults bounds the page and NextToken continues it",
	"Redrive/to DLQ after maxReceiveCount, then StartMessageMoveTask back": "StartMessageMoveTask: moves messages from a dead-letter queue back to their source (moto 5.2 answers 500)",
	"FIFO/order per group and group locked while in flight":                "SendMessage: the response carries SequenceNumber for FIFO queues",
	"RedriveAllowPolicy/denyAll refuses a source":                          "Developer Guide, RedriveAllowPolicy: denyAll means no source queue may use this queue as its dead-letter queue",

	// The families of issue 11 (conformance_families_test.go gives each
	// case's source; "recorded" is an AWS response recorded by LocalStack).
	"Permissions/AddPermission writes the Policy and RemovePermission takes it out": "AddPermission: the policy AWS writes has Version 2008-10-17 and is compact JSON (recorded); moto writes 2012-10-17 with spaces",
	"Permissions/RemovePermission of an unknown label":                              "RemovePermission: AWS answers \"can't find label.\" (recorded); moto adds \"on existing policy\"",
	"FIFO/an explicit DelaySeconds 0 is accepted and the queue's delay applies":     "SendMessage on a FIFO queue: the queue's DelaySeconds applies even with an explicit 0 (recorded); moto delivers at once",
	"Validation/ReceiveMessage checks MaxNumberOfMessages before the queue":         "parameters are validated before the queue is resolved (recorded messages); moto answers NonExistentQueue first",
	"Validation/an empty batch is EmptyBatchRequest before the queue":               "parameters are validated before the queue is resolved; moto answers NonExistentQueue first",
	"Batch/a FIFO entry without MessageGroupId fails the request":                   "SendMessageBatch without MessageGroupId on FIFO: InvalidParameterValue (recorded); moto answers MissingParameter",
	"Batch/an oversized entry fails alone, in AWS's words":                          "SendMessageBatch: an oversized entry fails alone with its own message (recorded); moto fails the whole request",
	"Standard/MessageDeduplicationId is refused":                                    "SendMessage, MessageDeduplicationId: applies only to FIFO queues (API Reference); moto accepts it on a standard queue",
	"Standard/an invalid MessageGroupId is refused":                                 "SendMessage, MessageGroupId: 1-128 alphanumeric and punctuation characters (API Reference, recorded message); moto does not check it on standard queues",
	"ReceiptHandle/a deleted message's handle":                                      "ChangeMessageVisibility on a deleted message: InvalidParameterValue (recorded); moto answers ReceiptHandleIsInvalid",
	"ReceiptHandle/a FIFO handle past its timeout no longer deletes":                "DeleteMessage on a FIFO queue with an expired handle: InvalidParameterValue (recorded); moto deletes the message",
	"Errors/an empty ChangeMessageVisibilityBatch":                                  "ChangeMessageVisibilityBatch: EmptyBatchRequest (API Reference, errors); moto answers 200",
	"Errors/a malformed receipt handle":                                             "ReceiptHandleIsInvalid names the handle (recorded); moto's message does not",
	"Errors/an empty message attribute value":                                       "SendMessage: a message attribute value must not be empty (recorded); moto accepts it",
	"Errors/QueueAlreadyExists names the attribute":                                 "CreateQueue: AWS's QueueAlreadyExists message names the attribute (recorded); moto's does not",
	"Errors/a standard queue does not take FIFO attributes":                         "CreateQueue: FIFO attributes on a standard queue are InvalidAttributeName (recorded); moto accepts them",
	"ReceiveMessage/\"*\" selects every attribute":                                  "ReceiveMessage, MessageAttributeNames: \"*\" selects every attribute (recorded); moto selects none",
	"Attributes/RedrivePolicy as AWS returns it":                                    "GetQueueAttributes: RedrivePolicy as compact JSON (CLI reference example); moto adds spaces",
	"Attributes/RedriveAllowPolicy as AWS returns it":                               "GetQueueAttributes: RedriveAllowPolicy is a queue attribute (API Reference); moto refuses its name",
	"Attributes/Policy as compact JSON":                                             "GetQueueAttributes: policies come back as compact JSON, the form of the policy AddPermission writes (recorded); moto adds spaces",
}

// conformanceTarget is an endpoint the suite runs against; start gives one case its
// environment.
type conformanceTarget struct {
	name  string
	moto  bool
	start func(t *testing.T) func(t *testing.T) *conformanceEnv
}

var conformanceTargets = []conformanceTarget{
	{"sqsendpoint", false, func(*testing.T) func(t *testing.T) *conformanceEnv {
		return func(t *testing.T) *conformanceEnv {
			clock := fakeclock.New(time.Now())
			log, waiting := eventStream("sqs receive waiting")
			s, endpoint := startServer(t, Options{Now: clock.Now, Logger: log})
			return &conformanceEnv{t: t, endpoint: endpoint, client: newClient(endpoint), server: s, clock: clock, waiting: waiting}
		}
	}},
	{"moto", true, func(t *testing.T) func(t *testing.T) *conformanceEnv {
		endpoint := testpeer.StartMoto(t).URL
		return func(t *testing.T) *conformanceEnv {
			return &conformanceEnv{t: t, endpoint: endpoint, client: newClient(endpoint), moto: true}
		}
	}},
}

func TestConformance(t *testing.T) {
	cases := append(append([]conformanceCase(nil), conformanceCases...), familyCases...)
	for _, target := range conformanceTargets {
		t.Run(target.name, func(t *testing.T) {
			env := target.start(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					e := env(t)
					rule, deviates := motoDeviations[tc.name]
					if !target.moto || !deviates {
						tc.run(t, e)
						return
					}
					rec := &recorder{t: t}
					rec.run(func() { tc.run(rec, e) })
					if !rec.failed {
						t.Errorf("moto now follows the rule %q; remove the case from motoDeviations", rule)
						return
					}
					t.Logf("known moto deviation (%s): %s", rule, strings.Join(rec.messages, "; "))
				})
			}
		})
	}
}

// TestMotoDeviationsNameCases keeps the table honest: an entry whose case
// was renamed or removed would silently check nothing.
func TestMotoDeviationsNameCases(t *testing.T) {
	names := map[string]bool{}
	for _, tc := range append(append([]conformanceCase(nil), conformanceCases...), familyCases...) {
		assert.False(t, names[tc.name], "two cases are called %q", tc.name)
		names[tc.name] = true
	}
	for name := range motoDeviations {
		assert.True(t, names[name], "motoDeviations names %q, which is no case", name)
	}
}

// recorder collects failures instead of failing the test, for cases that
// are expected to fail against moto.
type recorder struct {
	t        *testing.T
	mu       sync.Mutex
	failed   bool
	messages []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.messages = append(r.messages, strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " "))
}
func (r *recorder) FailNow()                        { r.mu.Lock(); r.failed = true; r.mu.Unlock(); runtime.Goexit() }
func (r *recorder) Helper()                         {}
func (r *recorder) Logf(format string, args ...any) { r.t.Logf(format, args...) }

func (r *recorder) run(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

var conformanceCases = []conformanceCase{
	// Failure cases first.
	{"CreateQueue/different attributes is QueueNameExists", func(c checker, e *conformanceEnv) {
		name := uniqueName("conf")
		e.createQueue(c, name, map[string]string{"VisibilityTimeout": "10"})
		_, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"VisibilityTimeout": "11"}})
		assert.Contains(c, []string{"QueueNameExists", "QueueAlreadyExists"}, errorCode(err))
	}},
	{"CreateQueue/VisibilityTimeout out of range", func(c checker, e *conformanceEnv) {
		_, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName("conf")), Attributes: map[string]string{"VisibilityTimeout": "43201"}})
		assert.Equal(c, "InvalidAttributeValue", errorCode(err))
	}},
	{"CreateQueue/unknown attribute", func(c checker, e *conformanceEnv) {
		_, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName("conf")), Attributes: map[string]string{"Colour": "blue"}})
		assert.Equal(c, "InvalidAttributeName", errorCode(err))
	}},
	{"CreateQueue/invalid name", func(c checker, e *conformanceEnv) {
		_, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String("bad name!")})
		assert.Equal(c, "InvalidParameterValue", errorCode(err))
	}},
	{"CreateQueue/FIFO name without .fifo", func(c checker, e *conformanceEnv) {
		_, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName("conf")), Attributes: map[string]string{"FifoQueue": "true"}})
		assert.Equal(c, "InvalidParameterValue", errorCode(err))
	}},
	{"GetQueueUrl/missing queue", func(c checker, e *conformanceEnv) {
		_, err := e.client.GetQueueUrl(ctx(e.t), &sqs.GetQueueUrlInput{QueueName: aws.String(uniqueName("missing"))})
		assert.Equal(c, "AWS.SimpleQueueService.NonExistentQueue", errorCode(err))
	}},
	{"SendMessage/invalid characters", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("a\x00b")})
		assert.Equal(c, "InvalidMessageContents", errorCode(err))
	}},
	{"SendMessage/body over 1 MiB", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(strings.Repeat("x", 1<<20+1))})
		assert.Equal(c, "InvalidParameterValue", errorCode(err))
	}},
	{"SendMessage/eleven attributes", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		attrs := map[string]types.MessageAttributeValue{}
		for i := range 11 {
			attrs["a"+strconv.Itoa(i)] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String("v")}
		}
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("b"), MessageAttributes: attrs})
		assert.Equal(c, "InvalidParameterValue", errorCode(err))
	}},
	{"SendMessage/DelaySeconds out of range", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("b"), DelaySeconds: 901})
		assert.Equal(c, "InvalidParameterValue", errorCode(err))
	}},
	{"SendMessageBatch/ids not distinct", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessageBatch(ctx(e.t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.SendMessageBatchRequestEntry{
			{Id: aws.String("a"), MessageBody: aws.String("1")}, {Id: aws.String("a"), MessageBody: aws.String("2")},
		}})
		assert.Equal(c, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", errorCode(err))
	}},
	{"SendMessageBatch/eleven entries", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		var entries []types.SendMessageBatchRequestEntry
		for i := range 11 {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("e" + strconv.Itoa(i)), MessageBody: aws.String("b")})
		}
		_, err := e.client.SendMessageBatch(ctx(e.t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: entries})
		assert.Equal(c, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", errorCode(err))
	}},
	{"SendMessageBatch/empty", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessageBatch(ctx(e.t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.SendMessageBatchRequestEntry{}})
		assert.Equal(c, "AWS.SimpleQueueService.EmptyBatchRequest", errorCode(err))
	}},
	{"SendMessageBatch/invalid entry id", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessageBatch(ctx(e.t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.SendMessageBatchRequestEntry{
			{Id: aws.String("a.b"), MessageBody: aws.String("1")},
		}})
		assert.Equal(c, "AWS.SimpleQueueService.InvalidBatchEntryId", errorCode(err))
	}},
	{"SendMessageBatch/over 1 MiB in total", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		big := strings.Repeat("x", 600*1024)
		_, err := e.client.SendMessageBatch(ctx(e.t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.SendMessageBatchRequestEntry{
			{Id: aws.String("a"), MessageBody: aws.String(big)}, {Id: aws.String("b"), MessageBody: aws.String(big)},
		}})
		assert.Equal(c, "AWS.SimpleQueueService.BatchRequestTooLong", errorCode(err))
	}},
	{"ReceiveMessage/MaxNumberOfMessages 11", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.ReceiveMessage(ctx(e.t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 11})
		assert.Equal(c, "InvalidParameterValue", errorCode(err))
	}},
	{"DeleteMessage/malformed receipt handle", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.DeleteMessage(ctx(e.t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: aws.String("not-a-handle")})
		assert.Equal(c, "ReceiptHandleIsInvalid", errorCode(err))
	}},
	{"FIFO/MessageGroupId required", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf")+".fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("b")})
		assert.Equal(c, "MissingParameter", errorCode(err))
	}},
	{"FIFO/per-message DelaySeconds refused", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf")+".fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("b"), MessageGroupId: aws.String("g"), DelaySeconds: 5})
		// Message as recorded (test_fifo_queue_send_message_with_delay_seconds_fails).
		errorIs(c, err, "InvalidParameterValue", "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.")
	}},
	{"FIFO/deduplication id required without content-based", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf")+".fifo", map[string]string{"FifoQueue": "true"})
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("b"), MessageGroupId: aws.String("g")})
		assert.Equal(c, "InvalidParameterValue", errorCode(err))
	}},
	{"PurgeQueue/twice within 60 s", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.PurgeQueue(ctx(e.t), &sqs.PurgeQueueInput{QueueUrl: aws.String(q)})
		require.NoError(c, err)
		_, err = e.client.PurgeQueue(ctx(e.t), &sqs.PurgeQueueInput{QueueUrl: aws.String(q)})
		assert.Equal(c, "AWS.SimpleQueueService.PurgeQueueInProgress", errorCode(err))
	}},
	{"DeleteQueue/recreate within 60 s", func(c checker, e *conformanceEnv) {
		name := uniqueName("conf")
		q := e.createQueue(c, name, nil)
		_, err := e.client.DeleteQueue(ctx(e.t), &sqs.DeleteQueueInput{QueueUrl: aws.String(q)})
		require.NoError(c, err)
		_, err = e.client.GetQueueUrl(ctx(e.t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		assert.Equal(c, "AWS.SimpleQueueService.NonExistentQueue", errorCode(err))
		_, err = e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(name)})
		assert.Equal(c, "AWS.SimpleQueueService.QueueDeletedRecently", errorCode(err))
	}},
	{"RedriveAllowPolicy/denyAll refuses a source", func(c checker, e *conformanceEnv) {
		dlq := e.createQueue(c, uniqueName("dlq"), map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
		_, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName("src")), Attributes: map[string]string{
			"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"1"}`, e.arn(c, dlq)),
		}})
		assert.Error(c, err)
	}},

	// Successful behaviour.
	{"CreateQueue/idempotent with the same attributes", func(c checker, e *conformanceEnv) {
		name := uniqueName("conf")
		a := e.createQueue(c, name, map[string]string{"VisibilityTimeout": "10"})
		b := e.createQueue(c, name, map[string]string{"VisibilityTimeout": "10"})
		assert.Equal(c, a, b)
	}},
	{"GetQueueUrl/URL names the host the client called", func(c checker, e *conformanceEnv) {
		name := uniqueName("conf")
		e.createQueue(c, name, nil)
		other := newClient(strings.Replace(e.endpoint, "127.0.0.1", "localhost", 1))
		out, err := other.GetQueueUrl(ctx(e.t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		require.NoError(c, err)
		assert.True(c, strings.HasPrefix(aws.ToString(out.QueueUrl), strings.Replace(e.endpoint, "127.0.0.1", "localhost", 1)+"/"), "got %s", aws.ToString(out.QueueUrl))
		assert.True(c, strings.HasSuffix(aws.ToString(out.QueueUrl), "/"+name), "got %s", aws.ToString(out.QueueUrl))
	}},
	{"ListQueues/prefix and pages", func(c checker, e *conformanceEnv) {
		prefix := uniqueName("list")
		for i := range 3 {
			e.createQueue(c, prefix+"-"+strconv.Itoa(i), nil)
		}
		var urls []string
		var token *string
		for page := 0; page < 5; page++ {
			out, err := e.client.ListQueues(ctx(e.t), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(prefix), MaxResults: aws.Int32(2), NextToken: token})
			require.NoError(c, err)
			assert.LessOrEqual(c, len(out.QueueUrls), 2)
			urls = append(urls, out.QueueUrls...)
			if token = out.NextToken; token == nil {
				break
			}
		}
		assert.Len(c, urls, 3)
	}},
	{"QueueAttributes/defaults, set and counts", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		out, err := e.client.GetQueueAttributes(ctx(e.t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q), AttributeNames: []types.QueueAttributeName{"All"}})
		require.NoError(c, err)
		assert.Equal(c, "30", out.Attributes["VisibilityTimeout"])
		assert.Equal(c, "345600", out.Attributes["MessageRetentionPeriod"])
		assert.Equal(c, "0", out.Attributes["DelaySeconds"])
		assert.Equal(c, "1048576", out.Attributes["MaximumMessageSize"])
		assert.NotEmpty(c, out.Attributes["QueueArn"])
		_, err = e.client.SetQueueAttributes(ctx(e.t), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(q), Attributes: map[string]string{"VisibilityTimeout": "45"}})
		require.NoError(c, err)
		out, err = e.client.GetQueueAttributes(ctx(e.t), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q), AttributeNames: []types.QueueAttributeName{"VisibilityTimeout"}})
		require.NoError(c, err)
		assert.Equal(c, map[string]string{"VisibilityTimeout": "45"}, out.Attributes)
		e.send(c, q, "one")
		e.send(c, q, "two")
		e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
		visible, notVisible, delayed := e.counts(c, q)
		assert.Equal(c, []string{"1", "1", "0"}, []string{visible, notVisible, delayed})
	}},
	{"SendReceive/attributes and system attributes", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		before := time.Now().Add(-time.Second).UnixMilli()
		sent, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(`{"hello":"wörld"}`),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"provider":     {DataType: aws.String("String"), StringValue: aws.String("github")},
				"count":        {DataType: aws.String("Number"), StringValue: aws.String("42")},
				"blob":         {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
				"custom.thing": {DataType: aws.String("String.custom"), StringValue: aws.String("c")},
			}})
		// The SDK checks MD5OfMessageBody only (aws-sdk-go-v2
		// service/sqs/cust_checksum_validation.go); the attributes' digest
		// is checked against moto's computation of the same attributes.
		require.NoError(c, err)
		assert.Equal(c, md5Of(e.t, "conformance send and receive"), aws.ToString(sent.MD5OfMessageAttributes))
		msgs := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}})
		require.Len(c, msgs, 1)
		m := msgs[0]
		assert.Equal(c, aws.ToString(sent.MessageId), aws.ToString(m.MessageId))
		assert.Equal(c, `{"hello":"wörld"}`, aws.ToString(m.Body))
		assert.Equal(c, aws.ToString(sent.MD5OfMessageAttributes), aws.ToString(m.MD5OfMessageAttributes))
		assert.Equal(c, []byte{0, 1, 2, 255}, m.MessageAttributes["blob"].BinaryValue)
		assert.Equal(c, "42", aws.ToString(m.MessageAttributes["count"].StringValue))
		assert.Equal(c, "String.custom", aws.ToString(m.MessageAttributes["custom.thing"].DataType))
		assert.Equal(c, "1", m.Attributes["ApproximateReceiveCount"])
		assert.NotEmpty(c, m.Attributes["SenderId"])
		sentAt, _ := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64)
		firstAt, _ := strconv.ParseInt(m.Attributes["ApproximateFirstReceiveTimestamp"], 10, 64)
		assert.GreaterOrEqual(c, sentAt, before)
		assert.GreaterOrEqual(c, firstAt, sentAt)
	}},
	{"ReceiveMessage/message attribute name filters", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("b"),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"app.one": {DataType: aws.String("String"), StringValue: aws.String("1")},
				"app.two": {DataType: aws.String("String"), StringValue: aws.String("2")},
				"other":   {DataType: aws.String("String"), StringValue: aws.String("3")},
			}})
		require.NoError(c, err)
		msgs := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MessageAttributeNames: []string{"app.*"}})
		require.Len(c, msgs, 1)
		assert.ElementsMatch(c, []string{"app.one", "app.two"}, keys(msgs[0].MessageAttributes))
		assert.Empty(c, msgs[0].Attributes, "no system attributes were asked for")
	}},
	{"Visibility/hidden until timeout, then receive count 2", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		e.send(c, q, "v")
		first := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), VisibilityTimeout: 1})
		require.Len(c, first, 1)
		assert.Empty(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}))
		e.advance(1500 * time.Millisecond)
		again := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
		require.Len(c, again, 1)
		assert.Equal(c, "2", again[0].Attributes["ApproximateReceiveCount"])
		assert.NotEqual(c, aws.ToString(first[0].ReceiptHandle), aws.ToString(again[0].ReceiptHandle))
	}},
	{"ChangeMessageVisibility/zero makes it receivable", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		e.send(c, q, "v")
		got := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
		require.Len(c, got, 1)
		_, err := e.client.ChangeMessageVisibility(ctx(e.t), &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(q), ReceiptHandle: got[0].ReceiptHandle})
		require.NoError(c, err)
		assert.Len(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}), 1)
	}},
	{"DeleteMessage/removes the message", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		e.send(c, q, "d")
		got := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), VisibilityTimeout: 1})
		require.Len(c, got, 1)
		_, err := e.client.DeleteMessage(ctx(e.t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: got[0].ReceiptHandle})
		require.NoError(c, err)
		e.advance(1200 * time.Millisecond) // past the 1 s visibility: a message not deleted would be back
		assert.Empty(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}))
		visible, notVisible, _ := e.counts(c, q)
		assert.Equal(c, []string{"0", "0"}, []string{visible, notVisible})
	}},
	{"DeleteMessage/an older receipt handle succeeds", func(c checker, e *conformanceEnv) {
		// API Reference, DeleteMessage: "If you use an old ReceiptHandle,
		// the request will succeed, but the message might not be deleted."
		// Whether it is deleted is left open, so only success is asserted
		// here; our choice (not deleted) is TestStaleReceiptHandleDoesNotDelete.
		// The SDK omits a zero VisibilityTimeout, so the queue's is zero.
		q := e.createQueue(c, uniqueName("conf"), map[string]string{"VisibilityTimeout": "0"})
		e.send(c, q, "s")
		first := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
		require.Len(c, first, 1)
		second := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)})
		require.Len(c, second, 1)
		_, err := e.client.DeleteMessage(ctx(e.t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: first[0].ReceiptHandle})
		assert.NoError(c, err)
	}},
	{"DelaySeconds/message delayed then delivered", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("later"), DelaySeconds: 1})
		require.NoError(c, err)
		_, _, delayed := e.counts(c, q)
		assert.Equal(c, "1", delayed)
		assert.Empty(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}))
		e.advance(1100 * time.Millisecond)
		assert.Len(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}), 1)
	}},
	{"DelaySeconds/queue default applies", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), map[string]string{"DelaySeconds": "1"})
		e.send(c, q, "later")
		assert.Empty(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}))
		e.advance(1200 * time.Millisecond)
		assert.Len(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q)}), 1)
	}},
	{"LongPolling/wakes when a message arrives", func(c checker, e *conformanceEnv) {
		// API Reference, ReceiveMessage, WaitTimeSeconds: the call waits
		// "for a message to arrive in the queue before returning". On our
		// endpoint the clock is frozen, so only the arrival can end it.
		q := e.createQueue(c, uniqueName("conf"), nil)
		got := e.receiveAsync(&sqs.ReceiveMessageInput{QueueUrl: aws.String(q), WaitTimeSeconds: 20})
		e.receiveWaiting()
		e.send(c, q, "wake")
		r := got.await(c)
		require.NoError(c, r.err)
		assert.Len(c, r.messages, 1)
	}},
	{"LongPolling/empty after the wait", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		got := e.receiveAsync(&sqs.ReceiveMessageInput{QueueUrl: aws.String(q), WaitTimeSeconds: 1})
		e.receiveWaiting()
		e.advance(999 * time.Millisecond)
		if !e.moto {
			e.receiveWaiting() // it looked again and waits for the last millisecond
			assert.False(c, got.done(), "answered before WaitTimeSeconds")
		}
		e.advance(time.Millisecond)
		r := got.await(c)
		require.NoError(c, r.err)
		assert.Empty(c, r.messages)
	}},
	{"Batch/send, receive, change visibility, delete", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		out, err := e.client.SendMessageBatch(ctx(e.t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.SendMessageBatchRequestEntry{
			{Id: aws.String("ok1"), MessageBody: aws.String("one")},
			{Id: aws.String("bad"), MessageBody: aws.String("\x01")},
			{Id: aws.String("ok2"), MessageBody: aws.String("two"), MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
		}})
		require.NoError(c, err)
		assert.Len(c, out.Successful, 2)
		require.Len(c, out.Failed, 1)
		assert.Equal(c, "bad", aws.ToString(out.Failed[0].Id))
		assert.True(c, out.Failed[0].SenderFault)
		var got []types.Message
		for range 5 {
			got = append(got, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})...)
			if len(got) == 2 {
				break
			}
		}
		require.Len(c, got, 2)
		cv, err := e.client.ChangeMessageVisibilityBatch(ctx(e.t), &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
			{Id: aws.String("a"), ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 60},
			{Id: aws.String("b"), ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: 60},
		}})
		require.NoError(c, err)
		assert.Len(c, cv.Successful, 2)
		del, err := e.client.DeleteMessageBatch(ctx(e.t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.DeleteMessageBatchRequestEntry{
			{Id: aws.String("a"), ReceiptHandle: got[0].ReceiptHandle},
			{Id: aws.String("b"), ReceiptHandle: got[1].ReceiptHandle},
			{Id: aws.String("c"), ReceiptHandle: aws.String("garbage")},
		}})
		require.NoError(c, err)
		assert.Len(c, del.Successful, 2)
		require.Len(c, del.Failed, 1)
		assert.Equal(c, "ReceiptHandleIsInvalid", aws.ToString(del.Failed[0].Code))
		visible, notVisible, _ := e.counts(c, q)
		assert.Equal(c, []string{"0", "0"}, []string{visible, notVisible})
	}},
	{"Redrive/to DLQ after maxReceiveCount, then StartMessageMoveTask back", func(c checker, e *conformanceEnv) {
		dlq := e.createQueue(c, uniqueName("dlq"), map[string]string{"VisibilityTimeout": "0"})
		dlqARN := e.arn(c, dlq)
		src := e.createQueue(c, uniqueName("src"), map[string]string{
			"VisibilityTimeout": "0",
			"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlqARN),
		})
		sent := e.send(c, src, "poison")
		for i := range 2 {
			got := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(src)})
			require.Len(c, got, 1, "receive %d", i+1)
		}
		// The third receive exceeds maxReceiveCount: the message moves.
		assert.Empty(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(src)}))
		inDLQ := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), WaitTimeSeconds: 2})
		require.Len(c, inDLQ, 1)
		assert.Equal(c, aws.ToString(sent.MessageId), aws.ToString(inDLQ[0].MessageId))
		sources, err := e.client.ListDeadLetterSourceQueues(ctx(e.t), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
		require.NoError(c, err)
		assert.Equal(c, []string{src}, sources.QueueUrls)
		_, err = e.client.StartMessageMoveTask(ctx(e.t), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)})
		require.NoError(c, err)
		var back []types.Message
		for range 10 {
			if back = e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(src), WaitTimeSeconds: 1}); len(back) > 0 {
				break
			}
		}
		require.Len(c, back, 1)
		assert.Equal(c, "poison", aws.ToString(back[0].Body))
		tasks, err := e.client.ListMessageMoveTasks(ctx(e.t), &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)})
		require.NoError(c, err)
		require.NotEmpty(c, tasks.Results)
		assert.Equal(c, dlqARN, aws.ToString(tasks.Results[0].SourceArn))
	}},
	{"FIFO/order per group and group locked while in flight", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf")+".fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
		var seqs []string
		for _, m := range []struct{ group, body string }{{"g1", "a1"}, {"g1", "a2"}, {"g2", "b1"}} {
			out, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(m.body), MessageGroupId: aws.String(m.group)})
			require.NoError(c, err)
			require.NotEmpty(c, aws.ToString(out.SequenceNumber))
			seqs = append(seqs, aws.ToString(out.SequenceNumber))
		}
		assert.Less(c, seqs[0], seqs[1])
		first := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
		require.Len(c, first, 1)
		assert.Equal(c, "a1", aws.ToString(first[0].Body))
		assert.Equal(c, "g1", first[0].Attributes["MessageGroupId"])
		assert.Equal(c, seqs[0], first[0].Attributes["SequenceNumber"])
		assert.NotEmpty(c, first[0].Attributes["MessageDeduplicationId"])
		// g1 is locked while a1 is in flight: only g2 is available.
		second := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
		require.Len(c, second, 1)
		assert.Equal(c, "b1", aws.ToString(second[0].Body))
		assert.Empty(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10}))
		_, err := e.client.DeleteMessage(ctx(e.t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: first[0].ReceiptHandle})
		require.NoError(c, err)
		third := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
		require.Len(c, third, 1)
		assert.Equal(c, "a2", aws.ToString(third[0].Body))
	}},
	{"FIFO/deduplication id and content-based deduplication", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf")+".fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
		// Developer Guide, exactly-once processing: a message with a
		// deduplication id already seen in the 5-minute interval is
		// accepted but not delivered.
		for _, body := range []string{"x", "y"} {
			_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body), MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")})
			require.NoError(c, err)
		}
		for range 2 {
			_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("same"), MessageGroupId: aws.String("g")})
			require.NoError(c, err)
		}
		visible, _, _ := e.counts(c, q)
		assert.Equal(c, "2", visible)
		got := e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
		var bodies []string
		for _, m := range got {
			bodies = append(bodies, aws.ToString(m.Body))
		}
		assert.Equal(c, []string{"x", "same"}, bodies)
	}},
	{"Tags/tag, list, untag", func(c checker, e *conformanceEnv) {
		name := uniqueName("conf")
		out, err := e.client.CreateQueue(ctx(e.t), &sqs.CreateQueueInput{QueueName: aws.String(name), Tags: map[string]string{"team": "a"}})
		require.NoError(c, err)
		q := out.QueueUrl
		_, err = e.client.TagQueue(ctx(e.t), &sqs.TagQueueInput{QueueUrl: q, Tags: map[string]string{"env": "dev", "team": "b"}})
		require.NoError(c, err)
		tags, err := e.client.ListQueueTags(ctx(e.t), &sqs.ListQueueTagsInput{QueueUrl: q})
		require.NoError(c, err)
		assert.Equal(c, map[string]string{"env": "dev", "team": "b"}, tags.Tags)
		_, err = e.client.UntagQueue(ctx(e.t), &sqs.UntagQueueInput{QueueUrl: q, TagKeys: []string{"team"}})
		require.NoError(c, err)
		tags, err = e.client.ListQueueTags(ctx(e.t), &sqs.ListQueueTagsInput{QueueUrl: q})
		require.NoError(c, err)
		assert.Equal(c, map[string]string{"env": "dev"}, tags.Tags)
	}},
	{"PurgeQueue/removes every message", func(c checker, e *conformanceEnv) {
		q := e.createQueue(c, uniqueName("conf"), nil)
		e.send(c, q, "1")
		e.send(c, q, "2")
		_, err := e.client.PurgeQueue(ctx(e.t), &sqs.PurgeQueueInput{QueueUrl: aws.String(q)})
		require.NoError(c, err)
		assert.Empty(c, e.receive(c, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10}))
	}},
	{"SendMessage/300 KiB body is accepted (1 MiB limit)", func(c checker, e *conformanceEnv) {
		// Developer Guide, quotas: messages up to 1 MiB since August 2025.
		q := e.createQueue(c, uniqueName("conf"), nil)
		_, err := e.client.SendMessage(ctx(e.t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(strings.Repeat("x", 300*1024))})
		assert.NoError(c, err)
	}},
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

package console_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/local/console"
	"github.com/sqsgate/sqsgate/internal/local/fixtures"
	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
)

// rig is a console over a real embedded SQS endpoint (an ingest queue
// with a dead-letter queue after one receive) and a stand-in HTTP API whose
// GitHub webhook route checks the dev secret's signature as the webhook
// function does and writes API Gateway's access log line.
type rig struct {
	URL          string // the console's server: the API's routes and /_sqsgate/
	sqs          *sqs.Client
	ingest, dlq  string // queue URLs
	console      *console.Console
	sqsEndpoint  string
	requestCount atomic.Int64
}

// newRig builds the rig; each with(r, &opts) may add to the console's
// options once the queues exist.
func newRig(t *testing.T, with ...func(*rig, *console.Options)) *rig {
	t.Helper()
	srv, err := sqsendpoint.New(sqsendpoint.Options{AccountID: "000000000000", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	sqsHTTP := httptest.NewServer(srv)
	t.Cleanup(func() { sqsHTTP.Close(); srv.Close() })
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(sqsHTTP.URL),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", ""), RetryMaxAttempts: 1})
	r := &rig{sqs: client, sqsEndpoint: sqsHTTP.URL}
	ctx := context.Background()
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sqsgate-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	ingest, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("sqsgate-ingest"), Attributes: map[string]string{
		"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:sqsgate-dlq","maxReceiveCount":"1"}`}})
	if err != nil {
		t.Fatal(err)
	}
	r.ingest, r.dlq = *ingest.QueueUrl, *dlq.QueueUrl

	var c *console.Console
	api := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id := "req-" + strconv.FormatInt(r.requestCount.Add(1), 10)
		w.Header().Set("Apigw-Requestid", id)
		body, _ := io.ReadAll(req.Body)
		route := "-"
		status, answer := http.StatusNotFound, `{"message":"Not Found"}`
		if req.Method == http.MethodPost && req.URL.Path == "/webhooks/github" {
			route = "POST /webhooks/github"
			if hmac.Equal([]byte(req.Header.Get(github.SignatureHeader)), []byte(github.Sign(fixtures.GitHubSecret, body))) {
				status, answer = http.StatusAccepted, `{"messageId":"m-1"}`
			} else {
				status, answer = http.StatusUnauthorized, `{"code":"invalid_signature","message":"no configured secret matches the signature"}`
			}
		}
		line, _ := json.Marshal(map[string]string{"requestId": id, "routeKey": route, "status": strconv.Itoa(status), "authorizerError": "-"})
		fmt.Fprintf(c.AccessLog(nil), "%s\n", line)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	})
	ts := httptest.NewUnstartedServer(nil)
	opts := console.Options{
		SQS:    client,
		Peek:   srv.Peek,
		APIURL: "http://" + ts.Listener.Addr().String(),
		Deliveries: func(now time.Time) map[string]console.Delivery {
			out := map[string]console.Delivery{}
			for _, w := range fixtures.Webhooks(now) {
				if w.Provider == "github" && w.WantStatus == 202 {
					out["github"] = console.Delivery{Path: w.Path, Headers: w.Headers, Body: w.Body}
					break
				}
			}
			return out
		},
		SampleEvery: time.Hour, // one sample at start is enough for the chart's data
	}
	for _, f := range with {
		f(r, &opts)
	}
	c = console.New(opts)
	ts.Config.Handler = c.Wrap(api)
	ts.Start()
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	r.URL, r.console = ts.URL, c
	return r
}

// deadLetter sends bodies to the ingest queue and receives each twice, so
// SQS moves them to the dead-letter queue (maxReceiveCount 1).
func (r *rig) deadLetter(t *testing.T, bodies ...string) {
	t.Helper()
	ctx := context.Background()
	for _, b := range bodies {
		if _, err := r.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(r.ingest), MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := r.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(r.ingest), MaxNumberOfMessages: 10}); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.depth(t, r.dlq); n != len(bodies) {
		t.Fatalf("%d messages in the DLQ, want %d", n, len(bodies))
	}
}

func (r *rig) depth(t *testing.T, queue string) int {
	t.Helper()
	out, err := r.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queue),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
	return n
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode
}

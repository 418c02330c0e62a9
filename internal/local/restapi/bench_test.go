package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
	"github.com/sqsgate/sqsgate/internal/local/httpapi"
	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
)

type benchInvoker func(ctx context.Context, fn string, payload []byte) ([]byte, error)

func (f benchInvoker) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	return f(ctx, fn, payload)
}

// benchSQS is the embedded SQS endpoint over HTTP and an SDK client for it.
func benchSQS(b *testing.B) (endpoint string, client *sqs.Client) {
	b.Helper()
	e, err := sqsendpoint.New(sqsendpoint.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	if _, err := e.EnsureQueue(testQueue, nil, nil); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(e)
	b.Cleanup(hs.Close)
	client = sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	return hs.URL, client
}

func serveOK(b *testing.B, h http.Handler, method, target, body string, headers ...string) func() {
	return func() {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s %s: status %d: %s", method, target, w.Code, w.Body.String())
		}
	}
}

// BenchmarkRESTvsHTTPAPISend: GET /v1/send?MessageBody=… on the REST
// emulator (AWS-service integration: requestParameters, an HTTP request to
// the SQS endpoint, integration response) against the HTTP API emulator's
// native SQS-SendMessage route (the SDK client to the same endpoint), both
// behind a cached authorizer, in one run; x-httpapi is REST ÷ HTTP API.
func BenchmarkRESTvsHTTPAPISend(b *testing.B) {
	endpoint, client := benchSQS(b)
	allow := benchInvoker(func(context.Context, string, []byte) ([]byte, error) {
		return []byte(policy("Allow", "*")), nil
	})
	rest, err := New(testAPI(), Options{Invoker: allow, SQSEndpoint: endpoint, Region: "us-east-1", AccountID: testAccount})
	if err != nil {
		b.Fatal(err)
	}
	simple := benchInvoker(func(context.Context, string, []byte) ([]byte, error) {
		return []byte(`{"isAuthorized":true,"context":{"sub":"user-1"}}`), nil
	})
	httpAPI, err := httpapi.New(httpapi.Config{APIID: "local", Region: "us-east-1", AccountID: testAccount,
		Routes: []httpapi.Route{{Method: "GET", Path: "/v1/send", Authorizer: "A", Integration: httpapi.Integration{
			Type: "sqs", Subtype: "SQS-SendMessage", PayloadFormatVersion: "1.0",
			RequestParameters: map[string]string{"QueueUrl": endpoint + "/" + testAccount + "/" + testQueue, "MessageBody": "$request.querystring.MessageBody"},
		}}},
		Authorizers: map[string]httpapi.Authorizer{"A": {Type: "lambda", Function: authFn, EnableSimpleResponses: true,
			IdentitySource: []string{"$request.header.Authorization"}, ResultTTL: 3600e9}},
	}, httpapi.Options{Invoker: simple, SQS: client})
	if err != nil {
		b.Fatal(err)
	}
	const target = "/v1/send?MessageBody=TestMessageHello"
	benchcmp.Ratio(b, serveOK(b, rest, "GET", target, "", "Authorization", bearer),
		map[string]func(){"httpapi": serveOK(b, httpAPI, "GET", target, "", "Authorization", bearer)})
}

// batchBody is a batch of n entries in the /v1/messages/batch shape.
func batchBody(n int) string {
	var entries []string
	for i := range n {
		entries = append(entries, fmt.Sprintf(`{"id":"m%d","body":"message %d","attributes":{"k":"v"}}`, i, i))
	}
	return "[" + strings.Join(entries, ",") + "]"
}

// BenchmarkNativeVsTransformerBatch: 10 messages through the REST native
// batch method (SendBatch validation, the request template, one
// SendMessageBatch over HTTP) against the HTTP API transformer route
// (payload 2.0 event to a function that decodes it and calls
// SendMessageBatch with the SDK: the transformer's work without the
// Lambda runtime), in one run; x-transformer is native ÷ transformer.
func BenchmarkNativeVsTransformerBatch(b *testing.B) {
	endpoint, client := benchSQS(b)
	queueURL := endpoint + "/" + testAccount + "/" + testQueue
	api := validatedAPI()
	allow := benchInvoker(func(context.Context, string, []byte) ([]byte, error) {
		return []byte(policy("Allow", "*")), nil
	})
	rest, err := New(api, Options{Invoker: allow, SQSEndpoint: endpoint, Region: "us-east-1", AccountID: testAccount})
	if err != nil {
		b.Fatal(err)
	}
	transformer := benchInvoker(func(ctx context.Context, fn string, payload []byte) ([]byte, error) {
		if fn == authFn {
			return []byte(`{"isAuthorized":true,"context":{"sub":"user-1"}}`), nil
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		var items []struct {
			ID         string            `json:"id"`
			Body       string            `json:"body"`
			Attributes map[string]string `json:"attributes"`
		}
		if err := json.Unmarshal([]byte(ev.Body), &items); err != nil {
			return nil, err
		}
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL)}
		for _, it := range items {
			attrs := map[string]types.MessageAttributeValue{}
			for k, v := range it.Attributes {
				attrs[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
			}
			in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{Id: aws.String(it.ID), MessageBody: aws.String(it.Body), MessageAttributes: attrs})
		}
		out, err := client.SendMessageBatch(ctx, in)
		if err != nil {
			return nil, err
		}
		body, _ := json.Marshal(out)
		resp, _ := json.Marshal(map[string]any{"statusCode": 200, "body": string(body)})
		return resp, nil
	})
	httpAPI, err := httpapi.New(httpapi.Config{APIID: "local", Region: "us-east-1", AccountID: testAccount,
		Routes: []httpapi.Route{{Method: "POST", Path: "/v1/events/batch", Authorizer: "A",
			Integration: httpapi.Integration{Type: "lambda", Function: "TransformerFunction"}}},
		Authorizers: map[string]httpapi.Authorizer{"A": {Type: "lambda", Function: authFn, EnableSimpleResponses: true,
			IdentitySource: []string{"$request.header.Authorization"}, ResultTTL: 3600e9}},
	}, httpapi.Options{Invoker: transformer})
	if err != nil {
		b.Fatal(err)
	}
	body := batchBody(10)
	benchcmp.Ratio(b, serveOK(b, rest, "POST", "/v1/messages/batch", body, "Authorization", bearer, "Content-Type", "application/json"),
		map[string]func(){"transformer": serveOK(b, httpAPI, "POST", "/v1/events/batch", body, "Authorization", bearer, "Content-Type", "application/json")})
}

package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/sqsgate/sqsgate/internal/local/httpapi"
)

// echoRouteKey is an Invoker whose one function answers with a payload 2.0
// response.
type echoRouteKey struct{}

func (echoRouteKey) Invoke(_ context.Context, function string, payload []byte) ([]byte, error) {
	return []byte(`{"statusCode":202,"body":"{\"function\":\"` + function + `\"}"}`), nil
}

func ExampleNew() {
	api, err := httpapi.New(httpapi.Config{
		APIID: "local", Region: "us-east-1", AccountID: "000000000000",
		Routes: []httpapi.Route{{
			Method: "POST", Path: "/webhooks/github",
			Integration: httpapi.Integration{Type: "lambda", Function: "WebhookFunction", PayloadFormatVersion: "2.0"},
		}},
	}, httpapi.Options{Invoker: echoRouteKey{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	for _, path := range []string{"/webhooks/github", "/webhooks/gitlab"} {
		resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader(`{}`))
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 202 {"function":"WebhookFunction"}
	// 404 {"message":"Not Found"}
}

func ExampleNew_invalidConfig() {
	_, err := httpapi.New(httpapi.Config{
		APIID: "local", Region: "us-east-1", AccountID: "000000000000",
		Routes: []httpapi.Route{{
			Method: "POST", Path: "/v1/batch",
			Integration: httpapi.Integration{Type: "sqs", Subtype: "SQS-SendMessageBatch"},
		}},
	}, httpapi.Options{})
	fmt.Println(err)
	// Output:
	// httpapi: invalid config: route POST /v1/batch: integration subtype "SQS-SendMessageBatch" is not supported (SQS-SendMessage, SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue)
}

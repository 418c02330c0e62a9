package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/local/console"
)

type queuesAnswer struct {
	Queues []struct {
		Name     string   `json:"name"`
		Visible  int      `json:"visible"`
		InFlight int      `json:"inFlight"`
		DLQ      bool     `json:"dlq"`
		DLQOf    []string `json:"dlqOf"`
		History  []struct {
			V int `json:"v"`
		} `json:"history"`
	} `json:"queues"`
}

func TestQueuesMatchSQS(t *testing.T) {
	r := newRig(t)
	r.deadLetter(t, "a")
	var got queuesAnswer
	if code := getJSON(t, r.URL+"/_sqsgate/api/queues", &got); code != 200 {
		t.Fatalf("status %d", code)
	}
	list, err := r.sqs.ListQueues(context.Background(), &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var want, names []string
	for _, u := range list.QueueUrls {
		want = append(want, u[strings.LastIndex(u, "/")+1:])
	}
	for _, q := range got.Queues {
		names = append(names, q.Name)
		if q.Name == "sqsgate-dlq" && (!q.DLQ || len(q.DLQOf) != 1 || q.DLQOf[0] != "sqsgate-ingest" || q.Visible != 1) {
			t.Errorf("DLQ listed as %+v, want the dead-letter queue of sqsgate-ingest holding 1", q)
		}
		if len(q.History) == 0 {
			t.Errorf("%s has no depth history", q.Name)
		}
	}
	sort.Strings(want)
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("console lists %v, SQS %v", names, want)
	}
}

func TestPeekLeavesReceiveCounts(t *testing.T) {
	r := newRig(t)
	r.deadLetter(t, "kept")
	var got struct {
		Messages []struct {
			Body         string `json:"body"`
			ReceiveCount int    `json:"receiveCount"`
		} `json:"messages"`
	}
	for range 2 {
		if code := getJSON(t, r.URL+"/_sqsgate/api/queues/sqsgate-dlq/messages", &got); code != 200 || len(got.Messages) != 1 {
			t.Fatalf("status %d, %+v", code, got)
		}
	}
	if m := got.Messages[0]; m.Body != "kept" || m.ReceiveCount != 1 {
		t.Errorf("peeked %+v, want body kept with the one receive the test made (peeks count none)", m)
	}
	var missing map[string]string
	if code := getJSON(t, r.URL+"/_sqsgate/api/queues/nope/messages", &missing); code != 404 || missing["code"] != "queue_not_found" {
		t.Errorf("missing queue: %d %v", code, missing)
	}
}

func post(t *testing.T, url string, consoleHeader bool) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, nil)
	if consoleHeader {
		req.Header.Set("X-Sqsgate-Console", "1")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// The redrive button's call: StartMessageMoveTask from the DLQ, which
// moves its messages back to the queue they came from.
func TestRedriveMovesTheDLQBack(t *testing.T) {
	r := newRig(t)
	r.deadLetter(t, "one", "two")
	if code, body := post(t, r.URL+"/_sqsgate/api/queues/sqsgate-dlq/redrive", false); code != 403 || !strings.Contains(body, "missing_console_header") {
		t.Fatalf("redrive without the console header: %d %s, want 403", code, body)
	}
	if n := r.depth(t, r.dlq); n != 2 {
		t.Fatalf("a refused redrive moved messages: %d left in the DLQ", n)
	}
	if code, body := post(t, r.URL+"/_sqsgate/api/queues/sqsgate-dlq/redrive", true); code != 200 || !strings.Contains(body, "taskHandle") {
		t.Fatalf("redrive: %d %s", code, body)
	}
	if dlq, ingest := r.depth(t, r.dlq), r.depth(t, r.ingest); dlq != 0 || ingest != 2 {
		t.Errorf("after redrive: DLQ %d, ingest %d; want 0 and 2", dlq, ingest)
	}
	if code, body := post(t, r.URL+"/_sqsgate/api/queues/sqsgate-ingest/redrive", true); code != 400 {
		t.Errorf("redrive of a queue that is no DLQ: %d %s, want SQS's refusal", code, body)
	}
}

type requestsAnswer struct {
	Requests []console.Request `json:"requests"`
}

func TestRequestLogShowsWebhookVerification(t *testing.T) {
	r := newRig(t)
	resp, err := http.Post(r.URL+"/webhooks/github", "application/json", strings.NewReader(`{"zen":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, body := post(t, r.URL+"/_sqsgate/api/webhooks/github/test", true); code != 200 || !strings.Contains(body, `"status":202`) {
		t.Fatalf("test delivery: %d %s, want the API's 202", code, body)
	}
	var got requestsAnswer
	getJSON(t, r.URL+"/_sqsgate/api/requests", &got)
	if len(got.Requests) != 2 {
		t.Fatalf("%d requests logged, want 2: %+v", len(got.Requests), got.Requests)
	}
	rej, ok := got.Requests[0], got.Requests[1]
	if rej.Route != "POST /webhooks/github" || rej.Status != 401 || rej.Webhook != "rejected" || rej.WebhookCode != "invalid_signature" ||
		!strings.Contains(rej.WebhookMessage, "no configured secret") {
		t.Errorf("rejected delivery logged as %+v", rej)
	}
	if ok.Status != 202 || ok.Webhook != "verified" || ok.ID <= rej.ID {
		t.Errorf("signed test delivery logged as %+v", ok)
	}
	var after requestsAnswer
	getJSON(t, r.URL+"/_sqsgate/api/requests?after=1", &after)
	if len(after.Requests) != 1 || after.Requests[0].ID != ok.ID {
		t.Errorf("after=1 returned %+v", after.Requests)
	}
}

// The console answers loopback clients at loopback names only: another
// host's connection (with --allow-other-users) and a page served from a
// name that resolves to 127.0.0.1 (DNS rebinding) are refused.
func TestConsoleIsLoopbackOnly(t *testing.T) {
	c := console.New(console.Options{})
	h := c.Wrap(http.NotFoundHandler())
	for _, tc := range []struct{ remote, host string }{
		{"192.0.2.7:5555", "127.0.0.1:3000"},
		{"127.0.0.1:5555", "evil.example:3000"},
	} {
		req := httptest.NewRequest(http.MethodGet, "/_sqsgate/api/requests", nil)
		req.RemoteAddr, req.Host = tc.remote, tc.host
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "loopback_only") {
			t.Errorf("remote %s host %s: %d %s, want 403 loopback_only", tc.remote, tc.host, w.Code, w.Body)
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/_sqsgate/", nil)
	req.RemoteAddr, req.Host = "127.0.0.1:5555", "localhost:3000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "sqsgate") {
		t.Errorf("the page from loopback: %d", w.Code)
	}
}

// The REST API's access log names the route by httpMethod and resourcePath
// and its answers carry x-amzn-RequestId: the request log reads both.
func TestRequestLogReadsRESTAccessLines(t *testing.T) {
	var c *console.Console
	api := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("X-Amzn-Requestid", "rest-1")
		fmt.Fprintf(c.AccessLog(nil), "%s\n", `{"requestId":"rest-1","httpMethod":"POST","resourcePath":"/v1/messages","status":"403","authorizerError":"explicit deny of arn:aws:execute-api:us-east-1:000000000000:local/live/POST/v1/messages"}`)
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	})
	c = console.New(console.Options{})
	srv := httptest.NewServer(c.Wrap(api))
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/v1/messages", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var got requestsAnswer
	getJSON(t, srv.URL+"/_sqsgate/api/requests", &got)
	if len(got.Requests) != 1 {
		t.Fatalf("%d requests logged, want 1", len(got.Requests))
	}
	r := got.Requests[0]
	if r.Route != "POST /v1/messages" || r.Status != 403 || r.Authorizer != "deny" || !strings.Contains(r.AuthorizerReason, "explicit deny") {
		t.Errorf("REST request logged as %+v, want route POST /v1/messages denied by the authorizer", r)
	}
}

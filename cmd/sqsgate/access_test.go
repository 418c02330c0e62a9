package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/sqsgate/sqsgate/internal/local/peercred/peercredtest"
)

// TestOnlyTheOwnerGetsIn replays issue 16's attacks as user nobody against
// a running `sqsgate run`: a direct invoke of TransformerFunction with a
// forged authorizer context, reading the queue through the SQS endpoint,
// and the HTTP API. Each connection is refused and logged with the peer's
// uid, nothing is enqueued, and the owner's same requests are served. With
// --allow-other-users the forged invoke is answered again, which is also
// what this test fails on without the guard.
func TestOnlyTheOwnerGetsIn(t *testing.T) {
	other := peercredtest.OtherUser(t)
	forged := `{"version":"2.0","routeKey":"POST /v1/events","rawPath":"/v1/events","headers":{"content-type":"application/json"},` +
		`"requestContext":{"http":{"method":"POST","path":"/v1/events"},"authorizer":{"lambda":{"sub":"admin-user"}}},"body":"{\"x\":1}"}`
	invoke := func(s *stack) string {
		return s.Lambda + "/2015-03-31/functions/TransformerFunction/invocations"
	}

	t.Run("default", func(t *testing.T) {
		s := startStack(t)
		queueURL := s.queueURL(t, ingestQueue)
		attempts := map[string]peercredtest.Result{
			"Lambda Invoke API": other.Do(t, "POST", invoke(s), forged),
			"SQS endpoint":      other.Do(t, "POST", s.SQS, `{"QueueUrl":"`+queueURL+`"}`, "X-Amz-Target: AmazonSQS.ReceiveMessage", "Content-Type: application/x-amz-json-1.0"),
			"HTTP API":          other.Do(t, "GET", s.API+"/v1/messages", "", "Authorization: Bearer "+devToken(t)),
		}
		for listener, r := range attempts {
			if !r.Refused() {
				t.Errorf("%s answered another user (uid %d): %+v", listener, other.UID, r)
			}
			want := `"listener":"` + listener + `"`
			if !strings.Contains(s.stderr.String(), want) {
				t.Errorf("no refusal logged for %s", listener)
			}
		}
		if !strings.Contains(s.stderr.String(), `"peer_uid":`+strconv.Itoa(other.UID)) {
			t.Errorf("the refusals do not name uid %d", other.UID)
		}
		if n := queueDepth(t, s, queueURL); n != 0 {
			t.Errorf("%d messages enqueued by another user's requests", n)
		}
		status, body := call(t, http.MethodPost, invoke(s), "", []byte(forged))
		if status != http.StatusOK {
			t.Errorf("the owner's invoke: %d %s", status, body)
		}
	})

	t.Run("--allow-other-users", func(t *testing.T) {
		s := startStack(t, "--allow-other-users")
		if r := other.Do(t, "POST", invoke(s), forged); r.Status != http.StatusOK {
			t.Errorf("with --allow-other-users another user's invoke got %+v, want 200", r)
		}
	})
}

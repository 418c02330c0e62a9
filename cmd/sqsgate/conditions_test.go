package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/fixtures"
)

// TestServesEveryConditionSet starts `sqsgate run` under each set of
// template Conditions the local platform can emulate and checks the part
// each one switches (issue 7); TestRefusesCustomDomain covers the set it
// cannot.
func TestServesEveryConditionSet(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end: starts sqsgate run and the real functions")
	}
	tests := []struct {
		name   string
		params string
		check  func(t *testing.T, s *stack, token string)
	}{
		{"fifo queue", "QueueType=fifo", func(t *testing.T, s *stack, token string) {
			url := s.queueURL(t, "sqsgate-ingest.fifo")
			t.Run("transformer", func(t *testing.T) {
				status, body := call(t, http.MethodPost, s.API+"/v1/events", token, []byte(validOrder), "Idempotency-Key", "fifo-1")
				if status != http.StatusAccepted {
					t.Fatalf("POST /v1/events on FIFO: %d %s", status, body)
				}
			})
			t.Run("native POST /v1/messages", func(t *testing.T) {
				// MessageGroupId comes from the template's mapping; SQS
				// allows only alphanumerics and punctuation, no spaces.
				status, body := call(t, http.MethodPost, s.API+"/v1/messages", token, []byte(`{"fifo":true}`))
				if status != http.StatusOK {
					t.Fatalf("POST /v1/messages on FIFO: %d %s", status, body)
				}
			})
			if n := queueDepth(t, s, url); n < 1 {
				t.Errorf("%d messages in the FIFO queue", n)
			}
		}},
		{"jwt authorizer", "AuthorizerType=jwt", func(t *testing.T, s *stack, token string) {
			if status, body := call(t, http.MethodPost, s.API+"/v1/messages", token, []byte("x")); status != http.StatusOK {
				t.Errorf("dev token through the JWT authorizer: %d %s", status, body)
			}
			if status, _ := call(t, http.MethodPost, s.API+"/v1/messages", token[:len(token)-4]+"AAAA", []byte("x")); status != http.StatusUnauthorized {
				t.Errorf("forged token through the JWT authorizer: %d, want 401", status)
			}
		}},
		{"no transformer", "EnableTransformer=false", func(t *testing.T, s *stack, token string) {
			if status, _ := call(t, http.MethodPost, s.API+"/v1/events", token, []byte("{}")); status != http.StatusNotFound {
				t.Errorf("POST /v1/events without the transformer: %d, want 404", status)
			}
			if strings.Contains(s.stdout.String(), "TransformerFunction") {
				t.Error("route table lists TransformerFunction")
			}
		}},
		{"github and stripe off", "EnableGitHub=false EnableStripe=false", func(t *testing.T, s *stack, _ string) {
			for _, w := range fixtures.Webhooks(time.Now()) {
				if w.WantStatus != http.StatusAccepted || (w.Provider != "github" && w.Provider != "stripe" && w.Provider != "shopify") {
					continue
				}
				want := http.StatusNotFound // the route is not in the API
				if w.Provider == "shopify" {
					want = http.StatusAccepted
				}
				if status, body := postWebhook(t, s, w); status != want {
					t.Errorf("%s: %d %s, want %d", w.Name, status, body, want)
				}
			}
			// The route table, and the sample curl, name only served routes.
			for _, route := range []string{"/webhooks/github", "/webhooks/stripe"} {
				if strings.Contains(s.stdout.String(), route) {
					t.Errorf("the summary names %s:\n%s", route, s.stdout.String())
				}
			}
			if !strings.Contains(s.stdout.String(), "/webhooks/shopify ") {
				t.Errorf("route table lacks /webhooks/shopify:\n%s", s.stdout.String())
			}
		}},
		{"cors with credentials", "CorsAllowOrigins=https://app.example.com CorsAllowCredentials=true", func(t *testing.T, s *stack, _ string) {
			req, _ := http.NewRequest(http.MethodOptions, s.API+"/v1/messages", nil)
			req.Header.Set("Origin", "https://app.example.com")
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := httpClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example.com" {
				t.Errorf("Access-Control-Allow-Origin %q", got)
			}
			if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != "true" {
				t.Errorf("Access-Control-Allow-Credentials %q", got)
			}
		}},
		{"kms, existing secrets, tracing and alarms", "KmsKeyArn=arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666 GitHubWebhookSecretArn=arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf EnableTracing=true AlarmTopicArn=arn:aws:sns:us-east-1:123456789012:ops",
			func(t *testing.T, s *stack, token string) {
				if status, body := call(t, http.MethodGet, s.API+"/v1/send?MessageBody=kms", token, nil); status != http.StatusOK {
					t.Errorf("GET /v1/send: %d %s", status, body)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startStack(t, "--parameter-overrides", tc.params)
			tc.check(t, s, devToken(t))
		})
	}
}

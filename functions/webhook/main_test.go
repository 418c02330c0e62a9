package main

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
	"github.com/sqsgate/sqsgate/internal/webhook"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
)

// TestNewHandler wires the function as main does, from the environment,
// with every AWS endpoint pointed at a closed port: the configuration is
// checked, and a secret that cannot be fetched leaves the function running
// and failing closed.
func TestNewHandler(t *testing.T) {
	testpeer.SetAWSEnv(t, "http://127.0.0.1:1")
	const queue = "http://127.0.0.1:1/000000000000/IngestQueue"
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		wantLog string
	}{
		{"no queue", map[string]string{"QUEUE_URL": ""}, "QUEUE_URL", ""},
		{"bad tolerance", map[string]string{"QUEUE_URL": queue, "PADDLE_TOLERANCE": "5"}, "PADDLE_TOLERANCE", ""},
		{"bad refresh interval", map[string]string{"QUEUE_URL": queue, "SECRET_REFRESH_INTERVAL": "often"}, "SECRET_REFRESH_INTERVAL", ""},
		{"literal secrets", map[string]string{"QUEUE_URL": queue, "GITHUB_WEBHOOK_SECRET": "g", "PADDLE_WEBHOOK_SECRET": "p"}, "", ""},
		{"no secret at all", map[string]string{"QUEUE_URL": queue}, "", "no webhook secret configured"},
		{"secret ARNs, Secrets Manager unreachable", map[string]string{
			"QUEUE_URL":                 queue + ".fifo",
			"GITHUB_WEBHOOK_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:gh",
			"PADDLE_WEBHOOK_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:000000000000:secret:pd",
			"PADDLE_TOLERANCE":          "10s",
		}, "", "fetch webhook secret failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"QUEUE_URL", "GITHUB_WEBHOOK_SECRET", "GITHUB_WEBHOOK_SECRET_ARN", "PADDLE_WEBHOOK_SECRET",
				"PADDLE_WEBHOOK_SECRET_ARN", "PADDLE_TOLERANCE", "SECRET_REFRESH_INTERVAL"} {
				t.Setenv(k, tt.env[k])
			}
			t.Setenv("AWS_MAX_ATTEMPTS", "1")
			var logs bytes.Buffer
			h, err := newHandler(context.Background(), slog.New(slog.NewJSONHandler(&logs, nil)))
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, h)
			if tt.wantLog != "" {
				assert.Contains(t, logs.String(), tt.wantLog)
			}
		})
	}
	t.Run("a genuine delivery reaches the SQS client", func(t *testing.T) {
		t.Setenv("QUEUE_URL", queue)
		t.Setenv("GITHUB_WEBHOOK_SECRET", "g")
		t.Setenv("AWS_MAX_ATTEMPTS", "1")
		h, err := newHandler(context.Background(), slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		body := []byte(`{"zen":"wired"}`)
		resp, err := h.Handle(context.Background(), events.APIGatewayV2HTTPRequest{
			RouteKey: "POST " + webhook.GitHubPath, RawPath: webhook.GitHubPath,
			Headers: map[string]string{"x-hub-signature-256": github.Sign("g", body), "x-github-event": "ping", "x-github-delivery": "d-1", "content-type": "application/json"},
			Body:    string(body),
		})
		require.NoError(t, err)
		// The signature verified with the literal secret; the SQS client
		// built from the environment points at a closed port.
		assert.Equal(t, 503, resp.StatusCode, resp.Body)
		assert.Contains(t, resp.Body, "queue_unavailable")
	})
}

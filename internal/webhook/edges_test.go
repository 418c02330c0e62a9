package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// The edges of the handler's rules, each checked on both sides.

func TestLevelFor(t *testing.T) {
	assert.Equal(t, slog.LevelWarn, levelFor(http.StatusUnauthorized))
	assert.Equal(t, slog.LevelWarn, levelFor(499))
	assert.Equal(t, slog.LevelError, levelFor(http.StatusInternalServerError))
	assert.Equal(t, slog.LevelError, levelFor(http.StatusServiceUnavailable))
}

func TestVerificationErrorOfAnUnknownError(t *testing.T) {
	status, body := answerOf(verificationError(context.Canceled))
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "internal_error", body)
}

func answerOf(err error) (int, string) {
	status, body := apigw.Answer(err)
	return status, body.Code
}

// TestNewNamesTheProvidersWithoutSecret: one cold-start line lists the
// providers that will refuse every delivery, and only those.
func TestNewNamesTheProvidersWithoutSecret(t *testing.T) {
	others := []string{ProviderStripe, ProviderStandard, ProviderShopify, ProviderSlack}
	all := map[string]SecretConfig{}
	for _, p := range Providers {
		all[p.Name] = SecretConfig{Value: "s"}
	}
	tests := []struct {
		name    string
		secrets map[string]SecretConfig
		want    []string // providers named
	}{
		{"every one literal", all, nil},
		{"GitHub by ARN, Paddle literal", map[string]SecretConfig{ProviderGitHub: {ARN: "arn:gh"}, ProviderPaddle: {Value: "p"}}, others},
		{"Paddle missing", map[string]SecretConfig{ProviderGitHub: {Value: "g"}}, append([]string{ProviderPaddle}, others...)},
		{"blank literal, no ARN", map[string]SecretConfig{ProviderGitHub: {Value: " "}, ProviderPaddle: {Value: "p"}}, append([]string{ProviderGitHub}, others...)},
		{"none", nil, append([]string{ProviderGitHub, ProviderPaddle}, others...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			sm := getSecretFunc(func(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
				return &secretsmanager.GetSecretValueOutput{SecretString: aws.String("from-arn")}, nil
			})
			_, err := New(Config{QueueURL: "http://q/1/q", Secrets: tt.secrets}, Deps{SQS: &recorder{}, SecretsManager: sm}, slog.New(slog.NewJSONHandler(&logs, nil)))
			require.NoError(t, err)
			var named []string
			lines := 0
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var l struct {
					Msg       string
					Providers []string
				}
				if json.Unmarshal([]byte(line), &l) == nil && strings.HasPrefix(l.Msg, "no webhook secret configured") {
					named = l.Providers
					lines++
				}
			}
			assert.Equal(t, tt.want, named)
			wantLines := 1
			if tt.want == nil {
				wantLines = 0
			}
			assert.Equal(t, wantLines, lines, "one line when some provider has no secret, not one per provider; none otherwise")
		})
	}
}

func TestFIFOGroupAtSQSLimit(t *testing.T) {
	prefix := ProviderGitHub + ":"
	for _, tt := range []struct {
		name      string
		repoLen   int
		wantGroup func(repo string) string
	}{
		{"github:<repo> of exactly 128 characters is the group", sqsmsg.MaxFIFOIDLength - len(prefix), func(repo string) string { return prefix + repo }},
		{"one more falls back to the provider", sqsmsg.MaxFIFOIDLength - len(prefix) + 1, func(string) string { return ProviderGitHub }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			repo := "o/" + strings.Repeat("r", tt.repoLen-2)
			body := []byte(`{"repository":{"full_name":"` + repo + `"}}`)
			rec := &recorder{}
			h := newTestHandler(t, rec, nil)
			h.fifo = true
			resp, err := h.Handle(context.Background(), request(GitHubPath, githubHeaders(body), body, false))
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, resp.StatusCode, resp.Body)
			assert.Equal(t, tt.wantGroup(repo), aws.ToString(rec.inputs[0].MessageGroupId))
		})
	}
}

// TestMessageSizeAtSQSLimit: SQS counts the body and every attribute's
// name, type and value against its 1 MiB; exactly 1 MiB is accepted.
func TestMessageSizeAtSQSLimit(t *testing.T) {
	attrs := map[string]string{
		"provider": ProviderGitHub, "event": "push", "delivery_id": deliveryID,
		"received_at": "2026-11-22T01:02:03Z", "content_type": "application/json", "verified_by": VerifiedByGitHub,
	}
	overhead := 0
	for name, value := range attrs {
		overhead += len(name) + len("String") + len(value)
	}
	for _, tt := range []struct {
		name   string
		extra  int
		status int
	}{
		{"exactly 1 MiB", 0, http.StatusAccepted},
		{"one byte more", 1, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			frame := len(`{"pad":""}`)
			body := []byte(`{"pad":"` + strings.Repeat("x", sqsmsg.MaxMessageBytes-overhead-frame+tt.extra) + `"}`)
			rec := &recorder{}
			h := newTestHandler(t, rec, nil)
			resp, err := h.Handle(context.Background(), request(GitHubPath, githubHeaders(body), body, false))
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode, resp.Body)
		})
	}
}

// TestRouting: the provider comes from the route key API Gateway matched,
// else from the path; the method from the request, else from the route key.
func TestRouting(t *testing.T) {
	push := fixture(t, "github-push.json")
	tests := []struct {
		name   string
		modify func(*events.APIGatewayV2HTTPRequest)
		status int
	}{
		{"no rawPath: requestContext.http.path", func(r *events.APIGatewayV2HTTPRequest) {
			r.RouteKey, r.RawPath = "$default", ""
		}, http.StatusAccepted},
		{"rawPath wins over requestContext.http.path", func(r *events.APIGatewayV2HTTPRequest) {
			r.RouteKey, r.RequestContext.HTTP.Path = "$default", "/elsewhere"
		}, http.StatusAccepted},
		{"the route key wins over a base path mapping's prefix", func(r *events.APIGatewayV2HTTPRequest) {
			r.RawPath, r.RequestContext.HTTP.Path = "/api"+GitHubPath, "/api"+GitHubPath
		}, http.StatusAccepted},
		{"an unknown route key falls back to the path", func(r *events.APIGatewayV2HTTPRequest) {
			r.RouteKey = "POST /hooks/{provider}"
		}, http.StatusAccepted},
		{"no method in the request: the route key's", func(r *events.APIGatewayV2HTTPRequest) {
			r.RequestContext.HTTP.Method, r.RouteKey = "", "GET "+GitHubPath
		}, http.StatusMethodNotAllowed},
		{"no method, ANY route: taken as POST", func(r *events.APIGatewayV2HTTPRequest) {
			r.RequestContext.HTTP.Method, r.RouteKey = "", "ANY "+GitHubPath
		}, http.StatusAccepted},
		{"no method, $default route: taken as POST", func(r *events.APIGatewayV2HTTPRequest) {
			r.RequestContext.HTTP.Method, r.RouteKey = "", "$default"
		}, http.StatusAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(GitHubPath, githubHeaders(push), push, false)
			tt.modify(&req)
			resp, err := newTestHandler(t, &recorder{}, nil).Handle(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode, resp.Body)
		})
	}
}

func TestCapped(t *testing.T) {
	assert.Equal(t, "", capped(""))
	assert.Equal(t, strings.Repeat("a", maxLoggedIDLength), capped(strings.Repeat("a", maxLoggedIDLength)))
	assert.Equal(t, strings.Repeat("a", maxLoggedIDLength), capped(strings.Repeat("a", maxLoggedIDLength+1)))
}

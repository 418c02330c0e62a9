package authorizer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/authorizer"
)

const arnPrefix = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod"

// restRequest is a REST API REQUEST authorizer event ("Input to an API
// Gateway Lambda authorizer", REQUEST type):
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
func restRequest(method, path string, headers map[string][]string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: arnPrefix + "/" + method + path,
		Resource: path, Path: path, HTTPMethod: method,
		Headers: map[string]string{}, MultiValueHeaders: headers,
	}
	for k, vs := range headers {
		req.Headers[k] = vs[len(vs)-1]
	}
	req.RequestContext.RequestID = "req-1"
	return req
}

// allows evaluates an IAM policy for one method ARN as API Gateway does:
// an explicit Deny wins, else an Allow admits, else it is denied. "*"
// matches any run of characters, "?" one.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
func allows(p events.APIGatewayCustomAuthorizerPolicy, methodArn string) bool {
	allowed := false
	for _, s := range p.Statement {
		for _, r := range s.Resource {
			pattern := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(r)) + "$"
			if !regexp.MustCompile(pattern).MatchString(methodArn) {
				continue
			}
			if s.Effect == "Deny" {
				return false
			}
			allowed = allowed || s.Effect == "Allow"
		}
	}
	return allowed
}

func TestHandleRESTPolicies(t *testing.T) {
	p := newPool(t)
	rules, err := authorizer.ParseRules(`{
		"POST /v1/messages": {"scopes": ["sqsgate/write"], "groups": ["writers"]},
		"GET /v1/messages": {"scopes": ["sqsgate/read"]},
		"DELETE /v1/messages": {"groups": ["admins"]},
		"ANY /v1/admin/{proxy+}": {"groups": ["admins"]},
		"$default": {"groups": ["nobody"]}
	}`)
	if err != nil {
		t.Fatal(err)
	}
	h := p.handler(t, rules, nil)
	methods := []struct{ verb, path string }{
		{"POST", "/v1/messages"}, {"GET", "/v1/messages"}, {"DELETE", "/v1/messages"},
		{"GET", "/v1/send"}, {"POST", "/v1/messages/batch"}, {"GET", "/v1/admin/users/7"},
	}
	tokens := []struct {
		name  string
		token string
		may   []bool // per methods
	}{
		{"writer", p.token(t, nil), []bool{true, false, false, true, true, false}},
		{"reader", p.token(t, map[string]any{"scope": "sqsgate/read", "cognito:groups": []string{"readers"}}), []bool{false, true, false, true, true, false}},
		{"admin reader", p.token(t, map[string]any{"scope": "sqsgate/read", "cognito:groups": []string{"admins"}}), []bool{false, true, true, true, true, true}},
		{"all rules met", p.token(t, map[string]any{"scope": "sqsgate/write sqsgate/read", "cognito:groups": []string{"writers", "admins"}}), []bool{true, true, true, true, true, true}},
	}
	for _, tok := range tokens {
		t.Run(tok.name, func(t *testing.T) {
			var first *events.APIGatewayCustomAuthorizerPolicy
			// Ask once per method: the policy must be the same whichever
			// method asked (API Gateway caches it and applies it to every
			// method it matches), and allow exactly what the caller may call.
			for _, asked := range methods {
				resp, err := h.HandleREST(context.Background(), restRequest(asked.verb, asked.path, map[string][]string{"Authorization": {"Bearer " + tok.token}}))
				if err != nil {
					t.Fatalf("%s %s: %v", asked.verb, asked.path, err)
				}
				if resp.PrincipalID != "sub-1234" || resp.Context["sub"] != "sub-1234" || resp.Context["username"] != "alice" || resp.Context["client_id"] != client {
					t.Fatalf("principal/context = %q %v", resp.PrincipalID, resp.Context)
				}
				for k, v := range resp.Context {
					if _, ok := v.(string); !ok {
						t.Fatalf("context %s = %T, want string", k, v)
					}
				}
				// IAM refuses a statement without resources: a caller who
				// meets every rule gets no (empty) Deny statement.
				for _, st := range resp.PolicyDocument.Statement {
					if len(st.Resource) == 0 {
						t.Fatalf("statement without a resource: %s", mustJSON(t, resp.PolicyDocument))
					}
				}
				if first == nil {
					first = &resp.PolicyDocument
				} else if a, b := mustJSON(t, *first), mustJSON(t, resp.PolicyDocument); a != b {
					t.Fatalf("policy differs by requested method:\n%s\n%s", a, b)
				}
				for i, m := range methods {
					if got := allows(resp.PolicyDocument, arnPrefix+"/"+m.verb+m.path); got != tok.may[i] {
						t.Fatalf("asked %s %s: policy allows %s %s = %v, want %v\n%s", asked.verb, asked.path, m.verb, m.path, got, tok.may[i], mustJSON(t, resp.PolicyDocument))
					}
				}
				// Another stage or API is never opened.
				if allows(resp.PolicyDocument, "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/test/GET/v1/send") ||
					allows(resp.PolicyDocument, "arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/prod/GET/v1/send") {
					t.Fatal("policy opens another stage or API")
				}
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHandleRESTAttacks: a token that does not verify gets no policy at all
// (401 through the "Unauthorized" error), never an Allow.
func TestHandleRESTAttacks(t *testing.T) {
	p := newPool(t)
	other := newPool(t) // same kid, another key: a forged signature
	good := p.token(t, nil)
	tests := []struct {
		name string
		req  events.APIGatewayCustomAuthorizerRequestTypeRequest
		code string
	}{
		{"no Authorization", restRequest("GET", "/v1/send", map[string][]string{}), "authorization_missing"},
		{"forged signature", restRequest("GET", "/v1/send", map[string][]string{"Authorization": {other.token(t, nil)}}), "token_signature"},
		{"expired", restRequest("GET", "/v1/send", map[string][]string{"Authorization": {p.token(t, map[string]any{"exp": now.Add(-time.Hour).Unix()})}}), "token_expired"},
		{"garbage", restRequest("GET", "/v1/send", map[string][]string{"Authorization": {"Bearer x.y.z"}}), "token_malformed"},
		{"repeated in multiValueHeaders", restRequest("GET", "/v1/send", map[string][]string{"Authorization": {"Bearer x", good}}), "authorization_repeated"},
		{"two spellings of Authorization", restRequest("GET", "/v1/send", map[string][]string{"authorization": {"Bearer x"}, "Authorization": {good}}), "authorization_repeated"},
		{"not a method ARN", func() events.APIGatewayCustomAuthorizerRequestTypeRequest {
			r := restRequest("GET", "/v1/send", map[string][]string{"Authorization": {good}})
			r.MethodArn = "arn:aws:execute-api:us-east-1:123456789012:*/*/GET/v1/send"
			return r
		}(), "method_arn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := p.handler(t, authorizer.Rules{}, slog.New(slog.NewJSONHandler(&logs, nil)))
			resp, err := h.HandleREST(context.Background(), tt.req)
			if !errors.Is(err, authorizer.ErrUnauthorized) || err.Error() != "Unauthorized" {
				t.Fatalf("err = %v, want the Unauthorized error", err)
			}
			if len(resp.PolicyDocument.Statement) != 0 || resp.PrincipalID != "" || resp.Context != nil {
				t.Fatalf("response = %+v, want none", resp)
			}
			line := deniedLine(t, logs.Bytes())
			if line.Level != "INFO" {
				t.Fatalf("logged at %s, want INFO (ERROR is for outages)", line.Level)
			}
			if !strings.HasPrefix(line.Code, tt.code) {
				t.Fatalf("logged code %q, want %q", line.Code, tt.code)
			}
			if strings.Contains(logs.String(), good) {
				t.Fatal("the log contains the token")
			}
		})
	}
}

func TestInvokeDispatchesByEventShape(t *testing.T) {
	p := newPool(t)
	h := p.handler(t, authorizer.Rules{}, nil)
	good := p.token(t, nil)

	v2, _ := json.Marshal(request("GET /v1/send", map[string]string{"authorization": good}))
	out, err := h.Invoke(context.Background(), v2)
	if simple, ok := out.(events.APIGatewayV2CustomAuthorizerSimpleResponse); err != nil || !ok || !simple.IsAuthorized {
		t.Fatalf("2.0 event: %T %+v %v", out, out, err)
	}

	rest, _ := json.Marshal(restRequest("GET", "/v1/send", map[string][]string{"Authorization": {good}}))
	out, err = h.Invoke(context.Background(), rest)
	if policy, ok := out.(events.APIGatewayCustomAuthorizerResponse); err != nil || !ok || !allows(policy.PolicyDocument, arnPrefix+"/GET/v1/send") {
		t.Fatalf("REST event: %T %+v %v", out, out, err)
	}

	// A TOKEN authorizer event is refused, not read as a 2.0 event.
	token, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: good, MethodArn: arnPrefix + "/GET/v1/send"})
	if out, err := h.Invoke(context.Background(), token); !errors.Is(err, authorizer.ErrUnauthorized) {
		t.Fatalf("TOKEN event: %+v %v", out, err)
	}
	if _, err := h.Invoke(context.Background(), json.RawMessage(`[`)); err == nil {
		t.Fatal("malformed event accepted")
	}
}

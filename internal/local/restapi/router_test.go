package restapi

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

// TestUnknownPathOrMethod: a REST API answers a path without a resource,
// and a resource without the method (OPTIONS included when no OPTIONS
// method is defined), with 403 {"message":"Missing Authentication Token"},
// the MISSING_AUTHENTICATION_TOKEN gateway response
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html;
// https://repost.aws/knowledge-center/api-gateway-authentication-token-errors).
// Not 404 or 405 as HTTP APIs answer.
func TestUnknownPathOrMethod(t *testing.T) {
	f := newFixture(t, testAPI(), policy("Allow", "*"))
	for _, tc := range []struct{ method, target string }{
		{"GET", "/nope"},
		{"GET", "/"},
		{"PUT", "/v1/messages"},
		{"OPTIONS", "/v1/messages"},
		{"GET", "/webhooks/github"},
		{"POST", "/v1/messages/extra"},
		{"POST", "/live/v1/events"}, // no stage prefix locally
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			w := do(f.srv, tc.method, tc.target, "")
			assert.Equal(t, 403, w.Code)
			assert.JSONEq(t, `{"message":"Missing Authentication Token"}`, w.Body.String())
			assert.Equal(t, "MissingAuthenticationTokenException", w.Header().Get("X-Amzn-Errortype"))
		})
	}
	assert.Zero(t, f.inv.count(authFn), "no authorizer runs before a method is found")
}

// TestRouterPrecedence: a literal resource beats {param}, which beats
// {proxy+}; an exact method beats ANY on the same resource
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html#api-gateway-proxy-resource).
func TestRouterPrecedence(t *testing.T) {
	lambda := func(method, path, fn string) template.RestMethod {
		return template.RestMethod{Method: method, Path: path, Integration: template.RestIntegration{Type: "aws_proxy", Function: fn}}
	}
	methods := []template.RestMethod{
		lambda("GET", "/items/special", "Literal"),
		lambda("GET", "/items/{id}", "Param"),
		lambda("ANY", "/items/{id}", "AnyParam"),
		lambda("ANY", "/{proxy+}", "Greedy"),
		lambda("GET", "/", "Root"),
	}
	for _, order := range []string{"declared", "reversed"} {
		if order == "reversed" {
			slices.Reverse(methods)
		}
		t.Run(order, func(t *testing.T) {
			testRouterPrecedence(t, &template.RestAPI{ID: "local", StageName: "live", Methods: slices.Clone(methods)})
		})
	}
}

func testRouterPrecedence(t *testing.T, api *template.RestAPI) {
	f := newFixture(t, api, "")
	tests := []struct {
		method, target, fn string
		params             map[string]any
	}{
		{"GET", "/items/special", "Literal", nil},
		{"GET", "/items/a%20b", "Param", map[string]any{"id": "a b"}},
		{"POST", "/items/7", "AnyParam", map[string]any{"id": "7"}},
		{"DELETE", "/a/b/c", "Greedy", map[string]any{"proxy": "a/b/c"}},
		{"GET", "/items", "Greedy", map[string]any{"proxy": "items"}},
		{"GET", "/", "Root", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			before := f.inv.count(tt.fn)
			w := do(f.srv, tt.method, tt.target, "")
			require.Equal(t, 202, w.Code, w.Body.String())
			require.Equal(t, before+1, f.inv.count(tt.fn))
			ev := f.inv.last(t, tt.fn)
			if tt.params == nil {
				assert.Nil(t, ev["pathParameters"])
			} else {
				assert.Equal(t, tt.params, ev["pathParameters"])
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	base := func(mut func(*template.RestAPI)) *template.RestAPI {
		api := testAPI()
		mut(api)
		return api
	}
	tests := []struct {
		name string
		api  *template.RestAPI
	}{
		{"nil", nil},
		{"unknown authorizer", base(func(a *template.RestAPI) { a.Methods[0].Authorizer = "Nope" })},
		{"token authorizer", base(func(a *template.RestAPI) {
			a.Authorizers["CognitoRequestAuthorizer"] = template.RestAuthorizer{Type: "token", Function: authFn}
		})},
		{"ttl over an hour", base(func(a *template.RestAPI) {
			a.Authorizers["CognitoRequestAuthorizer"] = template.RestAuthorizer{Type: "request", Function: authFn, ResultTTL: 3601e9,
				IdentitySource: []string{"method.request.header.Authorization"}}
		})},
		{"negative ttl", base(func(a *template.RestAPI) {
			a.Authorizers["CognitoRequestAuthorizer"] = template.RestAuthorizer{Type: "request", Function: authFn, ResultTTL: -1,
				IdentitySource: []string{"method.request.header.Authorization"}}
		})},
		{"caching without identity source", base(func(a *template.RestAPI) {
			a.Authorizers["CognitoRequestAuthorizer"] = template.RestAuthorizer{Type: "request", Function: authFn, ResultTTL: 1e9}
		})},
		{"literal identity source", base(func(a *template.RestAPI) {
			a.Authorizers["CognitoRequestAuthorizer"] = template.RestAuthorizer{Type: "request", Function: authFn, IdentitySource: []string{"'x'"}}
		})},
		{"api key of 19 characters", base(func(a *template.RestAPI) {
			a.UsagePlans = []template.UsagePlan{{LogicalID: "P", Keys: []template.APIKey{{LogicalID: "K", Value: "1234567890123456789", Enabled: true}}}}
		})},
		{"duplicate method", base(func(a *template.RestAPI) { a.Methods = append(a.Methods, a.Methods[0]) })},
		{"bad method", base(func(a *template.RestAPI) { a.Methods[0].Method = "FETCH" })},
		{"bad path", base(func(a *template.RestAPI) { a.Methods[0].Path = "/a/{x}y" })},
		{"parameter without name", base(func(a *template.RestAPI) { a.Methods[0].Path = "/a/{}" })},
		{"greedy without name", base(func(a *template.RestAPI) { a.Methods[0].Path = "/a/{+}" })},
		{"empty segment", base(func(a *template.RestAPI) { a.Methods[0].Path = "/a//b" })},
		{"relative path", base(func(a *template.RestAPI) { a.Methods[0].Path = "a" })},
		{"authorizer api key source", base(func(a *template.RestAPI) { a.APIKeySource = "AUTHORIZER" })},
		{"greedy not last", base(func(a *template.RestAPI) { a.Methods[0].Path = "/{p+}/a" })},
		{"undeclared mapped parameter", base(func(a *template.RestAPI) { a.Methods[0].RequestParameters = nil })},
		{"http integration", base(func(a *template.RestAPI) { a.Methods[0].Integration.Type = "http" })},
		{"sqs by action", base(func(a *template.RestAPI) {
			a.Methods[0].Integration.Path, a.Methods[0].Integration.Action = "", "SendMessage"
		})},
		{"bad selection pattern", base(func(a *template.RestAPI) { a.Methods[0].Integration.Responses[1].SelectionPattern = "4(" })},
		{"template the parser refuses", base(func(a *template.RestAPI) {
			a.Methods[1].Integration.RequestTemplates["application/json"] = "#macro(x)#end"
		})},
		{"unknown validator", base(func(a *template.RestAPI) { a.Methods[0].Validator = "nope" })},
		{"unknown model", base(func(a *template.RestAPI) { a.Methods[0].RequestModels = map[string]string{"application/json": "Nope"} })},
		{"model not JSON", base(func(a *template.RestAPI) { a.Models["M"] = []byte(`{`) })},
		{"bad model", base(func(a *template.RestAPI) { a.Models["M"] = []byte(`{"type":12}`) })},
		{"api key without keys", base(func(a *template.RestAPI) { a.Methods[0].APIKeyRequired = true })},
		{"short api key", base(func(a *template.RestAPI) {
			a.UsagePlans = []template.UsagePlan{{LogicalID: "P", Keys: []template.APIKey{{LogicalID: "K", Value: "short", Enabled: true}}}}
		})},
		{"unknown gateway response", base(func(a *template.RestAPI) {
			a.GatewayResponses = map[string]template.GatewayResponse{"NOPE": {}}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.api, Options{Invoker: &fakeInvoker{}, SQSEndpoint: "http://127.0.0.1:1", Region: "us-east-1", AccountID: testAccount})
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
	// The bounds themselves are accepted: a TTL of 3600 s, no identity
	// source without caching, a 20-character key.
	api := testAPI()
	api.Authorizers["CognitoRequestAuthorizer"] = template.RestAuthorizer{Type: "request", Function: authFn, ResultTTL: 3600e9,
		IdentitySource: []string{"method.request.header.Authorization"}}
	api.Authorizers["NoCache"] = template.RestAuthorizer{Type: "REQUEST", Function: authFn}
	api.UsagePlans = []template.UsagePlan{{LogicalID: "P", Keys: []template.APIKey{{LogicalID: "K", Value: "12345678901234567890", Enabled: true}}}}
	api.APIKeySource = "HEADER"
	s, err := New(api, Options{Invoker: &fakeInvoker{}, SQSEndpoint: "http://127.0.0.1:1", Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)
	assert.Equal(t, []string{"DELETE /v1/messages", "GET /v1/messages", "GET /v1/send", "POST /v1/events", "POST /v1/messages", "POST /webhooks/github"}, s.MethodKeys())
}

package restapi

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

func TestParseSources(t *testing.T) {
	ok := map[string]source{
		"''":                           {kind: "literal", name: ""},
		"'a b'":                        {kind: "literal", name: "a b"},
		"method.request.header.X-A":    {kind: "header", name: "X-A"},
		"method.request.querystring.q": {kind: "querystring", name: "q"},
		"method.request.path.id":       {kind: "path", name: "id"},
		"context.authorizer.sub":       {kind: "context", name: "authorizer.sub"},
		"stageVariables.queue":         {kind: "stageVariables", name: "queue"},
	}
	for in, want := range ok {
		got, err := parseSource(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		assert.Equal(t, in, got.String(), "String gives the source back")
	}
	for _, in := range []string{"'", "x'", "'x", "method.request.body", "method.request.header.", "method.request.multivalueheader.a", "context.", "stageVariables.", "$request.header.a"} {
		_, err := parseSource(in)
		assert.Error(t, err, in)
	}
	rs := map[string]respSource{
		"''":                            {kind: "literal"},
		"integration.response.body":     {kind: "body"},
		"integration.response.header.A": {kind: "header", name: "A"},
	}
	for in, want := range rs {
		got, err := parseRespSource(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"'", "integration.response.header.", "integration.response.body.a", "method.request.header.a"} {
		_, err := parseRespSource(in)
		assert.Error(t, err, in)
	}
}

func TestIntegrationConfigBounds(t *testing.T) {
	tests := []struct {
		name string
		mut  func(*template.RestIntegration)
		ok   bool
	}{
		{"timeout 49ms", func(i *template.RestIntegration) { i.Timeout = 49 * time.Millisecond }, false},
		{"timeout 50ms", func(i *template.RestIntegration) { i.Timeout = 50 * time.Millisecond }, true},
		{"timeout 29s", func(i *template.RestIntegration) { i.Timeout = 29 * time.Second }, true},
		{"timeout 30s", func(i *template.RestIntegration) { i.Timeout = 30 * time.Second }, false},
		{"response 99", func(i *template.RestIntegration) { i.Responses[0].StatusCode = 99 }, false},
		{"response 100", func(i *template.RestIntegration) { i.Responses[0].StatusCode = 100 }, true},
		{"response 599", func(i *template.RestIntegration) { i.Responses[0].StatusCode = 599 }, true},
		{"response 600", func(i *template.RestIntegration) { i.Responses[0].StatusCode = 600 }, false},
		{"two defaults", func(i *template.RestIntegration) {
			i.Responses = append(i.Responses, template.IntegrationResponse{SelectionPattern: "default", StatusCode: 200})
		}, false},
		{"body target", func(i *template.RestIntegration) { i.RequestParameters["integration.request.body.x"] = "'1'" }, false},
		{"target without name", func(i *template.RestIntegration) { i.RequestParameters["integration.request.header."] = "'1'" }, false},
		{"not an integration target", func(i *template.RestIntegration) { i.RequestParameters["method.request.header.x"] = "'1'" }, false},
		{"path target", func(i *template.RestIntegration) { i.RequestParameters["integration.request.path.x"] = "'1'" }, true},
		{"bad source", func(i *template.RestIntegration) { i.RequestParameters["integration.request.header.x"] = "body" }, false},
		{"bad response header", func(i *template.RestIntegration) {
			i.Responses[0].ResponseParameters = map[string]string{"method.response.body": "'1'"}
		}, false},
		{"bad response source", func(i *template.RestIntegration) {
			i.Responses[0].ResponseParameters = map[string]string{"method.response.header.X": "context.requestId"}
		}, false},
		{"bad passthrough", func(i *template.RestIntegration) { i.PassthroughBehavior = "ALWAYS" }, false},
		{"no http method", func(i *template.RestIntegration) { i.HTTPMethod = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := testAPI()
			tt.mut(&api.Methods[0].Integration)
			_, err := New(api, Options{Invoker: allowAll(), SQSEndpoint: "http://127.0.0.1:1", Region: "us-east-1", AccountID: testAccount})
			assert.Equal(t, tt.ok, err == nil, "%v", err)
		})
	}
}

// TestResponseTemplateByAccept: an integration response with several
// templates renders the one for the client's Accept type, else
// application/json, else the only one it has.
func TestResponseTemplateByAccept(t *testing.T) {
	mock := func(templates map[string]string) *Server {
		api := &template.RestAPI{ID: "local", StageName: "live", Methods: []template.RestMethod{{
			Method: "GET", Path: "/m", Integration: template.RestIntegration{Type: "mock",
				RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
				Responses:        []template.IntegrationResponse{{StatusCode: 200, ResponseTemplates: templates}}},
		}}}
		s, err := New(api, Options{Region: "us-east-1", AccountID: testAccount})
		require.NoError(t, err)
		return s
	}
	both := mock(map[string]string{"application/json": `{"t":"json"}`, "application/xml": `<t>xml</t>`})
	for accept, want := range map[string]string{
		"":                           `{"t":"json"}`,
		"*/*":                        `{"t":"json"}`,
		"application/xml":            `<t>xml</t>`,
		"application/xml, text/html": `<t>xml</t>`,
		"text/html":                  `{"t":"json"}`,
	} {
		var hdr []string
		if accept != "" {
			hdr = []string{"Accept", accept}
		}
		w := do(both, "GET", "/m", "", hdr...)
		assert.Equal(t, want, w.Body.String(), "Accept %q", accept)
	}
	w := do(both, "GET", "/m", "", "Accept", "application/xml")
	assert.Equal(t, "application/xml", w.Header().Get("Content-Type"))

	xmlOnly := mock(map[string]string{"application/xml": `<t>xml</t>`})
	w = do(xmlOnly, "GET", "/m", "", "Accept", "application/json")
	assert.Equal(t, `<t>xml</t>`, w.Body.String())
}

// TestMockStatusSelection: a mock integration's status is the statusCode
// its request template renders; anything else is 200.
func TestMockStatusSelection(t *testing.T) {
	for tmpl, want := range map[string]int{`{"statusCode": 404}`: 404, `{"statusCode": 0}`: 200, `not json`: 200, `{}`: 200} {
		api := &template.RestAPI{ID: "local", StageName: "live", Methods: []template.RestMethod{{
			Method: "GET", Path: "/m", Integration: template.RestIntegration{Type: "mock",
				RequestTemplates: map[string]string{"application/json": tmpl},
				Responses: []template.IntegrationResponse{{StatusCode: 200},
					{SelectionPattern: "404", StatusCode: 404, ResponseTemplates: map[string]string{"application/json": `{"message":"not here"}`}}}},
		}}}
		s, err := New(api, Options{Region: "us-east-1", AccountID: testAccount})
		require.NoError(t, err)
		assert.Equal(t, want, do(s, "GET", "/m", "").Code, tmpl)
	}
}

// TestRequestValues: what API Gateway adds and derives — Host,
// X-Forwarded-For appended to the client's, X-Forwarded-Port from Host,
// decoded query names, $context.domainName/domainPrefix without the port.
func TestRequestValues(t *testing.T) {
	api := &template.RestAPI{ID: "local", StageName: "live", Methods: []template.RestMethod{
		{Method: "GET", Path: "/l", Integration: template.RestIntegration{Type: "aws_proxy", Function: "F"}},
		{Method: "GET", Path: "/m", Integration: template.RestIntegration{Type: "mock",
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
			Responses: []template.IntegrationResponse{{StatusCode: 200, ResponseTemplates: map[string]string{
				"application/json": `$context.domainName $context.domainPrefix $context.requestTimeEpoch $context.path`}}}}},
	}}
	f := newFixture(t, api, "")
	r := httptest.NewRequest("GET", "http://api.example.com:8080/l?a%20b=1", nil)
	r.RemoteAddr = "203.0.113.7:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	require.Equal(t, 202, w.Code)
	ev := f.inv.last(t, "F")
	h := ev["headers"].(map[string]any)
	assert.Equal(t, "api.example.com:8080", h["Host"])
	assert.Equal(t, "198.51.100.1, 203.0.113.7", h["X-Forwarded-For"])
	assert.Equal(t, "8080", h["X-Forwarded-Port"])
	assert.Equal(t, map[string]any{"a b": "1"}, ev["queryStringParameters"])

	r = httptest.NewRequest("GET", "http://api.example.com:8080/m", nil)
	w = httptest.NewRecorder()
	f.srv.ServeHTTP(w, r)
	assert.Equal(t, "api.example.com api 1795341600000 /live/m", w.Body.String())

	w = do(f.srv, "GET", "/l", "")
	assert.Equal(t, "80", f.inv.last(t, "F")["headers"].(map[string]any)["X-Forwarded-Port"])
}

// TestHeaderLimitBoundary: the request line and header values may total
// exactly MaxHeaderBytes; one byte more is 413.
func TestHeaderLimitBoundary(t *testing.T) {
	f := newFixture(t, testAPI(), "")
	// POST + /webhooks/github + HTTP/1.1 + example.com + 4 separators.
	fixed := len("POST") + len("/webhooks/github") + len("HTTP/1.1") + len("example.com") + 4
	for extra, want := range map[int]int{0: 202, 1: 413} {
		r := httptest.NewRequest("POST", "/webhooks/github", nil)
		r.Header.Set("X-Pad", strings.Repeat("p", MaxHeaderBytes-fixed+extra))
		w := httptest.NewRecorder()
		f.srv.ServeHTTP(w, r)
		assert.Equal(t, want, w.Code, "extra %d", extra)
	}
}

func TestExtendedID(t *testing.T) {
	a, b := extendedID("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"), extendedID("c6af9ac6-7b61-11e6-9a41-93e8deadbeee")
	assert.Len(t, a, 16)
	assert.NotEqual(t, a, b)
	assert.Equal(t, a, extendedID("c6af9ac6-7b61-11e6-9a41-93e8deadbeef"))
	assert.Equal(t, "YWIAAAAAAAAAAA==", extendedID("ab"))
}

// TestDefaultStage: without a StageName the stage is "live", the
// contract's.
func TestDefaultStage(t *testing.T) {
	api := &template.RestAPI{ID: "local", Methods: []template.RestMethod{{Method: "GET", Path: "/m", Integration: template.RestIntegration{Type: "mock",
		Responses: []template.IntegrationResponse{{StatusCode: 200, ResponseTemplates: map[string]string{"application/json": `$context.stage`}}}}}}}
	s, err := New(api, Options{Region: "us-east-1", AccountID: testAccount})
	require.NoError(t, err)
	assert.Equal(t, "live", do(s, "GET", "/m", "").Body.String())
}

// TestTemplateRenderFailure: a request template that fails at render (a
// body that is not JSON for $input.json) is 500 "Internal server error",
// logged as the integration error; a gateway response template that
// fails falls back to AWS's default body.
func TestTemplateRenderFailure(t *testing.T) {
	var log strings.Builder
	api := testAPI()
	api.Methods[1].Integration.RequestTemplates["application/json"] = `Action=SendMessage&MessageBody=$input.json('$.a')`
	api.GatewayResponses = map[string]template.GatewayResponse{"REQUEST_TOO_LARGE": {
		ResponseTemplates: map[string]string{"application/json": `$util.base64Decode('!!')`}}}
	srv, err := New(api, Options{Invoker: allowAll(), SQSEndpoint: "http://127.0.0.1:1", Region: "us-east-1", AccountID: testAccount, AccessLog: &log})
	require.NoError(t, err)
	w := do(srv, "POST", "/v1/messages", `{not json`, "Authorization", bearer)
	assert.Equal(t, 500, w.Code)
	assert.JSONEq(t, `{"message":"Internal server error"}`, w.Body.String())
	assert.Contains(t, log.String(), `"integrationError":"request template`)

	w = do(srv, "POST", "/webhooks/github", "{}", "X-Big", strings.Repeat("h", MaxHeaderBytes))
	assert.Equal(t, 413, w.Code)
	assert.JSONEq(t, `{"message":"Request Too Long"}`, w.Body.String())
}

// TestValidationErrorString: $context.error.validationErrorString lists
// each failing leaf of the model with its location.
func TestValidationErrorString(t *testing.T) {
	api := validatedAPI()
	api.GatewayResponses["BAD_REQUEST_BODY"] = template.GatewayResponse{StatusCode: 400, ResponseTemplates: map[string]string{
		"application/json": `$context.error.validationErrorString`}}
	f := newFixture(t, api, policy("Allow", "*"))
	w := do(f.srv, "POST", "/v1/messages/batch", `[{"id":"a b"},{"body":""}]`, "Authorization", bearer)
	assert.Equal(t, 400, w.Code)
	body := w.Body.String()
	assert.True(t, strings.HasPrefix(body, "[/0") && strings.HasSuffix(body, "]"), body)
	assert.Contains(t, body, "/0/id")
	assert.Contains(t, body, "/1/body")
	assert.Equal(t, 2, strings.Count(body, ", /"), body) // three leaves: missing body, id pattern, empty body

	w = do(f.srv, "POST", "/v1/messages/batch", `[{`, "Authorization", bearer)
	assert.True(t, strings.HasPrefix(w.Body.String(), "[Invalid JSON: "), w.Body.String())
}

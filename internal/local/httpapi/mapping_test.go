package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMappingRejects(t *testing.T) {
	tests := []struct {
		name string
		expr string
	}{
		{"unknown source", "$request.cookie.x"},
		{"empty header name", "$request.header."},
		{"unclosed brace", "prefix ${request.header.x"},
		{"recursive descent", "$request.body..name"},
		{"filter", "$request.body.items[?(@.a)]"},
		{"wildcard", "$request.body.items[*]"},
		{"wildcard member", "$request.body.*"},
		{"unknown context variable", "$context.nope"},
		{"bare dollar", "$"},
		{"method request syntax of REST APIs", "$method.request.header.x"},
		{"bad embedded expression", "a-${nope}-b"},
		{"empty authorizer key", "$context.authorizer."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseMapping(tt.expr)
			assert.ErrorIs(t, err, ErrBadMapping)
		})
	}
}

// fakeSource is a mappingSource with fixed values.
type fakeSource struct {
	headers, query, params, ctx map[string]string
	reqPath                     string
	body                        []byte
}

func (f fakeSource) headerValue(n string) string    { return f.headers[n] }
func (f fakeSource) queryValue(n string) string     { return f.query[n] }
func (f fakeSource) pathParamValue(n string) string { return f.params[n] }
func (f fakeSource) pathValue() string              { return f.reqPath }
func (f fakeSource) bodyValue() []byte              { return f.body }
func (f fakeSource) contextValue(n string) string   { return f.ctx[n] }

func TestMappingEval(t *testing.T) {
	src := fakeSource{
		headers: map[string]string{"x-tenant": "acme", "x-multi": "a,b"},
		query:   map[string]string{"MessageBody": "hello", "tag": "1,2"},
		params:  map[string]string{"id": "42"},
		ctx:     map[string]string{"requestId": "RID=", "authorizer.sub": "user-1"},
		reqPath: "/v1/items/42",
		body:    []byte(`{"user":{"id":7,"name":"Ann"},"items":[{"sku":"a"},{"sku":"b"}],"flag":true,"n":null,"o.k":"dotted"}`),
	}
	tests := []struct {
		name string
		expr string
		want string
	}{
		{"missing header is empty", "$request.header.X-Absent", ""},
		{"missing json member is empty", "$request.body.user.missing", ""},
		{"index out of range is empty", "$request.body.items[5].sku", ""},
		{"null is empty", "$request.body.n", ""},
		{"stage variable is empty", "$stageVariables.env", ""},
		{"static text", "https://sqs.us-east-1.amazonaws.com/000000000000/q", "https://sqs.us-east-1.amazonaws.com/000000000000/q"},
		{"header, any case", "$request.header.X-Tenant", "acme"},
		{"repeated header comma-joined", "$request.header.x-multi", "a,b"},
		{"query string", "$request.querystring.MessageBody", "hello"},
		{"repeated query comma-joined", "$request.querystring.tag", "1,2"},
		{"path parameter", "$request.path.id", "42"},
		{"whole path", "$request.path", "/v1/items/42"},
		{"whole body", "$request.body", string(src.body)},
		{"json string", "$request.body.user.name", "Ann"},
		{"json number", "$request.body.user.id", "7"},
		{"json object", "$request.body.user", `{"id":7,"name":"Ann"}`},
		{"json index", "$request.body.items[1].sku", "b"},
		{"json bool", "$request.body.flag", "true"},
		{"json quoted member", "$request.body['o.k']", "dotted"},
		{"context", "$context.requestId", "RID="},
		{"authorizer context", "$context.authorizer.sub", "user-1"},
		{"braced whole", "${request.header.x-tenant}", "acme"},
		{"mixture", "tenant=${request.header.x-tenant};user=${context.authorizer.sub};id=${request.path.id}", "tenant=acme;user=user-1;id=42"},
		{"dollar in static text", "costs $5", "costs $5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMapping(tt.expr)
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.eval(src))
		})
	}
	t.Run("body over 100 KB is truncated for jsonpath", func(t *testing.T) {
		big := `{"pad":"` + strings.Repeat("x", maxJSONPathBody) + `","id":"late"}`
		m, err := parseMapping("$request.body.id")
		require.NoError(t, err)
		assert.Equal(t, "", m.eval(fakeSource{body: []byte(big)}))
		whole, err := parseMapping("$request.body")
		require.NoError(t, err)
		assert.Equal(t, big, whole.eval(fakeSource{body: []byte(big)}), "$request.body is not truncated")
	})
}

func TestContextVariables(t *testing.T) {
	s := newTestServer(t, baseConfig(lambdaRoute("GET", "/x/{id}", "f")), Options{Invoker: &fakeInvoker{}})
	r := do(s, "GET", "/", "") // warm-up: exercise the 404 path too
	require.Equal(t, 404, r.Code)
	req := &request{srv: s, id: "RID=", at: fixedTime.Add(1500 * time.Millisecond), method: "GET", rawPath: "/x/1", path: "/x/1",
		sourceIP: "203.0.113.7", userAgent: "curl/8", protocol: "HTTP/1.1", host: "localhost:3000"}
	req.route, req.pathParams = s.router.match("GET", "/x/1")
	want := map[string]string{
		"accountId": "000000000000", "apiId": "abc123defg", "domainName": "localhost", "domainPrefix": "localhost",
		"httpMethod": "GET", "identity.sourceIp": "203.0.113.7", "identity.userAgent": "curl/8", "path": "/x/1",
		"protocol": "HTTP/1.1", "requestId": "RID=", "requestTime": "22/Nov/2026:00:00:01 +0000",
		"requestTimeEpoch": "1795305601500", "routeKey": "GET /x/{id}", "stage": "$default",
	}
	for name, v := range want {
		_, err := parseMapping("$context." + name)
		require.NoError(t, err, name)
		assert.Equal(t, v, req.contextValue(name), name)
	}
}

func FuzzParseMapping(f *testing.F) {
	for _, seed := range []string{
		"$request.header.x", "${request.body.a[0].b}", "a${context.requestId}b", "$request.body['x']",
		"${", "$request.body.[", "$request.body.a[", "}{$", "$context.authorizer.claims.sub", "static",
	} {
		f.Add(seed)
	}
	src := fakeSource{body: []byte(`{"a":[{"b":1}],"x":"y"}`)}
	f.Fuzz(func(t *testing.T, expr string) {
		m, err := parseMapping(expr)
		if err != nil {
			return
		}
		_ = m.eval(src)
		// The canonical form must parse to the same evaluation.
		again, err := parseMapping(m.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", m.String(), expr, err)
		}
		if again.eval(src) != m.eval(src) {
			t.Fatalf("canonical form %q of %q evaluates differently", m.String(), expr)
		}
	})
}

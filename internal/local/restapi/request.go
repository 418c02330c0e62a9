package restapi

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/lenientquery"
	"github.com/sqsgate/sqsgate/internal/local/vtl"
)

// requestTimeLayout is the format of $context.requestTime.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// request is one incoming request as API Gateway sees it, plus what
// happened to it for the access log.
type request struct {
	srv        *Server
	r          *http.Request
	id         string
	at         time.Time
	httpMethod string
	rawPath    string
	headers    map[string]string   // canonical names (Go's server canonicalises them), last value
	multi      map[string][]string // all values
	query      map[string]string   // last value, as REST's 1.0 event and mappings take it
	multiQ     map[string][]string
	body       []byte
	sourceIP   string
	userAgent  string
	host       string

	method     *method
	pathParams map[string]string
	auth       *authResult
	apiKeyID   string
	apiKey     string

	errKind                       string
	integrationErr, authorizerErr string
	integrated                    bool
	latency                       time.Duration
}

func newRequest(s *Server, r *http.Request, id string, at time.Time, body []byte) *request {
	req := &request{srv: s, r: r, id: id, at: at, httpMethod: r.Method, rawPath: r.URL.EscapedPath(),
		body: body, userAgent: r.UserAgent(), host: r.Host}
	req.sourceIP = r.RemoteAddr
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		req.sourceIP = h
	}
	req.multi = make(map[string][]string, len(r.Header))
	for k, vs := range r.Header {
		req.multi[k] = vs
	}
	if r.Host != "" {
		req.multi["Host"] = []string{r.Host}
	}
	// API Gateway adds these before the request reaches an integration.
	if xff := req.multi["X-Forwarded-For"]; len(xff) > 0 {
		req.multi["X-Forwarded-For"] = []string{strings.Join(xff, ", ") + ", " + req.sourceIP}
	} else {
		req.multi["X-Forwarded-For"] = []string{req.sourceIP}
	}
	port := "80"
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	req.multi["X-Forwarded-Port"] = []string{port}
	req.multi["X-Forwarded-Proto"] = []string{"http"}
	req.headers = make(map[string]string, len(req.multi))
	for k, vs := range req.multi {
		req.headers[k] = vs[len(vs)-1]
	}
	if r.URL.RawQuery != "" {
		req.multiQ = lenientquery.Parse(r.URL.RawQuery)
		req.query = make(map[string]string, len(req.multiQ))
		for k, vs := range req.multiQ {
			req.query[k] = vs[len(vs)-1]
		}
	}
	return req
}

// header looks a header up case-insensitively.
func (req *request) header(name string) (string, bool) {
	if v, ok := req.headers[http.CanonicalHeaderKey(name)]; ok {
		return v, true
	}
	for k, v := range req.headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func (req *request) contentType() string {
	ct, _ := req.header("Content-Type")
	return ct
}

func (req *request) domain() (name, prefix string) {
	name = req.host
	if h, _, err := net.SplitHostPort(req.host); err == nil {
		name = h
	}
	prefix, _, _ = strings.Cut(name, ".")
	return name, prefix
}

func (req *request) resourcePath() string {
	if req.method == nil {
		return ""
	}
	return req.method.cfg.Path
}

// context builds $context as templates and mappings read it.
func (req *request) context() map[string]any {
	s := req.srv
	domain, prefix := req.domain()
	c := map[string]any{
		"accountId":         s.opts.AccountID,
		"apiId":             s.api.ID,
		"domainName":        domain,
		"domainPrefix":      prefix,
		"extendedRequestId": extendedID(req.id),
		"httpMethod":        req.httpMethod,
		"path":              "/" + s.stage + req.rawPath,
		"protocol":          req.r.Proto,
		"requestId":         req.id,
		"requestTime":       req.at.UTC().Format(requestTimeLayout),
		"requestTimeEpoch":  req.at.UnixMilli(),
		"resourcePath":      req.resourcePath(),
		"resourceId":        req.resourcePath(),
		"stage":             s.stage,
		"identity": map[string]any{
			"sourceIp":  req.sourceIP,
			"userAgent": req.userAgent,
			"apiKey":    req.apiKey,
			"apiKeyId":  req.apiKeyID,
		},
	}
	if req.auth != nil {
		c["authorizer"] = req.auth.contextMap()
	}
	return c
}

// templateInput is what the method's mapping templates see.
func (req *request) templateInput(body []byte, ctx map[string]any) *vtl.Input {
	return &vtl.Input{Body: body, Params: vtl.Params{Path: req.pathParams, QueryString: req.query, Header: req.headers}, Context: ctx}
}

// contextString resolves a dotted $context name to its string value; a
// missing one is "".
func contextString(ctx map[string]any, name string) string {
	var cur any = ctx
	for _, part := range strings.Split(name, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		if cur, ok = m[part]; !ok {
			return ""
		}
	}
	return scalarString(cur)
}

// scalarString renders a value the way API Gateway substitutes it.
func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v) // bools and the integers of $context
}

// literal reads a 'quoted' static value.
func literal(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// source is a compiled parameter mapping source: method.request.*,
// context.*, stageVariables.* or a 'literal'.
type source struct {
	kind string // "literal", "header", "querystring", "path", "context", "stageVariables"
	name string
}

func parseSource(s string) (source, error) {
	if lit, ok := literal(s); ok {
		return source{kind: "literal", name: lit}, nil
	}
	if rest, ok := strings.CutPrefix(s, "method.request."); ok {
		loc, name, _ := strings.Cut(rest, ".")
		if name != "" && (loc == "header" || loc == "querystring" || loc == "path") {
			return source{kind: loc, name: name}, nil
		}
		return source{}, fmt.Errorf("mapping source %q is not emulated (method.request.header|querystring|path.<name>)", s)
	}
	if name, ok := strings.CutPrefix(s, "context."); ok && name != "" {
		return source{kind: "context", name: name}, nil
	}
	if name, ok := strings.CutPrefix(s, "stageVariables."); ok && name != "" {
		return source{kind: "stageVariables", name: name}, nil
	}
	return source{}, fmt.Errorf("mapping source %q is not emulated", s)
}

// eval returns the source's value for req and whether it is present.
func (src source) eval(req *request, ctx func() map[string]any) (string, bool) {
	switch src.kind {
	case "literal":
		return src.name, true
	case "header":
		return req.header(src.name)
	case "querystring":
		v, ok := req.query[src.name]
		return v, ok
	case "path":
		v, ok := req.pathParams[src.name]
		return v, ok
	case "context":
		v := contextString(ctx(), src.name)
		return v, v != ""
	}
	return "", false // no stage variables locally
}

func (src source) String() string {
	switch src.kind {
	case "literal":
		return "'" + src.name + "'"
	case "context", "stageVariables":
		return src.kind + "." + src.name
	}
	return "method.request." + src.kind + "." + src.name
}

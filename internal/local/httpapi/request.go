package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/local/lenientquery"
)

// requestTimeLayout is the format of requestContext.time and $context.requestTime.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// request is one incoming request as API Gateway sees it: the values every
// event, authorizer request and mapping expression is built from.
type request struct {
	srv       *Server
	id        string
	at        time.Time
	method    string
	rawPath   string // as sent, including any stage prefix
	path      string // escaped, without the stage prefix: what routing sees
	rawQuery  string
	headers   map[string]string // lowercased names, repeats comma-joined, no cookie
	multi     map[string][]string
	cookies   []string
	query     map[string]string // repeats comma-joined
	multiQ    map[string][]string
	body      []byte
	sourceIP  string
	userAgent string
	protocol  string
	host      string

	route      *route
	pathParams map[string]string
	auth       *authResult
}

func newRequest(s *Server, r *http.Request, id string, at time.Time, path string, body []byte) *request {
	req := &request{
		srv:       s,
		id:        id,
		at:        at,
		method:    r.Method,
		rawPath:   r.URL.EscapedPath(),
		path:      path,
		rawQuery:  r.URL.RawQuery,
		body:      body,
		userAgent: r.UserAgent(),
		protocol:  r.Proto,
		host:      r.Host,
	}
	req.sourceIP = r.RemoteAddr
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		req.sourceIP = h
	}
	req.multi = make(map[string][]string, len(r.Header)+5)
	for name, values := range r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						req.cookies = append(req.cookies, c)
					}
				}
			}
			continue
		}
		req.multi[lower] = append(req.multi[lower], values...)
	}
	// Go's server moves these out of r.Header; API Gateway passes them on.
	if r.Host != "" {
		req.multi["host"] = []string{r.Host}
	}
	if len(body) > 0 {
		req.multi["content-length"] = []string{strconv.Itoa(len(body))}
	}
	port := "80"
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	if _, ok := req.multi["x-forwarded-for"]; ok {
		req.multi["x-forwarded-for"] = []string{strings.Join(req.multi["x-forwarded-for"], ", ") + ", " + req.sourceIP}
	} else {
		req.multi["x-forwarded-for"] = []string{req.sourceIP}
	}
	if _, ok := req.multi["x-amzn-trace-id"]; !ok {
		req.multi["x-amzn-trace-id"] = []string{traceID(id, at)}
	}
	req.multi["x-forwarded-port"] = []string{port}
	req.multi["x-forwarded-proto"] = []string{"http"}
	req.headers = make(map[string]string, len(req.multi))
	for k, v := range req.multi {
		req.headers[k] = strings.Join(v, ",")
	}
	if r.URL.RawQuery != "" {
		req.multiQ = lenientquery.Parse(r.URL.RawQuery)
		req.query = make(map[string]string, len(req.multiQ))
		for k, v := range req.multiQ {
			req.query[k] = strings.Join(v, ",")
		}
	}
	return req
}

// traceID returns an X-Ray trace header like the one API Gateway adds,
// derived from the request id so events stay reproducible in tests.
func traceID(requestID string, at time.Time) string {
	sum := sha256.Sum256([]byte(requestID))
	return fmt.Sprintf("Root=1-%08x-%s", at.Unix(), hex.EncodeToString(sum[:12]))
}

// routeKey is the matched route's key, or "-" before routing.
func (req *request) routeKey() string {
	if req.route == nil {
		return "-"
	}
	return req.route.key
}

// isTextBody reports whether API Gateway passes the body as text rather
// than base64: text/*, application/json, application/xml and
// application/javascript; everything else, including form-encoded bodies
// and bodies without a content type, is base64-encoded.
func isTextBody(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return true
	}
	return false
}

// eventBody returns the body as an event carries it. A text body that is
// not valid UTF-8 is base64-encoded too: as a JSON string its bytes would
// reach the function replaced by U+FFFD, so a signature over them could not
// verify and the function could not answer what they are. AWS does not
// document this case; delivering the bytes unchanged is the choice that
// loses nothing.
func (req *request) eventBody() (string, bool) {
	if len(req.body) == 0 {
		return "", false
	}
	if isTextBody(req.headers["content-type"]) && utf8.Valid(req.body) {
		return string(req.body), false
	}
	return base64.StdEncoding.EncodeToString(req.body), true
}

func (req *request) domain() (name, prefix string) {
	name = req.host
	if h, _, err := net.SplitHostPort(req.host); err == nil {
		name = h
	}
	prefix, _, _ = strings.Cut(name, ".")
	return name, prefix
}

// requestContextV2 builds requestContext as payload 2.0 and authorizer
// requests carry it.
func (s *Server) requestContextV2(req *request, withAuth bool) events.APIGatewayV2HTTPRequestContext {
	domain, prefix := req.domain()
	rc := events.APIGatewayV2HTTPRequestContext{
		RouteKey:     req.routeKey(),
		AccountID:    s.cfg.AccountID,
		Stage:        s.stage,
		RequestID:    req.id,
		APIID:        s.cfg.APIID,
		DomainName:   domain,
		DomainPrefix: prefix,
		Time:         req.at.UTC().Format(requestTimeLayout),
		TimeEpoch:    req.at.UnixMilli(),
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
			Method:    req.method,
			Path:      req.rawPath,
			Protocol:  req.protocol,
			SourceIP:  req.sourceIP,
			UserAgent: req.userAgent,
		},
	}
	if withAuth && req.auth != nil {
		rc.Authorizer = req.auth.description()
	}
	return rc
}

// eventV2 builds the payload format 2.0 event for a Lambda integration.
func (s *Server) eventV2(req *request) events.APIGatewayV2HTTPRequest {
	body, b64 := req.eventBody()
	return events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              req.routeKey(),
		RawPath:               req.rawPath,
		RawQueryString:        req.rawQuery,
		Cookies:               req.cookies,
		Headers:               req.headers,
		QueryStringParameters: req.query,
		PathParameters:        req.pathParams,
		RequestContext:        s.requestContextV2(req, true),
		Body:                  body,
		IsBase64Encoded:       b64,
	}
}

// eventV1 builds the payload format 1.0 event for a Lambda integration.
func (s *Server) eventV1(req *request) events.APIGatewayProxyRequest {
	body, b64 := req.eventBody()
	domain, prefix := req.domain()
	multi := make(map[string][]string, len(req.multi)+1)
	for k, v := range req.multi {
		multi[k] = v
	}
	headers := make(map[string]string, len(req.headers)+1)
	for k, v := range req.headers {
		headers[k] = v
	}
	if len(req.cookies) > 0 {
		// 1.0 has no cookies field; the header stays.
		joined := strings.Join(req.cookies, "; ")
		headers["cookie"] = joined
		multi["cookie"] = []string{joined}
	}
	var query map[string]string
	if len(req.multiQ) > 0 {
		query = make(map[string]string, len(req.multiQ))
		for k, v := range req.multiQ {
			query[k] = v[len(v)-1] // 1.0 keeps the last value; all are in multiValue
		}
	}
	resource := req.routeKey()
	if req.route != nil && !req.route.isDefault {
		resource = req.route.cfg.Path
	}
	rc := events.APIGatewayProxyRequestContext{
		AccountID:         s.cfg.AccountID,
		ResourceID:        req.routeKey(),
		Stage:             s.stage,
		DomainName:        domain,
		DomainPrefix:      prefix,
		RequestID:         req.id,
		ExtendedRequestID: req.id,
		Protocol:          req.protocol,
		Identity:          events.APIGatewayRequestIdentity{SourceIP: req.sourceIP, UserAgent: req.userAgent},
		ResourcePath:      resource,
		Path:              req.rawPath,
		HTTPMethod:        req.method,
		RequestTime:       req.at.UTC().Format(requestTimeLayout),
		RequestTimeEpoch:  req.at.UnixMilli(),
		APIID:             s.cfg.APIID,
	}
	if req.auth != nil {
		rc.Authorizer = req.auth.v1Map()
	}
	return events.APIGatewayProxyRequest{
		Resource:                        resource,
		Path:                            req.rawPath,
		HTTPMethod:                      req.method,
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: req.multiQ,
		PathParameters:                  req.pathParams,
		RequestContext:                  rc,
		Body:                            body,
		IsBase64Encoded:                 b64,
	}
}

// The mappingSource methods let parameter mappings read this request.

func (req *request) headerValue(lower string) string   { return req.headers[lower] }
func (req *request) queryValue(name string) string     { return req.query[name] }
func (req *request) pathParamValue(name string) string { return req.pathParams[name] }
func (req *request) pathValue() string                 { return unescape(req.path) }
func (req *request) bodyValue() []byte                 { return req.body }

// contextValue answers $context.<name>.
func (req *request) contextValue(name string) string {
	s := req.srv
	switch name {
	case "accountId":
		return s.cfg.AccountID
	case "apiId":
		return s.cfg.APIID
	case "domainName":
		d, _ := req.domain()
		return d
	case "domainPrefix":
		_, p := req.domain()
		return p
	case "httpMethod":
		return req.method
	case "identity.sourceIp":
		return req.sourceIP
	case "identity.userAgent":
		return req.userAgent
	case "path":
		return req.rawPath
	case "protocol":
		return req.protocol
	case "requestId", "extendedRequestId":
		return req.id
	case "requestTime":
		return req.at.UTC().Format(requestTimeLayout)
	case "requestTimeEpoch":
		return strconv.FormatInt(req.at.UnixMilli(), 10)
	case "routeKey":
		return req.routeKey()
	case "stage":
		return s.stage
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok && req.auth != nil {
		return req.auth.value(key)
	}
	return ""
}

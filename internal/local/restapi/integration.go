package restapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/local/lambdaproxy"
)

var (
	// errTimeout: the integration did not answer within its timeout.
	errTimeout = &apiError{kind: "INTEGRATION_TIMEOUT", status: http.StatusGatewayTimeout, message: "Endpoint request timed out"}
	// errBadProxyResponse: a Lambda proxy function failed or answered
	// something API Gateway cannot read ("Malformed Lambda proxy
	// response", a configuration error answered 502).
	errBadProxyResponse = &apiError{kind: "API_CONFIGURATION_ERROR", status: http.StatusBadGateway, message: "Internal server error"}
	// errIntegrationFailure: the backend could not be reached.
	errIntegrationFailure = &apiError{kind: "INTEGRATION_FAILURE", status: http.StatusGatewayTimeout, message: "Internal server error"}
)

// maxBackendBytes caps what the emulator reads from an integration
// backend (API Gateway's 10 MB payload limit).
const maxBackendBytes = 10 << 20

func (s *Server) integrate(ctx context.Context, w http.ResponseWriter, req *request) error {
	in := req.method.integ
	ctx, cancel := context.WithTimeout(ctx, in.timeout)
	defer cancel()
	began := s.now()
	req.integrated = true
	defer func() { req.latency = s.now().Sub(began) }()
	switch in.kind {
	case "aws_proxy":
		return s.lambdaProxy(ctx, w, req)
	case "mock":
		return s.mock(w, req)
	}
	return s.awsService(ctx, w, req)
}

// fail records err for the access log and returns it as API Gateway's
// answer.
func fail(req *request, e *apiError, err error) error {
	req.integrationErr = err.Error()
	return e
}

func (s *Server) lambdaProxy(ctx context.Context, w http.ResponseWriter, req *request) error {
	fn := req.method.integ.function
	payload, err := json.Marshal(s.proxyEvent(req))
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	out, err := lambdaproxy.InvokeWithin(ctx, s.opts.Invoker, fn, payload)
	if err != nil {
		if ctx.Err() != nil {
			return fail(req, errTimeout, err)
		}
		s.logger.Error("integration failed", "request_id", req.id, "function", fn, "err", err)
		return fail(req, errBadProxyResponse, fmt.Errorf("invoke %s: %w", fn, err))
	}
	resp, err := lambdaproxy.ParseResponse("1.0", out)
	if err != nil {
		return fail(req, errBadProxyResponse, err)
	}
	h := w.Header()
	for k, vs := range resp.Headers {
		h[k] = vs
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
	return nil
}

// proxyEvent builds the payload format 1.0 event REST APIs send to Lambda
// proxy integrations.
func (s *Server) proxyEvent(req *request) events.APIGatewayProxyRequest {
	domain, prefix := req.domain()
	body, b64 := string(req.body), false
	if len(req.body) > 0 && s.isBinary(req.contentType()) {
		body, b64 = base64.StdEncoding.EncodeToString(req.body), true
	}
	rc := events.APIGatewayProxyRequestContext{
		AccountID:         s.opts.AccountID,
		ResourceID:        req.resourcePath(),
		Stage:             s.stage,
		DomainName:        domain,
		DomainPrefix:      prefix,
		RequestID:         req.id,
		ExtendedRequestID: extendedID(req.id),
		Protocol:          req.r.Proto,
		Identity: events.APIGatewayRequestIdentity{SourceIP: req.sourceIP, UserAgent: req.userAgent,
			APIKey: req.apiKey, APIKeyID: req.apiKeyID},
		ResourcePath:     req.resourcePath(),
		Path:             "/" + s.stage + req.rawPath,
		HTTPMethod:       req.httpMethod,
		RequestTime:      req.at.UTC().Format(requestTimeLayout),
		RequestTimeEpoch: req.at.UnixMilli(),
		APIID:            s.api.ID,
	}
	if req.auth != nil {
		rc.Authorizer = req.auth.contextMap()
	}
	return events.APIGatewayProxyRequest{
		Resource:                        req.resourcePath(),
		Path:                            req.rawPath,
		HTTPMethod:                      req.httpMethod,
		Headers:                         req.headers,
		MultiValueHeaders:               req.multi,
		QueryStringParameters:           req.query,
		MultiValueQueryStringParameters: req.multiQ,
		PathParameters:                  req.pathParams,
		RequestContext:                  rc,
		Body:                            body,
		IsBase64Encoded:                 b64,
	}
}

// isBinary reports whether a content type is one of the API's
// binaryMediaTypes (exact, type/*, or */*), whose bodies reach Lambda
// base64-encoded; every other body goes as text.
func (s *Server) isBinary(ct string) bool {
	mt := mediaType(ct)
	major, _, _ := strings.Cut(mt, "/")
	for _, b := range s.api.BinaryMediaTypes {
		b = strings.ToLower(strings.TrimSpace(b))
		if b == mt || b == "*/*" || b == major+"/*" {
			return true
		}
	}
	return false
}

// integrationBody applies the request templates and the passthrough
// behavior: the body to send, or 415 when the content type has no template
// and passthrough is not allowed.
func (s *Server) integrationBody(req *request, ctx map[string]any) ([]byte, bool, error) {
	in := req.method.integ
	if t, ok := in.templates[mediaType(req.contentType())]; ok {
		out, err := t.Render(req.templateInput(req.body, ctx))
		if err != nil {
			return nil, false, fmt.Errorf("request template: %w", err)
		}
		return []byte(out), true, nil
	}
	if in.passthrough == "WHEN_NO_MATCH" || (in.passthrough == "WHEN_NO_TEMPLATES" && len(in.templates) == 0) {
		return req.body, false, nil
	}
	return nil, false, errUnsupportedMedia
}

func (s *Server) awsService(ctx context.Context, w http.ResponseWriter, req *request) error {
	in := req.method.integ
	c := req.context()
	body, templated, err := s.integrationBody(req, c)
	if err != nil {
		return err
	}
	path := in.path
	query := url.Values{}
	header := http.Header{}
	for _, p := range in.params {
		v, ok := p.src.eval(req, func() map[string]any { return c })
		if !ok {
			continue // API Gateway leaves out a parameter whose source is absent
		}
		switch p.loc {
		case "querystring":
			query.Set(p.name, v)
		case "header":
			header.Set(p.name, v)
		case "path":
			path = strings.ReplaceAll(path, "{"+p.name+"}", url.PathEscape(v))
		}
	}
	if header.Get("Content-Type") == "" && len(body) > 0 && !templated {
		if ct := req.contentType(); ct != "" {
			header.Set("Content-Type", ct)
		}
	}
	target := strings.TrimSuffix(s.opts.SQSEndpoint, "/") + "/" + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	hr, err := http.NewRequestWithContext(ctx, in.httpMethod, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("integration request: %w", err)
	}
	hr.Header = header
	resp, err := s.client.Do(hr)
	if err != nil {
		return backendFailed(ctx, req, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxBackendBytes))
	if err != nil {
		return backendFailed(ctx, req, err)
	}
	return s.integrationResponse(w, req, c, resp.StatusCode, resp.Header, out)
}

// backendFailed is API Gateway's answer when the backend did not answer:
// the timeout's 504 when the integration ran out of time, else
// INTEGRATION_FAILURE.
func backendFailed(ctx context.Context, req *request, err error) error {
	if ctx.Err() != nil {
		return fail(req, errTimeout, err)
	}
	return fail(req, errIntegrationFailure, err)
}

// mock answers from the integration responses, selected by the
// statusCode the request template renders ({"statusCode": 200}).
func (s *Server) mock(w http.ResponseWriter, req *request) error {
	c := req.context()
	body, _, err := s.integrationBody(req, c)
	if err != nil {
		return err
	}
	var sel struct {
		StatusCode int `json:"statusCode"`
	}
	if json.Unmarshal(body, &sel) != nil || sel.StatusCode == 0 {
		sel.StatusCode = http.StatusOK
	}
	return s.integrationResponse(w, req, c, sel.StatusCode, http.Header{}, nil)
}

// integrationResponse maps the backend's answer through the first
// integration response whose selectionPattern matches the backend status
// (the default one otherwise): its status, headers and template, or the
// backend body passed through when it has no template.
func (s *Server) integrationResponse(w http.ResponseWriter, req *request, c map[string]any, status int, bh http.Header, body []byte) error {
	code := strconv.Itoa(status)
	var ir *integResponse
	for _, r := range req.method.integ.responses {
		if r.pattern == nil || r.pattern.MatchString(code) {
			ir = r
			break
		}
	}
	if ir == nil {
		return fail(req, errInternal, fmt.Errorf("no integration response matches backend status %d", status))
	}
	out, ct := body, "application/json"
	if len(ir.templates) > 0 {
		t, key := ir.templates["application/json"], "application/json"
		if accept := mediaType(firstAccept(req)); ir.templates[accept] != nil {
			t, key = ir.templates[accept], accept
		}
		if t == nil {
			for _, k := range sortedKeys(ir.templates) {
				t, key = ir.templates[k], k
				break
			}
		}
		rendered, err := t.Render(req.templateInput(body, c))
		if err != nil {
			return fail(req, errInternal, fmt.Errorf("response template: %w", err))
		}
		out, ct = []byte(rendered), key
	}
	h := w.Header()
	for name, src := range ir.headers {
		switch src.kind {
		case "literal":
			h.Set(name, src.name)
		case "header":
			if v := bh.Get(src.name); v != "" {
				h.Set(name, v)
			}
		case "body":
			h.Set(name, string(body))
		}
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(ir.status)
	_, _ = w.Write(out)
	return nil
}

func firstAccept(req *request) string {
	a, _ := req.header("Accept")
	a, _, _ = strings.Cut(a, ",")
	if strings.TrimSpace(a) == "" || strings.Contains(a, "*") {
		return ""
	}
	return a
}

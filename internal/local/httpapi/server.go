package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/httplimit"
	"github.com/sqsgate/sqsgate/internal/local/lambdaproxy"
)

const (
	// MaxBodyBytes is HTTP API's payload limit (10 MB).
	MaxBodyBytes = 10 << 20
	// MaxHeaderBytes is HTTP API's limit on the request line and header
	// values combined.
	MaxHeaderBytes = 10240
	// ExtraPrefix is the path prefix Options.Extra serves.
	ExtraPrefix = "/.sqsgate/"
)

// Server is an HTTP API emulator; it is an http.Handler.
type Server struct {
	cfg    Config
	opts   Options
	stage  string
	router router
	cors   *corsPolicy
	now    func() time.Time
	newID  func() string
	logger *slog.Logger
	logMu  sync.Mutex
}

// New validates cfg and builds the emulator. Every error names the route
// or authorizer at fault and wraps ErrInvalidConfig.
func New(cfg Config, opts Options) (*Server, error) {
	s := &Server{cfg: cfg, opts: opts, stage: cfg.StageName, now: opts.Now, newID: opts.NewRequestID, logger: opts.Logger}
	if s.stage == "" {
		s.stage = "$default"
	}
	if strings.ContainsAny(s.stage, "/ ") {
		return nil, configErr("stage", "stage name %q", s.stage)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = randomRequestID
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Region == "" || cfg.AccountID == "" || cfg.APIID == "" {
		return nil, configErr("api", "APIID, Region and AccountID are required")
	}
	auths, err := compileAuthorizers(cfg, opts)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, r := range cfg.Routes {
		rt, err := compileRoute(r, auths, opts)
		if err != nil {
			return nil, err
		}
		norm := rt.key
		if !rt.isDefault {
			// /a/{x} and /a/{y} are the same route to HTTP API.
			norm = rt.method + " " + normalizedPath(rt.segments)
		}
		if seen[norm] {
			return nil, configErr("route "+rt.key, "duplicate route")
		}
		seen[norm] = true
		if rt.isDefault {
			s.router.def = rt
		} else {
			s.router.routes = append(s.router.routes, rt)
		}
	}
	if cfg.Cors != nil {
		if s.cors, err = compileCors(*cfg.Cors); err != nil {
			return nil, configErr("cors", "%v", err)
		}
	}
	return s, nil
}

func normalizedPath(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(s.text)
		case segParam:
			b.WriteString("{}")
		case segGreedy:
			b.WriteString("{+}")
		}
	}
	return b.String()
}

// RouteKeys lists the configured route keys, sorted, for start-up banners.
func (s *Server) RouteKeys() []string {
	keys := make([]string, 0, len(s.router.routes)+1)
	for _, r := range s.router.routes {
		keys = append(keys, r.key)
	}
	if s.router.def != nil {
		keys = append(keys, s.router.def.key)
	}
	sort.Strings(keys)
	return keys
}

// randomRequestID returns an id shaped like API Gateway's: 10 random bytes,
// base64 (16 characters ending in "=").
func randomRequestID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// recorder captures what the access log needs.
type recorder struct {
	http.ResponseWriter
	status int
	length int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.length += n
	return n, err
}

// outcome is what happened to one request, for the access log.
type outcome struct {
	integrationErr string
	authorizerErr  string
	latency        time.Duration
	integrated     bool
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.Extra != nil && strings.HasPrefix(r.URL.Path, ExtraPrefix) {
		s.opts.Extra.ServeHTTP(w, r)
		return
	}
	start := s.now()
	id := s.newID()
	rec := &recorder{ResponseWriter: w}
	w.Header().Set("Apigw-Requestid", id)
	var out outcome
	req := s.serve(rec, r, id, start, &out)
	s.accessLog(r, req, id, start, rec, &out)
}

// serve handles one request and returns the request state for logging
// (nil when it was refused before it was read).
func (s *Server) serve(w *recorder, r *http.Request, id string, start time.Time, out *outcome) *request {
	if headerBytes(r) > MaxHeaderBytes || r.ContentLength > MaxBodyBytes {
		// Read and drop the body after answering, so a client still
		// sending it reads the 413 rather than a connection reset.
		httplimit.RefuseBody(w, r, func(w http.ResponseWriter) {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		})
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return nil
	}
	if len(body) > MaxBodyBytes {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return nil
	}
	path := r.URL.EscapedPath()
	if s.stage != "$default" {
		rest, ok := strings.CutPrefix(path, "/"+s.stage)
		if !ok || (rest != "" && rest[0] != '/') {
			writeMessage(w, http.StatusNotFound, "Not Found")
			return nil
		}
		if rest == "" {
			rest = "/"
		}
		path = rest
	}
	req := newRequest(s, r, id, start, path, body)
	origin := r.Header.Get("Origin")
	if s.cors != nil && r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
		s.cors.preflight(w.Header(), origin, r.Header.Get("Access-Control-Request-Method"), r.Header.Get("Access-Control-Request-Headers"))
		w.WriteHeader(http.StatusNoContent)
		return req
	}
	req.route, req.pathParams = s.router.match(r.Method, path)
	if req.route == nil {
		s.corsHeaders(w.Header(), origin)
		writeMessage(w, http.StatusNotFound, "Not Found")
		return req
	}
	ctx := r.Context()
	if a := req.route.auth; a != nil {
		auth, err := s.authorize(ctx, a, req)
		if err != nil {
			out.authorizerErr = err.Error()
			var f *authFailure
			if errors.As(err, &f) {
				if f.header != "" {
					w.Header().Set("Www-Authenticate", f.header)
				}
				out.authorizerErr = f.detail
				if f.cause != nil {
					s.logger.Error("authorizer failed", "requestId", id, "authorizer", a.name, "err", f.cause)
				}
			}
			status, msg := apiErrorStatus(err)
			s.corsHeaders(w.Header(), origin)
			writeMessage(w, status, msg)
			return req
		}
		req.auth = auth
	}
	s.integrate(ctx, w, req, origin, out)
	return req
}

// headerBytes approximates HTTP API's request-line-plus-header-values size.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host) + 4
	for _, vs := range r.Header {
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

func (s *Server) integrate(ctx context.Context, w *recorder, req *request, origin string, out *outcome) {
	rt := req.route
	ctx, cancel := context.WithTimeout(ctx, rt.timeout)
	defer cancel()
	began := s.now()
	out.integrated = true
	defer func() { out.latency = s.now().Sub(began) }()
	fail := func(err error) {
		out.integrationErr = err.Error()
		s.corsHeaders(w.Header(), origin)
		switch {
		case errors.Is(err, errBadRequest):
			writeMessage(w, http.StatusBadRequest, "Bad Request")
		case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
			writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		default:
			s.logger.Error("integration failed", "requestId", req.id, "routeKey", rt.key, "err", err)
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		}
	}
	if rt.sqs != nil {
		status, body, err := rt.sqs.call(ctx, s.opts.SQS, req)
		if err != nil {
			fail(err)
			return
		}
		s.corsHeaders(w.Header(), origin)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
		return
	}
	var (
		payload []byte
		err     error
	)
	if rt.payloadVersion == "1.0" {
		payload, err = json.Marshal(s.eventV1(req))
	} else {
		payload, err = marshalEventV2(s.eventV2(req))
	}
	if err != nil {
		fail(fmt.Errorf("encode event: %w", err))
		return
	}
	result, err := invokeWithin(ctx, s.opts.Invoker, rt.cfg.Integration.Function, payload)
	if err != nil {
		fail(fmt.Errorf("invoke %s: %w", rt.cfg.Integration.Function, err))
		return
	}
	resp, err := parseLambdaResponse(rt.payloadVersion, result)
	if err != nil {
		fail(err)
		return
	}
	h := w.Header()
	for k, vs := range resp.Headers {
		if s.cors != nil && strings.HasPrefix(strings.ToLower(k), "access-control-") {
			continue // HTTP API replaces the backend's CORS headers with its own
		}
		h[k] = vs
	}
	s.corsHeaders(h, origin)
	h.Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// invokeWithin is lambdaproxy.InvokeWithin.
func invokeWithin(ctx context.Context, inv Invoker, function string, payload []byte) ([]byte, error) {
	return lambdaproxy.InvokeWithin(ctx, inv, function, payload)
}

// writeMessage writes one of API Gateway's own {"message":...} responses.
func writeMessage(w http.ResponseWriter, status int, message string) {
	body := `{"message":"` + message + `"}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (s *Server) corsHeaders(h http.Header, origin string) {
	if s.cors != nil && origin != "" {
		s.cors.actual(h, origin)
	}
}

// accessLine is the HTTP API access log format most templates configure;
// every value is a string and absent ones are "-", as API Gateway writes.
type accessLine struct {
	RequestID          string `json:"requestId"`
	IP                 string `json:"ip"`
	RequestTime        string `json:"requestTime"`
	HTTPMethod         string `json:"httpMethod"`
	RouteKey           string `json:"routeKey"`
	Status             string `json:"status"`
	Protocol           string `json:"protocol"`
	ResponseLength     string `json:"responseLength"`
	IntegrationError   string `json:"integrationError"`
	AuthorizerError    string `json:"authorizerError"`
	IntegrationLatency string `json:"integrationLatency"`
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s *Server) accessLog(r *http.Request, req *request, id string, start time.Time, rec *recorder, out *outcome) {
	if s.opts.AccessLog == nil {
		return
	}
	line := accessLine{
		RequestID:          id,
		IP:                 "-",
		RequestTime:        start.UTC().Format(requestTimeLayout),
		HTTPMethod:         r.Method,
		RouteKey:           "-",
		Status:             strconv.Itoa(rec.status),
		Protocol:           r.Proto,
		ResponseLength:     strconv.Itoa(rec.length),
		IntegrationError:   dash(out.integrationErr),
		AuthorizerError:    dash(out.authorizerErr),
		IntegrationLatency: "-",
	}
	if req != nil {
		line.IP = req.sourceIP
		line.RouteKey = req.routeKey()
	}
	if out.integrated {
		line.IntegrationLatency = strconv.FormatInt(out.latency.Milliseconds(), 10)
	}
	b, err := json.Marshal(line)
	if err != nil {
		return
	}
	b = append(b, '\n')
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = s.opts.AccessLog.Write(b)
}

// sortedKeys returns m's keys in order, where output must be stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

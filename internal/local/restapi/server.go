package restapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/httplimit"
	"github.com/sqsgate/sqsgate/internal/local/lambdaproxy"
	"github.com/sqsgate/sqsgate/internal/local/template"
	"github.com/sqsgate/sqsgate/internal/uuid"
)

const (
	// MaxBodyBytes is REST APIs' payload limit (10 MB).
	MaxBodyBytes = 10 << 20
	// MaxHeaderBytes is the limit on the request line and header values
	// combined (10240 bytes), as for HTTP APIs.
	MaxHeaderBytes = 10240
	// defaultIntegrationTimeout is REST's default and, for the emulator,
	// maximum integration timeout (29 s).
	defaultIntegrationTimeout time.Duration = 29_000_000_000 // 29 s
	// authorizerTimeout is how long API Gateway waits for a Lambda
	// authorizer.
	authorizerTimeout time.Duration = 10_000_000_000 // 10 s
)

// Invoker invokes a function by logical id (lambdaproxy.Invoker).
type Invoker = lambdaproxy.Invoker

// Options carries the emulator's dependencies and the local account.
type Options struct {
	Invoker Invoker
	// SQSEndpoint is the base URL AWS-service SQS integrations call, the
	// integration path <account>/<queue> appended.
	SQSEndpoint string
	HTTPClient  *http.Client // nil = a client with the integration timeout
	Region      string
	AccountID   string
	Logger      *slog.Logger
	AccessLog   io.Writer // one JSON line per request; nil = none
	Now         func() time.Time
	// NewRequestID returns the request id ($context.requestId, a UUID);
	// the extended id is derived from it. nil = random.
	NewRequestID func() string
	// ParseTemplate parses mapping templates; nil = the built-in parser.
	ParseTemplate TemplateParser
}

// ErrInvalidConfig is wrapped by every error New returns.
var ErrInvalidConfig = errors.New("restapi: invalid config")

func configErr(where, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, where, fmt.Sprintf(format, args...))
}

// Server emulates one REST API; it is an http.Handler serving the stage at
// the root (no stage prefix), as `sam local start-api` does.
type Server struct {
	api     *template.RestAPI
	opts    Options
	stage   string
	router  router
	auths   map[string]*authorizer
	valids  map[string]template.RequestValidator
	gateway map[string]*gatewayResponse
	keys    map[string]*apiKey // by key value
	client  *http.Client
	now     func() time.Time
	newID   func() string
	logger  *slog.Logger
	logMu   sync.Mutex
}

// New validates api and builds the emulator. Every error names the method,
// authorizer or template at fault and wraps ErrInvalidConfig.
func New(api *template.RestAPI, opts Options) (*Server, error) {
	if api == nil {
		return nil, configErr("api", "no REST API")
	}
	if opts.Region == "" || opts.AccountID == "" || api.ID == "" {
		return nil, configErr("api", "API ID, Region and AccountID are required")
	}
	s := &Server{api: api, opts: opts, stage: api.StageName, now: opts.Now, newID: opts.NewRequestID,
		logger: opts.Logger, client: opts.HTTPClient, valids: api.Validators}
	if s.stage == "" {
		s.stage = "live"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = uuid.New
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: defaultIntegrationTimeout}
	}
	if s.opts.ParseTemplate == nil {
		s.opts.ParseTemplate = parseVTL
	}
	if src := api.APIKeySource; src != "" && src != "HEADER" {
		return nil, configErr("api", "api key source %q is not emulated (HEADER)", src)
	}
	var err error
	if s.auths, err = s.compileAuthorizers(); err != nil {
		return nil, err
	}
	if s.gateway, err = s.compileGatewayResponses(); err != nil {
		return nil, err
	}
	if s.keys, err = compileUsagePlans(api.UsagePlans); err != nil {
		return nil, err
	}
	models, err := compileModels(api.Models)
	if err != nil {
		return nil, err
	}
	for i := range api.Methods {
		m, err := s.compileMethod(&api.Methods[i], models)
		if err != nil {
			return nil, err
		}
		if err := s.router.add(m); err != nil {
			return nil, configErr("method "+m.key, "%v", err)
		}
	}
	return s, nil
}

// MethodKeys lists "METHOD /path" of every method, sorted, for banners.
func (s *Server) MethodKeys() []string {
	var keys []string
	for _, m := range s.router.all() {
		keys = append(keys, m.key)
	}
	slices.Sort(keys)
	return keys
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

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.length += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	id := s.newID()
	rec := &recorder{ResponseWriter: w}
	h := w.Header()
	h.Set("X-Amzn-Requestid", id)
	h.Set("X-Amz-Apigw-Id", extendedID(id))
	req := s.serve(rec, r, id, start)
	s.accessLog(r, req, id, start, rec)
}

// extendedID derives $context.extendedRequestId (shaped like AWS's
// "JKJaXmPLvHcESHA=") from the request id, so tests stay reproducible.
func extendedID(id string) string {
	var out [10]byte
	for i, c := range []byte(id) {
		out[i%10] ^= c
	}
	return base64.StdEncoding.EncodeToString(out[:])
}

// headerBytes approximates the request-line-plus-header-values size.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host) + 4
	for _, vs := range r.Header {
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

// serve handles one request; the returned request (nil when refused
// before it was read) is for the access log.
func (s *Server) serve(w *recorder, r *http.Request, id string, start time.Time) *request {
	if headerBytes(r) > MaxHeaderBytes || r.ContentLength > MaxBodyBytes {
		httplimit.RefuseBody(w, r, func(w http.ResponseWriter) {
			s.writeError(w, nil, errRequestTooLarge)
		})
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		s.writeError(w, nil, &apiError{kind: "BAD_REQUEST_BODY", status: 400, message: "Bad Request"})
		return nil
	}
	if len(body) > MaxBodyBytes {
		s.writeError(w, nil, errRequestTooLarge)
		return nil
	}
	req := newRequest(s, r, id, start, body)
	req.method, req.pathParams = s.router.match(r.Method, r.URL.EscapedPath())
	if req.method == nil {
		s.writeError(w, req, errMissingToken)
		return req
	}
	if err := s.handle(w, req); err != nil {
		s.writeError(w, req, err)
	}
	return req
}

// handle runs the method request (authorizer, API key and usage plan,
// validation) and the integration, in API Gateway's order.
func (s *Server) handle(w http.ResponseWriter, req *request) error {
	m := req.method
	ctx := req.r.Context()
	if m.auth != nil {
		if err := s.authorize(ctx, m.auth, req); err != nil {
			return err
		}
	}
	if m.cfg.APIKeyRequired {
		if err := s.checkAPIKey(req); err != nil {
			return err
		}
	}
	if err := s.validate(req); err != nil {
		return err
	}
	return s.integrate(ctx, w, req)
}

// apiError is one of API Gateway's own answers: a gateway response type,
// its default status and $context.error.message (nil renders as null).
type apiError struct {
	kind       string // gateway response type
	status     int
	message    string
	nullMsg    bool   // message is null ({"message":null})
	key        string // "message" or "Message" in the default body
	errorType  string // x-amzn-ErrorType
	validation string // $context.error.validationErrorString
	detail     string // for the access log only
}

func (e *apiError) Error() string { return e.kind + ": " + e.message }

var (
	errMissingToken = &apiError{kind: "MISSING_AUTHENTICATION_TOKEN", status: http.StatusForbidden,
		message: "Missing Authentication Token", errorType: "MissingAuthenticationTokenException"}
	errRequestTooLarge = &apiError{kind: "REQUEST_TOO_LARGE", status: http.StatusRequestEntityTooLarge,
		message: "Request Too Long"}
	errUnsupportedMedia = &apiError{kind: "UNSUPPORTED_MEDIA_TYPE", status: http.StatusUnsupportedMediaType,
		message: "Unsupported Media Type"}
	errInternal = &apiError{kind: "API_CONFIGURATION_ERROR", status: http.StatusInternalServerError,
		message: "Internal server error"}
)

// messageString is $context.error.messageString: the message as a JSON
// string literal (or null), safe to embed in a JSON template.
func (e *apiError) messageString() string {
	if e.nullMsg {
		return "null"
	}
	b, _ := json.Marshal(e.message)
	return string(b)
}

// defaultBody is the answer without a gateway response override.
func (e *apiError) defaultBody() string {
	key := e.key
	if key == "" {
		key = "message"
	}
	return `{"` + key + `":` + e.messageString() + `}`
}

// writeError writes err as API Gateway answers it, through the API's
// gateway responses.
func (s *Server) writeError(w http.ResponseWriter, req *request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		if req != nil {
			req.integrationErr = err.Error()
		}
		s.logger.Error("request failed", "request_id", idOf(req), "err", err)
		e = errInternal
	}
	if req != nil {
		req.errKind = e.kind
	}
	status, body, headers := e.status, e.defaultBody(), http.Header{}
	if gr := s.gatewayFor(e); gr != nil {
		status, body, headers = gr.render(s, req, e)
	}
	h := w.Header()
	for k, vs := range headers {
		h[k] = vs
	}
	if e.errorType != "" {
		h.Set("X-Amzn-Errortype", e.errorType)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func idOf(req *request) string {
	if req == nil {
		return ""
	}
	return req.id
}

// accessLine is the stage's JSON access log format; every value is a
// string and absent ones are "-", as API Gateway writes.
type accessLine struct {
	RequestID          string `json:"requestId"`
	IP                 string `json:"ip"`
	RequestTime        string `json:"requestTime"`
	HTTPMethod         string `json:"httpMethod"`
	ResourcePath       string `json:"resourcePath"`
	Status             string `json:"status"`
	Protocol           string `json:"protocol"`
	ResponseLength     string `json:"responseLength"`
	ErrorResponseType  string `json:"errorResponseType"`
	IntegrationError   string `json:"integrationError"`
	AuthorizerError    string `json:"authorizerError"`
	IntegrationLatency string `json:"integrationLatency"`
	APIKeyID           string `json:"apiKeyId"`
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (s *Server) accessLog(r *http.Request, req *request, id string, start time.Time, rec *recorder) {
	if s.opts.AccessLog == nil {
		return
	}
	line := accessLine{
		RequestID: id, IP: "-", RequestTime: start.UTC().Format(requestTimeLayout), HTTPMethod: r.Method,
		ResourcePath: "-", Status: strconv.Itoa(rec.status), Protocol: r.Proto, ResponseLength: strconv.Itoa(rec.length),
		ErrorResponseType: "-", IntegrationError: "-", AuthorizerError: "-", IntegrationLatency: "-", APIKeyID: "-",
	}
	if req != nil {
		line.IP = req.sourceIP
		if req.method != nil {
			line.ResourcePath = req.method.cfg.Path
		}
		line.ErrorResponseType = dash(req.errKind)
		line.IntegrationError = dash(req.integrationErr)
		line.AuthorizerError = dash(req.authorizerErr)
		line.APIKeyID = dash(req.apiKeyID)
		if req.integrated {
			line.IntegrationLatency = strconv.FormatInt(req.latency.Milliseconds(), 10)
		}
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

// lowerKeys returns m with lower-case keys, for case-insensitive lookups.
func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

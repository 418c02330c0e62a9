package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Config is the HTTP API to emulate, as the template reader derives it from
// an AWS::Serverless::HttpApi and the functions' HttpApi events.
type Config struct {
	APIID     string
	StageName string // "" or "$default" for the default stage
	Region    string
	AccountID string
	Routes    []Route
	// Authorizers by the name routes use.
	Authorizers map[string]Authorizer
	Cors        *Cors
}

// Route is one route: a method and an OpenAPI-style path, or the $default
// route (Path "$default").
type Route struct {
	Method              string // GET, POST, ..., ANY
	Path                string // "/pets/{id}", "/files/{proxy+}", or "$default"
	Authorizer          string // "" = none
	AuthorizationScopes []string
	Integration         Integration
}

// Integration is what a route calls.
type Integration struct {
	Type                 string // "lambda" | "sqs"
	Function             string // logical id, for "lambda"
	PayloadFormatVersion string // "2.0" (default) or "1.0" for lambda
	Subtype              string // SQS-SendMessage | SQS-ReceiveMessage | SQS-DeleteMessage | SQS-PurgeQueue
	RequestParameters    map[string]string
	Timeout              time.Duration // 0 = 30 s, the HTTP API maximum
}

// Authorizer is a Lambda ("lambda") or JWT ("jwt") authorizer.
type Authorizer struct {
	Type                  string // "lambda" | "jwt"
	Function              string
	PayloadFormatVersion  string // "2.0" (default); 1.0 is not emulated
	EnableSimpleResponses bool
	IdentitySource        []string // e.g. "$request.header.Authorization"
	ResultTTL             time.Duration
	JWTIssuer             string
	JWTAudience           []string
	JWKSURL               string
}

// Cors is the API's CorsConfiguration.
type Cors struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	AllowCredentials                                        bool
	MaxAge                                                  int // seconds; 0 = no header
}

// Invoker invokes a function by logical id; a function error is a non-nil
// error.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// SQSAPI is the part of the SQS client the native integrations call.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	PurgeQueue(ctx context.Context, in *sqs.PurgeQueueInput, optFns ...func(*sqs.Options)) (*sqs.PurgeQueueOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// Options carries the emulator's dependencies.
type Options struct {
	Invoker   Invoker
	SQS       SQSAPI
	Logger    *slog.Logger
	AccessLog io.Writer // one JSON line per request; nil = none
	Now       func() time.Time
	// Extra serves every path under /.sqsgate/ (e.g. the dev issuer's JWKS)
	// before routing.
	Extra http.Handler
	// NewRequestID returns API Gateway's per-request id; nil = random ids
	// shaped like AWS's ("JKJaXmPLvHcESHA=").
	NewRequestID func() string
	// HTTPClient fetches JWKS for JWT authorizers; nil = a client with a
	// 10 s timeout.
	HTTPClient *http.Client
}

// ErrInvalidConfig is wrapped by every error New returns for a Config the
// emulator cannot honour.
var ErrInvalidConfig = errors.New("httpapi: invalid config")

const (
	maxIntegrationTimeout = 30 * time.Second
	minIntegrationTimeout = 50 * time.Millisecond
	maxResultTTL          = time.Hour
)

var routeMethods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"HEAD": true, "OPTIONS": true, "ANY": true,
}

func configErr(where, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, where, fmt.Sprintf(format, args...))
}

// compileAuthorizers validates the authorizers and prepares their
// identity-source mappings.
func compileAuthorizers(cfg Config, opts Options) (map[string]*authorizer, error) {
	out := make(map[string]*authorizer, len(cfg.Authorizers))
	for _, name := range sortedKeys(cfg.Authorizers) {
		a := cfg.Authorizers[name]
		where := "authorizer " + name
		if a.ResultTTL < 0 || a.ResultTTL > maxResultTTL {
			return nil, configErr(where, "ResultTTL %s is outside 0..1h", a.ResultTTL)
		}
		identity := a.IdentitySource
		switch a.Type {
		case "lambda":
			if a.Function == "" {
				return nil, configErr(where, "a lambda authorizer needs a Function")
			}
			if v := a.PayloadFormatVersion; v != "" && v != "2.0" {
				return nil, configErr(where, "authorizer payload format %q is not emulated; use 2.0", v)
			}
			if opts.Invoker == nil {
				return nil, configErr(where, "Options.Invoker is nil")
			}
			if a.ResultTTL > 0 && len(identity) == 0 {
				return nil, configErr(where, "result caching needs at least one identity source")
			}
		case "jwt":
			if a.JWTIssuer == "" || a.JWKSURL == "" || len(a.JWTAudience) == 0 {
				return nil, configErr(where, "a jwt authorizer needs JWTIssuer, JWTAudience and JWKSURL")
			}
			if len(identity) == 0 {
				identity = []string{"$request.header.Authorization"}
			}
			if len(identity) != 1 {
				return nil, configErr(where, "a jwt authorizer takes exactly one identity source")
			}
		default:
			return nil, configErr(where, "authorizer type %q is not supported (lambda or jwt)", a.Type)
		}
		auth := &authorizer{name: name, cfg: a}
		for _, src := range identity {
			m, err := parseMapping(src)
			if err != nil {
				return nil, configErr(where, "identity source %q: %v", src, err)
			}
			if len(m.parts) != 1 || m.parts[0].kind == srcLiteral || m.parts[0].kind == srcBody || m.parts[0].kind == srcBodyPath {
				return nil, configErr(where, "identity source %q must be one $request.header, $request.querystring, $context or $stageVariables selection", src)
			}
			auth.identity = append(auth.identity, m)
		}
		if a.Type == "jwt" {
			auth.jwt = newJWTVerifier(a, opts)
		}
		out[name] = auth
	}
	return out, nil
}

// compileRoute validates one route and builds what serving it needs.
func compileRoute(r Route, auths map[string]*authorizer, opts Options) (*route, error) {
	rt := &route{cfg: r}
	switch {
	case r.Path == "$default" || r.Method == "$default":
		rt.isDefault = true
		rt.key = "$default"
	default:
		rt.method = strings.ToUpper(r.Method)
		if !routeMethods[rt.method] {
			return nil, configErr("route "+r.Method+" "+r.Path, "method %q is not an HTTP API route method", r.Method)
		}
		segs, err := parseRoutePath(r.Path)
		if err != nil {
			return nil, configErr("route "+r.Method+" "+r.Path, "%v", err)
		}
		rt.segments = segs
		rt.key = rt.method + " " + r.Path
	}
	where := "route " + rt.key
	if r.Authorizer != "" {
		a, ok := auths[r.Authorizer]
		if !ok {
			return nil, configErr(where, "authorizer %q is not defined", r.Authorizer)
		}
		rt.auth = a
	} else if len(r.AuthorizationScopes) > 0 {
		return nil, configErr(where, "AuthorizationScopes without an authorizer")
	}
	if len(r.AuthorizationScopes) > 0 && rt.auth.cfg.Type != "jwt" {
		return nil, configErr(where, "AuthorizationScopes apply only to jwt authorizers")
	}
	in := r.Integration
	rt.timeout = maxIntegrationTimeout
	if in.Timeout != 0 {
		if in.Timeout < minIntegrationTimeout || in.Timeout > maxIntegrationTimeout {
			return nil, configErr(where, "integration timeout %s is outside 50ms..30s", in.Timeout)
		}
		rt.timeout = in.Timeout
	}
	switch in.Type {
	case "lambda":
		if in.Function == "" {
			return nil, configErr(where, "a lambda integration needs a Function")
		}
		if in.Subtype != "" || len(in.RequestParameters) > 0 {
			return nil, configErr(where, "a lambda proxy integration takes no Subtype or RequestParameters (parameter mapping is not emulated)")
		}
		switch in.PayloadFormatVersion {
		case "", "2.0":
			rt.payloadVersion = "2.0"
		case "1.0":
			rt.payloadVersion = "1.0"
		default:
			return nil, configErr(where, "payload format version %q (use 1.0 or 2.0)", in.PayloadFormatVersion)
		}
		if opts.Invoker == nil {
			return nil, configErr(where, "Options.Invoker is nil")
		}
	case "sqs":
		si, err := compileSQSIntegration(in)
		if err != nil {
			return nil, configErr(where, "%v", err)
		}
		if opts.SQS == nil {
			return nil, configErr(where, "Options.SQS is nil")
		}
		rt.sqs = si
	default:
		return nil, configErr(where, "integration type %q is not supported (lambda or sqs)", in.Type)
	}
	return rt, nil
}

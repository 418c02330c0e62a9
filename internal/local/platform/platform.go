package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/httpapi"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// Defaults of the command-line flags.
const (
	DefaultTemplate     = "template.yaml"
	DefaultAPIAddr      = "127.0.0.1:3000"
	DefaultSQSAddr      = "127.0.0.1:9324"
	DefaultLambdaAddr   = "127.0.0.1:3001"
	DefaultDataDir      = ".sqsgate/data"
	DefaultFunctionsDir = "bin/local"
	DefaultRegion       = "us-east-1"
	DefaultStackName    = "sqsgate"
	// DefaultAccountID is the local account in every ARN and queue URL.
	DefaultAccountID = "000000000000"
	// APIID is the local HTTP API's id (Ref of the HttpApi).
	APIID = "local"
)

// Config is what `sqsgate run` starts.
type Config struct {
	Template string // path of template.yaml
	EnvVars  string // SAM-format env-vars file; "" = none
	// Parameters override template Parameters (and win over the env-vars
	// file's "Parameters").
	Parameters   map[string]string
	APIAddr      string
	SQSAddr      string // embedded SQS endpoint; ignored with SQSEndpoint
	LambdaAddr   string // Lambda Invoke API
	SQSEndpoint  string // external SQS endpoint URL; "" = embedded
	DataDir      string // embedded endpoint's store; "" = in memory
	FunctionsDir string // holds <LogicalId>/bootstrap for each function
	Region       string
	StackName    string
	// AccountID is AWS::AccountId and the embedded endpoint's account;
	// with an external endpoint set it to that endpoint's account (moto:
	// 123456789012) so ARNs the template builds match its queues.
	AccountID string
	// MaxConcurrency bounds each function's execution environments unless
	// the template sets ReservedConcurrentExecutions; 0 = runtime default.
	MaxConcurrency int
	Logger         *slog.Logger // the platform's own log; nil discards
	LogOutput      io.Writer    // functions' output and REPORT lines
	AccessLog      io.Writer    // HTTP API access log lines
	// Command is how the user calls sqsgate, for the hints in the summary.
	Command string
}

func (c *Config) defaults() {
	if c.Template == "" {
		c.Template = DefaultTemplate
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.StackName == "" {
		c.StackName = DefaultStackName
	}
	if c.AccountID == "" {
		c.AccountID = DefaultAccountID
	}
	if c.FunctionsDir == "" {
		c.FunctionsDir = DefaultFunctionsDir
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Platform is a running local platform.
type Platform struct {
	App         *template.App
	APIURL      string // http://host:port of the HTTP API
	LambdaURL   string // http://host:port of the Lambda Invoke API
	SQSEndpoint string // the SQS endpoint functions use
	External    bool   // SQSEndpoint is not the embedded one
	// GitHubSecret is the WebhookFunction's local GitHub secret (first of
	// a comma-separated list), for the sample curl; "" if none.
	GitHubSecret string

	cfg     Config
	closers []func() error
	// drains run before any closer: they end what would hold a server's
	// shutdown up (the embedded SQS endpoint's long polls).
	drains []func()
}

// Start resolves the template and starts everything. On error nothing is
// left running.
func Start(ctx context.Context, cfg Config) (*Platform, error) {
	cfg.defaults()
	p := &Platform{cfg: cfg}
	if err := p.start(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Platform) start() error {
	cfg := p.cfg
	log := cfg.Logger
	apiListener, err := listen("HTTP API", cfg.APIAddr)
	if err != nil {
		return err
	}
	p.onClose(apiListener.Close)
	lambdaListener, err := listen("Lambda Invoke API", cfg.LambdaAddr)
	if err != nil {
		return err
	}
	p.onClose(lambdaListener.Close)
	p.APIURL = "http://" + apiListener.Addr().String()
	p.LambdaURL = "http://" + lambdaListener.Addr().String()

	backend, err := p.startQueues(cfg.SQSAddr, cfg.DataDir)
	if err != nil {
		return err
	}
	p.SQSEndpoint = backend.Endpoint()

	app, ev, global, err := loadApp(cfg.Template, cfg.EnvVars, cfg.Parameters, template.Options{
		Region:      cfg.Region,
		AccountID:   cfg.AccountID,
		StackName:   cfg.StackName,
		APIID:       APIID,
		APIEndpoint: p.APIURL,
		Queue:       backend.Ensure,
	}, log)
	if err != nil {
		return err
	}
	p.App = app

	issuer, err := devissuer.Load()
	if err != nil {
		return fmt.Errorf("dev issuer: %w", err)
	}
	jwksURL := p.APIURL + devissuer.JWKSPath
	functions, err := runtimeFunctions(app, ev, global, cfg, p.SQSEndpoint, p.External, jwksURL)
	if err != nil {
		return err
	}
	if env := functionEnv(functions, "WebhookFunction"); env != nil {
		p.GitHubSecret = firstSecret(env["GITHUB_WEBHOOK_SECRET"])
	}
	rt, err := p.startRuntime(functions)
	if err != nil {
		return err
	}

	if app.API != nil {
		apiCfg := apiConfig(app.API, cfg.Region, cfg.AccountID, jwksURL, log)
		api, err := httpapi.New(apiCfg, httpapi.Options{
			Invoker:   invoker{rt},
			SQS:       newSQSClient(p.SQSEndpoint, cfg.Region, p.External),
			Logger:    log.With("component", "httpapi"),
			AccessLog: cfg.AccessLog,
			Extra:     jwksHandler(issuer),
		})
		if err != nil {
			return fmt.Errorf("HTTP API %s: %w", app.API.LogicalID, err)
		}
		p.serve(apiListener, api, log)
	} else {
		log.Warn("the template has no HTTP API; only the SQS endpoint and the Lambda Invoke API run")
		apiListener.Close()
	}
	p.serve(lambdaListener, rt.InvokeAPI(), log)
	return nil
}

// Run starts the platform, writes its summary to out, and serves until ctx
// is done; then it stops everything.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	p, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	p.WriteSummary(out)
	<-ctx.Done()
	return p.Close()
}

// Close stops everything Start started, last started first, after ending
// long polls so no server waits on one.
func (p *Platform) Close() error {
	for _, drain := range p.drains {
		drain()
	}
	var errs []error
	for i := len(p.closers) - 1; i >= 0; i-- {
		if err := p.closers[i](); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	p.closers = nil
	return errors.Join(errs...)
}

// startQueues returns where the template's queues live: cfg.SQSEndpoint,
// or an embedded endpoint started on addr (dataDir "" = in memory) that
// Close stops.
func (p *Platform) startQueues(addr, dataDir string) (queueBackend, error) {
	cfg := p.cfg
	if cfg.SQSEndpoint != "" {
		p.External = true
		return &externalSQS{endpoint: cfg.SQSEndpoint, client: newSQSClient(cfg.SQSEndpoint, cfg.Region, true)}, nil
	}
	e, err := StartEmbeddedSQS(addr, dataDir, cfg.Region, cfg.AccountID, cfg.Logger.With("component", "sqs"))
	if err != nil {
		return nil, err
	}
	p.onClose(e.Close)
	p.drains = append(p.drains, e.Drain)
	return e, nil
}

// jwksHandler serves the dev issuer's JWKS at devissuer.JWKSPath.
func jwksHandler(issuer *devissuer.Signer) http.Handler {
	jwks := issuer.JWKS()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+devissuer.JWKSPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	})
	return mux
}

// startRuntime starts the local Lambda runtime for functions; Close stops
// it.
func (p *Platform) startRuntime(functions []lambdaruntime.Function) (*lambdaruntime.Runtime, error) {
	cfg := p.cfg
	rt, err := lambdaruntime.New(lambdaruntime.Options{
		Functions: functions,
		Region:    cfg.Region,
		AccountID: cfg.AccountID,
		Logger:    cfg.Logger.With("component", "lambda"),
		LogOutput: cfg.LogOutput,
	})
	if err != nil {
		return nil, fmt.Errorf("lambda runtime: %w", err)
	}
	p.onClose(rt.Close)
	return rt, nil
}

func (p *Platform) onClose(f func() error) { p.closers = append(p.closers, f) }

func (p *Platform) serve(l net.Listener, h http.Handler, log *slog.Logger) {
	p.onClose(serveHTTP(l, h, log))
}

// serveHTTP serves h on l in the background; stop shuts the server down
// and waits until it has returned.
func serveHTTP(l net.Listener, h http.Handler, log *slog.Logger) (stop func() error) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("server stopped", "addr", l.Addr().String(), "err", err)
		}
	}()
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		<-done
		return err
	}
}

func listen(what, addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", what, addr, err)
	}
	return l, nil
}

// loadApp reads the env-vars file and resolves the template with it.
func loadApp(path, envVarsPath string, flags map[string]string, opts template.Options, log *slog.Logger) (*template.App, EnvVars, map[string]string, error) {
	ev, err := ReadEnvVars(envVarsPath)
	if err != nil {
		return nil, ev, nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, ev, nil, fmt.Errorf("read template: %w", err)
	}
	doc, err := template.Parse(data)
	if err != nil {
		return nil, ev, nil, err
	}
	params, global := splitParameters(doc, ev, flags)
	opts.Parameters = params
	app, err := template.Load(doc, opts)
	if err != nil {
		return nil, ev, nil, err
	}
	for _, n := range app.Notes {
		log.Info("accepted, no local effect", "resource", n.Resource, "detail", n.Message)
	}
	for _, r := range app.NotEmulated {
		log.Debug("not emulated: no effect locally", "resource", r.LogicalID, "type", r.Type, "why", r.Reason)
	}
	for _, r := range app.Skipped {
		log.Debug("skipped", "resource", r.LogicalID, "type", r.Type, "why", r.Reason)
	}
	return app, ev, global, nil
}

// runtimeFunctions gives the Lambda runtime every function of the app.
func runtimeFunctions(app *template.App, ev EnvVars, global map[string]string, cfg Config, sqsEndpoint string, external bool, jwksURL string) ([]lambdaruntime.Function, error) {
	var out []lambdaruntime.Function
	for _, f := range app.Functions {
		exe := filepath.Join(cfg.FunctionsDir, f.LogicalID, "bootstrap")
		if info, err := os.Stat(exe); err != nil || info.IsDir() {
			return nil, fmt.Errorf("function %s: no bootstrap at %s; build the functions for this machine first (make build-local)", f.LogicalID, exe)
		}
		concurrency := cfg.MaxConcurrency
		if f.ReservedConcurrency > 0 {
			concurrency = f.ReservedConcurrency
		}
		out = append(out, lambdaruntime.Function{
			Name:           f.LogicalID,
			Executable:     exe,
			MemoryMB:       f.MemoryMB,
			Timeout:        f.Timeout,
			Environment:    functionEnvironment(f, global, ev, sqsEndpoint, external, jwksURL),
			MaxConcurrency: concurrency,
		})
	}
	return out, nil
}

func functionEnv(fs []lambdaruntime.Function, name string) map[string]string {
	for _, f := range fs {
		if f.Name == name {
			return f.Environment
		}
	}
	return nil
}

// cognitoIssuer matches a Cognito user pool issuer URL.
var cognitoIssuer = regexp.MustCompile(`^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/[\w-]+_[0-9a-zA-Z]+$`)

// apiConfig turns the template's HTTP API into the emulator's Config.
func apiConfig(api *template.HTTPAPI, region, accountID, jwksURL string, log *slog.Logger) httpapi.Config {
	cfg := httpapi.Config{
		APIID:       api.ID,
		StageName:   api.StageName,
		Region:      region,
		AccountID:   accountID,
		Authorizers: map[string]httpapi.Authorizer{},
	}
	used := map[string]bool{}
	for _, r := range api.Routes {
		used[r.Authorizer] = true
	}
	for name, a := range api.Authorizers {
		z := httpapi.Authorizer{
			Type:                  a.Type,
			Function:              a.Function,
			PayloadFormatVersion:  a.PayloadFormatVersion,
			EnableSimpleResponses: a.EnableSimpleResponses,
			IdentitySource:        a.IdentitySource,
			ResultTTL:             a.ResultTTL,
			JWTIssuer:             a.JWTIssuer,
			JWTAudience:           a.JWTAudience,
		}
		if a.Type == "jwt" {
			switch {
			case a.JWTIssuer == devissuer.Issuer:
				z.JWKSURL = jwksURL
			case cognitoIssuer.MatchString(a.JWTIssuer):
				// No Cognito locally: the dev issuer stands in, so tokens
				// from `sqsgate token` pass the JWT authorizer.
				if used[name] {
					log.Warn("JWT authorizer: the local dev issuer stands in for Cognito", "authorizer", name, "issuer", a.JWTIssuer, "local_issuer", devissuer.Issuer)
				}
				z.JWTIssuer = devissuer.Issuer
				z.JWKSURL = jwksURL
			default:
				z.JWKSURL = a.JWTIssuer + "/.well-known/jwks.json"
			}
		}
		cfg.Authorizers[name] = z
	}
	for _, r := range api.Routes {
		cfg.Routes = append(cfg.Routes, httpapi.Route{
			Method:              r.Method,
			Path:                r.Path,
			Authorizer:          r.Authorizer,
			AuthorizationScopes: r.AuthorizationScopes,
			Integration: httpapi.Integration{
				Type:                 r.Integration.Type,
				Function:             r.Integration.Function,
				PayloadFormatVersion: r.Integration.PayloadFormatVersion,
				Subtype:              r.Integration.Subtype,
				RequestParameters:    r.Integration.RequestParameters,
				Timeout:              r.Integration.Timeout,
			},
		})
	}
	if c := api.Cors; c != nil {
		cfg.Cors = &httpapi.Cors{
			AllowOrigins:     c.AllowOrigins,
			AllowMethods:     c.AllowMethods,
			AllowHeaders:     c.AllowHeaders,
			ExposeHeaders:    c.ExposeHeaders,
			AllowCredentials: c.AllowCredentials,
			MaxAge:           c.MaxAge,
		}
	}
	return cfg
}

// invoker adapts the Lambda runtime to the HTTP API emulator.
type invoker struct{ rt *lambdaruntime.Runtime }

// FunctionError is a function's own error (Lambda's X-Amz-Function-Error).
type FunctionError struct {
	Function string
	Payload  []byte
}

func (e *FunctionError) Error() string {
	return "function " + e.Function + " failed: " + string(e.Payload)
}

func (i invoker) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	res, err := i.rt.Invoke(ctx, function, payload)
	if err != nil {
		return nil, err
	}
	if res.FunctionError != "" {
		return res.Payload, &FunctionError{Function: function, Payload: res.Payload}
	}
	return res.Payload, nil
}

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
	"strings"
	"syscall"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/eventsource"
	"github.com/sqsgate/sqsgate/internal/local/httpapi"
	"github.com/sqsgate/sqsgate/internal/local/httplimit"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/peercred"
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
	// APIID is the local API's id (Ref of the HttpApi or the REST Api).
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
	AccessLog      io.Writer    // the API's access log lines (HTTP or REST)
	// Command is how the user calls sqsgate, for the hints in the summary.
	Command string
	// AllowOtherUsers lets every local user connect to the platform's
	// listeners and lets them bind beyond loopback. By default only the OS
	// user that started the platform may connect (internal/local/peercred)
	// and every address must be loopback.
	AllowOtherUsers bool
	// Build, when set, makes sure the named functions' bootstraps in
	// FunctionsDir are built and current before they run (cli wires
	// internal/local/build); nil runs what FunctionsDir holds.
	Build func(ctx context.Context, functions []string) error
	// NoEventSources turns the SQS event source mappings' polling off.
	NoEventSources bool
	// Limits bound every server's clients (timeouts, open connections);
	// zero fields take httplimit.Defaults. Tests inject short ones.
	Limits httplimit.Limits
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
	// RealAWS lists what the functions would call in real AWS (no
	// credentials here); the summary warns about each with the fix.
	RealAWS []RealAWSNote
	// DevTokens: a route's authorizer accepts `sqsgate token`'s tokens.
	DevTokens bool

	cfg     Config
	closers []func() error
	rt      *lambdaruntime.Runtime
	// eventSources reports the event source mappings to the console.
	eventSources func() []eventsource.Status
	// drains run before any closer: they end what would hold a server's
	// shutdown up (the embedded SQS endpoint's long polls).
	drains []func()
}

// ReplaceFunction makes a function's next invocations start its bootstrap
// anew, after a rebuild renamed a new binary into place (--watch);
// invocations in flight finish on the old one.
func (p *Platform) ReplaceFunction(name string) error { return p.rt.Replace(name) }

// Start resolves the template and starts everything. On error nothing is
// left running.
func Start(ctx context.Context, cfg Config) (*Platform, error) {
	cfg.defaults()
	p := &Platform{cfg: cfg}
	if err := p.start(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Platform) start(ctx context.Context) error {
	cfg := p.cfg
	log := cfg.Logger
	if err := checkAccess(cfg.AllowOtherUsers, log); err != nil {
		return err
	}
	apiListener, err := p.listen("HTTP API", "--api-addr", cfg.APIAddr)
	if err != nil {
		return err
	}
	p.onClose(apiListener.Close)
	lambdaListener, err := p.listen("Lambda Invoke API", "--lambda-addr", cfg.LambdaAddr)
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
	if err := buildFunctions(ctx, cfg.Build, app.Functions); err != nil {
		return err
	}

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
	p.RealAWS, p.DevTokens = realAWSNotes(functions), acceptsDevTokens(app, functions)
	rt, err := p.startRuntime(functions)
	if err != nil {
		return err
	}
	p.rt = rt
	if err := p.startEventSources(rt); err != nil {
		return err
	}

	switch {
	case app.API != nil:
		apiCfg := apiConfig(app.API, cfg.Region, cfg.AccountID, jwksURL, log)
		con, accessLog := p.startConsole(backend, apiRoutes(app), cfg.AccessLog)
		api, err := httpapi.New(apiCfg, httpapi.Options{
			Invoker:   invoker{rt},
			SQS:       newSQSClient(p.SQSEndpoint, cfg.Region, p.External),
			Logger:    log.With("component", "httpapi"),
			AccessLog: accessLog,
			Extra:     jwksHandler(issuer),
		})
		if err != nil {
			return fmt.Errorf("HTTP API %s: %w", app.API.LogicalID, err)
		}
		p.serve(apiListener, con.Wrap(api), log)
	case app.RestAPI != nil:
		// The same address, Invoker, limits and logging as the HTTP API;
		// SQS integrations call the SQS endpoint the functions use.
		con, accessLog := p.startConsole(backend, apiRoutes(app), cfg.AccessLog)
		api, err := p.restHandler(app.RestAPI, invoker{rt}, accessLog)
		if err != nil {
			return err
		}
		p.serve(apiListener, con.Wrap(withExtra(api, jwksHandler(issuer))), log)
	default:
		log.Warn("the template has no API; only the SQS endpoint and the Lambda Invoke API run")
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
	e, err := StartEmbeddedSQS(SQSOptions{Addr: addr, DataDir: dataDir, Region: cfg.Region, AccountID: cfg.AccountID,
		AllowOtherUsers: cfg.AllowOtherUsers, Limits: cfg.Limits, Logger: cfg.Logger.With("component", "sqs")})
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
		// The runtime guards each environment's Runtime API itself.
		AllowOtherUsers:  cfg.AllowOtherUsers,
		RuntimeAPILimits: cfg.Limits,
	})
	if err != nil {
		return nil, fmt.Errorf("lambda runtime: %w", err)
	}
	p.onClose(rt.Close)
	return rt, nil
}

func (p *Platform) onClose(f func() error) { p.closers = append(p.closers, f) }

func (p *Platform) serve(l net.Listener, h http.Handler, log *slog.Logger) {
	p.onClose(serveHTTP(l, h, p.cfg.Limits, log))
}

// serveHTTP serves h on l in the background with httplimit's bounds
// (timeouts that spare long polls, a cap on open connections); stop shuts
// the server down and waits until it has returned.
func serveHTTP(l net.Listener, h http.Handler, lim httplimit.Limits, log *slog.Logger) (stop func() error) {
	return httplimit.Serve(l, h, lim, log)
}

// listen opens one of the platform's listeners under its access rule.
func (p *Platform) listen(what, flag, addr string) (net.Listener, error) {
	return listen(what, flag, addr, p.cfg.AllowOtherUsers, p.cfg.Logger)
}

// listen opens a listener for what (set by flag): unless allowOthers, only
// on a loopback address and letting only this process's user in.
func listen(what, flag, addr string, allowOthers bool, log *slog.Logger) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w%s", what, addr, err, portHint(flag, err))
	}
	if allowOthers {
		return l, nil
	}
	if err := peercred.CheckLoopback(l, flag, addr); err != nil {
		l.Close()
		return nil, err
	}
	return peercred.Guard(l, peercred.Options{Name: what, Logger: log}), nil
}

// checkAccess makes sure the rule on who may connect can be kept here, and
// says plainly when it is lifted or cannot be enforced.
func checkAccess(allowOthers bool, log *slog.Logger) error {
	switch {
	case allowOthers:
		log.Warn("every local user may connect to the platform's listeners (--allow-other-users)")
	case !peercred.Enforced():
		log.Warn("on this system the platform cannot tell which user connects: it listens on loopback only, but other local users can reach it")
	default:
		if err := peercred.Check(); err != nil {
			return fmt.Errorf("cannot identify which user connects to a local port here (%w); "+
				"pass --allow-other-users (or SQSGATE_ALLOW_OTHER_USERS=true) to run without that check", err)
		}
	}
	return nil
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
			return nil, fmt.Errorf("function %s: no bootstrap at %s; build the functions for this machine first (sqsgate run and invoke build them from the Go module beside the template unless --build=false; or make build-local)", f.LogicalID, exe)
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

// portHint names the flag and variable that move a listener when its port
// is taken, the first thing a second `make run` meets.
func portHint(flag string, err error) string {
	if !errors.Is(err, syscall.EADDRINUSE) || !strings.HasPrefix(flag, "--") {
		return ""
	}
	env := "SQSGATE_" + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(flag, "--"), "-", "_"))
	return fmt.Sprintf(" (another process holds the port: stop it, or choose another address with %s or %s)", flag, env)
}

// buildFunctions runs the Build hook, if any, on fns.
func buildFunctions(ctx context.Context, build func(context.Context, []string) error, fns []*template.Function) error {
	if build == nil {
		return nil
	}
	names := make([]string, len(fns))
	for i, f := range fns {
		names[i] = f.LogicalID
	}
	return build(ctx, names)
}

package platform

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sqsgate/sqsgate/internal/local/restapi"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// restOptions is what the REST API emulator gets from the platform: the
// same Invoker, SQS endpoint, logging and account as the HTTP API.
type restOptions struct {
	Invoker     invoker
	SQSEndpoint string // base URL; SQS integrations append <account>/<queue>
	// HTTPClient signs the SQS integration requests (signingTransport);
	// each integration's own timeout bounds it.
	HTTPClient *http.Client
	Region     string
	AccountID  string
	Logger     *slog.Logger
	AccessLog  io.Writer
}

// newRESTServer builds the REST API emulator (internal/local/restapi); a
// variable so tests can see what the platform hands it.
var newRESTServer = func(api *template.RestAPI, o restOptions) (http.Handler, error) {
	return restapi.New(api, restapi.Options{
		Invoker:     o.Invoker,
		SQSEndpoint: o.SQSEndpoint,
		HTTPClient:  o.HTTPClient,
		Region:      o.Region,
		AccountID:   o.AccountID,
		Logger:      o.Logger,
		AccessLog:   o.AccessLog,
	})
}

// restHandler builds the REST API emulator for the app's REST API.
func (p *Platform) restHandler(api *template.RestAPI, rt invoker, accessLog io.Writer) (http.Handler, error) {
	id, secret, token := credentials(p.External)
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: "sqsgate"}
	h, err := newRESTServer(api, restOptions{
		Invoker:     rt,
		SQSEndpoint: p.SQSEndpoint,
		HTTPClient:  &http.Client{Transport: newSigningTransport(http.DefaultTransport, creds, p.cfg.Region, time.Now)},
		Region:      p.cfg.Region,
		AccountID:   p.cfg.AccountID,
		Logger:      p.cfg.Logger.With("component", "restapi"),
		AccessLog:   accessLog,
	})
	if err != nil {
		return nil, fmt.Errorf("REST API %s: %w", api.LogicalID, err)
	}
	return h, nil
}

// withExtra serves the platform's own paths (/.sqsgate/..., the dev
// issuer's JWKS) beside api, as httpapi.Options.Extra does for the HTTP
// API.
func withExtra(api, extra http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/.sqsgate/") {
			extra.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// apiRoute is one route of whichever API the app serves, for the summary
// and the console.
type apiRoute struct {
	Method, Path string
	Authorizer   string // "" = none
	APIKey       bool   // REST: the method requires an API key
	Target       string // function or SQS action and queue
}

func (r apiRoute) Key() string { return r.Method + " " + r.Path }

// apiRoutes lists the routes of the app's HTTP API or REST API.
func apiRoutes(app *template.App) []apiRoute {
	var out []apiRoute
	if app.API != nil {
		for _, r := range app.API.Routes {
			out = append(out, apiRoute{Method: r.Method, Path: r.Path, Authorizer: r.Authorizer, Target: target(app, r)})
		}
	}
	if app.RestAPI != nil {
		for _, m := range app.RestAPI.Methods {
			out = append(out, apiRoute{Method: m.Method, Path: m.Path, Authorizer: m.Authorizer, APIKey: m.APIKeyRequired, Target: restTarget(app, m.Integration)})
		}
	}
	return out
}

// templateAction finds the SQS action a form-encoded mapping template
// sends ("Action=SendMessageBatch&...").
var templateAction = regexp.MustCompile(`(?:^|&)Action=([A-Za-z]+)`)

// restTarget names what a REST method calls: a function, or the SQS action
// and queue (from the 'literal' Action parameter or the mapping template).
func restTarget(app *template.App, in template.RestIntegration) string {
	switch in.Type {
	case "aws_proxy":
		return in.Function
	case "mock":
		return "mock"
	}
	action := in.Action
	if a := in.RequestParameters["integration.request.querystring.Action"]; action == "" && strings.HasPrefix(a, "'") {
		action = strings.Trim(a, "'")
	}
	if action == "" {
		for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "text/plain"} {
			if m := templateAction.FindStringSubmatch(in.RequestTemplates[ct]); m != nil {
				action = m[1]
				break
			}
		}
	}
	queue := in.Path
	for _, q := range app.Queues {
		if strings.HasSuffix(in.Path, "/"+q.Name) {
			queue = q.LogicalID
		}
	}
	return strings.TrimSpace("SQS " + action + " " + queue)
}

// restAuthorizerFunctions are the functions behind the REST methods'
// authorizers.
func restAuthorizerFunctions(api *template.RestAPI) []string {
	var out []string
	for _, m := range api.Methods {
		if a, ok := api.Authorizers[m.Authorizer]; ok {
			out = append(out, a.Function)
		}
	}
	return out
}

// writeAPIKeys prints the REST API's keys, with the plan that limits
// each, so a local caller can send x-api-key.
func (p *Platform) writeAPIKeys(w io.Writer) {
	api := p.App.RestAPI
	if api == nil || len(api.UsagePlans) == 0 {
		return
	}
	fmt.Fprintf(w, "\nAPI keys (send as x-api-key on the methods marked [... + API key]):\n")
	for _, plan := range api.UsagePlans {
		limits := []string{}
		if plan.RateLimit > 0 || plan.BurstLimit > 0 {
			limits = append(limits, fmt.Sprintf("%g req/s, burst %d", plan.RateLimit, plan.BurstLimit))
		}
		if plan.QuotaLimit > 0 {
			limits = append(limits, fmt.Sprintf("quota %d per %s", plan.QuotaLimit, strings.ToLower(plan.QuotaPeriod)))
		}
		if len(limits) == 0 {
			limits = append(limits, "no limits")
		}
		for _, k := range plan.Keys {
			state := ""
			if !k.Enabled {
				state = "  (disabled: API Gateway refuses it)"
			}
			fmt.Fprintf(w, "  %s  %s  usage plan %s: %s%s\n", k.LogicalID, k.Value, plan.LogicalID, strings.Join(limits, ", "), state)
		}
	}
}

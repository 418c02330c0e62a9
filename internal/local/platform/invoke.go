package platform

import (
	"context"
	"fmt"
	"strings"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// Invoke runs one function's real bootstrap once on event, as `sam local
// invoke -e` does, and returns Lambda's result. The function's SQS calls go
// to cfg.SQSEndpoint (e.g. a running `sqsgate run` on
// http://127.0.0.1:9324, where the template's queues exist); without one,
// an in-memory endpoint with the template's queues serves this invocation
// alone. The dev issuer's JWKS is served on a loopback port for the
// duration of the call.
func Invoke(ctx context.Context, cfg Config, function string, event []byte) (*lambdaruntime.Result, error) {
	cfg.defaults()
	p := &Platform{cfg: cfg}
	defer p.Close()
	log := cfg.Logger
	if err := checkAccess(cfg.AllowOtherUsers, log); err != nil {
		return nil, err
	}

	backend, err := p.startQueues("127.0.0.1:0", "")
	if err != nil {
		return nil, err
	}
	if !p.External {
		log.Info("messages go to an in-memory SQS endpoint that lives for this invocation only; pass --sqs-endpoint to use a running one", "endpoint", backend.Endpoint())
	}

	issuer, err := devissuer.Load()
	if err != nil {
		return nil, fmt.Errorf("dev issuer: %w", err)
	}
	jwksListener, err := p.listen("dev issuer JWKS", "the dev issuer's JWKS address", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.serve(jwksListener, jwksHandler(issuer), log)
	jwksURL := "http://" + jwksListener.Addr().String() + devissuer.JWKSPath

	app, ev, global, err := loadApp(cfg.Template, cfg.EnvVars, cfg.Parameters, template.Options{
		Region:    cfg.Region,
		AccountID: cfg.AccountID,
		StackName: cfg.StackName,
		APIID:     APIID,
		Queue:     backend.Ensure,
	}, log)
	if err != nil {
		return nil, err
	}
	var fn *template.Function
	for _, f := range app.Functions {
		if f.LogicalID == function {
			fn = f
		}
	}
	if fn == nil {
		names := make([]string, len(app.Functions))
		for i, f := range app.Functions {
			names[i] = f.LogicalID
		}
		return nil, fmt.Errorf("no function %q in %s (functions: %v)", function, cfg.Template, names)
	}
	app.Functions = []*template.Function{fn}
	if err := buildFunctions(ctx, cfg.Build, app.Functions); err != nil {
		return nil, err
	}
	functions, err := runtimeFunctions(app, ev, global, cfg, backend.Endpoint(), p.External, jwksURL)
	if err != nil {
		return nil, err
	}
	rt, err := p.startRuntime(functions)
	if err != nil {
		return nil, err
	}
	res, err := rt.Invoke(ctx, function, event)
	if err == nil && cfg.LogOutput != nil && strings.EqualFold(fn.LogFormat, "JSON") {
		// With JSON logging Lambda writes the report as a platform.report
		// record; the plain REPORT line is what a terminal user reads.
		fmt.Fprintln(cfg.LogOutput, res.Report.String())
	}
	return res, err
}

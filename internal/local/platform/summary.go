package platform

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sqsgate/sqsgate/internal/local/console"
	"github.com/sqsgate/sqsgate/internal/local/fixtures"
	"github.com/sqsgate/sqsgate/internal/local/template"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
)

// WriteSummary prints what runs where: queues, routes with their URLs and
// targets, the Lambda Invoke API, and a copy-paste signed webhook.
func (p *Platform) WriteSummary(w io.Writer) {
	app := p.App
	kind := "embedded, in memory"
	if p.External {
		kind = "external"
	} else if p.cfg.DataDir != "" {
		kind = "embedded, data in " + p.cfg.DataDir
	}
	fmt.Fprintf(w, "sqsgate: %s (stack %s, region %s)\n\n", p.cfg.Template, p.cfg.StackName, p.cfg.Region)
	fmt.Fprintf(w, "SQS endpoint  %s  (%s)\n", p.SQSEndpoint, kind)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, q := range app.Queues {
		fmt.Fprintf(tw, "  %s\t%s\n", q.LogicalID, q.URL)
	}
	tw.Flush()
	if app.API != nil || app.RestAPI != nil {
		fmt.Fprintf(w, "\nConsole       %s%s  (queues, messages, DLQ redrive, request log, test deliveries)\n", p.APIURL, console.Prefix)
		if app.API != nil {
			fmt.Fprintf(w, "\nHTTP API      %s  (%s)\n", p.APIURL, app.API.LogicalID)
		} else {
			fmt.Fprintf(w, "\nREST API      %s  (%s, stage %s served at the root)\n", p.APIURL, app.RestAPI.LogicalID, app.RestAPI.StageName)
		}
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range apiRoutes(app) {
			auth := "no auth"
			if r.Authorizer != "" {
				auth = r.Authorizer
			}
			if r.APIKey {
				auth += " + API key"
			}
			fmt.Fprintf(tw, "  %s\t%s%s\t→ %s\t[%s]\n", r.Method, p.APIURL, r.Path, r.Target, auth)
		}
		tw.Flush()
		p.writeAPIKeys(w)
	}
	fmt.Fprintf(w, "\nLambda Invoke API  %s  (aws lambda invoke --endpoint-url %s --function-name <LogicalId> ...)\n", p.LambdaURL, p.LambdaURL)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range app.Functions {
		fmt.Fprintf(tw, "  %s\t%d MB, %s timeout\n", f.LogicalID, f.MemoryMB, f.Timeout)
	}
	tw.Flush()
	p.writeEventSources(w)
	if len(app.NotEmulated) > 0 {
		names := make([]string, len(app.NotEmulated))
		for i, r := range app.NotEmulated {
			names[i] = r.LogicalID
		}
		fmt.Fprintf(w, "\nNot emulated (no effect locally): %s\n", strings.Join(names, ", "))
	}
	if p.GitHubSecret != "" && servesGitHub(app) {
		body := fixtures.GitHubPingBody()
		fmt.Fprintf(w, "\nTry a signed GitHub webhook (dev secret):\n")
		fmt.Fprintf(w, "  curl -i %s/webhooks/github -H 'Content-Type: application/json' -H 'X-GitHub-Event: ping' -H 'X-GitHub-Delivery: %s' -H 'X-Hub-Signature-256: %s' --data '%s'\n",
			p.APIURL, fixtures.GitHubPingDelivery, github.Sign(p.GitHubSecret, body), body)
	}
	if len(p.RealAWS) > 0 {
		fmt.Fprintf(w, "\nWARNING: these functions will call real AWS, which they cannot reach from here (webhooks answer 503, /v1 calls 403):\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, n := range p.RealAWS {
			fmt.Fprintf(tw, "  %s\t%s\t→ %s\n", n.Function, n.Variable, n.What)
		}
		tw.Flush()
		fmt.Fprintf(w, "  Fix: pass --env-vars env.local.json (make run does), which gives them the local secrets and the dev issuer, or set those variables in your own env-vars file.\n")
	}
	if p.DevTokens {
		fmt.Fprintf(w, "\nA dev token for the /v1 routes: TOKEN=$(%s token); curl -H \"Authorization: Bearer $TOKEN\" ...\n", p.command())
	}
	fmt.Fprintf(w, "\nsqsgate: ready (Ctrl-C stops everything)\n")
}

func (p *Platform) command() string {
	if p.cfg.Command != "" {
		return p.cfg.Command
	}
	return "sqsgate"
}

func target(app *template.App, r template.Route) string {
	if r.Integration.Type == "lambda" {
		return r.Integration.Function
	}
	queue := r.Integration.RequestParameters["QueueUrl"]
	for _, q := range app.Queues {
		if q.URL == queue {
			queue = q.LogicalID
		}
	}
	return r.Integration.Subtype + " " + queue
}

// firstSecret is the first of a comma-separated list of secrets.
func firstSecret(list string) string {
	first, _, _ := strings.Cut(list, ",")
	return strings.TrimSpace(first)
}

// servesGitHub reports whether the API has the GitHub webhook route, which
// the sample curl needs (the template can turn it off).
func servesGitHub(app *template.App) bool {
	for _, r := range apiRoutes(app) {
		if r.Key() == "POST /webhooks/github" {
			return true
		}
	}
	return false
}

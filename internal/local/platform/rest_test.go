package platform

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// restApp is a REST API as the template reader gives it for the REST form
// of template.yaml (rest-contract.md), cut down to one method per kind.
func restApp() *template.App {
	sqs := func(params, templates map[string]string) template.RestIntegration {
		return template.RestIntegration{Type: "aws", Service: "sqs", Path: "000000000000/sqsgate-ingest", RequestParameters: params, RequestTemplates: templates}
	}
	return &template.App{
		Queues: []*template.Queue{{LogicalID: "IngestQueue", Name: "sqsgate-ingest"}},
		RestAPI: &template.RestAPI{
			LogicalID: "IngestRestApi", ID: "local", StageName: "live",
			Authorizers: map[string]template.RestAuthorizer{"CognitoRequestAuthorizer": {Name: "CognitoRequestAuthorizer", Type: "request", Function: "AuthorizerFunction"}},
			Methods: []template.RestMethod{
				{Method: "GET", Path: "/v1/send", Authorizer: "CognitoRequestAuthorizer", APIKeyRequired: true,
					Integration: sqs(map[string]string{"integration.request.querystring.Action": "'SendMessage'"}, nil)},
				{Method: "POST", Path: "/v1/messages/batch", Authorizer: "CognitoRequestAuthorizer",
					Integration: sqs(nil, map[string]string{"application/json": "Action=SendMessageBatch##\n#foreach($e in $input.path('$'))..."})},
				{Method: "POST", Path: "/webhooks/github", Integration: template.RestIntegration{Type: "aws_proxy", Function: "WebhookFunction"}},
			},
			UsagePlans: []template.UsagePlan{{LogicalID: "IngestUsagePlan", RateLimit: 10, BurstLimit: 20, QuotaLimit: 1000, QuotaPeriod: "MONTH",
				Keys: []template.APIKey{{LogicalID: "IngestApiKey", Value: template.LocalAPIKeyValue("IngestApiKey"), Enabled: true}}}},
		},
	}
}

func TestRestSummary(t *testing.T) {
	app := restApp()
	fns := []lambdaruntime.Function{{Name: "AuthorizerFunction", Environment: map[string]string{"COGNITO_ISSUER": devissuer.Issuer}}}
	p := &Platform{App: app, APIURL: "http://127.0.0.1:3000", GitHubSecret: "dev", DevTokens: acceptsDevTokens(app, fns), cfg: Config{Template: "template.yaml"}}
	var out strings.Builder
	p.WriteSummary(&out)
	s := out.String()
	for _, want := range []string{
		"REST API      http://127.0.0.1:3000  (IngestRestApi, stage live served at the root)",
		"GET   http://127.0.0.1:3000/v1/send            → SQS SendMessage IngestQueue       [CognitoRequestAuthorizer + API key]",
		"POST  http://127.0.0.1:3000/v1/messages/batch  → SQS SendMessageBatch IngestQueue  [CognitoRequestAuthorizer]",
		"POST  http://127.0.0.1:3000/webhooks/github    → WebhookFunction                   [no auth]",
		"IngestApiKey  sqsgate-local-IngestApiKey  usage plan IngestUsagePlan: 10 req/s, burst 20, quota 1000 per month",
		"curl -i http://127.0.0.1:3000/webhooks/github",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if !p.DevTokens || !strings.Contains(s, "A dev token for the /v1 routes") {
		t.Errorf("the REST authorizer verifies dev-issuer tokens, so the dev-token hint belongs in the summary:\n%s", s)
	}
	app.RestAPI.UsagePlans[0].Keys[0].Enabled = false
	out.Reset()
	p.WriteSummary(&out)
	if !strings.Contains(out.String(), "(disabled: API Gateway refuses it)") {
		t.Errorf("a disabled key is not flagged:\n%s", out.String())
	}
}

func TestRestStartWithoutEmulator(t *testing.T) {
	saved := newRESTServer
	t.Cleanup(func() { newRESTServer = saved })
	newRESTServer = nil
	p := &Platform{cfg: Config{Logger: discard()}}
	if _, err := p.restHandler(restApp().RestAPI, invoker{}, nil); err == nil || !strings.Contains(err.Error(), "IngestRestApi") {
		t.Errorf("error %v, want a refusal naming the REST API", err)
	}
}

func TestRestHandlerGetsThePlatformsEndpointAndAccount(t *testing.T) {
	saved := newRESTServer
	t.Cleanup(func() { newRESTServer = saved })
	var got restOptions
	newRESTServer = func(api *template.RestAPI, o restOptions) (http.Handler, error) {
		got = o
		return http.NotFoundHandler(), nil
	}
	p := &Platform{SQSEndpoint: "http://127.0.0.1:9324", cfg: Config{Region: "eu-west-1", AccountID: "123456789012", Logger: discard()}}
	if _, err := p.restHandler(restApp().RestAPI, invoker{}, nil); err != nil {
		t.Fatal(err)
	}
	if got.SQSEndpoint != "http://127.0.0.1:9324" || got.Region != "eu-west-1" || got.AccountID != "123456789012" || got.Logger == nil {
		t.Errorf("options %+v", got)
	}
}

func TestWithExtraServesThePlatformsPaths(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	extra := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	h := withExtra(api, extra)
	for path, want := range map[string]int{"/.sqsgate/dev-issuer/.well-known/jwks.json": http.StatusAccepted, "/v1/send": http.StatusTeapot, "/sqsgate/x": http.StatusTeapot} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", path, rec.Code, want)
		}
	}
}

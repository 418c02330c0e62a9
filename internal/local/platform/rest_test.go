package platform

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

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
	if _, signs := got.HTTPClient.Transport.(*signingTransport); !signs {
		t.Errorf("the SQS integrations' client does not sign: %+v", got.HTTPClient)
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

// The REST API's SQS integration requests are signed as API Gateway signs
// them with the integration's role: SigV4, service sqs, the platform's
// region; the body reaches the endpoint unchanged.
func TestSigningTransport(t *testing.T) {
	var got *http.Request
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
	}))
	t.Cleanup(srv.Close)
	now := time.Date(2026, 12, 3, 4, 5, 6, 0, time.UTC)
	client := &http.Client{Transport: newSigningTransport(http.DefaultTransport, aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, "eu-west-1", func() time.Time { return now })}
	const form = "Action=SendMessage&MessageBody=hello"
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/000000000000/q?x=1", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	auth := got.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=local/20261203/eu-west-1/sqs/aws4_request, SignedHeaders=") ||
		!strings.Contains(auth, "content-type") || got.Header.Get("X-Amz-Date") != "20261203T040506Z" {
		t.Errorf("Authorization %q X-Amz-Date %q, want a SigV4 signature for sqs in eu-west-1", auth, got.Header.Get("X-Amz-Date"))
	}
	if gotBody != form || got.URL.RawQuery != "x=1" || req.Header.Get("Authorization") != "" {
		t.Errorf("body %q query %q, caller's request changed: %v", gotBody, got.URL.RawQuery, req.Header)
	}
}

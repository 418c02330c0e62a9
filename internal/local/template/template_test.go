package template

import (
	"errors"
	"strings"
	"testing"
)

const projectTemplate = "../../../template.yaml"

// conditionSets are the parameter sets the local platform must serve (or,
// for a custom domain, refuse): one per optional part of the template.
var conditionSets = []struct {
	name    string
	params  map[string]string
	refused string // non-empty: Load must fail with ErrUnsupported naming this
}{
	{name: "custom domain with a new certificate is refused", params: map[string]string{"DomainName": "hooks.example.com", "HostedZoneId": "Z123EXAMPLE"}, refused: "hooks.example.com"},
	{name: "custom domain with an existing certificate is refused", params: map[string]string{"DomainName": "hooks.example.com", "HostedZoneId": "Z123EXAMPLE", "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"}, refused: "hooks.example.com"},
	{name: "defaults"},
	{name: "fifo", params: map[string]string{"QueueType": "fifo"}},
	{name: "jwt authorizer", params: map[string]string{"AuthorizerType": "jwt"}},
	{name: "no transformer", params: map[string]string{"EnableTransformer": "false"}},
	{name: "cors with credentials", params: map[string]string{"CorsAllowOrigins": "https://app.example.com,https://admin.example.com", "CorsAllowCredentials": "true"}},
	{name: "kms and existing secrets", params: map[string]string{
		"KmsKeyArn":              "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666",
		"GitHubWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf",
		"PaddleWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:pd-AbCdEf",
	}},
	{name: "tracing and alarms", params: map[string]string{"EnableTracing": "true", "AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:ops"}},
	{name: "every webhook provider", params: map[string]string{"EnableStripe": "true", "EnableStandard": "true", "EnableShopify": "true", "EnableSlack": "true",
		"SlackWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf"}},
	{name: "no webhooks", params: map[string]string{"EnableGitHub": "false", "EnablePaddle": "false"}},
	{name: "stripe alone", params: map[string]string{"EnableGitHub": "false", "EnablePaddle": "false", "EnableStripe": "true"}},
}

// webhookProviders are the providers the template can enable, with their
// Enable parameter and whether it is on by default.
var webhookProviders = []struct {
	name, param string
	byDefault   bool
}{
	{"github", "EnableGitHub", true}, {"paddle", "EnablePaddle", true}, {"stripe", "EnableStripe", false},
	{"standard", "EnableStandard", false}, {"shopify", "EnableShopify", false}, {"slack", "EnableSlack", false},
}

func TestProjectTemplate(t *testing.T) {
	for _, cs := range conditionSets {
		t.Run(cs.name, func(t *testing.T) {
			app, err := LoadFile(projectTemplate, Options{Parameters: cs.params})
			if cs.refused != "" {
				if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), cs.refused) || !strings.Contains(err.Error(), "custom domain") {
					t.Fatalf("error %v, want ErrUnsupported naming the custom domain %s", err, cs.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkContract(t, app, cs.params)
		})
	}
}

// checkContract asserts the contract between template.yaml and the code:
// logical IDs, queues with their redrive policy, functions and routes.
func checkContract(t *testing.T, app *App, params map[string]string) {
	t.Helper()
	fifo := params["QueueType"] == "fifo"
	if len(app.Queues) != 2 || app.Queues[0].LogicalID != "DeadLetterQueue" || app.Queues[1].LogicalID != "IngestQueue" {
		t.Fatalf("queues %v, want DeadLetterQueue then IngestQueue", app.Queues)
	}
	ingest := app.Queues[1]
	if !strings.Contains(ingest.Attributes["RedrivePolicy"], app.Queues[0].ARN) {
		t.Errorf("IngestQueue RedrivePolicy %s does not name the DLQ ARN", ingest.Attributes["RedrivePolicy"])
	}
	if ingest.FIFO != fifo || strings.HasSuffix(ingest.Name, ".fifo") != fifo {
		t.Errorf("IngestQueue %s FIFO=%v, want %v", ingest.Name, ingest.FIFO, fifo)
	}
	functions := map[string]*Function{}
	for _, f := range app.Functions {
		functions[f.LogicalID] = f
		if f.Environment["QUEUE_URL"] != ingest.URL {
			t.Errorf("%s QUEUE_URL %q, want %q", f.LogicalID, f.Environment["QUEUE_URL"], ingest.URL)
		}
		if f.Runtime != "provided.al2023" || f.Handler != "bootstrap" {
			t.Errorf("%s runtime %s handler %s", f.LogicalID, f.Runtime, f.Handler)
		}
	}
	transformer := params["EnableTransformer"] != "false"
	for _, id := range []string{"WebhookFunction", "AuthorizerFunction"} {
		if functions[id] == nil {
			t.Errorf("function %s missing", id)
		}
	}
	if (functions["TransformerFunction"] != nil) != transformer {
		t.Errorf("TransformerFunction present=%v, want %v", functions["TransformerFunction"] != nil, transformer)
	}
	if app.API == nil || app.API.LogicalID != "IngestApi" {
		t.Fatalf("API %+v, want IngestApi", app.API)
	}
	routes := map[string]Route{}
	for _, r := range app.API.Routes {
		routes[r.Key()] = r
	}
	authorizer := "CognitoAuthorizer"
	if params["AuthorizerType"] == "jwt" {
		authorizer = "CognitoJwtAuthorizer"
	}
	want := []struct {
		key, typ, target, authorizer string
	}{
		{"POST /v1/messages", "sqs", "SQS-SendMessage", authorizer},
		{"GET /v1/send", "sqs", "SQS-SendMessage", authorizer},
		{"GET /v1/messages", "sqs", "SQS-ReceiveMessage", authorizer},
		{"DELETE /v1/messages", "sqs", "SQS-DeleteMessage", authorizer},
	}
	if transformer {
		want = append(want,
			struct{ key, typ, target, authorizer string }{"POST /v1/events", "lambda", "TransformerFunction", "CognitoAuthorizer"},
			struct{ key, typ, target, authorizer string }{"POST /v1/events/batch", "lambda", "TransformerFunction", "CognitoAuthorizer"})
	}
	// A webhook route, its secret variable and nothing else follow each
	// provider's Enable parameter.
	webhookEnv := functions["WebhookFunction"].Environment
	for _, p := range webhookProviders {
		on := p.byDefault
		if v, ok := params[p.param]; ok {
			on = v == "true"
		}
		variable := strings.ToUpper(p.name) + "_WEBHOOK_SECRET_ARN"
		if _, has := webhookEnv[variable]; has != on {
			t.Errorf("WebhookFunction has %s: %v, want %v", variable, has, on)
		}
		if !on {
			if _, ok := routes["POST /webhooks/"+p.name]; ok {
				t.Errorf("route POST /webhooks/%s served with %s=false", p.name, p.param)
			}
			continue
		}
		want = append(want, struct{ key, typ, target, authorizer string }{"POST /webhooks/" + p.name, "lambda", "WebhookFunction", ""})
		if r := routes["POST /webhooks/"+p.name]; r.Integration.PayloadFormatVersion != "2.0" || r.Integration.Timeout.Milliseconds() != 5000 {
			t.Errorf("POST /webhooks/%s integration %+v, want payload 2.0 and a 5000 ms timeout", p.name, r.Integration)
		}
	}
	if len(routes) != len(want) {
		t.Errorf("%d routes, want %d: %v", len(routes), len(want), routes)
	}
	for _, w := range want {
		r, ok := routes[w.key]
		if !ok {
			t.Errorf("route %s missing", w.key)
			continue
		}
		target := r.Integration.Function
		if r.Integration.Type == "sqs" {
			target = r.Integration.Subtype
			if r.Integration.RequestParameters["QueueUrl"] != ingest.URL {
				t.Errorf("%s QueueUrl %q, want %q", w.key, r.Integration.RequestParameters["QueueUrl"], ingest.URL)
			}
		}
		if r.Integration.Type != w.typ || target != w.target || r.Authorizer != w.authorizer {
			t.Errorf("%s = %s %s authorizer %q, want %s %s authorizer %q", w.key, r.Integration.Type, target, r.Authorizer, w.typ, w.target, w.authorizer)
		}
	}
	auth := app.API.Authorizers["CognitoAuthorizer"]
	if auth.Type != "lambda" || auth.Function != "AuthorizerFunction" || auth.PayloadFormatVersion != "2.0" || !auth.EnableSimpleResponses {
		t.Errorf("CognitoAuthorizer %+v", auth)
	}
	if len(auth.IdentitySource) == 0 || auth.IdentitySource[0] != "$request.header.Authorization" {
		t.Errorf("CognitoAuthorizer identity sources %v", auth.IdentitySource)
	}
	if origins := params["CorsAllowOrigins"]; origins != "" {
		if app.API.Cors == nil || strings.Join(app.API.Cors.AllowOrigins, ",") != origins {
			t.Errorf("CORS %+v, want origins %s", app.API.Cors, origins)
		}
	} else if app.API.Cors != nil {
		t.Errorf("CORS %+v, want none", app.API.Cors)
	}
}

package template

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// restConditionSets are the REST form's parameter sets (rest-contract.md):
// extras off, every extra on, and what CloudFormation or the platform
// refuses.
var restConditionSets = []struct {
	name    string
	params  map[string]string
	refused string // non-empty: Load must fail naming this
	is      error
}{
	{name: "rest, extras off", params: map[string]string{"ApiType": "rest"}},
	{name: "rest, every extra on", params: map[string]string{"ApiType": "rest", "RequireApiKey": "true", "UsagePlanQuotaLimit": "1000",
		"UsagePlanQuotaPeriod": "WEEK", "UsagePlanRateLimit": "5", "UsagePlanBurstLimit": "7", "EnableRequestValidation": "true",
		"WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/sqsgate/0a1b2c3d", "WebhookSourceCidrs": "192.0.2.0/24,198.51.100.0/24",
		"QueueType": "fifo", "EnableStripe": "true"}},
	{name: "rest without the transformer and webhooks", params: map[string]string{"ApiType": "rest", "EnableTransformer": "false", "EnableGitHub": "false", "EnablePaddle": "false"}},
	{name: "rest with the JWT authorizer is refused by the Rules", params: map[string]string{"ApiType": "rest", "AuthorizerType": "jwt"}, refused: "AuthorizerType=lambda", is: ErrInvalid},
	{name: "a REST extra on the HTTP API is refused by the Rules", params: map[string]string{"RequireApiKey": "true"}, refused: "ApiType=rest", is: ErrInvalid},
	{name: "rest with a custom domain is refused", params: map[string]string{"ApiType": "rest", "DomainName": "hooks.example.com", "HostedZoneId": "Z123EXAMPLE"}, refused: "hooks.example.com", is: ErrUnsupported},
}

func TestProjectTemplateRest(t *testing.T) {
	for _, cs := range restConditionSets {
		t.Run(cs.name, func(t *testing.T) {
			app, err := LoadFile(projectTemplate, Options{Parameters: cs.params})
			if cs.refused != "" {
				if !errors.Is(err, cs.is) || !strings.Contains(err.Error(), cs.refused) {
					t.Fatalf("error %v, want %v naming %s", err, cs.is, cs.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkRestContract(t, app, cs.params)
		})
	}
}

// checkRestContract asserts what the local platform reads from the REST
// form: every method, its authorization, its integration and the extras.
func checkRestContract(t *testing.T, app *App, params map[string]string) {
	t.Helper()
	on := func(name, def string) bool {
		if v, ok := params[name]; ok {
			return v == "true"
		}
		return def == "true"
	}
	api := app.RestAPI
	if app.API != nil || api == nil || api.LogicalID != "IngestRestApi" || api.StageName != "live" || api.ID != "local" || api.APIKeySource != "HEADER" {
		t.Fatalf("HTTP API %v, REST API %+v: want IngestRestApi alone, stage live", app.API, api)
	}
	ingest := app.Queues[len(app.Queues)-1]
	apiKey, validation, fifo := on("RequireApiKey", "false"), on("EnableRequestValidation", "false"), params["QueueType"] == "fifo"

	type want struct {
		key, integration, action, validator string
		params                              map[string]bool
	}
	wants := []want{
		{"GET /v1/send", "aws", "SendMessage", "", map[string]bool{"method.request.querystring.MessageBody": validation}},
		{"POST /v1/messages", "aws", "SendMessage", "", map[string]bool{}},
		{"GET /v1/messages", "aws", "ReceiveMessage", "", map[string]bool{"method.request.querystring.max": false, "method.request.querystring.wait": false, "method.request.querystring.visibility": false}},
		{"DELETE /v1/messages", "aws", "DeleteMessage", "", map[string]bool{"method.request.querystring.receiptHandle": validation}},
		{"POST /v1/messages/batch", "aws", "SendMessageBatch", "body", map[string]bool{}},
	}
	if validation {
		wants[0].validator, wants[1].validator, wants[3].validator = "params", "body", "params"
	}
	if on("EnableTransformer", "true") {
		wants = append(wants, want{"POST /v1/events", "aws_proxy:TransformerFunction", "", "", map[string]bool{}},
			want{"POST /v1/events/batch", "aws_proxy:TransformerFunction", "", "", map[string]bool{}})
	}
	for _, p := range webhookProviders {
		if on(p.param, map[bool]string{true: "true"}[p.byDefault]) {
			wants = append(wants, want{"POST /webhooks/" + p.name, "aws_proxy:WebhookFunction", "", "", map[string]bool{}})
		}
	}
	methods := map[string]RestMethod{}
	for _, m := range api.Methods {
		methods[m.Method+" "+m.Path] = m
	}
	if len(methods) != len(wants) {
		var keys []string
		for k := range methods {
			keys = append(keys, k)
		}
		t.Errorf("%d methods %v, want %d", len(methods), keys, len(wants))
	}
	for _, w := range wants {
		m, ok := methods[w.key]
		if !ok {
			t.Errorf("method %s missing", w.key)
			continue
		}
		in := m.Integration
		webhook := strings.HasPrefix(w.key, "POST /webhooks/")
		// Every method but the webhooks is authorized (and keyed when
		// RequireApiKey); the webhooks verify their own signatures.
		if webhook && (m.Authorizer != "" || m.APIKeyRequired) || !webhook && (m.Authorizer != "CognitoRequestAuthorizer" || m.APIKeyRequired != apiKey) {
			t.Errorf("%s authorizer %q api key %v", w.key, m.Authorizer, m.APIKeyRequired)
		}
		if m.Validator != w.validator || !reflect.DeepEqual(m.RequestParameters, w.params) {
			t.Errorf("%s validator %q parameters %v, want %q %v", w.key, m.Validator, m.RequestParameters, w.validator, w.params)
		}
		if typ, fn, _ := strings.Cut(w.integration, ":"); typ == "aws_proxy" {
			if in.Type != "aws_proxy" || in.Function != fn || in.HTTPMethod != "POST" {
				t.Errorf("%s integration %+v, want aws_proxy to %s", w.key, in, fn)
			}
			continue
		}
		if in.Type != "aws" || in.Service != "sqs" || in.Path != "000000000000/"+ingest.Name || in.CredentialsARN != "arn:aws:iam::000000000000:role/ApiGatewaySqsRole" ||
			in.RequestParameters["integration.request.header.Accept"] != "'application/json'" {
			t.Errorf("%s integration %+v, want aws to IngestQueue's path as ApiGatewaySqsRole with Accept: application/json", w.key, in)
		}
		action := strings.Trim(in.RequestParameters["integration.request.querystring.Action"], "'")
		if tpl := in.RequestTemplates["application/json"]; action == "" {
			action, _, _ = strings.Cut(strings.TrimPrefix(tpl, "Action="), "&")
			action = strings.TrimSuffix(strings.TrimSpace(strings.Split(action, "\n")[0]), "##")
			if in.PassthroughBehavior != "NEVER" || in.RequestParameters["integration.request.header.Content-Type"] != "'application/x-www-form-urlencoded'" {
				t.Errorf("%s: a mapping template method must be NEVER passthrough and form-encoded: %+v", w.key, in)
			}
			if got := strings.Contains(tpl, "MessageGroupId") && strings.Contains(tpl, "MessageDeduplicationId"); got != fifo {
				t.Errorf("%s template carries the FIFO group and deduplication ids: %v, want %v", w.key, got, fifo)
			}
		}
		if action != w.action {
			t.Errorf("%s action %q, want %s", w.key, action, w.action)
		}
		var patterns []string
		for _, r := range in.Responses {
			patterns = append(patterns, r.SelectionPattern+"="+itoa(r.StatusCode))
		}
		if want := []string{`4\d{2}=400`, `5\d{2}=502`, "=200"}; !reflect.DeepEqual(patterns, want) {
			t.Errorf("%s responses %v, want %v", w.key, patterns, want)
		}
	}
	if send := methods["GET /v1/send"].Integration.RequestParameters; (send["integration.request.querystring.MessageGroupId"] == "context.authorizer.sub") != fifo {
		t.Errorf("GET /v1/send FIFO group parameter %q (fifo=%v)", send["integration.request.querystring.MessageGroupId"], fifo)
	}
	if batch := methods["POST /v1/messages/batch"]; !reflect.DeepEqual(batch.RequestModels, map[string]string{"application/json": "SendBatch"}) {
		t.Errorf("batch request models %v, want SendBatch", batch.RequestModels)
	}
	var batch struct{ MinItems, MaxItems int }
	if err := json.Unmarshal(api.Models["SendBatch"], &batch); err != nil || batch.MinItems != 1 || batch.MaxItems != 10 {
		t.Errorf("SendBatch model %s", api.Models["SendBatch"])
	}
	a := api.Authorizers["CognitoRequestAuthorizer"]
	ttl, _ := strconv.Atoi(str(app.Parameters["AuthorizerCacheTtlSeconds"]))
	if a.Type != "request" || a.Function != "AuthorizerFunction" || !reflect.DeepEqual(a.IdentitySource, []string{"method.request.header.Authorization"}) ||
		ttl == 0 || a.ResultTTL != time.Duration(ttl)*time.Second {
		t.Errorf("CognitoRequestAuthorizer %+v, want a REQUEST authorizer on Authorization, TTL AuthorizerCacheTtlSeconds (%d s)", a, ttl)
	}
	for typ, code := range map[string]string{"BAD_REQUEST_BODY": "invalid_body", "BAD_REQUEST_PARAMETERS": "missing_parameter", "UNSUPPORTED_MEDIA_TYPE": "unsupported_media_type"} {
		g := api.GatewayResponses[typ]
		if tpl := g.ResponseTemplates["application/json"]; !strings.Contains(tpl, `"code":"`+code+`"`) || !strings.Contains(tpl, "$context.error.messageString") {
			t.Errorf("gateway response %s %+v", typ, g)
		}
	}
	if (api.Policy != nil) != (params["WebhookSourceCidrs"] != "") {
		t.Errorf("resource policy %s with WebhookSourceCidrs %q", api.Policy, params["WebhookSourceCidrs"])
	} else if api.Policy != nil && !strings.Contains(string(api.Policy), `"aws:SourceIp":["192.0.2.0/24","198.51.100.0/24"]`) {
		t.Errorf("resource policy %s does not list the CIDRs", api.Policy)
	}
	waf := false
	for _, r := range app.NotEmulated {
		waf = waf || r.Type == "AWS::WAFv2::WebACLAssociation"
	}
	if waf != (params["WebAclArn"] != "") {
		t.Errorf("WAF association listed as not emulated: %v, want %v", waf, params["WebAclArn"] != "")
	}
	if !apiKey {
		if len(api.UsagePlans) != 0 {
			t.Errorf("usage plans %+v without RequireApiKey", api.UsagePlans)
		}
		return
	}
	wantPlan := []UsagePlan{{LogicalID: "IngestUsagePlan", QuotaLimit: 1000, QuotaPeriod: "WEEK", RateLimit: 5, BurstLimit: 7,
		Keys: []APIKey{{LogicalID: "IngestApiKey", Value: "sqsgate-local-IngestApiKey", Enabled: true}}}}
	if !reflect.DeepEqual(api.UsagePlans, wantPlan) {
		t.Errorf("usage plans %+v, want %+v", api.UsagePlans, wantPlan)
	}
}

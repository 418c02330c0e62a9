package sqsgate_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// The REST form of template.yaml (ApiType=rest, issue 12). Each invariant
// is a function from the template to its violations, so that
// TestRestInvariantsCatchBrokenTemplates can show that each one fails on a
// template that breaks it.
//
// AWS references:
//   - OpenAPI extensions: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html
//     (x-amazon-apigateway-integration, -authorizer, -request-validators,
//     -gateway-responses, -policy, -api-key-source)
//   - AWS-service integrations and mapping sources: https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html
//   - SAM AWS::Serverless::Api: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html

// restParameterSets are the REST deployments that must lint clean; they
// are added to parameterSets' runs by TestTemplateRestLintsClean.
var restParameterSets = []struct {
	name   string
	params map[string]string
}{
	{"rest", map[string]string{"ApiType": "rest"}},
	{"rest-every-extra", map[string]string{
		"ApiType": "rest", "RequireApiKey": "true", "UsagePlanQuotaLimit": "100000", "UsagePlanQuotaPeriod": "DAY",
		"EnableRequestValidation": "true", "WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/sqsgate/0a1b2c3d-1111-2222-3333-444455556666",
		"WebhookSourceCidrs": "192.30.252.0/22,185.199.108.0/22,2a0a:a440::/29", "DomainName": "hooks.example.com", "HostedZoneId": "Z0123456789ABCDEFGHIJ",
		"QueueType": "fifo", "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666", "EnableTransformer": "true",
		"EnableStripe": "true", "EnableStandard": "true", "EnableShopify": "true", "EnableSlack": "true",
		"AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:alarms", "EnableTracing": "true",
	}},
	{"rest-api-key-no-quota-existing-certificate", map[string]string{
		"ApiType": "rest", "RequireApiKey": "true", "DomainName": "hooks.example.com", "HostedZoneId": "Z0123456789ABCDEFGHIJ",
		"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666",
	}},
	{"rest-no-webhooks-no-transformer", map[string]string{"ApiType": "rest", "EnableGitHub": "false", "EnablePaddle": "false", "EnableTransformer": "false"}},
}

func lint(t *testing.T, bin, src string) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	out, err := exec.Command(bin, path).CombinedOutput()
	return string(out), err
}

// TestTemplateRestLintsClean: cfn-lint, which runs SAM's translator first,
// finds nothing in the REST form with its extras off, on, and mixed (the
// HTTP sets are TestTemplateLintsCleanUnderEveryParameterSet's).
func TestTemplateRestLintsClean(t *testing.T) {
	bin := testpeer.LookPath(t, "cfn-lint")
	raw, err := os.ReadFile("template.yaml")
	require.NoError(t, err)
	for _, set := range restParameterSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			out, err := lint(t, bin, withDefaults(t, string(raw), set.params))
			assert.NoError(t, err, "cfn-lint reported:\n%s", out)
			assert.Empty(t, strings.TrimSpace(out))
		})
	}
	// The control: cfn-lint does read the REST resources after SAM's
	// translation. SAM names the stage <api><StageName>Stage; a DependsOn
	// on any other name is an error.
	t.Run("control", func(t *testing.T) {
		t.Parallel()
		src := withDefaults(t, string(raw), map[string]string{"ApiType": "rest", "RequireApiKey": "true"})
		require.Contains(t, src, "DependsOn: IngestRestApiliveStage")
		out, err := lint(t, bin, strings.ReplaceAll(src, "DependsOn: IngestRestApiliveStage", "DependsOn: IngestRestApiLiveStage"))
		assert.Error(t, err)
		assert.Contains(t, out, "IngestRestApiLiveStage")
	})
}

// cond evaluates the template's Conditions (and Rules' assertions) for
// parameter values: Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition, Ref,
// Fn::Join and Fn::EachMemberEquals, which is all the template uses.
type cond struct {
	tmpl   cfnMap
	params map[string]any // string, or []string for a CommaDelimitedList
	memo   map[string]bool
}

func newCond(t *testing.T, tmpl cfnMap, overrides map[string]string) *cond {
	t.Helper()
	c := &cond{tmpl: tmpl, params: map[string]any{}, memo: map[string]bool{}}
	for name, p := range tmpl["Parameters"].(cfnMap) {
		pm := p.(cfnMap)
		v := fmt.Sprint(pm["Default"])
		if o, ok := overrides[name]; ok {
			v = o
		}
		if pm["Type"] == "CommaDelimitedList" {
			c.params[name] = strings.Split(v, ",")
		} else {
			c.params[name] = v
		}
	}
	for name := range overrides {
		require.Contains(t, c.params, name, "no such parameter")
	}
	return c
}

func (c *cond) is(name string) bool {
	if v, ok := c.memo[name]; ok {
		return v
	}
	expr, ok := c.tmpl["Conditions"].(cfnMap)[name]
	if !ok {
		panic("no condition " + name)
	}
	v := c.eval(expr).(bool)
	c.memo[name] = v
	return v
}

func (c *cond) eval(v any) any {
	m, ok := v.(cfnMap)
	if !ok {
		return fmt.Sprint(v)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Ref":
			p, ok := c.params[arg.(string)]
			if !ok {
				panic("Ref to no parameter " + arg.(string))
			}
			return p
		case "Condition":
			return c.is(arg.(string))
		case "Fn::Equals":
			return fmt.Sprint(c.eval(args[0])) == fmt.Sprint(c.eval(args[1]))
		case "Fn::Not":
			return !c.eval(args[0]).(bool)
		case "Fn::And", "Fn::Or":
			and := fn == "Fn::And"
			for _, a := range args {
				if c.eval(a).(bool) != and {
					return !and
				}
			}
			return and
		case "Fn::Join":
			return strings.Join(c.eval(args[1]).([]string), args[0].(string))
		case "Fn::EachMemberEquals":
			for _, item := range c.eval(args[0]).([]string) {
				if item != c.eval(args[1]) {
					return false
				}
			}
			return true
		}
		panic("unsupported function " + fn)
	}
	panic("empty intrinsic")
}

// resolve applies every Fn::If under the conditions and drops
// AWS::NoValue, as CloudFormation does before SAM and API Gateway read a
// value.
func (c *cond) resolve(v any) (any, bool) {
	switch x := v.(type) {
	case cfnMap:
		if args, ok := x["Fn::If"].([]any); ok && len(x) == 1 {
			if c.is(args[0].(string)) {
				return c.resolve(args[1])
			}
			return c.resolve(args[2])
		}
		if x["Ref"] == "AWS::NoValue" {
			return nil, false
		}
		out := cfnMap{}
		for k, e := range x {
			if r, ok := c.resolve(e); ok {
				out[k] = r
			}
		}
		return out, true
	case []any:
		out := []any{}
		for _, e := range x {
			if r, ok := c.resolve(e); ok {
				out = append(out, r)
			}
		}
		return out, true
	}
	return v, true
}

// on reports whether a resource exists under the conditions.
func (c *cond) on(r cfnMap) bool {
	name, ok := r["Condition"].(string)
	return !ok || c.is(name)
}

// restMethods are the REST API's methods under the conditions, by
// "METHOD /path".
func (c *cond) restMethods(tmpl cfnMap) map[string]cfnMap {
	api := resourcesOf(tmpl)["IngestRestApi"]
	body, _ := c.resolve(props(api)["DefinitionBody"])
	out := map[string]cfnMap{}
	for path, item := range body.(cfnMap)["paths"].(cfnMap) {
		for method, op := range item.(cfnMap) {
			out[strings.ToUpper(method)+" "+path] = op.(cfnMap)
		}
	}
	return out
}

// conditionSets are parameter sets under which the invariants must hold:
// the linted ones in both forms, and the REST extras one at a time.
func conditionSets() []map[string]string {
	var sets []map[string]string
	for _, s := range parameterSets {
		for _, form := range []string{"http", "rest"} {
			m := map[string]string{"ApiType": form}
			for k, v := range s.params {
				if (k == "AuthorizerType" || k == "CorsAllowOrigins" || k == "CorsAllowCredentials") && form == "rest" {
					continue // refused by the Rules
				}
				m[k] = v
			}
			sets = append(sets, m)
		}
	}
	for _, s := range restParameterSets {
		sets = append(sets, s.params)
	}
	for _, extra := range []map[string]string{
		{"RequireApiKey": "true"}, {"EnableRequestValidation": "true"}, {"QueueType": "fifo"}, {"EnableTransformer": "false"},
		{"WebhookSourceCidrs": "10.0.0.0/8"}, {"RequireApiKey": "true", "UsagePlanQuotaLimit": "5"},
	} {
		m := map[string]string{"ApiType": "rest"}
		for k, v := range extra {
			m[k] = v
		}
		sets = append(sets, m)
	}
	return sets
}

// forEachSet runs check under every condition set and reports the
// violations with the set that shows them.
func forEachSet(t *testing.T, tmpl cfnMap, check func(c *cond) []string) []string {
	var all []string
	for _, set := range conditionSets() {
		for _, v := range check(newCond(t, tmpl, set)) {
			all = append(all, fmt.Sprintf("%v: %s", set, v))
		}
	}
	return all
}

var restRoutes = []string{"DELETE /v1/messages", "GET /v1/messages", "GET /v1/send", "POST /v1/events", "POST /v1/events/batch",
	"POST /v1/messages", "POST /v1/messages/batch"}

// restSecurity: on rest, every method but POST /webhooks/* requires the
// REQUEST authorizer (and the API key in the same requirement when
// RequireApiKey), and the webhook methods require nothing.
func restSecurity(t *testing.T, tmpl cfnMap) []string {
	return forEachSet(t, tmpl, func(c *cond) []string {
		if !c.is("IsRestApi") {
			return nil
		}
		var bad []string
		want := []any{cfnMap{"CognitoRequestAuthorizer": []any{}}}
		if c.is("ApiKeyRequired") {
			want = []any{cfnMap{"CognitoRequestAuthorizer": []any{}, "ApiKey": []any{}}}
		}
		methods := c.restMethods(tmpl)
		for key, op := range methods {
			if strings.HasPrefix(key, "POST /webhooks/") {
				if _, ok := op["security"]; ok {
					bad = append(bad, key+" has security; the function verifies the body's signature")
				}
				continue
			}
			if fmt.Sprint(op["security"]) != fmt.Sprint(want) {
				bad = append(bad, fmt.Sprintf("%s security %v, want %v", key, op["security"], want))
			}
		}
		for _, key := range restRoutes {
			if _, ok := methods[key]; !ok && (c.is("TransformerEnabled") || !strings.Contains(key, "/v1/events")) {
				bad = append(bad, key+" missing")
			}
		}
		body, _ := c.resolve(props(resourcesOf(tmpl)["IngestRestApi"])["DefinitionBody"])
		schemes := body.(cfnMap)["components"].(cfnMap)["securitySchemes"].(cfnMap)
		if fmt.Sprint(schemes["ApiKey"]) != fmt.Sprint(cfnMap{"type": "apiKey", "name": "x-api-key", "in": "header"}) {
			bad = append(bad, fmt.Sprintf("ApiKey scheme %v", schemes["ApiKey"]))
		}
		if body.(cfnMap)["x-amazon-apigateway-api-key-source"] != "HEADER" {
			bad = append(bad, "the API key source is not HEADER")
		}
		return bad
	})
}

func TestTemplateRestMethodsAreAuthorizedExceptWebhooks(t *testing.T) {
	assert.Empty(t, restSecurity(t, loadTemplate(t)))
}

// restAuthorizer: the REQUEST authorizer runs AuthorizerFunction on the
// Authorization header and caches for AuthorizerCacheTtlSeconds.
func restAuthorizer(t *testing.T, tmpl cfnMap) []string {
	api := props(resources(t, tmpl)["IngestRestApi"])
	scheme, _ := api["DefinitionBody"].(cfnMap)["components"].(cfnMap)["securitySchemes"].(cfnMap)["CognitoRequestAuthorizer"].(cfnMap)
	want := cfnMap{
		"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
		"x-amazon-apigateway-authorizer": cfnMap{
			"type":                         "request",
			"identitySource":               "method.request.header.Authorization",
			"authorizerUri":                cfnMap{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthorizerFunction.Arn}/invocations"},
			"authorizerResultTtlInSeconds": cfnMap{"Ref": "AuthorizerCacheTtlSeconds"},
		},
	}
	if fmt.Sprint(scheme) != fmt.Sprint(want) {
		return []string{fmt.Sprintf("CognitoRequestAuthorizer is %v, want %v", scheme, want)}
	}
	return nil
}

func TestTemplateRestAuthorizer(t *testing.T) {
	tmpl := loadTemplate(t)
	assert.Empty(t, restAuthorizer(t, tmpl))
	// AWS caps a REST authorizer's TTL at 3600 s.
	ttl := tmpl["Parameters"].(cfnMap)["AuthorizerCacheTtlSeconds"].(cfnMap)
	assert.Equal(t, 0, ttl["MinValue"])
	assert.Equal(t, 3600, ttl["MaxValue"])
	perm := resources(t, tmpl)["RestAuthorizerInvokePermission"]
	assert.Equal(t, "IsRestApi", perm["Condition"])
	assert.Equal(t, cfnMap{"Ref": "AuthorizerFunction"}, props(perm)["FunctionName"])
	assert.Equal(t, cfnMap{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${IngestRestApi}/authorizers/*"}, props(perm)["SourceArn"])
}

// sqsRole: ApiGatewaySqsRole, which API Gateway assumes (in this account
// only), may SendMessage, ReceiveMessage and DeleteMessage on IngestQueue,
// use the queue's KMS key when there is one, and nothing else.
func sqsRole(t *testing.T, tmpl cfnMap) []string {
	role := resources(t, tmpl)["ApiGatewaySqsRole"]
	var bad []string
	p := props(role)
	for _, k := range []string{"ManagedPolicyArns", "PermissionsBoundary"} {
		if _, ok := p[k]; ok {
			bad = append(bad, "the role has "+k)
		}
	}
	if _, ok := role["Condition"]; ok {
		bad = append(bad, "both forms use the role; it must not be conditional")
	}
	trust := fmt.Sprint(p["AssumeRolePolicyDocument"])
	if !strings.Contains(trust, "apigateway.amazonaws.com") || !strings.Contains(trust, "aws:SourceAccount") {
		bad = append(bad, "the role is not assumed by API Gateway of this account only: "+trust)
	}
	return append(bad, forEachSet(t, tmpl, func(c *cond) []string {
		var bad []string
		var sqs, kms []string
		r, _ := c.resolve(p["Policies"])
		for _, pol := range r.([]any) {
			for _, s := range pol.(cfnMap)["PolicyDocument"].(cfnMap)["Statement"].([]any) {
				st := s.(cfnMap)
				if st["Effect"] != "Allow" || len(st) != 3 {
					bad = append(bad, fmt.Sprintf("unexpected statement %v", st))
					continue
				}
				var actions []string
				for _, a := range asList(st["Action"]) {
					actions = append(actions, a.(string))
				}
				sort.Strings(actions)
				switch fmt.Sprint(st["Resource"]) {
				case fmt.Sprint(cfnMap{"Fn::GetAtt": []any{"IngestQueue", "Arn"}}):
					sqs = append(sqs, actions...)
				case fmt.Sprint(cfnMap{"Ref": "KmsKeyArn"}):
					kms = append(kms, actions...)
				default:
					bad = append(bad, fmt.Sprintf("statement on %v", st["Resource"]))
				}
			}
		}
		if want := []string{"sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"}; !slices.Equal(sqs, want) {
			bad = append(bad, fmt.Sprintf("SQS actions %v, want %v", sqs, want))
		}
		wantKMS := []string(nil)
		if c.is("UseKms") {
			wantKMS = []string{"kms:Decrypt", "kms:GenerateDataKey"}
		}
		if !slices.Equal(kms, wantKMS) {
			bad = append(bad, fmt.Sprintf("KMS actions %v, want %v", kms, wantKMS))
		}
		return bad
	})...)
}

func TestTemplateSqsRoleIsLeastPrivilege(t *testing.T) {
	assert.Empty(t, sqsRole(t, loadTemplate(t)))
}

const (
	sqsURI        = "arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${IngestQueue.QueueName}"
	sqsRejected   = `{"code":"sqs_rejected","sqs_code":$input.json('$.Error.Code'),"message":$input.json('$.Error.Message')}`
	lambdaURIHead = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${"
)

// restIntegrations: every SQS integration calls IngestQueue's path as
// ApiGatewaySqsRole, asks for JSON and maps SQS's errors; every other
// integration is a Lambda proxy to a function of this template.
func restIntegrations(t *testing.T, tmpl cfnMap) []string {
	return forEachSet(t, tmpl, func(c *cond) []string {
		if !c.is("IsRestApi") {
			return nil
		}
		var bad []string
		for key, op := range c.restMethods(tmpl) {
			in := op["x-amazon-apigateway-integration"].(cfnMap)
			switch in["type"] {
			case "aws_proxy":
				uri, _ := in["uri"].(cfnMap)["Fn::Sub"].(string)
				if in["httpMethod"] != "POST" || !strings.HasPrefix(uri, lambdaURIHead) || !strings.HasSuffix(uri, ".Arn}/invocations") {
					bad = append(bad, fmt.Sprintf("%s: proxy %v", key, in))
				}
			case "aws":
				if fmt.Sprint(in["uri"]) != fmt.Sprint(cfnMap{"Fn::Sub": sqsURI}) {
					bad = append(bad, fmt.Sprintf("%s: uri %v", key, in["uri"]))
				}
				if fmt.Sprint(in["credentials"]) != fmt.Sprint(cfnMap{"Fn::GetAtt": []any{"ApiGatewaySqsRole", "Arn"}}) {
					bad = append(bad, fmt.Sprintf("%s: credentials %v", key, in["credentials"]))
				}
				params, _ := in["requestParameters"].(cfnMap)
				if params["integration.request.header.Accept"] != "'application/json'" {
					bad = append(bad, key+": SQS is not asked for JSON")
				}
				res, _ := in["responses"].(cfnMap)
				if fmt.Sprint(res) != fmt.Sprint(cfnMap{
					`4\d{2}`:  cfnMap{"statusCode": "400", "responseTemplates": cfnMap{"application/json": sqsRejected}},
					`5\d{2}`:  cfnMap{"statusCode": "502", "responseTemplates": cfnMap{"application/json": `{"code":"queue_unavailable","message":"the queue did not accept the request; retry later"}`}},
					"default": cfnMap{"statusCode": "200"},
				}) {
					bad = append(bad, fmt.Sprintf("%s: responses %v", key, res))
				}
				// Every integration status needs a method response.
				for _, code := range []string{"200", "400", "502"} {
					if _, ok := op["responses"].(cfnMap)[code]; !ok {
						bad = append(bad, key+": no method response "+code)
					}
				}
				// A mapped method parameter must be declared on the method.
				declared := map[string]bool{}
				for _, p := range asList(op["parameters"]) {
					if pm, ok := p.(cfnMap); ok {
						declared["method.request."+map[string]string{"query": "querystring", "header": "header", "path": "path"}[pm["in"].(string)]+"."+pm["name"].(string)] = true
					}
				}
				for dst, src := range params {
					if s := src.(string); strings.HasPrefix(s, "method.request.") && !declared[s] {
						bad = append(bad, fmt.Sprintf("%s: %s maps undeclared %s", key, dst, s))
					}
				}
				// FIFO needs a group and a deduplication id; a standard
				// queue refuses the latter.
				fifoKeys := []string{"MessageGroupId", "MessageDeduplicationId"}
				if strings.Contains(fmt.Sprint(params), "'SendMessage'") {
					for _, k := range fifoKeys {
						if _, ok := params["integration.request.querystring."+k]; ok != c.is("IsFifo") {
							bad = append(bad, fmt.Sprintf("%s: %s present=%v on fifo=%v", key, k, ok, c.is("IsFifo")))
						}
					}
				}
				templates, _ := in["requestTemplates"].(cfnMap)
				for _, tmplText := range templates {
					s := fmt.Sprint(tmplText)
					for _, k := range fifoKeys {
						if strings.Contains(s, k) != c.is("IsFifo") {
							bad = append(bad, fmt.Sprintf("%s: template mentions %s=%v on fifo=%v", key, k, strings.Contains(s, k), c.is("IsFifo")))
						}
					}
				}
			default:
				bad = append(bad, fmt.Sprintf("%s: integration type %v", key, in["type"]))
			}
		}
		return bad
	})
}

func TestTemplateRestSqsIntegrations(t *testing.T) {
	assert.Empty(t, restIntegrations(t, loadTemplate(t)))
}

// restBatch: the batch method always validates its body against SendBatch
// (1 to 10 entries of {id?, body, attributes?}), before SQS sees it.
func restBatch(t *testing.T, tmpl cfnMap) []string {
	var bad []string
	body := props(resources(t, tmpl)["IngestRestApi"])["DefinitionBody"].(cfnMap)
	op := body["paths"].(cfnMap)["/v1/messages/batch"].(cfnMap)["post"].(cfnMap)
	if op["x-amazon-apigateway-request-validator"] != "body" {
		bad = append(bad, fmt.Sprintf("batch validator %v, want body (unconditionally)", op["x-amazon-apigateway-request-validator"]))
	}
	if fmt.Sprint(op["requestBody"]) != fmt.Sprint(cfnMap{"required": true, "content": cfnMap{"application/json": cfnMap{"schema": cfnMap{"$ref": "#/components/schemas/SendBatch"}}}}) {
		bad = append(bad, fmt.Sprintf("batch requestBody %v", op["requestBody"]))
	}
	if v := fmt.Sprint(body["x-amazon-apigateway-request-validators"].(cfnMap)["body"]); v != fmt.Sprint(cfnMap{"validateRequestBody": true, "validateRequestParameters": false}) {
		bad = append(bad, "validator body is "+v)
	}
	model, _ := body["components"].(cfnMap)["schemas"].(cfnMap)["SendBatch"].(cfnMap)
	items, _ := model["items"].(cfnMap)
	fields, _ := items["properties"].(cfnMap)
	for _, check := range []struct {
		got, want any
		what      string
	}{
		{model["type"], "array", "type"},
		{model["minItems"], 1, "minItems"},
		{model["maxItems"], 10, "maxItems"},
		{items["type"], "object", "items.type"},
		{items["required"], []any{"body"}, "items.required"},
		{items["additionalProperties"], false, "items.additionalProperties"},
		{fields["id"], cfnMap{"type": "string", "pattern": "^[A-Za-z0-9_-]{1,80}$"}, "id"},
		{fields["body"], cfnMap{"type": "string", "minLength": 1}, "body"},
	} {
		if fmt.Sprint(check.got) != fmt.Sprint(check.want) {
			bad = append(bad, fmt.Sprintf("SendBatch %s = %v, want %v", check.what, check.got, check.want))
		}
	}
	attrs, _ := fields["attributes"].(cfnMap)
	if attrs["type"] != "object" || fmt.Sprint(attrs["additionalProperties"]) != fmt.Sprint(cfnMap{"type": "string"}) {
		bad = append(bad, fmt.Sprintf("SendBatch attributes %v", attrs))
	}
	return bad
}

func TestTemplateRestBatchIsValidated(t *testing.T) {
	tmpl := loadTemplate(t)
	assert.Empty(t, restBatch(t, tmpl))
	// The template's lines each end in ## (a Velocity comment that eats
	// the newline), so no line break reaches the form body.
	for _, fifo := range []string{"standard", "fifo"} {
		text := batchTemplate(t, tmpl, fifo)
		for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			assert.True(t, strings.HasSuffix(line, "##"), "%s line %d %q would put a newline in the form body", fifo, i+1, line)
		}
		assert.True(t, strings.HasPrefix(text, "Action=SendMessageBatch##\n#foreach($entry in $input.path('$'))##\n"), fifo)
		assert.Equal(t, fifo == "fifo", strings.Contains(text, "MessageGroupId"), fifo)
	}
}

// batchTemplate is the batch method's mapping template for a queue type.
func batchTemplate(t *testing.T, tmpl cfnMap, queueType string) string {
	t.Helper()
	c := newCond(t, tmpl, map[string]string{"ApiType": "rest", "QueueType": queueType})
	in := c.restMethods(tmpl)["POST /v1/messages/batch"]["x-amazon-apigateway-integration"].(cfnMap)
	join := in["requestTemplates"].(cfnMap)["application/json"].(cfnMap)["Fn::Join"].([]any)
	require.Equal(t, "", join[0])
	var b strings.Builder
	for _, part := range join[1].([]any) {
		b.WriteString(part.(string))
	}
	return b.String()
}

// The single-message methods validate only when EnableRequestValidation:
// /v1/send its MessageBody (as required), POST /v1/messages its body as
// JSON.
func TestTemplateRestRequestValidation(t *testing.T) {
	tmpl := loadTemplate(t)
	for _, on := range []bool{false, true} {
		c := newCond(t, tmpl, map[string]string{"ApiType": "rest", "EnableRequestValidation": fmt.Sprint(on)})
		m := c.restMethods(tmpl)
		send, post, del := m["GET /v1/send"], m["POST /v1/messages"], m["DELETE /v1/messages"]
		if on {
			assert.Equal(t, "params", send["x-amazon-apigateway-request-validator"])
			assert.Equal(t, "body", post["x-amazon-apigateway-request-validator"])
			assert.Equal(t, "params", del["x-amazon-apigateway-request-validator"])
		} else {
			for _, op := range []cfnMap{send, post, del} {
				assert.NotContains(t, op, "x-amazon-apigateway-request-validator")
			}
		}
		assert.Equal(t, []any{cfnMap{"name": "MessageBody", "in": "query", "required": on, "schema": cfnMap{"type": "string"}}}, send["parameters"])
		assert.Equal(t, []any{cfnMap{"name": "receiptHandle", "in": "query", "required": on, "schema": cfnMap{"type": "string"}}}, del["parameters"])
		assert.Equal(t, cfnMap{"required": true, "content": cfnMap{"application/json": cfnMap{"schema": cfnMap{"$ref": "#/components/schemas/JsonBody"}}}}, post["requestBody"])
	}
	// The seed's route: GET, MessageBody from the query string, as is.
	c := newCond(t, tmpl, map[string]string{"ApiType": "rest"})
	in := c.restMethods(tmpl)["GET /v1/send"]["x-amazon-apigateway-integration"].(cfnMap)
	assert.Equal(t, "GET", in["httpMethod"])
	assert.Equal(t, "WHEN_NO_MATCH", in["passthroughBehavior"])
	assert.Equal(t, cfnMap{
		"integration.request.header.Accept":           "'application/json'",
		"integration.request.querystring.Action":      "'SendMessage'",
		"integration.request.querystring.MessageBody": "method.request.querystring.MessageBody",
	}, in["requestParameters"])
	// POST /v1/messages maps JSON only: anything else is 415, never sent
	// to SQS unmapped.
	post := c.restMethods(tmpl)["POST /v1/messages"]["x-amazon-apigateway-integration"].(cfnMap)
	assert.Equal(t, "NEVER", post["passthroughBehavior"])
	assert.Equal(t, "'application/x-www-form-urlencoded'", post["requestParameters"].(cfnMap)["integration.request.header.Content-Type"])
	assert.Equal(t, []string{"application/json"}, slices.Sorted(func(yield func(string) bool) {
		for k := range post["requestTemplates"].(cfnMap) {
			if !yield(k) {
				return
			}
		}
	}))
}

// formResources are the resources that belong to one API form (api is
// IngestRestApi or IngestApi): those of the form's own resource types,
// those that name its API (directly or through another such resource) in
// a value that exists on the other form, and those that only such
// resources refer to.
func formResources(tmpl cfnMap, api string) map[string]bool {
	res := resourcesOf(tmpl)
	other := map[string]string{"IngestRestApi": "http", "IngestApi": "rest"}[api]
	prefixes := map[string][]string{
		"IngestRestApi": {"AWS::ApiGateway::", "AWS::Serverless::Api", "AWS::WAFv2::"},
		"IngestApi":     {"AWS::ApiGatewayV2::", "AWS::Serverless::HttpApi"},
	}[api]
	refs := map[string]map[string]bool{} // resource -> what it refers to on the other form
	form := map[string]bool{}
	for id, r := range res {
		refs[id] = map[string]bool{}
		collectRefs(r, refs[id], other)
		for _, p := range prefixes {
			if strings.HasPrefix(r["Type"].(string), p) {
				form[id] = true
			}
		}
	}
	outputs := map[string]bool{}
	collectRefs(tmpl["Outputs"], outputs, other)
	for changed := true; changed; {
		changed = false
		for id := range res {
			if form[id] {
				continue
			}
			users, inForm := 0, 0
			for other := range res {
				if refs[other][id] {
					users++
					if form[other] {
						inForm++
					}
				}
			}
			named := refs[id][api] || refs[id][api+"liveStage"] || refs[id][api+"ApiGatewayDefaultStage"]
			for ref := range refs[id] {
				named = named || form[ref]
			}
			if named || users > 0 && users == inForm && !outputs[id] {
				form[id], changed = true, true
			}
		}
	}
	return form
}

// collectRefs records every logical ID v names on the given form ("rest"
// or "http"; an Fn::If on IsRestApi or IsHttpApi contributes only the
// branch that form takes): Ref, Fn::GetAtt, ${X} and ${X.Attr} in
// Fn::Sub, DependsOn.
func collectRefs(v any, into map[string]bool, form string) {
	switch x := v.(type) {
	case cfnMap:
		if args, ok := x["Fn::If"].([]any); ok && len(args) == 3 {
			switch args[0] {
			case "IsRestApi":
				collectRefs(args[map[bool]int{true: 1, false: 2}[form == "rest"]], into, form)
				return
			case "IsHttpApi":
				collectRefs(args[map[bool]int{true: 1, false: 2}[form == "http"]], into, form)
				return
			}
		}
		for k, e := range x {
			switch k {
			case "Ref":
				if s, ok := e.(string); ok {
					into[s] = true
				}
			case "Fn::GetAtt":
				into[e.([]any)[0].(string)] = true
			case "Fn::Sub":
				s := e
				if l, ok := e.([]any); ok {
					s = l[0]
					collectRefs(l[1], into, form)
				}
				for _, m := range subVar.FindAllStringSubmatch(s.(string), -1) {
					into[m[1]] = true
				}
			case "DependsOn":
				for _, d := range asList(e) {
					into[d.(string)] = true
				}
			default:
				collectRefs(e, into, form)
			}
		}
	case []any:
		for _, e := range x {
			collectRefs(e, into, form)
		}
	}
}

// formConditions: each resource of one form exists only on that form.
func formConditions(t *testing.T, tmpl cfnMap) []string {
	rest, http := formResources(tmpl, "IngestRestApi"), formResources(tmpl, "IngestApi")
	var bad []string
	for id := range rest {
		if http[id] {
			bad = append(bad, id+" belongs to both forms")
		}
	}
	res := resources(t, tmpl)
	return append(bad, forEachSet(t, tmpl, func(c *cond) []string {
		var bad []string
		other := rest
		if c.is("IsRestApi") {
			other = http
		}
		for id := range other {
			if r, ok := res[id]; ok && c.on(r) {
				bad = append(bad, id+" exists on the other form")
			}
		}
		return bad
	})...)
}

func TestTemplateFormResourcesAreConditional(t *testing.T) {
	tmpl := loadTemplate(t)
	rest, http := formResources(tmpl, "IngestRestApi"), formResources(tmpl, "IngestApi")
	// What the walk finds, so that a resource leaving a form is noticed.
	assert.Equal(t, []string{"ApiGatewayAccount", "ApiGatewayCloudWatchRole", "IngestApiKey", "IngestRestApi", "IngestUsagePlan", "IngestUsagePlanKey",
		"RestApiAccessLogs", "RestApiDomain", "RestApiDomainMapping", "RestAuthorizerInvokePermission", "RestTransformerInvokePermission", "RestWebAclAssociation", "RestWebhookInvokePermission"},
		slices.Sorted(keys(rest)))
	assert.Equal(t, []string{"ApiAccessLogs", "ApiDomain", "ApiDomainMapping", "IngestApi", "TransformerInvokePermission", "WebhookInvokePermission"},
		slices.Sorted(keys(http)))
	assert.Empty(t, formConditions(t, tmpl))
	// Shared by both forms, hence unconditional on the form.
	for _, id := range []string{"ApiGatewaySqsRole", "AuthorizerFunction", "WebhookFunction", "IngestQueue"} {
		assert.NotContains(t, resources(t, tmpl)[id], "Condition", id)
	}
}

func keys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestTemplateRules: CloudFormation refuses ApiType=rest with the JWT
// authorizer (REST has none) and the REST-only extras on the HTTP form,
// where they would silently not exist; the supported sets pass.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html
func TestTemplateRules(t *testing.T) {
	tmpl := loadTemplate(t)
	refused := func(set map[string]string) []string {
		c := newCond(t, tmpl, set)
		var failed []string
		for name, r := range tmpl["Rules"].(cfnMap) {
			rule := r.(cfnMap)
			if rc, ok := rule["RuleCondition"]; ok && !c.eval(rc).(bool) {
				continue
			}
			for _, a := range rule["Assertions"].([]any) {
				if !c.eval(a.(cfnMap)["Assert"]).(bool) {
					failed = append(failed, name)
				}
			}
		}
		return failed
	}
	for _, set := range conditionSets() {
		assert.Empty(t, refused(set), "%v", set)
	}
	for _, tc := range []struct {
		set  map[string]string
		rule string
	}{
		{map[string]string{"ApiType": "rest", "AuthorizerType": "jwt"}, "RestApiUsesLambdaAuthorizer"},
		{map[string]string{"RequireApiKey": "true"}, "RestExtrasNeedRestApi"},
		{map[string]string{"EnableRequestValidation": "true"}, "RestExtrasNeedRestApi"},
		{map[string]string{"WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/b"}, "RestExtrasNeedRestApi"},
		{map[string]string{"WebhookSourceCidrs": "10.0.0.0/8"}, "RestExtrasNeedRestApi"},
		{map[string]string{"ApiType": "http", "WebhookSourceCidrs": "10.0.0.0/8,192.168.0.0/16"}, "RestExtrasNeedRestApi"},
		{map[string]string{"ApiType": "rest", "CorsAllowOrigins": "https://app.example.com"}, "RestApiHasNoCors"},
	} {
		assert.Equal(t, []string{tc.rule}, refused(tc.set), "%v", tc.set)
	}
}

// TestTemplateRestExtras: each extra exists exactly when its parameter
// asks for it: the WAF association, the resource policy, the key with its
// usage plan (quota only when a limit is set).
func TestTemplateRestExtras(t *testing.T) {
	tmpl := loadTemplate(t)
	res := resources(t, tmpl)
	on := func(set map[string]string, id string) bool { return newCond(t, tmpl, set).on(res[id]) }
	rest := map[string]string{"ApiType": "rest"}
	for _, id := range []string{"RestWebAclAssociation", "IngestApiKey", "IngestUsagePlan", "IngestUsagePlanKey"} {
		assert.False(t, on(rest, id), "%s exists with the extras off", id)
	}
	assert.True(t, on(map[string]string{"ApiType": "rest", "WebAclArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/b"}, "RestWebAclAssociation"))
	assert.Equal(t, cfnMap{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${IngestRestApi}/stages/live"}, props(res["RestWebAclAssociation"])["ResourceArn"])
	keyed := map[string]string{"ApiType": "rest", "RequireApiKey": "true"}
	for _, id := range []string{"IngestApiKey", "IngestUsagePlan", "IngestUsagePlanKey"} {
		assert.True(t, on(keyed, id), id)
	}
	assert.NotContains(t, props(res["IngestApiKey"]), "Value", "AWS generates the key")
	plan := func(set map[string]string) cfnMap {
		p, _ := newCond(t, tmpl, set).resolve(props(res["IngestUsagePlan"]))
		return p.(cfnMap)
	}
	assert.NotContains(t, plan(keyed), "Quota")
	assert.Equal(t, cfnMap{"Limit": cfnMap{"Ref": "UsagePlanQuotaLimit"}, "Period": cfnMap{"Ref": "UsagePlanQuotaPeriod"}},
		plan(map[string]string{"ApiType": "rest", "RequireApiKey": "true", "UsagePlanQuotaLimit": "1000"})["Quota"])
	assert.Equal(t, []any{cfnMap{"ApiId": cfnMap{"Ref": "IngestRestApi"}, "Stage": "live"}}, plan(keyed)["ApiStages"])
	assert.Equal(t, "ApiKeyRequired", tmpl["Outputs"].(cfnMap)["IngestApiKeyId"].(cfnMap)["Condition"])

	policy := func(set map[string]string) any {
		b, _ := newCond(t, tmpl, set).resolve(props(res["IngestRestApi"])["DefinitionBody"])
		return b.(cfnMap)["x-amazon-apigateway-policy"]
	}
	assert.Nil(t, policy(rest), "no resource policy without WebhookSourceCidrs")
	p := policy(map[string]string{"ApiType": "rest", "WebhookSourceCidrs": "10.0.0.0/8"}).(cfnMap)
	stmts := p["Statement"].([]any)
	require.Len(t, stmts, 2)
	assert.Equal(t, cfnMap{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}, stmts[0])
	assert.Equal(t, cfnMap{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/POST/webhooks/*",
		"Condition": cfnMap{"NotIpAddress": cfnMap{"aws:SourceIp": cfnMap{"Ref": "WebhookSourceCidrs"}}}}, stmts[1])
}

// TestTemplateRestGatewayResponses: API Gateway's own 400 and 415 answers
// use the project's error shape. $context.error.messageString comes
// quoted, so each template is JSON whatever the message (checked here with
// a message full of JSON's special characters).
func TestTemplateRestGatewayResponses(t *testing.T) {
	body := props(resources(t, loadTemplate(t))["IngestRestApi"])["DefinitionBody"].(cfnMap)
	responses := body["x-amazon-apigateway-gateway-responses"].(cfnMap)
	for typ, want := range map[string][2]string{
		"BAD_REQUEST_BODY": {"400", "invalid_body"}, "BAD_REQUEST_PARAMETERS": {"400", "missing_parameter"}, "UNSUPPORTED_MEDIA_TYPE": {"415", "unsupported_media_type"},
	} {
		r := responses[typ].(cfnMap)
		assert.Equal(t, want[0], r["statusCode"], typ)
		tmplText := r["responseTemplates"].(cfnMap)["application/json"].(string)
		rendered := strings.ReplaceAll(tmplText, "$context.error.messageString", `"Invalid request body: \"quote\" \\ {}"`)
		var got map[string]string
		require.NoError(t, jsonUnmarshal(rendered, &got), "%s renders %s", typ, rendered)
		assert.Equal(t, map[string]string{"code": want[1], "message": `Invalid request body: "quote" \ {}`}, got, typ)
	}
	assert.Len(t, responses, 3, "auth answers keep AWS's defaults")
}

// subVar matches ${Name} and ${Name.Attr} in Fn::Sub, not ${!Literal}.
var subVar = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}`)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// resourcesOf is resources without a test to report to.
func resourcesOf(tmpl cfnMap) map[string]cfnMap {
	out := map[string]cfnMap{}
	for id, r := range tmpl["Resources"].(cfnMap) {
		out[id], _ = r.(cfnMap)
	}
	return out
}

// at walks a template by keys.
func at(v any, keys ...string) cfnMap {
	for _, k := range keys {
		v = v.(cfnMap)[k]
	}
	return v.(cfnMap)
}

func restPath(tmpl cfnMap, path string) cfnMap {
	return at(tmpl, "Resources", "IngestRestApi", "Properties", "DefinitionBody", "paths", path)
}

// ifBranch is the true branch of the Fn::If a conditional path is.
func ifBranch(v cfnMap) cfnMap { return v["Fn::If"].([]any)[1].(cfnMap) }

// TestRestInvariantsCatchBrokenTemplates: each invariant above reports a
// template that breaks it (a fresh copy of template.yaml, changed in one
// place per case).
func TestRestInvariantsCatchBrokenTemplates(t *testing.T) {
	checks := map[string]func(*testing.T, cfnMap) []string{
		"security": restSecurity, "authorizer": restAuthorizer, "role": sqsRole,
		"integrations": restIntegrations, "batch": restBatch, "forms": formConditions,
	}
	for _, tc := range []struct {
		name, check string
		breakIt     func(tmpl cfnMap)
	}{
		{"a /v1 method without security", "security", func(tmpl cfnMap) { delete(at(restPath(tmpl, "/v1/send"), "get"), "security") }},
		{"the transformer without security", "security", func(tmpl cfnMap) { delete(at(ifBranch(restPath(tmpl, "/v1/events")), "post"), "security") }},
		{"the API key never required", "security", func(tmpl cfnMap) {
			at(restPath(tmpl, "/v1/messages"), "delete")["security"] = []any{cfnMap{"CognitoRequestAuthorizer": []any{}}}
		}},
		{"the API key in a second requirement (either one would do)", "security", func(tmpl cfnMap) {
			at(restPath(tmpl, "/v1/messages"), "get")["security"] = []any{cfnMap{"CognitoRequestAuthorizer": []any{}}, cfnMap{"ApiKey": []any{}}}
		}},
		{"a webhook behind the authorizer", "security", func(tmpl cfnMap) {
			at(ifBranch(restPath(tmpl, "/webhooks/github")), "post")["security"] = []any{cfnMap{"CognitoRequestAuthorizer": []any{}}}
		}},
		{"a route missing", "security", func(tmpl cfnMap) { delete(restPath(tmpl, "/v1/messages"), "delete") }},
		{"the authorizer's TTL fixed", "authorizer", func(tmpl cfnMap) {
			at(tmpl, "Resources", "IngestRestApi", "Properties", "DefinitionBody", "components", "securitySchemes", "CognitoRequestAuthorizer", "x-amazon-apigateway-authorizer")["authorizerResultTtlInSeconds"] = 300
		}},
		{"a TOKEN authorizer", "authorizer", func(tmpl cfnMap) {
			at(tmpl, "Resources", "IngestRestApi", "Properties", "DefinitionBody", "components", "securitySchemes", "CognitoRequestAuthorizer", "x-amazon-apigateway-authorizer")["type"] = "token"
		}},
		{"the role may purge", "role", func(tmpl cfnMap) {
			st := at(tmpl, "Resources", "ApiGatewaySqsRole", "Properties")["Policies"].([]any)[0].(cfnMap)["PolicyDocument"].(cfnMap)["Statement"].([]any)[0].(cfnMap)
			st["Action"] = append(st["Action"].([]any), "sqs:PurgeQueue")
		}},
		{"the role on every queue", "role", func(tmpl cfnMap) {
			st := at(tmpl, "Resources", "ApiGatewaySqsRole", "Properties")["Policies"].([]any)[0].(cfnMap)["PolicyDocument"].(cfnMap)["Statement"].([]any)[0].(cfnMap)
			st["Resource"] = "*"
		}},
		{"the role with a managed policy", "role", func(tmpl cfnMap) {
			at(tmpl, "Resources", "ApiGatewaySqsRole", "Properties")["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/AmazonSQSFullAccess"}
		}},
		{"the role's KMS grant unconditional", "role", func(tmpl cfnMap) {
			stmts := at(tmpl, "Resources", "ApiGatewaySqsRole", "Properties")["Policies"].([]any)[0].(cfnMap)["PolicyDocument"].(cfnMap)
			stmts["Statement"].([]any)[1] = stmts["Statement"].([]any)[1].(cfnMap)["Fn::If"].([]any)[1]
		}},
		{"an integration with other credentials", "integrations", func(tmpl cfnMap) {
			at(restPath(tmpl, "/v1/messages/batch"), "post", "x-amazon-apigateway-integration")["credentials"] = "arn:aws:iam::123456789012:role/admin"
		}},
		{"an integration on the dead-letter queue", "integrations", func(tmpl cfnMap) {
			at(restPath(tmpl, "/v1/messages"), "get", "x-amazon-apigateway-integration")["uri"] = cfnMap{"Fn::Sub": strings.Replace(sqsURI, "IngestQueue", "DeadLetterQueue", 1)}
		}},
		{"SQS not asked for JSON", "integrations", func(tmpl cfnMap) {
			delete(at(restPath(tmpl, "/v1/send"), "get", "x-amazon-apigateway-integration", "requestParameters"), "integration.request.header.Accept")
		}},
		{"SQS errors passed through", "integrations", func(tmpl cfnMap) {
			delete(at(restPath(tmpl, "/v1/messages"), "post", "x-amazon-apigateway-integration", "responses"), `4\d{2}`)
		}},
		{"an undeclared query parameter", "integrations", func(tmpl cfnMap) {
			delete(at(restPath(tmpl, "/v1/messages"), "get"), "parameters")
		}},
		{"a FIFO group on a standard queue", "integrations", func(tmpl cfnMap) {
			at(restPath(tmpl, "/v1/send"), "get", "x-amazon-apigateway-integration", "requestParameters")["integration.request.querystring.MessageGroupId"] = "context.authorizer.sub"
		}},
		{"the batch validated only on request", "batch", func(tmpl cfnMap) {
			at(restPath(tmpl, "/v1/messages/batch"), "post")["x-amazon-apigateway-request-validator"] = cfnMap{"Fn::If": []any{"RequestValidationOn", "body", cfnMap{"Ref": "AWS::NoValue"}}}
		}},
		{"eleven entries a batch", "batch", func(tmpl cfnMap) {
			at(tmpl, "Resources", "IngestRestApi", "Properties", "DefinitionBody", "components", "schemas", "SendBatch")["maxItems"] = 11
		}},
		{"an empty batch", "batch", func(tmpl cfnMap) {
			delete(at(tmpl, "Resources", "IngestRestApi", "Properties", "DefinitionBody", "components", "schemas", "SendBatch"), "minItems")
		}},
		{"a WAF association on the HTTP form", "forms", func(tmpl cfnMap) { delete(at(tmpl, "Resources", "RestWebAclAssociation"), "Condition") }},
		{"REST access logs on the HTTP form", "forms", func(tmpl cfnMap) { at(tmpl, "Resources", "RestApiAccessLogs")["Condition"] = "HasAlarms" }},
		{"the HTTP API on the REST form", "forms", func(tmpl cfnMap) { delete(at(tmpl, "Resources", "IngestApi"), "Condition") }},
		{"an HTTP permission on the REST form", "forms", func(tmpl cfnMap) {
			at(tmpl, "Resources", "TransformerInvokePermission")["Condition"] = "TransformerEnabled"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := loadTemplate(t)
			tc.breakIt(tmpl)
			assert.NotEmpty(t, checks[tc.check](t, tmpl), "the %s check passed a broken template", tc.check)
		})
	}
}

// TestSamconfigOverrides: every config env's parameter_overrides name
// parameters of the template with values it accepts (AllowedValues,
// AllowedPattern, per item for a list) and that its Rules let deploy, so
// `sam deploy --config-env rest` is not refused halfway.
func TestSamconfigOverrides(t *testing.T) {
	raw, err := os.ReadFile("samconfig.toml")
	require.NoError(t, err)
	tmpl := loadTemplate(t)
	params := tmpl["Parameters"].(cfnMap)
	pair := regexp.MustCompile(`(\w+)="([^"]*)"`)
	envs := map[string]bool{}
	env := ""
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "[") {
			env, _, _ = strings.Cut(strings.Trim(line, "[]"), ".")
			continue
		}
		value, ok := strings.CutPrefix(line, "parameter_overrides = ")
		if !ok {
			continue
		}
		envs[env] = true
		unquoted, err := strconv.Unquote(value)
		require.NoError(t, err, "%s: %s", env, value)
		set := map[string]string{}
		for _, m := range pair.FindAllStringSubmatch(unquoted, -1) {
			set[m[1]] = m[2]
			p, ok := params[m[1]].(cfnMap)
			if !assert.True(t, ok, "%s: no parameter %s", env, m[1]) {
				continue
			}
			items := []string{m[2]}
			if p["Type"] == "CommaDelimitedList" {
				items = strings.Split(m[2], ",")
			}
			for _, item := range items {
				if allowed, ok := p["AllowedValues"].([]any); ok {
					var values []string
					for _, a := range allowed {
						values = append(values, fmt.Sprint(a))
					}
					assert.Contains(t, values, item, "%s: %s=%s", env, m[1], item)
				}
				if pattern, ok := p["AllowedPattern"].(string); ok {
					assert.Regexp(t, pattern, item, "%s: %s", env, m[1])
				}
			}
		}
		require.NotEmpty(t, set, "%s: no overrides parsed from %s", env, value)
		c := newCond(t, tmpl, set)
		for name, r := range tmpl["Rules"].(cfnMap) {
			rule := r.(cfnMap)
			if rc, ok := rule["RuleCondition"]; ok && !c.eval(rc).(bool) {
				continue
			}
			for _, a := range rule["Assertions"].([]any) {
				assert.True(t, c.eval(a.(cfnMap)["Assert"]).(bool), "%s: refused by rule %s", env, name)
			}
		}
	}
	assert.Equal(t, map[string]bool{"default": true, "dev": true, "prod": true, "rest": true}, envs)
}

package sqsgate_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/sqsgate/sqsgate/internal/testpeer"
	"github.com/sqsgate/sqsgate/internal/transform"
	"github.com/sqsgate/sqsgate/internal/webhook"
)

// These tests read template.yaml itself: the invariants a reviewer would
// check by hand, and cfn-lint (with SAM's own translator) under every
// Parameter set we support.

type cfnMap = map[string]any

func loadTemplate(t *testing.T) cfnMap {
	t.Helper()
	raw, err := os.ReadFile("template.yaml")
	require.NoError(t, err)
	var node yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &node))
	tmpl, ok := cfnValue(&node).(cfnMap)
	require.True(t, ok, "template.yaml is not a mapping")
	return tmpl
}

// cfnValue turns a YAML node into plain Go values, spelling CloudFormation's
// short tags (!Ref, !GetAtt, !Sub, ...) in their long JSON form.
func cfnValue(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		return cfnValue(n.Content[0])
	case yaml.MappingNode:
		m := cfnMap{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = cfnValue(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, cfnValue(c))
		}
		v = s
	case yaml.AliasNode:
		return cfnValue(n.Alias)
	default:
		var scalar any
		_ = n.Decode(&scalar)
		if isShortTag(n.Tag) {
			scalar = n.Value
		}
		v = scalar
	}
	if !isShortTag(n.Tag) {
		return v
	}
	name := strings.TrimPrefix(n.Tag, "!")
	switch name {
	case "Ref", "Condition":
		return cfnMap{name: v}
	case "GetAtt":
		if s, ok := v.(string); ok {
			resource, attr, _ := strings.Cut(s, ".")
			return cfnMap{"Fn::GetAtt": []any{resource, attr}}
		}
	}
	return cfnMap{"Fn::" + name: v}
}

// isShortTag reports a CloudFormation tag such as !Ref, as opposed to YAML's
// own !!str, !!map and so on.
func isShortTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

func resources(t *testing.T, tmpl cfnMap) map[string]cfnMap {
	t.Helper()
	out := map[string]cfnMap{}
	for id, r := range tmpl["Resources"].(cfnMap) {
		m, ok := r.(cfnMap)
		require.True(t, ok, "resource %s is %T", id, r)
		out[id] = m
	}
	return out
}

func props(r cfnMap) cfnMap {
	p, _ := r["Properties"].(cfnMap)
	if p == nil {
		return cfnMap{}
	}
	return p
}

// branches returns the values v can take: both sides of every Fn::If,
// nothing for AWS::NoValue.
func branches(v any) []any {
	if m, ok := v.(cfnMap); ok {
		if args, ok := m["Fn::If"].([]any); ok && len(args) == 3 {
			return append(branches(args[1]), branches(args[2])...)
		}
		if m["Ref"] == "AWS::NoValue" {
			return nil
		}
	}
	return []any{v}
}

func TestTemplateRoutesAreAuthorizedExceptWebhooks(t *testing.T) {
	tmpl := loadTemplate(t)
	res := resources(t, tmpl)
	api := props(res["IngestApi"])
	authorizers := api["Auth"].(cfnMap)["Authorizers"].(cfnMap)

	routes := map[string][]string{} // route key -> authorizers it may use
	for path, conditional := range api["DefinitionBody"].(cfnMap)["paths"].(cfnMap) {
		for _, item := range branches(conditional) {
			for method, op := range item.(cfnMap) {
				key := strings.ToUpper(method) + " " + path
				security, _ := op.(cfnMap)["security"].([]any)
				if strings.HasPrefix(path, "/webhooks/") {
					assert.Empty(t, security, "%s must not use an authorizer: the function verifies the body's signature", key)
					routes[key] = nil
					continue
				}
				require.NotEmpty(t, security, "%s has no security", key)
				for _, req := range security {
					for _, b := range branches(req) {
						for name := range b.(cfnMap) {
							routes[key] = append(routes[key], name)
						}
					}
				}
			}
		}
	}
	for id, r := range res {
		if r["Type"] != "AWS::Serverless::Function" {
			continue
		}
		events, _ := props(r)["Events"].(cfnMap)
		for _, e := range events {
			if e.(cfnMap)["Type"] != "HttpApi" {
				continue // the consumer's SQS event is no route
			}
			ep := props(e.(cfnMap))
			key := ep["Method"].(string) + " " + ep["Path"].(string)
			auth, _ := ep["Auth"].(cfnMap)
			if auth == nil {
				routes[key] = nil
				continue
			}
			routes[key] = append(routes[key], auth["Authorizer"].(string))
			_ = id
		}
	}

	want := []string{"DELETE /v1/messages", "GET /v1/messages", "GET /v1/send", "POST /v1/events", "POST /v1/events/batch", "POST /v1/messages",
		"POST /webhooks/github", "POST /webhooks/paddle", "POST /webhooks/shopify", "POST /webhooks/slack", "POST /webhooks/standard", "POST /webhooks/stripe"}
	var got []string
	for key := range routes {
		got = append(got, key)
	}
	sort.Strings(got)
	assert.Equal(t, want, got, "the routes DESIGN.md lists")

	for key, names := range routes {
		if strings.HasPrefix(key, "POST /webhooks/") {
			assert.Empty(t, names, "%s must not use an authorizer: the function verifies the body's signature", key)
			continue
		}
		require.NotEmpty(t, names, "%s is not authorized", key)
		for _, name := range names {
			assert.Contains(t, authorizers, name, "%s uses an undeclared authorizer", key)
			assert.NotEqual(t, "NONE", name, "%s", key)
		}
	}
}

// statements yields every IAM statement in the template: role policies,
// queue policies and SAM function policies, under every condition branch.
func statements(res map[string]cfnMap) map[string][]cfnMap {
	out := map[string][]cfnMap{}
	add := func(owner string, doc any) {
		for _, d := range branches(doc) {
			stmts, _ := d.(cfnMap)["Statement"].([]any)
			for _, s := range stmts {
				for _, b := range branches(s) {
					out[owner] = append(out[owner], b.(cfnMap))
				}
			}
		}
	}
	for id, r := range res {
		p := props(r)
		switch r["Type"] {
		case "AWS::IAM::Role":
			pols, _ := p["Policies"].([]any) // a role may carry only managed policies
			for _, pol := range pols {
				add(id, pol.(cfnMap)["PolicyDocument"])
			}
		case "AWS::SQS::QueuePolicy":
			add(id, p["PolicyDocument"])
		case "AWS::Serverless::Function":
			pols, _ := p["Policies"].([]any)
			for _, pol := range pols {
				add(id, pol)
			}
		}
	}
	return out
}

func TestTemplateIAMStatementsAreScoped(t *testing.T) {
	res := resources(t, loadTemplate(t))
	all := statements(res)
	require.Contains(t, all, "ApiGatewaySqsRole")
	require.Contains(t, all, "WebhookFunction")
	for owner, stmts := range all {
		for i, s := range stmts {
			where := fmt.Sprintf("%s statement %d", owner, i)
			require.Contains(t, s, "Resource", where)
			for _, r := range asList(s["Resource"]) {
				for _, b := range branches(r) {
					assert.NotEqual(t, "*", b, "%s grants on every resource", where)
				}
			}
			for _, a := range asList(s["Action"]) {
				action, _ := a.(string)
				if s["Effect"] == "Allow" {
					assert.NotContains(t, action, "*", "%s allows a wildcard action", where)
				}
			}
		}
	}
	// The webhook function may send and read its two secrets, nothing more.
	var actions []string
	for _, s := range all["WebhookFunction"] {
		for _, a := range asList(s["Action"]) {
			actions = append(actions, a.(string))
		}
	}
	sort.Strings(actions)
	assert.Equal(t, []string{"kms:Decrypt", "kms:GenerateDataKey", "secretsmanager:GetSecretValue", "sqs:SendMessage"}, actions)
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func TestTemplateQueuesHaveDLQAndEncryption(t *testing.T) {
	res := resources(t, loadTemplate(t))
	queues := 0
	for id, r := range res {
		if r["Type"] != "AWS::SQS::Queue" {
			continue
		}
		queues++
		p := props(r)
		sse := branches(p["SqsManagedSseEnabled"])
		kms := branches(p["KmsMasterKeyId"])
		assert.Len(t, append(sse, kms...), 2, "%s: exactly one of SQS-managed SSE or KMS under each condition", id)
		assert.Contains(t, sse, true, "%s: SQS-managed SSE by default", id)
		if id == "DeadLetterQueue" {
			assert.Contains(t, p, "RedriveAllowPolicy", "%s must name who may redrive into it", id)
			continue
		}
		redrive, ok := p["RedrivePolicy"].(cfnMap)
		require.True(t, ok, "%s has no RedrivePolicy", id)
		assert.Equal(t, cfnMap{"Fn::GetAtt": []any{"DeadLetterQueue", "Arn"}}, redrive["deadLetterTargetArn"], id)
		assert.NotNil(t, redrive["maxReceiveCount"], id)
	}
	assert.Equal(t, 2, queues)
	assert.Contains(t, res, "QueueTlsPolicy", "queues must refuse requests without TLS")
}

func TestTemplateFunctionsFollowLambdaGoRules(t *testing.T) {
	tmpl := loadTemplate(t)
	globals := tmpl["Globals"].(cfnMap)["Function"].(cfnMap)
	assert.Equal(t, "provided.al2023", globals["Runtime"])
	assert.Equal(t, []any{"arm64"}, globals["Architectures"])
	assert.Equal(t, "bootstrap", globals["Handler"])

	// Answer windows: GitHub 10 s, Paddle 5 s; API Gateway caps HTTP API
	// integrations at 30 s.
	limit := map[string]int{"WebhookFunction": 4, "AuthorizerFunction": 5, "TransformerFunction": 29, "ConsumerFunction": 5}
	functions := 0
	for id, r := range resources(t, tmpl) {
		if r["Type"] != "AWS::Serverless::Function" {
			continue
		}
		functions++
		p := props(r)
		for _, key := range []string{"Runtime", "Architectures", "Handler"} {
			assert.NotContains(t, p, key, "%s overrides Globals.%s", id, key)
		}
		assert.Equal(t, "makefile", r["Metadata"].(cfnMap)["BuildMethod"], id)
		timeout, ok := p["Timeout"].(int)
		require.True(t, ok, "%s sets no Timeout", id)
		require.Contains(t, limit, id)
		assert.LessOrEqual(t, timeout, limit[id], "%s timeout", id)
		logging, ok := p["LoggingConfig"].(cfnMap)
		require.True(t, ok, "%s has no LoggingConfig", id)
		assert.Equal(t, "JSON", logging["LogFormat"], id)
	}
	assert.Equal(t, 4, functions)
}

// The EventSchema parameter offers exactly the schemas the transformer
// bundles, so a deploy can never name one it does not have.
func TestTemplateEventSchemaMatchesBundledSchemas(t *testing.T) {
	param := loadTemplate(t)["Parameters"].(cfnMap)["EventSchema"].(cfnMap)
	var allowed []string
	for _, v := range param["AllowedValues"].([]any) {
		allowed = append(allowed, v.(string))
	}
	bundled := transform.SchemaNames()
	sort.Strings(allowed)
	sort.Strings(bundled)
	assert.Equal(t, bundled, allowed)
	assert.Contains(t, allowed, param["Default"])
}

// The README's configuration table documents every Parameter, so the deploy
// guide cannot fall behind the template.
func TestReadmeDocumentsEveryParameter(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for name := range loadTemplate(t)["Parameters"].(cfnMap) {
		assert.Contains(t, string(readme), "| `"+name+"` |", "README's parameter table lacks %s", name)
	}
}

func TestTemplateOutputs(t *testing.T) {
	outputs := loadTemplate(t)["Outputs"].(cfnMap)
	for _, name := range []string{"ApiUrl", "IngestQueueUrl", "IngestQueueArn", "DeadLetterQueueUrl", "DeadLetterQueueArn"} {
		o, ok := outputs[name].(cfnMap)
		if assert.True(t, ok, "output %s missing", name) {
			assert.NotEmpty(t, o["Description"], "output %s has no description", name)
		}
	}
}

// webhookProviders are the template's spelling of each provider the
// function serves (webhook.Providers): its Parameters, Conditions and
// resources are named after it.
var webhookProviders = map[string]string{
	webhook.ProviderGitHub: "GitHub", webhook.ProviderPaddle: "Paddle", webhook.ProviderStripe: "Stripe",
	webhook.ProviderStandard: "Standard", webhook.ProviderShopify: "Shopify", webhook.ProviderSlack: "Slack",
}

// TestTemplateWebhookProviders: every provider the function serves has, in
// the template, a Parameter that enables it (GitHub and Paddle by default,
// the others not), and under that condition alone its route (no
// authorizer, the function's proxy integration), its route's throttling,
// its secret variable and secret, and its Outputs.
func TestTemplateWebhookProviders(t *testing.T) {
	tmpl := loadTemplate(t)
	require.Len(t, webhookProviders, len(webhook.Providers))
	params := tmpl["Parameters"].(cfnMap)
	conditions := tmpl["Conditions"].(cfnMap)
	res := resources(t, tmpl)
	api := props(res["IngestApi"])
	paths := api["DefinitionBody"].(cfnMap)["paths"].(cfnMap)
	routeSettings := api["RouteSettings"].(cfnMap)
	env := props(res["WebhookFunction"])["Environment"].(cfnMap)["Variables"].(cfnMap)
	outputs := tmpl["Outputs"].(cfnMap)
	assert.Empty(t, props(res["WebhookFunction"])["Events"], "webhook routes are conditional, so they live in the API's definition")
	for _, p := range webhook.Providers {
		spelled := webhookProviders[p.Name]
		require.NotEmpty(t, spelled, "provider %s has no template spelling", p.Name)
		t.Run(p.Name, func(t *testing.T) {
			enable := params["Enable"+spelled].(cfnMap)
			wantDefault := map[bool]string{true: "true", false: "false"}[p.Name == webhook.ProviderGitHub || p.Name == webhook.ProviderPaddle]
			assert.Equal(t, wantDefault, enable["Default"])
			assert.Equal(t, []any{"true", "false"}, enable["AllowedValues"])
			cond := spelled + "Enabled"
			assert.Equal(t, cfnMap{"Fn::Equals": []any{cfnMap{"Ref": "Enable" + spelled}, "true"}}, conditions[cond])

			route := paths["/webhooks/"+p.Name].(cfnMap)["Fn::If"].([]any)
			require.Len(t, route, 3)
			assert.Equal(t, cond, route[0])
			assert.Equal(t, cfnMap{"Ref": "AWS::NoValue"}, route[2])
			integ := route[1].(cfnMap)["post"].(cfnMap)["x-amazon-apigateway-integration"].(cfnMap)
			assert.Equal(t, "aws_proxy", integ["type"])
			assert.Equal(t, "2.0", integ["payloadFormatVersion"])
			assert.Contains(t, integ["uri"].(cfnMap)["Fn::Sub"], "${WebhookFunction.Arn}")

			throttle := routeSettings["POST /webhooks/"+p.Name].(cfnMap)["Fn::If"].([]any)
			assert.Equal(t, cond, throttle[0])
			assert.Equal(t, cfnMap{"ThrottlingBurstLimit": cfnMap{"Ref": "WebhookThrottlingBurstLimit"}, "ThrottlingRateLimit": cfnMap{"Ref": "WebhookThrottlingRateLimit"}}, throttle[1])

			secretEnv := env[webhook.SecretARNEnv(p.Name)].(cfnMap)["Fn::If"].([]any)
			assert.Equal(t, "Create"+spelled+"Secret", secretEnv[0])
			assert.Equal(t, cfnMap{"Ref": spelled + "WebhookSecret"}, secretEnv[1])
			assert.Equal(t, "Create"+spelled+"Secret", res[spelled+"WebhookSecret"]["Condition"])
			assert.Contains(t, params, spelled+"WebhookSecretArn")

			for _, o := range []string{spelled + "WebhookUrl", spelled + "WebhookSecretArn"} {
				out, ok := outputs[o].(cfnMap)
				if assert.True(t, ok, "output %s missing", o) {
					assert.Equal(t, cond, out["Condition"], o)
					assert.NotEmpty(t, out["Description"], o)
				}
			}
		})
	}
	perm := res["WebhookInvokePermission"]
	assert.Equal(t, "HttpWebhooks", perm["Condition"])
	assert.Equal(t, cfnMap{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${IngestApi}/*/POST/webhooks/*"}, props(perm)["SourceArn"])
	perm = res["RestWebhookInvokePermission"]
	assert.Equal(t, "RestWebhooks", perm["Condition"])
	assert.Equal(t, cfnMap{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${IngestRestApi}/*/POST/webhooks/*"}, props(perm)["SourceArn"])
	for name, want := range map[string][]any{
		"HttpWebhooks": {cfnMap{"Condition": "IsHttpApi"}, cfnMap{"Condition": "AnyWebhookEnabled"}},
		"RestWebhooks": {cfnMap{"Condition": "IsRestApi"}, cfnMap{"Condition": "AnyWebhookEnabled"}},
	} {
		assert.Equal(t, cfnMap{"Fn::And": want}, conditions[name], name)
	}
}

// TestTemplateRestWebhookProviders: on the REST form too, each provider's
// route and its throttling exist under its condition alone, as a Lambda
// proxy to WebhookFunction (payload 1.0, REST's only format).
func TestTemplateRestWebhookProviders(t *testing.T) {
	res := resources(t, loadTemplate(t))
	api := props(res["IngestRestApi"])
	paths := api["DefinitionBody"].(cfnMap)["paths"].(cfnMap)
	settings := map[string]cfnMap{}
	for _, s := range api["MethodSettings"].([]any) {
		if m, ok := s.(cfnMap)["Fn::If"].([]any); ok {
			require.Len(t, m, 3)
			assert.Equal(t, cfnMap{"Ref": "AWS::NoValue"}, m[2])
			settings[m[1].(cfnMap)["ResourcePath"].(string)] = cfnMap{"cond": m[0], "setting": m[1]}
		}
	}
	for _, p := range webhook.Providers {
		cond := webhookProviders[p.Name] + "Enabled"
		t.Run(p.Name, func(t *testing.T) {
			route := paths["/webhooks/"+p.Name].(cfnMap)["Fn::If"].([]any)
			require.Len(t, route, 3)
			assert.Equal(t, cond, route[0])
			assert.Equal(t, cfnMap{"Ref": "AWS::NoValue"}, route[2])
			op := route[1].(cfnMap)["post"].(cfnMap)
			assert.NotContains(t, op, "security", "the function verifies the body's signature")
			integ := op["x-amazon-apigateway-integration"].(cfnMap)
			assert.Equal(t, "aws_proxy", integ["type"])
			assert.Equal(t, "POST", integ["httpMethod"])
			assert.NotContains(t, integ, "payloadFormatVersion", "REST proxies send payload 1.0 only")
			assert.Contains(t, integ["uri"].(cfnMap)["Fn::Sub"], "${WebhookFunction.Arn}")

			s, ok := settings["/~1webhooks~1"+p.Name]
			require.True(t, ok, "no MethodSettings entry for POST /webhooks/%s", p.Name)
			assert.Equal(t, cond, s["cond"])
			assert.Equal(t, cfnMap{"ResourcePath": "/~1webhooks~1" + p.Name, "HttpMethod": "POST", "MetricsEnabled": true,
				"ThrottlingBurstLimit": cfnMap{"Ref": "WebhookThrottlingBurstLimit"}, "ThrottlingRateLimit": cfnMap{"Ref": "WebhookThrottlingRateLimit"}}, s["setting"])
		})
	}
	assert.Len(t, settings, len(webhook.Providers), "one webhook throttling entry per provider")
}

// parameterSets are the deployments we support; each must lint clean.
var parameterSets = []struct {
	name   string
	params map[string]string
}{
	{"defaults", nil},
	{"fifo-kms-jwt", map[string]string{"QueueType": "fifo", "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666", "AuthorizerType": "jwt"}},
	{"existing-secrets-no-transformer", map[string]string{"GitHubWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gh-AbCdEf", "PaddleWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:pd-AbCdEf", "EnableTransformer": "false"}},
	{"domain-new-certificate-cors-alarms-tracing", map[string]string{"DomainName": "hooks.example.com", "HostedZoneId": "Z0123456789ABCDEFGHIJ", "CorsAllowOrigins": "https://app.example.com,https://admin.example.com", "CorsAllowCredentials": "true", "AlarmTopicArn": "arn:aws:sns:us-east-1:123456789012:alarms", "EnableTracing": "true"}},
	{"domain-existing-certificate", map[string]string{"DomainName": "hooks.example.com", "HostedZoneId": "Z0123456789ABCDEFGHIJ", "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"}},
	{"every-webhook-provider", map[string]string{"EnableStripe": "true", "EnableStandard": "true", "EnableShopify": "true", "EnableSlack": "true",
		"StripeWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf", "StripeTolerance": "10m", "SlackWebhookSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf"}},
	{"no-webhooks", map[string]string{"EnableGitHub": "false", "EnablePaddle": "false"}},
	{"stripe-only-fifo", map[string]string{"EnableGitHub": "false", "EnablePaddle": "false", "EnableStripe": "true", "QueueType": "fifo"}},
	{"consumer", map[string]string{"EnableConsumer": "true", "ConsumerBatchSize": "100", "ConsumerBatchingWindowSeconds": "1", "ConsumerMaximumConcurrency": "5"}},
	{"consumer-fifo-kms", map[string]string{"EnableConsumer": "true", "QueueType": "fifo", "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666"}},
}

// withDefaults rewrites the Default of each named Parameter, so that
// cfn-lint and SAM's translator see the template as deployed with them.
func withDefaults(t *testing.T, src string, params map[string]string) string {
	t.Helper()
	out := src
	for name, value := range params {
		re := regexp.MustCompile(`(?m)^(  ` + regexp.QuoteMeta(name) + `:\n(?:    .*\n)*?    Default: ).*$`)
		require.True(t, re.MatchString(out), "parameter %s has no Default line", name)
		out = re.ReplaceAllString(out, "${1}"+strings.ReplaceAll(fmt.Sprintf("%q", value), "$", "$$"))
	}
	return out
}

func TestTemplateLintsCleanUnderEveryParameterSet(t *testing.T) {
	bin := testpeer.LookPath(t, "cfn-lint")
	raw, err := os.ReadFile("template.yaml")
	require.NoError(t, err)
	for _, set := range parameterSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "template.yaml")
			require.NoError(t, os.WriteFile(path, []byte(withDefaults(t, string(raw), set.params)), 0o600))
			out, err := exec.Command(bin, path).CombinedOutput()
			assert.NoError(t, err, "cfn-lint reported:\n%s", out)
			assert.Empty(t, strings.TrimSpace(string(out)))
		})
	}
}

// A wildcard origin must be refused before anything deploys.
func TestTemplateRefusesWildcardCorsOrigins(t *testing.T) {
	bin := testpeer.LookPath(t, "cfn-lint")
	raw, err := os.ReadFile("template.yaml")
	require.NoError(t, err)
	for _, origins := range []string{"*", "https://app.example.com,*", "https://*.example.com"} {
		path := filepath.Join(t.TempDir(), "template.yaml")
		require.NoError(t, os.WriteFile(path, []byte(withDefaults(t, string(raw), map[string]string{"CorsAllowOrigins": origins})), 0o600))
		out, err := exec.Command(bin, path).CombinedOutput()
		assert.Error(t, err, "origins %q linted clean", origins)
		assert.Contains(t, string(out), "AllowedPattern", "origins %q", origins)
	}
}

func TestWithDefaultsRewritesOnlyTheNamedParameter(t *testing.T) {
	src := "Parameters:\n  A:\n    Type: String\n    Default: x\n  B:\n    Type: String\n    Default: y\n"
	got := withDefaults(t, src, map[string]string{"B": "z"})
	assert.Equal(t, "Parameters:\n  A:\n    Type: String\n    Default: x\n  B:\n    Type: String\n    Default: \"z\"\n", got)
}

// TestTemplateConsumerMapping: the consumer's SQS event reports partial
// batch failures, is bounded and filtered, and the ingest queue's default
// visibility timeout is at least six times the consumer's timeout, as AWS
// advises ("Configuring an Amazon SQS queue to trigger a Lambda function",
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
func TestTemplateConsumerMapping(t *testing.T) {
	tmpl := loadTemplate(t)
	res := resources(t, tmpl)
	fn, ok := res["ConsumerFunction"]
	require.True(t, ok, "no ConsumerFunction")
	assert.Equal(t, "ConsumerEnabled", fn["Condition"])
	p := props(fn)
	ev := p["Events"].(cfnMap)["Ingest"].(cfnMap)
	assert.Equal(t, "SQS", ev["Type"])
	ep := ev["Properties"].(cfnMap)
	assert.Equal(t, cfnMap{"Fn::GetAtt": []any{"IngestQueue", "Arn"}}, ep["Queue"])
	assert.Equal(t, []any{"ReportBatchItemFailures"}, ep["FunctionResponseTypes"])
	assert.Equal(t, cfnMap{"Ref": "ConsumerBatchSize"}, ep["BatchSize"])
	assert.Contains(t, branches(ep["MaximumBatchingWindowInSeconds"]), cfnMap{"Ref": "ConsumerBatchingWindowSeconds"})
	assert.Equal(t, []any{"IsFifo", cfnMap{"Ref": "AWS::NoValue"}, cfnMap{"Ref": "ConsumerBatchingWindowSeconds"}},
		ep["MaximumBatchingWindowInSeconds"].(cfnMap)["Fn::If"], "FIFO mappings take no batching window")
	assert.Equal(t, cfnMap{"MaximumConcurrency": cfnMap{"Ref": "ConsumerMaximumConcurrency"}}, ep["ScalingConfig"])
	filters := ep["FilterCriteria"].(cfnMap)["Filters"].([]any)
	require.NotEmpty(t, filters)
	for _, f := range filters {
		var pattern map[string]any
		require.NoError(t, json.Unmarshal([]byte(f.(cfnMap)["Pattern"].(string)), &pattern))
		assert.Contains(t, pattern, "messageAttributes", "filters read the message attributes")
	}

	params := tmpl["Parameters"].(cfnMap)
	visibility := params["VisibilityTimeoutSeconds"].(cfnMap)["Default"].(int)
	timeout := p["Timeout"].(int)
	assert.GreaterOrEqual(t, visibility, 6*timeout, "queue visibility timeout %d s < 6 x consumer timeout %d s", visibility, timeout)
	assert.Equal(t, cfnMap{"Ref": "VisibilityTimeoutSeconds"}, props(res["IngestQueue"])["VisibilityTimeout"])
	// AWS's limits for the mapping (Lambda API Reference, CreateEventSourceMapping).
	for name, want := range map[string][2]int{"ConsumerBatchSize": {1, 10000}, "ConsumerBatchingWindowSeconds": {0, 300}, "ConsumerMaximumConcurrency": {2, 1000}} {
		pp := params[name].(cfnMap)
		assert.Equal(t, want[0], pp["MinValue"], name)
		assert.Equal(t, want[1], pp["MaxValue"], name)
	}
	// The consumer may only poll the ingest queue.
	var actions []string
	for _, pol := range asList(p["Policies"]) {
		if m, ok := pol.(cfnMap); ok {
			if poller, ok := m["SQSPollerPolicy"].(cfnMap); ok {
				assert.Equal(t, cfnMap{"Fn::GetAtt": []any{"IngestQueue", "QueueName"}}, poller["QueueName"])
				actions = append(actions, "SQSPollerPolicy")
			}
		}
	}
	assert.Equal(t, []string{"SQSPollerPolicy"}, actions)
}

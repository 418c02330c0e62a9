package platform

import (
	"strings"
	"testing"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// resolve reads the repository's template with envVars ("" = none) as
// Start does, up to the functions' environments (no bootstraps needed).
func resolve(t *testing.T, envVars string, params map[string]string) (*template.App, []lambdaruntime.Function) {
	t.Helper()
	if params == nil {
		params = map[string]string{}
	}
	app, ev, global, err := loadApp("../../../template.yaml", envVars, params, template.Options{
		Region: DefaultRegion, AccountID: DefaultAccountID, StackName: DefaultStackName, APIID: APIID,
		APIEndpoint: "http://127.0.0.1:3000",
		Queue: func(q *template.Queue) (string, string, error) {
			return "http://127.0.0.1:9324/" + DefaultAccountID + "/" + q.Name, "arn:aws:sqs:" + DefaultRegion + ":" + DefaultAccountID + ":" + q.Name, nil
		},
	}, discard())
	if err != nil {
		t.Fatal(err)
	}
	var fns []lambdaruntime.Function
	for _, f := range app.Functions {
		fns = append(fns, lambdaruntime.Function{Name: f.LogicalID,
			Environment: functionEnvironment(f, global, ev, "http://127.0.0.1:9324", false, "http://127.0.0.1:3000"+devissuer.JWKSPath)})
	}
	return app, fns
}

// Issue 14, friction 1: `run` without an env-vars file printed "ready" and
// the dev-token hint, then every webhook was 503 and every /v1 call 403.
// The summary now warns about each call to real AWS with the fix, and
// offers the dev token only when an authorizer accepts it.
func TestSummaryWarnsAboutRealAWS(t *testing.T) {
	tests := []struct {
		name        string
		envVars     string
		params      map[string]string
		wantWarn    []string
		wantToken   bool
		wantNoWarns bool
	}{
		{"no env-vars file", "", nil, []string{"WebhookFunction", "GITHUB_WEBHOOK_SECRET_ARN", "Secrets Manager", "AuthorizerFunction", "COGNITO_USER_POOL_ID", "cognito-idp.us-east-1.amazonaws.com", "--env-vars env.local.json"}, false, false},
		{"env.local.json", "../../../env.local.json", nil, nil, true, true},
		{"no env-vars file, JWT authorizer", "", map[string]string{"AuthorizerType": "jwt"}, []string{"GITHUB_WEBHOOK_SECRET_ARN"}, true, false},
		{"REST form, no env-vars file", "", map[string]string{"ApiType": "rest"}, []string{"REST API", "AuthorizerFunction", "COGNITO_USER_POOL_ID"}, false, false},
		{"REST form, env.local.json, API key", "../../../env.local.json", map[string]string{"ApiType": "rest", "RequireApiKey": "true", "CorsAllowOrigins": ""},
			[]string{"REST API", "[CognitoRequestAuthorizer + API key]", "IngestApiKey  sqsgate-local-IngestApiKey  usage plan IngestUsagePlan"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, fns := resolve(t, tt.envVars, tt.params)
			p := &Platform{App: app, RealAWS: realAWSNotes(fns), DevTokens: acceptsDevTokens(app, fns), cfg: Config{Template: "template.yaml"}}
			var out strings.Builder
			p.WriteSummary(&out)
			s := out.String()
			if got := strings.Contains(s, "WARNING: these functions will call real AWS"); got == tt.wantNoWarns {
				t.Errorf("warning shown = %v, want %v:\n%s", got, !tt.wantNoWarns, s)
			}
			for _, w := range tt.wantWarn {
				if !strings.Contains(s, w) {
					t.Errorf("summary lacks %q:\n%s", w, s)
				}
			}
			if got := strings.Contains(s, "A dev token for the /v1 routes"); got != tt.wantToken {
				t.Errorf("dev-token hint shown = %v, want %v:\n%s", got, tt.wantToken, s)
			}
		})
	}
}

// Issue 14, friction 2: env.local.json chose the strict-order schema, so
// README's first `POST /v1/events` with {"hello":"world"} was 422. The
// local defaults take the template's default schema, which accepts any
// object, as README says.
func TestLocalDefaultsFitTheFirstSteps(t *testing.T) {
	_, fns := resolve(t, "../../../env.local.json", nil)
	env := functionEnv(fns, "TransformerFunction")
	if env == nil {
		t.Fatal("no TransformerFunction")
	}
	if got := env["EVENT_SCHEMA"]; got != "default" {
		t.Errorf("EVENT_SCHEMA = %q locally, want default (any JSON object, README's first steps)", got)
	}
}

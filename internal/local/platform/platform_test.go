package platform

import (
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/fixtures"
	"github.com/sqsgate/sqsgate/internal/local/template"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

func TestReadEnvVars(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantErr string
		check   func(t *testing.T, ev EnvVars)
	}{
		{name: "not JSON", content: "{", wantErr: "env-vars file"},
		{name: "nested value", content: `{"Fn": {"A": {"b": 1}}}`, wantErr: "Fn.A"},
		{name: "sections and scalars", content: `{"Parameters": {"QueueType": "fifo"}, "Fn": {"S": "x", "N": 5, "B": true, "Z": null}}`,
			check: func(t *testing.T, ev EnvVars) {
				if ev.Parameters["QueueType"] != "fifo" {
					t.Errorf("Parameters %v", ev.Parameters)
				}
				want := map[string]string{"S": "x", "N": "5", "B": "true", "Z": ""}
				for k, v := range want {
					if ev.Functions["Fn"][k] != v {
						t.Errorf("Fn.%s = %q, want %q", k, ev.Functions["Fn"][k], v)
					}
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "env.json")
			os.WriteFile(path, []byte(tc.content), 0o644)
			ev, err := ReadEnvVars(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, ev)
		})
	}
	t.Run("the repository's env.local.json reads", func(t *testing.T) {
		ev, err := ReadEnvVars("../../../env.local.json")
		if err != nil {
			t.Fatal(err)
		}
		// The fixtures in events/ are signed with these dev secrets, and
		// every webhook route is served locally.
		want := map[string]string{
			"GITHUB_WEBHOOK_SECRET":   fixtures.GitHubSecret,
			"PADDLE_WEBHOOK_SECRET":   fixtures.PaddleSecret,
			"STRIPE_WEBHOOK_SECRET":   fixtures.StripeSecret,
			"STANDARD_WEBHOOK_SECRET": fixtures.StandardSecret + "," + fixtures.StandardPublicKey(),
			"SHOPIFY_WEBHOOK_SECRET":  fixtures.ShopifySecret,
			"SLACK_WEBHOOK_SECRET":    fixtures.SlackSecret,
		}
		for name, value := range want {
			if got := ev.Functions["WebhookFunction"][name]; got != value {
				t.Errorf("env.local.json sets WebhookFunction's %s to %q, want the fixtures' dev secret %q", name, got, value)
			}
		}
		for _, p := range []string{"EnableStripe", "EnableStandard", "EnableShopify", "EnableSlack"} {
			if ev.Parameters[p] != "true" {
				t.Errorf("env.local.json does not set %s=true: the local platform would not serve that route", p)
			}
		}
	})
}

func TestFunctionEnvironment(t *testing.T) {
	doc, err := template.Parse([]byte("Parameters:\n  Stage: {Type: String, Default: dev}\nResources:\n  X: {Type: AWS::SNS::Topic}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ev := EnvVars{
		Parameters: map[string]string{"Stage": "prod", "SHARED": "from-file"},
		Functions: map[string]map[string]string{
			"Fn":    {"TEMPLATE_VAR": "overridden", "AWS_ENDPOINT_URL_SQS": "http://elsewhere", "COGNITO_ISSUER": devissuer.Issuer, "COGNITO_JWKS_URL": "http://127.0.0.1:3000" + devissuer.JWKSPath},
			"Other": {"NOT_MINE": "x"},
		},
	}
	params, global := splitParameters(doc, ev, map[string]string{})
	if params["Stage"] != "prod" || global["Stage"] != "" || global["SHARED"] != "from-file" {
		t.Fatalf("params %v global %v: template parameters must override, the rest apply to every function", params, global)
	}
	if p, _ := splitParameters(doc, ev, map[string]string{"Stage": "flag"}); p["Stage"] != "flag" {
		t.Errorf("a flag must win over the file: %v", p)
	}
	f := &template.Function{LogicalID: "Fn", LogFormat: "JSON", LogLevel: "info", Environment: map[string]string{"TEMPLATE_VAR": "t", "KEPT": "k"}}
	env := functionEnvironment(f, global, ev, "http://127.0.0.1:9324", false, "http://127.0.0.1:4567"+devissuer.JWKSPath)
	want := map[string]string{
		"TEMPLATE_VAR":          "overridden",
		"KEPT":                  "k",
		"SHARED":                "from-file",
		"AWS_ENDPOINT_URL_SQS":  "http://127.0.0.1:9324", // the platform's endpoint wins
		"AWS_ACCESS_KEY_ID":     "local",
		"AWS_LAMBDA_LOG_FORMAT": "JSON",
		"AWS_LAMBDA_LOG_LEVEL":  "INFO",
		"COGNITO_JWKS_URL":      "http://127.0.0.1:4567" + devissuer.JWKSPath, // follows the platform's address
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if _, ok := env["NOT_MINE"]; ok {
		t.Error("another function's variable leaked in")
	}
}

func TestDevJWKS(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/jwks.json", false},
		{"http://127.0.0.1:3000/other.json", false},
		{"http://example.com" + devissuer.JWKSPath, false},
		{"", true},
		{"http://127.0.0.1:3000" + devissuer.JWKSPath, true},
		{"http://localhost:9999" + devissuer.JWKSPath, true},
	}
	for _, tc := range tests {
		if got := devJWKS(tc.url); got != tc.want {
			t.Errorf("devJWKS(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

// TestAPIConfig checks the mapping from the project's template to the
// emulator's Config under the JWT authorizer condition.
func TestAPIConfig(t *testing.T) {
	app, err := template.LoadFile("../../../template.yaml", template.Options{Parameters: map[string]string{"AuthorizerType": "jwt", "CognitoClientIds": devissuer.ClientID}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := apiConfig(app.API, "us-east-1", DefaultAccountID, "http://127.0.0.1:1"+devissuer.JWKSPath, discard())
	jwt := cfg.Authorizers["CognitoJwtAuthorizer"]
	if jwt.Type != "jwt" || jwt.JWTIssuer != devissuer.Issuer || jwt.JWKSURL != "http://127.0.0.1:1"+devissuer.JWKSPath || len(jwt.JWTAudience) != 1 || jwt.JWTAudience[0] != devissuer.ClientID {
		t.Errorf("CognitoJwtAuthorizer %+v: the dev issuer must stand in for Cognito", jwt)
	}
	lambda := cfg.Authorizers["CognitoAuthorizer"]
	if lambda.Type != "lambda" || lambda.Function != "AuthorizerFunction" || lambda.ResultTTL != 60*time.Second {
		t.Errorf("CognitoAuthorizer %+v", lambda)
	}
	if len(cfg.Routes) != len(app.API.Routes) {
		t.Errorf("%d routes, want %d", len(cfg.Routes), len(app.API.Routes))
	}
}

// TestStartWithoutBootstraps checks the error a user sees before `make
// build-local`, and that a failed start releases every port it took.
func TestStartWithoutBootstraps(t *testing.T) {
	addrs := []string{"127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t)), "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t)), "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))}
	_, err := Start(t.Context(), Config{
		Template:     "../../../template.yaml",
		EnvVars:      "../../../env.local.json",
		APIAddr:      addrs[0],
		LambdaAddr:   addrs[1],
		SQSAddr:      addrs[2],
		FunctionsDir: t.TempDir(),
		Logger:       discard(),
	})
	if err == nil || !strings.Contains(err.Error(), "no bootstrap") || !strings.Contains(err.Error(), "make build-local") {
		t.Fatalf("error %v, want one saying the bootstrap is missing and how to build it", err)
	}
	for _, a := range addrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			t.Errorf("%s still taken after the failed start: %v", a, err)
			continue
		}
		l.Close()
	}
}

// TestDataDirIsPrivate: run (through StartEmbeddedSQS) creates the store's
// directory, and any missing parent, readable by its owner only; an
// existing directory open to others is kept as is, with a warning.
func TestDataDirIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask: 0700 must come from the code, not from it
	t.Cleanup(func() { syscall.Umask(old) })
	root := t.TempDir()
	dir := filepath.Join(root, ".sqsgate", "data")
	e, err := StartEmbeddedSQS("127.0.0.1:0", dir, DefaultRegion, DefaultAccountID, discard())
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		info, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o700 {
			t.Errorf("%s has mode %04o, want 0700", d, perm)
		}
	}

	shared := filepath.Join(root, "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	var logs testpeer.SyncBuffer
	e, err = StartEmbeddedSQS("127.0.0.1:0", shared, DefaultRegion, DefaultAccountID, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if info, _ := os.Stat(shared); info.Mode().Perm() != 0o755 {
		t.Errorf("an existing directory's mode changed to %04o", info.Mode().Perm())
	}
	if !strings.Contains(logs.String(), `"data_dir":"`+shared+`"`) || !strings.Contains(logs.String(), `"mode":"0755"`) {
		t.Errorf("no warning naming the open data directory and its mode:\n%s", logs.String())
	}
}

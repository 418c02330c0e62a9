package platform

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/fixtures"
	"github.com/sqsgate/sqsgate/internal/local/httplimit"
	"github.com/sqsgate/sqsgate/internal/local/peercred/peercredtest"
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
	e, err := StartEmbeddedSQS(SQSOptions{Addr: "127.0.0.1:0", DataDir: dir, Region: DefaultRegion, AccountID: DefaultAccountID})
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
	e, err = StartEmbeddedSQS(SQSOptions{Addr: "127.0.0.1:0", DataDir: shared, Region: DefaultRegion, AccountID: DefaultAccountID, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
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

// TestListenersAreLoopbackOnly: an address reachable from other machines is
// refused with a message naming the flag and the way to open it, unless
// AllowOtherUsers.
func TestListenersAreLoopbackOnly(t *testing.T) {
	_, err := Start(t.Context(), Config{
		Template: "../../../template.yaml", FunctionsDir: t.TempDir(), Logger: discard(),
		APIAddr: "0.0.0.0:0", LambdaAddr: "127.0.0.1:0", SQSAddr: "127.0.0.1:0",
	})
	if err == nil || !strings.Contains(err.Error(), "--api-addr 0.0.0.0:") || !strings.Contains(err.Error(), "--allow-other-users") {
		t.Errorf("Start with --api-addr 0.0.0.0:0: %v, want a refusal naming the flag and --allow-other-users", err)
	}
	_, err = StartEmbeddedSQS(SQSOptions{Addr: "0.0.0.0:0", Region: DefaultRegion, AccountID: DefaultAccountID})
	if err == nil || !strings.Contains(err.Error(), "--sqs-addr") {
		t.Errorf("SQS endpoint on 0.0.0.0:0: %v, want a refusal naming --sqs-addr", err)
	}
	e, err := StartEmbeddedSQS(SQSOptions{Addr: "0.0.0.0:0", Region: DefaultRegion, AccountID: DefaultAccountID, AllowOtherUsers: true})
	if err != nil {
		t.Fatalf("with AllowOtherUsers: %v", err)
	}
	e.Close()
}

// TestSQSEndpointRefusesOtherUsers: as in issue 16, user nobody could read
// every queued message; now its connection is refused and logged, while the
// owner's requests are served. With AllowOtherUsers nobody is answered,
// which is also what the refused case fails on without the guard.
func TestSQSEndpointRefusesOtherUsers(t *testing.T) {
	other := peercredtest.OtherUser(t)
	listQueues := func(e *EmbeddedSQS) (int, string) {
		r := other.Do(t, "POST", e.Endpoint(), `{}`, "X-Amz-Target: AmazonSQS.ListQueues", "Content-Type: application/x-amz-json-1.0")
		return r.Status, r.Error
	}
	for _, allow := range []bool{false, true} {
		logs := &testpeer.SyncBuffer{}
		e, err := StartEmbeddedSQS(SQSOptions{Addr: "127.0.0.1:0", Region: DefaultRegion, AccountID: DefaultAccountID,
			AllowOtherUsers: allow, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		status, errText := listQueues(e)
		owner, ownerErr := http.Post(e.Endpoint(), "application/x-amz-json-1.0", strings.NewReader(`{}`))
		e.Close()
		if allow {
			if status != 200 {
				t.Errorf("AllowOtherUsers: another user got %d %s, want 200", status, errText)
			}
			continue
		}
		if status != 0 || errText == "" {
			t.Errorf("another user got HTTP %d, want the connection refused", status)
		}
		if !strings.Contains(logs.String(), `"event":"connection_refused"`) || !strings.Contains(logs.String(), `"peer_uid":`+strconv.Itoa(other.UID)) {
			t.Errorf("no refusal logged with the peer's uid:\n%s", logs.String())
		}
		if ownerErr != nil {
			t.Errorf("the owner was refused: %v", ownerErr)
		} else {
			owner.Body.Close()
		}
	}
}

// TestEmbeddedSQSBoundsClients: the SQS endpoint's server cuts a client
// that stalls in its body and closes an idle keep-alive connection, while
// a ReceiveMessage long poll longer than every timeout still answers
// (short injected limits; the defaults are httplimit.Defaults).
func TestEmbeddedSQSBoundsClients(t *testing.T) {
	lim := httplimit.Limits{ReadHeaderTimeout: 200 * time.Millisecond, BodyTimeout: 200 * time.Millisecond,
		WriteTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond, MaxConns: 8}
	e, err := StartEmbeddedSQS(SQSOptions{Addr: "127.0.0.1:0", Region: DefaultRegion, AccountID: DefaultAccountID, Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	addr := strings.TrimPrefix(e.Endpoint(), "http://")
	closedByServer := func(what, send string) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second)) // a failure bound
		io.WriteString(c, send)
		if _, err := io.ReadAll(c); errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s: the connection stayed open", what)
		}
	}
	closedByServer("slow body", "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 100\r\n\r\n{")
	closedByServer("idle keep-alive", "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 2\r\n\r\n{}")

	client := newSQSClient(e.Endpoint(), DefaultRegion, false)
	q, err := client.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("poll")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1})
	if err != nil || len(out.Messages) != 0 {
		t.Errorf("a 1 s long poll under 200 ms limits: %v %v, want an empty answer", out, err)
	}
}

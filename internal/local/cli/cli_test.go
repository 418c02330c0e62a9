package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(context.Background(), args, &stdout, &stderr, lookup)
	return stdout.String(), stderr.String(), code
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no command", nil, nil, "Usage: sqsgate <command>"},
		{"unknown command", nil, []string{"deploy"}, `unknown command "deploy"`},
		{"unknown flag", nil, []string{"token", "--nope"}, "flag provided but not defined"},
		{"bad value in environment", map[string]string{"SQSGATE_TTL": "soon"}, []string{"token"}, "SQSGATE_TTL"},
		{"invoke without function", nil, []string{"invoke", "--event", "x.json"}, "one function logical ID"},
		{"invoke without event", nil, []string{"invoke", "WebhookFunction"}, "--event is required"},
		{"bad token use", nil, []string{"token", "--token-use", "refresh"}, "access or id"},
		{"bad parameter override", nil, []string{"run", "--parameter-overrides", "novalue"}, "want Key=Value"},
		{"bad log level", nil, []string{"sqs", "--log-level", "loud"}, "--log-level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, tc.env, tc.args...)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not mention %q:\n%s", tc.want, stderr)
			}
		})
	}
}

func TestParams(t *testing.T) {
	p := params{}
	for _, s := range []string{"QueueType=fifo MaxReceiveCount=3", "ParameterKey=DomainName,ParameterValue=a.example.com", "Empty="} {
		if err := p.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	want := "DomainName=a.example.com Empty= MaxReceiveCount=3 QueueType=fifo"
	if p.String() != want {
		t.Errorf("got %q, want %q", p.String(), want)
	}
}

// TestTokenVerifiesWithTheDevJWKS mints through the command line, with
// flags from the environment and the command line, and verifies the token
// against the JWKS the platform serves.
func TestTokenVerifiesWithTheDevJWKS(t *testing.T) {
	stdout, stderr, code := runCLI(t, map[string]string{"SQSGATE_GROUPS": "writers,admins", "SQSGATE_SUB": "from-env"},
		"token", "--sub", "from-flag", "--scope", "sqsgate/write sqsgate/read")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	signer, err := devissuer.Load()
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwk.Parse(signer.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseString(strings.TrimSpace(stdout), jwt.WithKeySet(set), jwt.WithIssuer(devissuer.Issuer), jwt.WithValidate(true))
	if err != nil {
		t.Fatalf("token does not verify: %v", err)
	}
	if tok.Subject() != "from-flag" {
		t.Errorf("sub %q: the flag must win over SQSGATE_SUB", tok.Subject())
	}
	groups, _ := tok.Get("cognito:groups")
	if got := toString(groups); got != "writers,admins" {
		t.Errorf("cognito:groups %q, want writers,admins from SQSGATE_GROUPS", got)
	}
	clientID, _ := tok.Get("client_id")
	if clientID != devissuer.ClientID {
		t.Errorf("client_id %v, want %s", clientID, devissuer.ClientID)
	}
}

func toString(v any) string {
	switch t := v.(type) {
	case []any:
		parts := make([]string, len(t))
		for i, p := range t {
			parts[i], _ = p.(string)
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(t, ",")
	}
	return ""
}

func TestEventsWritesFixtures(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, nil, "events", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"webhook/github-push.json", "webhook/paddle-transaction-completed.json", "webhook/github-push-sha1-only.json", "webhook/paddle-stale-timestamp.json", "authorizer/access-token.json"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("%s not written: %v", want, err)
		}
		if !strings.Contains(stdout, want) {
			t.Errorf("%s not listed on stdout", want)
		}
	}
}

func TestRefusedTemplateExitsNonZero(t *testing.T) {
	_, stderr, code := runCLI(t, nil, "run", "--template", "../../../template.yaml", "--functions-dir", t.TempDir(),
		"--api-addr", "127.0.0.1:0", "--lambda-addr", "127.0.0.1:0", "--sqs-addr", "127.0.0.1:0", "--data-dir", "",
		"--parameter-overrides", "DomainName=hooks.example.com")
	if code != 1 || !strings.Contains(stderr, "custom domain") || !strings.Contains(stderr, "hooks.example.com") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 and a message naming the custom domain", code, stderr)
	}
}

// TestSQSCommand serves the endpoint alone for --account-id, creates a
// queue with the AWS SDK, resets the endpoint, and stops cleanly when the
// context ends.
func TestSQSCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &testpeer.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sqs", "--sqs-addr", "127.0.0.1:0", "--account-id", "123456789012"}, stdout, io.Discard, func(string) (string, bool) { return "", false })
	}()
	var endpoint string
	for deadline := time.Now().Add(10 * time.Second); endpoint == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`on (http://\S+)`).FindStringSubmatch(stdout.String()); m != nil {
			endpoint = m[1]
		}
	}
	if endpoint == "" {
		cancel()
		t.Fatalf("no endpoint announced: %q", stdout.String())
	}
	client := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "x", SecretAccessKey: "x"}, nil
		})})
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("demo")})
	if err != nil || !strings.HasSuffix(aws.ToString(out.QueueUrl), "/123456789012/demo") {
		t.Errorf("CreateQueue: %v %v", out, err)
	}
	if !strings.Contains(stdout.String(), "account 123456789012") {
		t.Errorf("the banner names another account: %q", stdout.String())
	}
	resp, err := http.Post(endpoint+"/_sqsgate/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != `{"deleted":1}` {
		t.Errorf("reset: %d %s", resp.StatusCode, body)
	}
	if _, err := client.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("demo")}); err == nil {
		t.Error("the queue survived the reset")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after cancel, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sqs did not stop after cancel")
	}
}

// TestNonLoopbackNeedsAllowOtherUsers: an address other machines can reach
// is refused with a message naming the flag and the switch; the switch,
// given as SQSGATE_ALLOW_OTHER_USERS, opens it.
func TestNonLoopbackNeedsAllowOtherUsers(t *testing.T) {
	_, stderr, code := runCLI(t, nil, "run", "--template", "../../../template.yaml", "--functions-dir", t.TempDir(),
		"--api-addr", "0.0.0.0:0", "--lambda-addr", "127.0.0.1:0", "--sqs-addr", "127.0.0.1:0", "--data-dir", "")
	if code != 1 || !strings.Contains(stderr, "--api-addr 0.0.0.0:0") || !strings.Contains(stderr, "--allow-other-users") {
		t.Errorf("run --api-addr 0.0.0.0:0: exit %d, stderr:\n%s\nwant 1 and a message naming the flag and --allow-other-users", code, stderr)
	}

	stopped, cancel := context.WithCancel(context.Background())
	cancel() // serve, announce, stop at once
	for _, tc := range []struct {
		env  map[string]string
		code int
	}{
		{nil, 1},
		{map[string]string{"SQSGATE_ALLOW_OTHER_USERS": "true"}, 0},
	} {
		var stdout, stderr bytes.Buffer
		lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
		code := run(stopped, []string{"sqs", "--sqs-addr", "0.0.0.0:0"}, &stdout, &stderr, lookup)
		if code != tc.code {
			t.Errorf("sqs --sqs-addr 0.0.0.0:0 with %v: exit %d, want %d\n%s%s", tc.env, code, tc.code, stdout.String(), stderr.String())
		}
		if tc.code == 1 && !strings.Contains(stderr.String(), "--sqs-addr 0.0.0.0:0") {
			t.Errorf("refusal does not name --sqs-addr:\n%s", stderr.String())
		}
	}
}

// Issue 14, friction 7: --ttl=0 silently meant an hour and a negative TTL
// was refused. Now 0 expires at issue and a negative TTL is in the past.
func TestTokenTTL(t *testing.T) {
	tests := []struct {
		ttl  string
		want float64 // exp - iat
	}{
		{"-5m", -300},
		{"0", 0},
		{"90s", 90},
	}
	for _, tt := range tests {
		t.Run(tt.ttl, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, nil, "token", "--ttl="+tt.ttl)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tok, err := jwt.ParseString(strings.TrimSpace(stdout), jwt.WithVerify(false), jwt.WithValidate(false))
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Expiration().Sub(tok.IssuedAt()).Seconds(); got != tt.want {
				t.Errorf("exp - iat = %vs, want %vs", got, tt.want)
			}
		})
	}
}

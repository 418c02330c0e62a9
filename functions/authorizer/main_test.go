package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

const (
	testIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_ColdStart"
	testClient = "coldstartclient"
)

// build compiles pkg as Lambda builds it (lambda.norpc, no cgo) for this
// machine, with the go that runs the test (go test puts its GOROOT/bin
// first on PATH).
func build(t testing.TB, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// runtimeAPI is a minimal Lambda Runtime API: it hands out one event,
// records when the function first asked for work (ready) and what it
// answered, then holds the next poll until the test ends.
type runtimeAPI struct {
	srv      *httptest.Server
	event    []byte
	ready    chan time.Time
	answered chan []byte
	polls    atomic.Int64
}

func newRuntimeAPI(t testing.TB, event []byte) *runtimeAPI {
	t.Helper()
	r := &runtimeAPI{event: event, ready: make(chan time.Time, 1), answered: make(chan []byte, 1)}
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, req *http.Request) {
		if r.polls.Add(1) > 1 {
			select {
			case <-done:
			case <-req.Context().Done():
			}
			return
		}
		r.ready <- time.Now()
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", "cold-start-1")
		w.Header().Set("Lambda-Runtime-Deadline-Ms", "4102444800000")
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:AuthorizerFunction")
		_, _ = w.Write(r.event)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.answered <- b
		w.WriteHeader(http.StatusAccepted)
	})
	// An invocation error (a REST authorizer's "Unauthorized") is an
	// answer too.
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.answered <- b
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, req *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	r.srv = httptest.NewServer(mux)
	t.Cleanup(func() { close(done); r.srv.Close() })
	return r
}

// start runs bin against a fresh runtime API and returns the time from
// process start to its first poll for work, and its answer to event.
func start(t testing.TB, bin string, env []string, event []byte) (time.Duration, []byte, string) {
	t.Helper()
	api := newRuntimeAPI(t, event)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(api.srv.URL, "http://"), "PATH=" + os.Getenv("PATH")}, env...)
	var stdout testpeer.SyncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	defer func() {
		if !waited {
			cancel()
			_ = cmd.Wait()
		}
	}()
	var ready time.Time
	select {
	case ready = <-api.ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s never polled for work; output:\n%s", bin, stdout.String())
	}
	select {
	case answer := <-api.answered:
		// The output is copied from a pipe by exec's goroutine: only after
		// Wait has it all (reading it earlier raced with the copy and now
		// and then missed the init log line).
		cancel()
		_ = cmd.Wait()
		waited = true
		return ready.Sub(began), answer, stdout.String()
	case <-time.After(20 * time.Second):
		t.Fatalf("%s never answered; output:\n%s", bin, stdout.String())
	}
	return 0, nil, ""
}

// pool serves a JWKS and signs access tokens.
type pool struct {
	key      jwk.Key
	url      string
	requests atomic.Int64
}

func newPool(t testing.TB) *pool {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &pool{}
	if p.key, err = jwk.FromRaw(priv); err != nil {
		t.Fatal(err)
	}
	_ = p.key.Set(jwk.KeyIDKey, "cold-start-key")
	_ = p.key.Set(jwk.AlgorithmKey, jwa.RS256)
	pub, _ := p.key.PublicKey()
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	body, _ := json.Marshal(set)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL + "/.well-known/jwks.json"
	return p
}

func (p *pool) event(t testing.TB) []byte {
	t.Helper()
	now := time.Now()
	tok, err := jwt.NewBuilder().Issuer(testIssuer).Subject("sub-cold").
		IssuedAt(now).Expiration(now.Add(time.Hour)).
		Claim("token_use", "access").Claim("client_id", testClient).Claim("username", "carol").
		Claim("scope", "sqsgate/write").Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, p.key))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayV2CustomAuthorizerV2Request
	req.Version, req.Type, req.RouteKey = "2.0", "REQUEST", "POST /v1/messages"
	req.Headers = map[string]string{"authorization": "Bearer " + string(signed)}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (p *pool) env() []string {
	return []string{
		"AWS_REGION=us-east-1",
		"COGNITO_ISSUER=" + testIssuer,
		"COGNITO_CLIENT_IDS=" + testClient,
		"COGNITO_JWKS_URL=" + p.url,
		`COGNITO_ROUTE_RULES={"POST /v1/messages":{"scopes":["sqsgate/write"]}}`,
	}
}

// TestColdStart runs the real binary against a minimal Runtime API: the key
// set is fetched during init (before the first poll for work), and the
// first request is authorized with its context.
func TestColdStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	p := newPool(t)
	bin := build(t, ".")
	took, answer, logs := start(t, bin, p.env(), p.event(t))
	if n := p.requests.Load(); n != 1 {
		t.Fatalf("JWKS requests = %d, want 1 (during init)", n)
	}
	var resp events.APIGatewayV2CustomAuthorizerSimpleResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		t.Fatalf("answer %q: %v", answer, err)
	}
	if !resp.IsAuthorized || resp.Context["sub"] != "sub-cold" || resp.Context["username"] != "carol" {
		t.Fatalf("answer = %s", answer)
	}
	if !strings.Contains(logs, `"message":"JWKS fetched"`) {
		t.Fatalf("no JSON init log line:\n%s", logs)
	}
	t.Logf("cold start (process start to first poll for work): %s", took)
}

// TestColdStartBadConfig: a configuration error exits at init, before
// asking for work.
func TestColdStartBadConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := build(t, ".")
	cmd := exec.Command(bin)
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:1", "COGNITO_CLIENT_IDS=x"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the binary started without an issuer:\n%s", out)
	}
	if !strings.Contains(string(out), `"message":"authorizer cold start failed"`) {
		t.Fatalf("output:\n%s", out)
	}
}

// BenchmarkColdStart: process start to the first poll for work, the
// authorizer (config, JWKS fetch from a local server) against a bare
// lambda-go function; x_bare is their ratio.
//
//	go test -run '^$' -bench BenchmarkColdStart -benchtime 20x ./functions/authorizer/
func BenchmarkColdStart(b *testing.B) {
	p := newPool(b)
	event := p.event(b)
	authz, bare := build(b, "."), build(b, "./testdata/bare")
	var authzTotal, bareTotal time.Duration
	b.ResetTimer()
	for range b.N {
		d, _, _ := start(b, bare, nil, event)
		bareTotal += d
		d, _, _ = start(b, authz, p.env(), event)
		authzTotal += d
	}
	b.StopTimer()
	b.ReportMetric(float64(authzTotal.Microseconds())/float64(b.N)/1000, "authorizer_ms")
	b.ReportMetric(float64(bareTotal.Microseconds())/float64(b.N)/1000, "bare_ms")
	b.ReportMetric(float64(authzTotal)/float64(bareTotal), "x_bare")
}

// TestREST runs the real binary on a REST API REQUEST authorizer event: it
// answers with an IAM policy for the caller (not a simple response), and a
// missing token with the "Unauthorized" error API Gateway turns into 401.
func TestREST(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	p := newPool(t)
	bin := build(t, ".")
	var v2 events.APIGatewayV2CustomAuthorizerV2Request
	if err := json.Unmarshal(p.event(t), &v2); err != nil {
		t.Fatal(err)
	}
	rest := func(headers map[string][]string) []byte {
		req := events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", MethodArn: "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/v1/messages",
			Resource: "/v1/messages", Path: "/v1/messages", HTTPMethod: "POST", MultiValueHeaders: headers, Headers: map[string]string{},
		}
		for k, vs := range headers {
			req.Headers[k] = vs[len(vs)-1]
		}
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	_, answer, _ := start(t, bin, p.env(), rest(map[string][]string{"Authorization": {v2.Headers["authorization"]}}))
	var resp events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		t.Fatalf("answer %q: %v", answer, err)
	}
	if resp.PrincipalID != "sub-cold" || resp.Context["username"] != "carol" || len(resp.PolicyDocument.Statement) == 0 ||
		resp.PolicyDocument.Statement[0].Effect != "Allow" ||
		resp.PolicyDocument.Statement[0].Resource[0] != "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*" {
		t.Fatalf("answer = %s, want an Allow policy for sub-cold", answer)
	}

	_, answer, _ = start(t, bin, p.env(), rest(map[string][]string{}))
	if !strings.Contains(string(answer), `"errorMessage":"Unauthorized"`) || strings.Contains(string(answer), "policyDocument") {
		t.Fatalf("answer = %s, want the Unauthorized error", answer)
	}
}

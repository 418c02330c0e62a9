package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"

	authz "github.com/sqsgate/sqsgate/internal/authorizer"
	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/fakeclock"
	"github.com/sqsgate/sqsgate/internal/local/devissuer"
	"github.com/sqsgate/sqsgate/internal/local/template"
)

// expiredTokenBound is README's promise: an expired token keeps working for
// at most AuthorizerCacheTtlSeconds' default plus the verifier's leeway
// after its exp.
const expiredTokenBound = 60*time.Second + cognito.DefaultLeeway

// TestCachedDecisionOutlivesTokenByAtMostTheTemplateTTL: API Gateway caches
// a Lambda authorizer's answer for the authorizer's TTL whatever the token's
// exp ("API Gateway caches the authorizer's response for the TTL",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html,
// "Authorizer caching"), and the local emulator does the same. So the
// template's default TTL is the bound on how long an expired token keeps
// working. The test takes the authorizer (identity sources, TTL) from the
// project's template.yaml with its default parameters, presents a
// dev-issuer token through the emulator to the real authorizer
// (internal/authorizer over internal/cognito, in process so that one fake
// clock drives the emulator's cache and the verifier), first at the last
// instant the verifier accepts it (the worst case: the decision is cached
// then), and checks the token still works just before exp + leeway + TTL
// and is refused from then on.
func TestCachedDecisionOutlivesTokenByAtMostTheTemplateTTL(t *testing.T) {
	app, err := template.LoadFile("../../../template.yaml", template.Options{})
	require.NoError(t, err)
	require.NotNil(t, app.API)
	tmplAuth, ok := app.API.Authorizers["CognitoAuthorizer"]
	require.True(t, ok, "template.yaml has no CognitoAuthorizer")
	require.Equal(t, "lambda", tmplAuth.Type)

	signer, err := devissuer.Load()
	require.NoError(t, err)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(signer.JWKS())
	}))
	t.Cleanup(jwks.Close)

	issued := fixedTime
	token, err := signer.Mint(devissuer.Claims{TTL: 5 * time.Minute}, issued)
	require.NoError(t, err)
	exp := issued.Add(5 * time.Minute)
	clock := fakeclock.New(issued)

	cfg, err := authz.ConfigFromEnv(func(k string) string {
		return map[string]string{
			"COGNITO_ISSUER":     devissuer.Issuer,
			"COGNITO_CLIENT_IDS": devissuer.ClientID,
			"COGNITO_JWKS_URL":   jwks.URL,
		}[k]
	})
	require.NoError(t, err)
	h, err := authz.New(cfg, authz.Deps{Now: clock.Now}, nil)
	require.NoError(t, err)
	t.Cleanup(h.Close)

	inv := &fakeInvoker{respond: func(ctx context.Context, fn string, payload []byte) ([]byte, error) {
		if fn != tmplAuth.Function {
			return []byte(`{"statusCode":200,"body":"stored"}`), nil
		}
		var req events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, err
		}
		resp, err := h.Handle(ctx, req)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}}
	cfgAPI := baseConfig(Route{
		Method: "POST", Path: "/v1/events", Authorizer: "CognitoAuthorizer",
		Integration: Integration{Type: "lambda", Function: "TransformerFunction"},
	})
	cfgAPI.Authorizers = map[string]Authorizer{"CognitoAuthorizer": {
		Type:                  tmplAuth.Type,
		Function:              tmplAuth.Function,
		PayloadFormatVersion:  tmplAuth.PayloadFormatVersion,
		EnableSimpleResponses: tmplAuth.EnableSimpleResponses,
		IdentitySource:        tmplAuth.IdentitySource,
		ResultTTL:             tmplAuth.ResultTTL,
	}}
	s := newTestServer(t, cfgAPI, Options{Invoker: inv, Now: clock.Now})
	send := func() int {
		return do(s, "POST", "/v1/events", `{"a":1}`, "Authorization", "Bearer "+token, "Content-Type", "application/json").Code
	}
	at := func(d time.Duration) { clock.Set(exp.Add(d)) }

	// The last instant the verifier accepts the token: the decision made
	// now is cached for the TTL.
	at(cognito.DefaultLeeway - time.Millisecond)
	require.Equal(t, http.StatusOK, send(), "token inside the leeway")
	require.Equal(t, 1, inv.count(tmplAuth.Function))

	// Past exp + leeway the verifier refuses it, but the cached decision
	// still lets it through: the window README documents.
	at(expiredTokenBound - 2*time.Millisecond)
	require.Equal(t, http.StatusOK, send(), "cached decision just before exp + leeway + TTL")
	require.Equal(t, 1, inv.count(tmplAuth.Function), "served from the emulator's cache")

	// From exp + leeway + TTL on, the token is refused.
	at(expiredTokenBound)
	require.Equal(t, http.StatusForbidden, send(), "expired token once exp + leeway + TTL has passed")
	require.Equal(t, 2, inv.count(tmplAuth.Function), "the cache entry expired and the authorizer was asked again")
	clock.Advance(time.Hour)
	require.Equal(t, http.StatusForbidden, send())
	require.LessOrEqual(t, tmplAuth.ResultTTL, 60*time.Second, "template default TTL")
}

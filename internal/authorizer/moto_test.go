package authorizer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/authorizer"
	"github.com/sqsgate/sqsgate/internal/cognito"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// cognitoIDP calls one action of moto's cognito-idp JSON API. moto does not
// check signatures; the Authorization header only names the service.
func cognitoIDP(t *testing.T, endpoint, action string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+action)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s: %s", action, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v: %s", action, err, b)
		}
	}
}

// motoPool is a user pool in moto with two app clients and a user in the
// group "writers", and tokens InitiateAuth issued for each client.
type motoPool struct {
	endpoint, poolID, client, otherClient string
	access, id, otherAccess               string
}

func startMotoPool(t *testing.T) motoPool {
	t.Helper()
	m := testpeer.StartMoto(t)
	p := motoPool{endpoint: m.URL}
	var pool struct {
		UserPool struct {
			ID string `json:"Id"`
		}
	}
	cognitoIDP(t, m.URL, "CreateUserPool", map[string]any{"PoolName": "sqsgate-test"}, &pool)
	p.poolID = pool.UserPool.ID
	newClient := func(name string) string {
		var c struct {
			UserPoolClient struct {
				ClientID string `json:"ClientId"`
			}
		}
		cognitoIDP(t, m.URL, "CreateUserPoolClient", map[string]any{
			"UserPoolId": p.poolID, "ClientName": name,
			"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		}, &c)
		return c.UserPoolClient.ClientID
	}
	p.client, p.otherClient = newClient("frontend"), newClient("other")
	const user, password = "alice", "Correct-Horse-9!"
	cognitoIDP(t, m.URL, "AdminCreateUser", map[string]any{"UserPoolId": p.poolID, "Username": user, "TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS"}, nil)
	cognitoIDP(t, m.URL, "AdminSetUserPassword", map[string]any{"UserPoolId": p.poolID, "Username": user, "Password": password, "Permanent": true}, nil)
	cognitoIDP(t, m.URL, "CreateGroup", map[string]any{"UserPoolId": p.poolID, "GroupName": "writers"}, nil)
	cognitoIDP(t, m.URL, "AdminAddUserToGroup", map[string]any{"UserPoolId": p.poolID, "Username": user, "GroupName": "writers"}, nil)
	login := func(client string) (access, id string) {
		var r struct {
			AuthenticationResult struct{ AccessToken, IdToken string }
		}
		cognitoIDP(t, m.URL, "InitiateAuth", map[string]any{
			"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
			"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password},
		}, &r)
		if r.AuthenticationResult.AccessToken == "" || r.AuthenticationResult.IdToken == "" {
			t.Fatalf("InitiateAuth returned no tokens: %+v", r)
		}
		return r.AuthenticationResult.AccessToken, r.AuthenticationResult.IdToken
	}
	p.access, p.id = login(p.client)
	p.otherAccess, _ = login(p.otherClient)
	return p
}

// TestMotoCognitoTokens: real tokens from moto's Cognito (RS256, JWKS at
// /<pool id>/.well-known/jwks.json) through the production verifier and
// handler, accepted with the right context and refused by each rule.
func TestMotoCognitoTokens(t *testing.T) {
	p := startMotoPool(t)
	issuer, err := cognito.IssuerURL("us-east-1", p.poolID)
	if err != nil {
		t.Fatal(err)
	}
	jwksURL := p.endpoint + "/" + p.poolID + "/.well-known/jwks.json"
	rules, err := authorizer.ParseRules(`{
		"POST /v1/messages": {"scopes": ["aws.cognito.signin.user.admin"], "groups": ["writers"]},
		"GET /v1/messages": {"scopes": ["sqsgate/read"]},
		"DELETE /v1/messages": {"groups": ["admins"]}
	}`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		issuer   string
		tokenUse string
		skew     time.Duration // added to the verifier's clock
		routeKey string
		token    string
		wantCode string // "" = authorized
	}{
		{"issuer of another pool", issuer[:len(issuer)-1] + "x", "", 0, "POST /v1/messages", p.access, "token_issuer"},
		{"id token where access is required", issuer, "", 0, "POST /v1/messages", p.id, "token_use"},
		{"access token where id is required", issuer, cognito.TokenUseID, 0, "POST /v1/messages", p.access, "token_use"},
		{"token of an app client not configured", issuer, "", 0, "POST /v1/messages", p.otherAccess, "token_client"},
		{"expired (clock two hours on)", issuer, "", 2 * time.Hour, "POST /v1/messages", p.access, "token_expired"},
		{"issued in the future (clock an hour back)", issuer, "", -time.Hour, "POST /v1/messages", p.access, "token_not_yet_valid"},
		{"route needs a scope the token lacks", issuer, "", 0, "GET /v1/messages", p.access, "token_scope"},
		{"route needs a group the user lacks", issuer, "", 0, "DELETE /v1/messages", p.access, "token_group"},
		{"tampered token", issuer, "", 0, "POST /v1/messages", p.access[:len(p.access)-8] + "AAAAAAAA", "token_signature"},
		{"id token on a route that needs a scope (id tokens carry none)", issuer, cognito.TokenUseID, 0, "POST /v1/messages", p.id, "token_scope"},

		{"access token", issuer, "", 0, "POST /v1/messages", "Bearer " + p.access, ""},
		{"id token on a route without a rule", issuer, cognito.TokenUseID, 0, "GET /v1/send", p.id, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := cognito.New(context.Background(), cognito.Config{
				Issuer: tt.issuer, ClientIDs: []string{p.client}, TokenUse: tt.tokenUse,
				JWKSURL: jwksURL, Leeway: cognito.DefaultLeeway,
				Now: func() time.Time { return time.Now().Add(tt.skew) },
			})
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			var logs bytes.Buffer
			h, err := authorizer.New(v, rules, slog.New(slog.NewJSONHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := h.Handle(context.Background(), request(tt.routeKey, map[string]string{"authorization": tt.token}))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantCode != "" {
				var line struct {
					Code string `json:"code"`
				}
				_ = json.Unmarshal(logs.Bytes(), &line)
				if resp.IsAuthorized || line.Code != tt.wantCode {
					t.Fatalf("authorized=%v, logged %s; want denial %q", resp.IsAuthorized, logs.String(), tt.wantCode)
				}
				return
			}
			if !resp.IsAuthorized {
				t.Fatalf("denied: %s", logs.String())
			}
			ctx := resp.Context
			if ctx["username"] != "alice" || ctx["client_id"] != p.client || ctx["groups"] != "writers" || ctx["sub"] == "" {
				t.Fatalf("context = %v", ctx)
			}
			if tt.tokenUse == "" && ctx["scope"] != "aws.cognito.signin.user.admin" {
				t.Fatalf("scope = %v", ctx["scope"])
			}
		})
	}
}

package testpeer

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// CognitoPool is a user pool in a moto_server with two app clients and a
// user in the group "writers", and the RS256 tokens InitiateAuth
// (USER_PASSWORD_AUTH) issued to that user for each client.
type CognitoPool struct {
	Endpoint    string // the moto_server URL
	PoolID      string
	ClientID    string // the app client the tests configure
	OtherClient string // an app client they do not
	AccessToken string
	IDToken     string
	// OtherAccessToken was issued to OtherClient.
	OtherAccessToken string
}

// JWKSURL is where moto serves the pool's keys.
func (p CognitoPool) JWKSURL() string {
	return p.Endpoint + "/" + p.PoolID + "/.well-known/jwks.json"
}

// StartMotoCognito starts a moto_server and creates the pool, clients,
// group and user in it.
func StartMotoCognito(t testing.TB) CognitoPool {
	t.Helper()
	m := StartMoto(t)
	p := CognitoPool{Endpoint: m.URL}
	var pool struct {
		UserPool struct {
			ID string `json:"Id"`
		}
	}
	p.cognitoIDP(t, "CreateUserPool", map[string]any{"PoolName": "sqsgate-test"}, &pool)
	p.PoolID = pool.UserPool.ID
	newClient := func(name string) string {
		var c struct {
			UserPoolClient struct {
				ClientID string `json:"ClientId"`
			}
		}
		p.cognitoIDP(t, "CreateUserPoolClient", map[string]any{
			"UserPoolId": p.PoolID, "ClientName": name,
			"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		}, &c)
		return c.UserPoolClient.ClientID
	}
	p.ClientID, p.OtherClient = newClient("frontend"), newClient("other")
	const user, password = "alice", "Correct-Horse-9!"
	p.cognitoIDP(t, "AdminCreateUser", map[string]any{"UserPoolId": p.PoolID, "Username": user, "TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS"}, nil)
	p.cognitoIDP(t, "AdminSetUserPassword", map[string]any{"UserPoolId": p.PoolID, "Username": user, "Password": password, "Permanent": true}, nil)
	p.cognitoIDP(t, "CreateGroup", map[string]any{"UserPoolId": p.PoolID, "GroupName": "writers"}, nil)
	p.cognitoIDP(t, "AdminAddUserToGroup", map[string]any{"UserPoolId": p.PoolID, "Username": user, "GroupName": "writers"}, nil)
	login := func(client string) (access, id string) {
		var r struct {
			AuthenticationResult struct{ AccessToken, IdToken string }
		}
		p.cognitoIDP(t, "InitiateAuth", map[string]any{
			"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
			"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password},
		}, &r)
		if r.AuthenticationResult.AccessToken == "" || r.AuthenticationResult.IdToken == "" {
			t.Fatalf("InitiateAuth returned no tokens: %+v", r)
		}
		return r.AuthenticationResult.AccessToken, r.AuthenticationResult.IdToken
	}
	p.AccessToken, p.IDToken = login(p.ClientID)
	p.OtherAccessToken, _ = login(p.OtherClient)
	return p
}

// cognitoIDP calls one action of moto's cognito-idp JSON API. moto does not
// check signatures; the Authorization header only names the service.
func (p CognitoPool) cognitoIDP(t testing.TB, action string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, p.Endpoint+"/", bytes.NewReader(body))
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

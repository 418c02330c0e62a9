package devissuer

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// EventRouteKey is the route the authorizer fixtures stand for.
const EventRouteKey = "POST /v1/messages"

// Fixture scopes and groups: what the template's example route rules ask of
// POST /v1/messages.
var (
	eventScopes = []string{"sqsgate/write", "sqsgate/read"}
	eventGroups = []string{"writers"}
)

// AuthorizerEvents returns the fixtures of events/authorizer/, file name →
// JSON, as API Gateway sends them to a payload 2.0 authorizer, with tokens
// minted at now:
//
//	access-token.json        valid access token: allowed (default config)
//	id-token.json            valid id token: allowed when COGNITO_TOKEN_USE=id
//	expired.json             access token that expired an hour before now
//	wrong-client.json        access token of another app client
//	wrong-token-use.json     id token, sent to the default (access) config
//	missing-header.json      no Authorization header (API Gateway itself would
//	                         answer 401; the fixture exercises the function)
//
// With the dev issuer's config (env.local.json) each is denied or allowed as
// its name says.
func AuthorizerEvents(s *Signer, now time.Time) (map[string][]byte, error) {
	access := Claims{Scopes: eventScopes, Groups: eventGroups}
	id := Claims{TokenUse: TokenUseID, Groups: eventGroups, Email: "dev-user@example.invalid"}
	tokens := []struct {
		file   string
		claims Claims
		at     time.Time
	}{
		{"access-token.json", access, now},
		{"id-token.json", id, now},
		{"expired.json", access, now.Add(-2 * DefaultTTL)},
		{"wrong-client.json", Claims{ClientID: "someotherappclient", Scopes: eventScopes, Groups: eventGroups}, now},
		{"wrong-token-use.json", id, now},
	}
	out := make(map[string][]byte, len(tokens)+1)
	for _, tk := range tokens {
		token, err := s.Mint(tk.claims, tk.at)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tk.file, err)
		}
		b, err := authorizerEvent("Bearer "+token, now)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tk.file, err)
		}
		out[tk.file] = b
	}
	b, err := authorizerEvent("", now)
	if err != nil {
		return nil, fmt.Errorf("missing-header.json: %w", err)
	}
	out["missing-header.json"] = b
	return out, nil
}

// authorizerEvent builds a payload 2.0 authorizer request for EventRouteKey
// carrying authorization ("" leaves the header out).
func authorizerEvent(authorization string, now time.Time) ([]byte, error) {
	const apiID = "sqsgatelocal"
	headers := map[string]string{
		"accept":            "*/*",
		"content-length":    "29",
		"content-type":      "application/json",
		"host":              "127.0.0.1:3000",
		"user-agent":        "curl/8.5.0",
		"x-forwarded-for":   "127.0.0.1",
		"x-forwarded-port":  "3000",
		"x-forwarded-proto": "http",
	}
	var identity []string
	if authorization != "" {
		headers["authorization"] = authorization
		identity = []string{authorization}
	}
	req := events.APIGatewayV2CustomAuthorizerV2Request{
		Version:        "2.0",
		Type:           "REQUEST",
		RouteArn:       "arn:aws:execute-api:us-east-1:000000000000:" + apiID + "/$default/POST/v1/messages",
		IdentitySource: identity,
		RouteKey:       EventRouteKey,
		RawPath:        "/v1/messages",
		Headers:        headers,
	}
	rc := &req.RequestContext
	rc.AccountID, rc.APIID, rc.Stage, rc.RouteKey = "000000000000", apiID, "$default", EventRouteKey
	rc.DomainName, rc.DomainPrefix = "127.0.0.1", "127"
	rc.RequestID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
	rc.Time = now.UTC().Format("02/Jan/2006:15:04:05 -0700")
	rc.TimeEpoch = now.UnixMilli()
	rc.HTTP.Method, rc.HTTP.Path, rc.HTTP.Protocol = "POST", "/v1/messages", "HTTP/1.1"
	rc.HTTP.SourceIP, rc.HTTP.UserAgent = "127.0.0.1", "curl/8.5.0"

	// API Gateway leaves out what a request does not have (cookies, query
	// parameters, ...); aws-lambda-go's struct would write them as null.
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	dropEmpty(doc)
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func dropEmpty(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			dropEmpty(v)
			if len(v) == 0 {
				delete(m, k)
			}
		}
	}
}

package httpapi

import (
	"testing"
)

// FuzzParseLambdaResponse feeds arbitrary function output to the proxy
// response parser: it must never panic, and whatever it accepts must be a
// valid HTTP status.
func FuzzParseLambdaResponse(f *testing.F) {
	for _, seed := range []string{
		`{"statusCode":200,"body":"x"}`, `{"statusCode":"200"}`, `"text"`, `[1]`, `null`, `{"statusCode":1e3}`,
		`{"statusCode":204,"isBase64Encoded":true,"body":"AA=="}`, `{"message":"m"}`, `{`, ``,
		`{"statusCode":200,"multiValueHeaders":{"a":["1","2"]},"cookies":["c=1"]}`,
	} {
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, out string, v2 bool) {
		version := "1.0"
		if v2 {
			version = "2.0"
		}
		resp, err := parseLambdaResponse(version, []byte(out))
		if err != nil {
			return
		}
		if resp.Status < 100 || resp.Status > 599 {
			t.Fatalf("accepted status %d from %q", resp.Status, out)
		}
		if resp.Headers.Get("Content-Type") == "" {
			t.Fatalf("no content type for %q", out)
		}
	})
}

// FuzzAuthorizerResponse feeds arbitrary authorizer output to both
// response parsers and the policy evaluator.
func FuzzAuthorizerResponse(f *testing.F) {
	for _, seed := range []string{
		`{"isAuthorized":true,"context":{"a":1}}`, `{"isAuthorized":"yes"}`,
		`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Action":["a"],"Effect":"Deny","Resource":["arn:*?"]}]}}`, `{}`, `[]`,
	} {
		f.Add(seed)
	}
	const arn = "arn:aws:execute-api:us-east-1:000000000000:api/$default/GET/v1/items/1"
	f.Fuzz(func(t *testing.T, out string) {
		if d, err := parseSimpleResponse([]byte(out)); err == nil {
			_ = d.allows(arn)
		}
		if d, err := parsePolicyResponse([]byte(out)); err == nil {
			_ = d.allows(arn)
		}
	})
}

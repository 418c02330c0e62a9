package iampolicy

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:execute-api:*:*:api/*/GET/*", "arn:aws:execute-api:us-east-1:1:api/$default/POST/x", false},
		{"a?c", "abbc", false},
		{"a?c", "ac", false},
		{"", "a", false},
		{"abc", "ABC", false}, // resources are case sensitive
		{"a*", "", false},
		{"*", "", true},
		{"*", "anything", true},
		{"arn:aws:execute-api:*:*:api/*/GET/*", "arn:aws:execute-api:us-east-1:1:api/$default/GET/x/y", true},
		{"a?c", "abc", true},
		{"*a*b*", "xxaxxbxx", true},
		{"a**", "a", true},
		{"a*b?", "aXbbY", true}, // backtracks past the first b
		{"*?", "", false},
		{"a*c", "abcbd", false},
		{"EXECUTE-API:Invoke", "execute-api:Invoke", true},
		{"execute-api:*", "execute-api:Invoke", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.s, func(t *testing.T) {
			assert.Equal(t, tt.want, Match(tt.pattern, tt.s))
		})
	}
}

// TestEvaluate follows IAM's evaluation logic for execute-api:Invoke: an
// explicit Deny overrides any Allow; without a matching Allow the request
// is implicitly denied
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
func TestEvaluate(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:000000000000:local/live/GET/v1/messages"
	allow := func(res ...string) Statement {
		return Statement{Effect: "Allow", Action: StringOrList{"execute-api:Invoke"}, Resource: res}
	}
	deny := func(res ...string) Statement {
		return Statement{Effect: "Deny", Action: StringOrList{"execute-api:Invoke"}, Resource: res}
	}
	tests := []struct {
		name  string
		stmts []Statement
		want  Decision
	}{
		{"no statements", nil, ImplicitDeny},
		{"allow another method", []Statement{allow("arn:aws:execute-api:us-east-1:000000000000:local/live/DELETE/v1/messages")}, ImplicitDeny},
		{"allow another action", []Statement{{Effect: "Allow", Action: StringOrList{"execute-api:ManageConnections"}, Resource: StringOrList{"*"}}}, ImplicitDeny},
		{"deny wins over allow", []Statement{allow("*"), deny(arn)}, ExplicitDeny},
		{"deny first still wins", []Statement{deny("arn:aws:execute-api:*:*:local/*/GET/*"), allow(arn)}, ExplicitDeny},
		{"deny elsewhere", []Statement{allow(arn), deny("arn:aws:execute-api:*:*:local/*/DELETE/*")}, Allow},
		{"exact allow", []Statement{allow(arn)}, Allow},
		{"wildcard allow", []Statement{allow("arn:aws:execute-api:us-east-1:000000000000:local/*/GET/v1/*")}, Allow},
		{"one of many resources", []Statement{allow("x", arn)}, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Evaluate(tt.stmts, arn))
		})
	}
}

func TestParseResponse(t *testing.T) {
	bad := []string{
		`not json`,
		`{}`,
		`{"principalId":"u"}`,
		`{"policyDocument":{"Statement":[]}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Maybe","Action":"execute-api:Invoke","Resource":"*"}]}}`,
		`{"principalId":"u","policyDocument":{"Statement":[{"Effect":"Allow","Action":1,"Resource":"*"}]}}`,
	}
	for _, out := range bad {
		t.Run(out, func(t *testing.T) {
			_, err := ParseResponse([]byte(out))
			assert.ErrorIs(t, err, ErrInvalidResponse)
		})
	}
	r, err := ParseResponse([]byte(`{"principalId":"u-1","usageIdentifierKey":"k","context":{"sub":"u-1","n":12345678901234567890},
		"policyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":["a","b"]}]}}`))
	require.NoError(t, err)
	assert.Equal(t, "u-1", r.PrincipalID)
	assert.Equal(t, "k", r.UsageIdentifierKey)
	assert.Equal(t, json.Number("12345678901234567890"), r.Context["n"])
	assert.Equal(t, []Statement{{Effect: "Allow", Action: StringOrList{"execute-api:Invoke"}, Resource: StringOrList{"a", "b"}}}, r.Statements)
}

func FuzzParseResponse(f *testing.F) {
	f.Add(`{"principalId":"u","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`)
	f.Add(`{"principalId":"u","policyDocument":{"Statement":[{"Action":["a"],"Effect":"Deny","Resource":["arn:*?"]}]}}`)
	f.Fuzz(func(t *testing.T, out string) {
		if r, err := ParseResponse([]byte(out)); err == nil {
			_ = Evaluate(r.Statements, "arn:aws:execute-api:us-east-1:000000000000:api/live/GET/x")
		}
	})
}

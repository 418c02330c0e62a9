package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Statement is one statement of an authorizer's policy document.
type Statement struct {
	Effect   string       `json:"Effect"`
	Action   StringOrList `json:"Action"`
	Resource StringOrList `json:"Resource"`
}

// StringOrList decodes IAM's "one string or a list of strings" fields.
type StringOrList []string

// UnmarshalJSON accepts "x" or ["x", ...].
func (l *StringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("want a string or a list of strings")
	}
	*l = many
	return nil
}

// Response is a Lambda authorizer's IAM policy response.
type Response struct {
	PrincipalID string
	Statements  []Statement
	// Context keeps numbers as json.Number, so values passed on keep the
	// digits the authorizer sent.
	Context            map[string]any
	UsageIdentifierKey string
}

// ErrInvalidResponse wraps every reason ParseResponse refuses an output.
var ErrInvalidResponse = errors.New("invalid authorizer policy response")

// ParseResponse decodes an authorizer's output: principalId and
// policyDocument are required, every statement's Effect is Allow or Deny.
func ParseResponse(out []byte) (*Response, error) {
	var resp struct {
		PrincipalID    *string `json:"principalId"`
		PolicyDocument *struct {
			Version   string      `json:"Version"`
			Statement []Statement `json:"Statement"`
		} `json:"policyDocument"`
		Context            map[string]any `json:"context"`
		UsageIdentifierKey string         `json:"usageIdentifierKey"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidResponse, err)
	}
	if resp.PrincipalID == nil || resp.PolicyDocument == nil {
		return nil, fmt.Errorf("%w: principalId or policyDocument missing", ErrInvalidResponse)
	}
	for _, st := range resp.PolicyDocument.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, fmt.Errorf("%w: policy statement effect %q", ErrInvalidResponse, st.Effect)
		}
	}
	return &Response{PrincipalID: *resp.PrincipalID, Statements: resp.PolicyDocument.Statement,
		Context: resp.Context, UsageIdentifierKey: resp.UsageIdentifierKey}, nil
}

// Decision is the outcome of evaluating a policy for one method ARN.
type Decision uint8

const (
	// ImplicitDeny: no statement matches (REST answers "User is not
	// authorized to access this resource").
	ImplicitDeny Decision = iota
	// Allow: an Allow matches and no Deny does.
	Allow
	// ExplicitDeny: a Deny matches (REST adds "with an explicit deny").
	ExplicitDeny
)

// Evaluate applies IAM's rule for execute-api:Invoke on methodARN.
func Evaluate(stmts []Statement, methodARN string) Decision {
	d := ImplicitDeny
	for _, st := range stmts {
		if !anyMatch(st.Action, "execute-api:Invoke") || !anyMatch(st.Resource, methodARN) {
			continue
		}
		if st.Effect == "Deny" {
			return ExplicitDeny
		}
		d = Allow
	}
	return d
}

func anyMatch(patterns []string, s string) bool {
	for _, p := range patterns {
		if Match(p, s) {
			return true
		}
	}
	return false
}

// Match matches IAM patterns: * is any run of characters, ? exactly one.
// Action names compare without regard to case, as IAM's do; resources
// are case sensitive.
func Match(pattern, s string) bool {
	if strings.HasPrefix(s, "execute-api:") {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	// Iterative glob with a single backtrack point: linear in practice.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		if p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]) {
			p++
			i++
			continue
		}
		if p < len(pattern) && pattern[p] == '*' {
			star, mark = p, i
			p++
			continue
		}
		if star < 0 {
			return false
		}
		p = star + 1
		mark++
		i = mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

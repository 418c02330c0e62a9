package authorizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Rule is what a route requires beyond a valid token: one of Scopes (if
// any) and one of Groups (if any).
type Rule struct {
	Scopes []string `json:"scopes"`
	Groups []string `json:"groups"`
}

// Rules maps API Gateway route keys ("POST /v1/messages") to their rule.
type Rules map[string]Rule

var routeKeyPattern = regexp.MustCompile(`^(\$default|(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /\S*)$`)

// ParseRules reads COGNITO_ROUTE_RULES. Empty means no rules.
func ParseRules(s string) (Rules, error) {
	if strings.TrimSpace(s) == "" {
		return Rules{}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var rules Rules
	if err := dec.Decode(&rules); err != nil {
		return nil, fmt.Errorf("COGNITO_ROUTE_RULES: %w", err)
	}
	if dec.More() {
		return nil, errors.New("COGNITO_ROUTE_RULES: trailing data after the JSON object")
	}
	for key, r := range rules {
		if !routeKeyPattern.MatchString(key) {
			return nil, fmt.Errorf("COGNITO_ROUTE_RULES: %q is not a route key such as \"POST /v1/messages\"", key)
		}
		for _, v := range append(append([]string(nil), r.Scopes...), r.Groups...) {
			if strings.TrimSpace(v) == "" || strings.ContainsAny(v, " \t\r\n") {
				return nil, fmt.Errorf("COGNITO_ROUTE_RULES: route %q has an empty or spaced scope or group %q", key, v)
			}
		}
	}
	if rules == nil {
		rules = Rules{}
	}
	return rules, nil
}

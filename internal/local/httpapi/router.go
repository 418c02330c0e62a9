package httpapi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ErrBadRoutePath reports a route path HTTP API would not accept.
var ErrBadRoutePath = errors.New("invalid route path")

type segmentKind uint8

// Ranks double as specificity: at the first segment where two matching
// routes differ, the higher kind wins, as HTTP API prefers literal over
// {param} over {proxy+}.
const (
	segGreedy segmentKind = iota + 1
	segParam
	segLiteral
)

type segment struct {
	kind segmentKind
	text string // literal text or parameter name
}

type route struct {
	cfg            Route
	key            string // routeKey: "POST /webhooks/github" or "$default"
	method         string // upper case; "ANY" matches every method
	segments       []segment
	isDefault      bool
	auth           *authorizer
	timeout        time.Duration
	payloadVersion string // lambda only
	sqs            *sqsIntegration
}

// parseRoutePath splits an OpenAPI-style path into segments.
func parseRoutePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("%w: %q must start with /", ErrBadRoutePath, p)
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	seen := map[string]bool{}
	for i, part := range parts {
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
			name := part[1 : len(part)-1]
			kind := segParam
			if strings.HasSuffix(name, "+") {
				kind = segGreedy
				name = strings.TrimSuffix(name, "+")
				if i != len(parts)-1 {
					return nil, fmt.Errorf("%w: %q: a greedy {%s+} must be the last segment", ErrBadRoutePath, p, name)
				}
			}
			if name == "" || !validName(name) || strings.ContainsAny(name, "+/") {
				return nil, fmt.Errorf("%w: %q: bad parameter name %q", ErrBadRoutePath, p, name)
			}
			if seen[name] {
				return nil, fmt.Errorf("%w: %q: parameter %q appears twice", ErrBadRoutePath, p, name)
			}
			seen[name] = true
			segs = append(segs, segment{kind: kind, text: name})
			continue
		}
		if strings.ContainsAny(part, "{}") {
			return nil, fmt.Errorf("%w: %q: a parameter must fill a whole segment", ErrBadRoutePath, p)
		}
		if part == "" && i != len(parts)-1 {
			return nil, fmt.Errorf("%w: %q has an empty segment", ErrBadRoutePath, p)
		}
		segs = append(segs, segment{kind: segLiteral, text: part})
	}
	return segs, nil
}

// router selects routes the way HTTP API does: the most specific path wins
// (literal over {param} over {proxy+}, compared segment by segment), then an
// exact method over ANY; $default catches everything else.
type router struct {
	routes []*route
	def    *route
}

// match returns the route for method and the escaped request path (without
// any stage prefix) and the decoded path parameters, or nil.
func (rt *router) match(method, escapedPath string) (*route, map[string]string) {
	reqSegs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	var best *route
	for _, r := range rt.routes {
		if r.method != method && r.method != "ANY" {
			continue
		}
		if !r.matches(reqSegs) {
			continue
		}
		if best == nil || moreSpecific(r, best) {
			best = r
		}
	}
	if best == nil {
		if rt.def != nil {
			return rt.def, nil
		}
		return nil, nil
	}
	return best, best.params(reqSegs)
}

func (r *route) matches(req []string) bool {
	for i, s := range r.segments {
		switch s.kind {
		case segGreedy:
			// At least one character must remain for the greedy parameter.
			return i < len(req) && strings.Join(req[i:], "/") != ""
		case segParam:
			if i >= len(req) || req[i] == "" {
				return false
			}
		case segLiteral:
			if i >= len(req) || unescape(req[i]) != s.text {
				return false
			}
		}
	}
	return len(req) == len(r.segments)
}

func (r *route) params(req []string) map[string]string {
	var out map[string]string
	for i, s := range r.segments {
		var v string
		switch s.kind {
		case segLiteral:
			continue
		case segParam:
			v = unescape(req[i])
		case segGreedy:
			v = unescape(strings.Join(req[i:], "/"))
		}
		if out == nil {
			out = make(map[string]string, 2)
		}
		out[s.text] = v
	}
	return out
}

func moreSpecific(a, b *route) bool {
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if a.segments[i].kind != b.segments[i].kind {
			return a.segments[i].kind > b.segments[i].kind
		}
	}
	if len(a.segments) != len(b.segments) {
		// Same kinds up to here: the longer one has more literal prefix
		// before its greedy tail.
		return len(a.segments) > len(b.segments)
	}
	return a.method != "ANY" && b.method == "ANY"
}

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

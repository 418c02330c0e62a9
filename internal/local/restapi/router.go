package restapi

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
)

type segKind uint8

// Ranks double as precedence: at the first segment where two resources
// differ, the higher kind wins, as API Gateway prefers a literal resource
// over {param} over {proxy+}.
const (
	segGreedy  segKind = 1
	segParam   segKind = 2
	segLiteral segKind = 3
)

type segment struct {
	kind segKind
	text string // literal text or parameter name
}

var methodNames = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true,
}

func parsePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("path %q must start with /", p)
	}
	if p == "/" {
		return nil, nil
	}
	parts := strings.Split(p[1:], "/")
	segs := make([]segment, 0, len(parts))
	for i, part := range parts {
		if part == "" {
			return nil, fmt.Errorf("path %q has an empty segment", p)
		}
		name, isParam := strings.CutPrefix(part, "{")
		if isParam {
			name, isParam = strings.CutSuffix(name, "}")
		}
		if !isParam {
			if strings.ContainsAny(part, "{}") {
				return nil, fmt.Errorf("path %q: a parameter must fill a whole segment", p)
			}
			segs = append(segs, segment{segLiteral, part})
			continue
		}
		if name == "" || name == "+" {
			return nil, fmt.Errorf("path %q: a parameter needs a name", p)
		}
		if greedy, ok := strings.CutSuffix(name, "+"); ok {
			if i != len(parts)-1 {
				return nil, fmt.Errorf("path %q: a greedy parameter must be the last segment", p)
			}
			segs = append(segs, segment{segGreedy, greedy})
			continue
		}
		segs = append(segs, segment{segParam, name})
	}
	return segs, nil
}

// resource is one resource path with its methods.
type resource struct {
	path     string
	segments []segment
	methods  map[string]*method // by HTTP method, "ANY" included
}

// router selects a resource the way REST APIs do (most specific path,
// compared segment by segment), then the method: an exact one, else ANY.
// A path without a resource, or a resource without the method, is
// answered 403 Missing Authentication Token, as REST APIs answer both.
type router struct {
	resources []*resource
}

func (rt *router) add(m *method) error {
	if !methodNames[m.httpMethod] {
		return fmt.Errorf("method %q is not a REST API method", m.cfg.Method)
	}
	segs, err := parsePath(m.cfg.Path)
	if err != nil {
		return err
	}
	for _, r := range rt.resources {
		if r.path == m.cfg.Path {
			if r.methods[m.httpMethod] != nil {
				return fmt.Errorf("duplicate method")
			}
			r.methods[m.httpMethod] = m
			return nil
		}
	}
	rt.resources = append(rt.resources, &resource{path: m.cfg.Path, segments: segs, methods: map[string]*method{m.httpMethod: m}})
	return nil
}

func (rt *router) all() []*method {
	var out []*method
	for _, r := range rt.resources {
		for _, m := range r.methods {
			out = append(out, m)
		}
	}
	return out
}

// match returns the method for httpMethod on the escaped path and the
// decoded path parameters, or nil.
func (rt *router) match(httpMethod, escapedPath string) (*method, map[string]string) {
	var req []string
	if p := strings.TrimPrefix(escapedPath, "/"); p != "" {
		req = strings.Split(p, "/")
	}
	var best *resource
	for _, r := range rt.resources {
		if r.matches(req) && (best == nil || moreSpecific(r, best)) {
			best = r
		}
	}
	if best == nil {
		return nil, nil
	}
	m := best.methods[httpMethod]
	if m == nil {
		m = best.methods["ANY"]
	}
	if m == nil {
		return nil, nil
	}
	return m, best.params(req)
}

func (r *resource) matches(req []string) bool {
	for i, s := range r.segments {
		if i >= len(req) {
			return false
		}
		switch s.kind {
		case segGreedy:
			return strings.Join(req[i:], "/") != ""
		case segParam:
			if req[i] == "" {
				return false
			}
		case segLiteral:
			if unescape(req[i]) != s.text {
				return false
			}
		}
	}
	return len(req) == len(r.segments)
}

func (r *resource) params(req []string) map[string]string {
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
			out = map[string]string{}
		}
		out[s.text] = v
	}
	return out
}

// moreSpecific reports whether a wins over b for a path both match. Two
// matching resources differ in kind at some segment: with the same kinds
// throughout they would have the same length (only a last {proxy+} can
// take several segments) and be the same resource.
func moreSpecific(a, b *resource) bool {
	for i := range min(len(a.segments), len(b.segments)) {
		if c := cmp.Compare(a.segments[i].kind, b.segments[i].kind); c != 0 {
			return c == 1
		}
	}
	return false
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

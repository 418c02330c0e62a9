package eventsource

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Filter is one FilterCriteria pattern, parsed. Its syntax is Lambda's
// event filtering for SQS (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html):
// a JSON object whose leaves are arrays of matchers; keys are ANDed,
// values within an array ORed, "$or" ORs whole sub-patterns. Matchers:
// a literal (exact string, number, boolean, null), {"prefix":…},
// {"suffix":…}, {"equals-ignore-case":…}, {"anything-but":…},
// {"numeric":[op, n, …]}, {"exists":bool}.
type Filter struct {
	root node
}

// node is an object pattern: every field must match, and at least one of
// each or-list.
type node struct {
	fields map[string]any // leaf []matcher or *node
	ors    [][]*node
}

type matcher func(v any, present bool) bool

// ErrPattern is wrapped by every pattern error.
var ErrPattern = errors.New("invalid filter pattern")

// ParseFilter parses a pattern.
func ParseFilter(pattern string) (*Filter, error) {
	var v any
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPattern, err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: not a JSON object", ErrPattern)
	}
	n, err := parseNode(obj, "")
	if err != nil {
		return nil, err
	}
	return &Filter{root: *n}, nil
}

func parseNode(obj map[string]any, at string) (*node, error) {
	n := &node{fields: map[string]any{}}
	for k, v := range obj {
		path := strings.TrimPrefix(at+"."+k, ".")
		if k == "$or" {
			list, ok := v.([]any)
			if !ok || len(list) < 2 {
				return nil, fmt.Errorf("%w: %s: $or takes a list of at least two patterns", ErrPattern, path)
			}
			var alts []*node
			for _, alt := range list {
				m, ok := alt.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%w: %s: $or entries must be objects", ErrPattern, path)
				}
				sub, err := parseNode(m, at)
				if err != nil {
					return nil, err
				}
				alts = append(alts, sub)
			}
			n.ors = append(n.ors, alts)
			continue
		}
		switch t := v.(type) {
		case map[string]any:
			sub, err := parseNode(t, path)
			if err != nil {
				return nil, err
			}
			n.fields[k] = sub
		case []any:
			if len(t) == 0 {
				return nil, fmt.Errorf("%w: %s: empty list of values", ErrPattern, path)
			}
			var ms []matcher
			for _, e := range t {
				m, err := parseMatcher(e, path)
				if err != nil {
					return nil, err
				}
				ms = append(ms, m)
			}
			n.fields[k] = ms
		default:
			return nil, fmt.Errorf("%w: %s: a value must be a list of matchers or an object", ErrPattern, path)
		}
	}
	return n, nil
}

func parseMatcher(e any, path string) (matcher, error) {
	bad := func(format string, args ...any) (matcher, error) {
		return nil, fmt.Errorf("%w: %s: "+format, append([]any{ErrPattern, path}, args...)...)
	}
	obj, ok := e.(map[string]any)
	if !ok {
		if _, isList := e.([]any); isList {
			return bad("nested list")
		}
		return func(v any, present bool) bool { return present && equal(e, v) }, nil
	}
	if len(obj) != 1 {
		return bad("a matcher object has exactly one key")
	}
	for op, arg := range obj {
		switch op {
		case "prefix", "suffix", "equals-ignore-case":
			s, ok := arg.(string)
			if !ok {
				return bad("%s takes a string", op)
			}
			return func(v any, present bool) bool {
				got, ok := v.(string)
				if !present || !ok {
					return false
				}
				switch op {
				case "prefix":
					return strings.HasPrefix(got, s)
				case "suffix":
					return strings.HasSuffix(got, s)
				}
				return strings.EqualFold(got, s)
			}, nil
		case "exists":
			want, ok := arg.(bool)
			if !ok {
				return bad("exists takes true or false")
			}
			return func(_ any, present bool) bool { return present == want }, nil
		case "numeric":
			return parseNumeric(arg, path)
		case "anything-but":
			return parseAnythingBut(arg, path)
		default:
			return bad("unknown matcher %q", op)
		}
	}
	panic("unreachable")
}

func parseNumeric(arg any, path string) (matcher, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, fmt.Errorf("%w: %s: numeric takes [op, n] or [op, n, op, n]", ErrPattern, path)
	}
	type cmp struct {
		op string
		n  float64
	}
	var cmps []cmp
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		num, isNum := list[i+1].(json.Number)
		if !ok || !isNum {
			return nil, fmt.Errorf("%w: %s: numeric takes [op, n] pairs", ErrPattern, path)
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, fmt.Errorf("%w: %s: numeric operator %q", ErrPattern, path, op)
		}
		f, err := num.Float64()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrPattern, path, err)
		}
		cmps = append(cmps, cmp{op, f})
	}
	return func(v any, present bool) bool {
		n, ok := v.(json.Number)
		if !present || !ok {
			return false
		}
		f, err := n.Float64()
		if err != nil {
			return false
		}
		for _, c := range cmps {
			var hold bool
			switch c.op {
			case "=":
				hold = f == c.n
			case "<":
				hold = f < c.n
			case "<=":
				hold = f <= c.n
			case ">":
				hold = f > c.n
			case ">=":
				hold = f >= c.n
			}
			if !hold {
				return false
			}
		}
		return true
	}, nil
}

// parseAnythingBut: a value, a list of values, or {"prefix"|"suffix": s};
// the field must be present.
func parseAnythingBut(arg any, path string) (matcher, error) {
	if obj, ok := arg.(map[string]any); ok {
		inner, err := parseMatcher(obj, path)
		if err != nil {
			return nil, err
		}
		return func(v any, present bool) bool { return present && !inner(v, present) }, nil
	}
	values, ok := arg.([]any)
	if !ok {
		values = []any{arg}
	}
	for _, x := range values {
		switch x.(type) {
		case string, json.Number:
		default:
			return nil, fmt.Errorf("%w: %s: anything-but takes strings or numbers", ErrPattern, path)
		}
	}
	return func(v any, present bool) bool {
		if !present {
			return false
		}
		for _, x := range values {
			if equal(x, v) {
				return false
			}
		}
		return true
	}, nil
}

// equal compares a pattern literal with a record value; numbers by value.
func equal(pattern, v any) bool {
	if pn, ok := pattern.(json.Number); ok {
		vn, ok := v.(json.Number)
		if !ok {
			return false
		}
		a, err1 := pn.Float64()
		b, err2 := vn.Float64()
		return err1 == nil && err2 == nil && a == b
	}
	return pattern == v
}

// Match reports whether a record (decoded with UseNumber) matches.
func (f *Filter) Match(record map[string]any) bool { return f.root.match(record) }

func (n *node) match(obj map[string]any) bool {
	keys := make([]string, 0, len(n.fields))
	for k := range n.fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, present := obj[k]
		switch p := n.fields[k].(type) {
		case *node:
			sub, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if !p.match(sub) {
				return false
			}
		case []matcher:
			if !matchLeaf(p, v, present) {
				return false
			}
		}
	}
	for _, alts := range n.ors {
		any := false
		for _, alt := range alts {
			if alt.match(obj) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return true
}

// matchLeaf: a record array matches if any element matches any matcher.
func matchLeaf(ms []matcher, v any, present bool) bool {
	values := []any{v}
	if list, ok := v.([]any); ok && present {
		values = list
	}
	for _, m := range ms {
		for _, x := range values {
			if m(x, present) {
				return true
			}
		}
	}
	return false
}

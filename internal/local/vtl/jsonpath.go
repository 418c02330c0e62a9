package vtl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// jsonPath is the part of JSONPath that API Gateway's examples use: $,
// .name, ['name'], [n], [*] and .*. Deep scans, filters, slices and
// unions are refused.
type jsonPath struct {
	steps []jstep
	multi bool // a wildcard: the result is the list of every match
}

type jkind int

const (
	jKey jkind = iota
	jIndex
	jWild
)

type jstep struct {
	kind  jkind
	key   string
	index int
}

func parseJSONPath(s string) (*jsonPath, error) {
	if s == "" {
		return nil, errors.New("empty JSONPath")
	}
	if strings.HasPrefix(s, "@") {
		return nil, fmt.Errorf("JSONPath %q: a relative path (@) is not supported", s)
	}
	if !strings.HasPrefix(s, "$") {
		// Jayway JsonPath reads a path without a leading $ as $.path, and
		// API Gateway with it ($input.json('num') is the body's num).
		s = "$." + s
	}
	jp := &jsonPath{}
	for i := 1; i < len(s); {
		switch s[i] {
		case '.':
			if strings.HasPrefix(s[i:], "..") {
				return nil, fmt.Errorf("JSONPath %q: deep scan (..) is not supported", s)
			}
			j := i + 1
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			name := s[i+1 : j]
			switch name {
			case "":
				return nil, fmt.Errorf("JSONPath %q: empty name after .", s)
			case "*":
				jp.steps = append(jp.steps, jstep{kind: jWild})
				jp.multi = true
			default:
				jp.steps = append(jp.steps, jstep{kind: jKey, key: name})
			}
			i = j
		case '[':
			st, n, err := bracket(s[i:])
			if err != nil {
				return nil, fmt.Errorf("JSONPath %q: %w", s, err)
			}
			jp.steps = append(jp.steps, st)
			jp.multi = jp.multi || st.kind == jWild
			i += n
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q", s, s[i])
		}
	}
	return jp, nil
}

// bracket parses ['name'], ["name"], [n] or [*] at the start of s and
// returns the step and the bytes it took.
func bracket(s string) (jstep, int, error) {
	if len(s) > 1 && (s[1] == '\'' || s[1] == '"') {
		q := s[1]
		j := strings.IndexByte(s[2:], q)
		if j < 0 || 2+j+1 >= len(s) || s[2+j+1] != ']' {
			return jstep{}, 0, errors.New("unterminated [' … ']")
		}
		return jstep{kind: jKey, key: s[2 : 2+j]}, 2 + j + 2, nil
	}
	in, _, found := strings.Cut(s[1:], "]")
	if !found {
		return jstep{}, 0, errors.New("[ without ]")
	}
	if in == "*" {
		return jstep{kind: jWild}, len(in) + 2, nil
	}
	n, err := strconv.Atoi(in)
	if err != nil || strings.ContainsAny(in, "+-") {
		return jstep{}, 0, fmt.Errorf("[%s] is not supported (only [n], [*] and ['name'])", in)
	}
	return jstep{kind: jIndex, index: n}, len(in) + 2, nil
}

// eval applies the path to root. found is false when a path without a
// wildcard selects nothing; a path with one always yields a list.
func (jp *jsonPath) eval(root any) (v any, found bool) {
	cur := []any{root}
	for _, st := range jp.steps {
		var next []any
		for _, v := range cur {
			switch st.kind {
			case jKey:
				if o, ok := v.(*omap); ok {
					if x, ok := o.get(st.key); ok {
						next = append(next, x)
					}
				}
			case jIndex:
				if l, ok := v.([]any); ok && st.index < len(l) {
					next = append(next, l[st.index])
				}
			case jWild:
				switch x := v.(type) {
				case []any:
					next = append(next, x...)
				case *omap:
					next = append(next, x.values()...)
				}
			}
		}
		cur = next
	}
	if jp.multi {
		if cur == nil {
			cur = []any{}
		}
		return cur, true
	}
	if len(cur) == 0 {
		return nil, false
	}
	return cur[0], true
}

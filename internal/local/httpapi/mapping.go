package httpapi

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadMapping reports a parameter mapping expression the emulator cannot
// evaluate exactly as API Gateway would.
var ErrBadMapping = errors.New("unsupported mapping expression")

// maxJSONPathBody is how much of the body API Gateway reads before applying
// a $request.body.<jsonpath> selection; larger bodies are truncated, so
// their JSON no longer parses and the selection is empty.
const maxJSONPathBody = 100 * 1024

type sourceKind uint8

const (
	srcLiteral sourceKind = iota
	srcHeader
	srcQuery
	srcPathParam
	srcPath
	srcBody
	srcBodyPath
	srcContext
	srcStageVariable
)

// mapping is a parsed request parameter value: static text and
// $request/$context/$stageVariables selections, concatenated.
type mapping struct {
	parts []mappingPart
}

type mappingPart struct {
	kind sourceKind
	text string     // literal text, or the header/query/param/context name
	path []jsonStep // for srcBodyPath
}

// jsonStep is one step of a body JSONPath: a member name or an array index.
type jsonStep struct {
	name  string
	index int // -1 for a member step
}

// contextVariables are the $context names the emulator knows a value for.
// $context.authorizer.<key> is handled separately.
var contextVariables = map[string]bool{
	"accountId": true, "apiId": true, "domainName": true, "domainPrefix": true,
	"httpMethod": true, "identity.sourceIp": true, "identity.userAgent": true,
	"path": true, "protocol": true, "requestId": true, "extendedRequestId": true,
	"requestTime": true, "requestTimeEpoch": true, "routeKey": true, "stage": true,
	"authorizer.principalId": true,
}

// parseMapping parses a request parameter value. A value that starts with
// "$" is one expression ($request.header.x); otherwise it is static text in
// which ${request.header.x} style expressions are substituted, the form
// API Gateway documents for combining values.
func parseMapping(s string) (mapping, error) {
	if strings.HasPrefix(s, "$") && !strings.HasPrefix(s, "${") {
		p, err := parseExpression(s[1:])
		if err != nil {
			return mapping{}, err
		}
		return mapping{parts: []mappingPart{p}}, nil
	}
	var m mapping
	rest := s
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			m.parts = append(m.parts, mappingPart{kind: srcLiteral, text: rest})
			break
		}
		if i > 0 {
			m.parts = append(m.parts, mappingPart{kind: srcLiteral, text: rest[:i]})
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return mapping{}, fmt.Errorf("%w: %q has an unclosed ${", ErrBadMapping, s)
		}
		p, err := parseExpression(rest[i+2 : i+end])
		if err != nil {
			return mapping{}, err
		}
		m.parts = append(m.parts, p)
		rest = rest[i+end+1:]
	}
	return m, nil
}

func parseExpression(e string) (mappingPart, error) {
	name := func(prefix string) (string, bool) {
		v, ok := strings.CutPrefix(e, prefix)
		return v, ok && v != "" && validName(v)
	}
	switch {
	case e == "request.body":
		return mappingPart{kind: srcBody}, nil
	case e == "request.path":
		return mappingPart{kind: srcPath}, nil
	case strings.HasPrefix(e, "request.body.") || strings.HasPrefix(e, "request.body["):
		steps, err := parseJSONPath(strings.TrimPrefix(strings.TrimPrefix(e, "request.body"), "."))
		if err != nil {
			return mappingPart{}, err
		}
		return mappingPart{kind: srcBodyPath, path: steps}, nil
	}
	if v, ok := name("request.header."); ok {
		return mappingPart{kind: srcHeader, text: strings.ToLower(v)}, nil
	}
	if v, ok := name("request.querystring."); ok {
		return mappingPart{kind: srcQuery, text: v}, nil
	}
	if v, ok := name("request.path."); ok {
		return mappingPart{kind: srcPathParam, text: v}, nil
	}
	if v, ok := name("stageVariables."); ok {
		return mappingPart{kind: srcStageVariable, text: v}, nil
	}
	if v, ok := name("context."); ok {
		if contextVariables[v] || strings.HasPrefix(v, "authorizer.") && len(v) > len("authorizer.") {
			return mappingPart{kind: srcContext, text: v}, nil
		}
		return mappingPart{}, fmt.Errorf("%w: $context.%s is not a context variable the emulator provides", ErrBadMapping, v)
	}
	return mappingPart{}, fmt.Errorf("%w: $%s", ErrBadMapping, e)
}

// validName accepts the characters header, query, path and context names use.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"${}()[]\,;`, c) >= 0 {
			return false
		}
	}
	return true
}

// parseJSONPath parses the part after $request.body.: member names separated
// by dots, [n] indexes and ['name'] members. API Gateway does not support
// recursive descent or filters, so neither do we.
func parseJSONPath(p string) ([]jsonStep, error) {
	bad := func(why string) ([]jsonStep, error) {
		return nil, fmt.Errorf("%w: $request.body.%s: %s", ErrBadMapping, p, why)
	}
	if p == "" {
		return bad("empty path")
	}
	var steps []jsonStep
	i := 0
	for i < len(p) {
		switch p[i] {
		case '.':
			if i == 0 || i+1 >= len(p) || p[i+1] == '.' || p[i+1] == '[' {
				return bad("recursive descent and empty members are not supported")
			}
			i++
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return bad("unclosed [")
			}
			inner := p[i+1 : i+end]
			i += end + 1
			if len(inner) >= 2 && (inner[0] == '\'' && inner[len(inner)-1] == '\'' || inner[0] == '"' && inner[len(inner)-1] == '"') {
				name := inner[1 : len(inner)-1]
				if name == "" || strings.ContainsAny(name, "{}") {
					return bad("bad quoted member")
				}
				steps = append(steps, jsonStep{name: name, index: -1})
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil || n < 0 {
				return bad("only [n] indexes and ['name'] members are supported")
			}
			steps = append(steps, jsonStep{index: n})
			continue
		}
		j := i
		for j < len(p) && p[j] != '.' && p[j] != '[' {
			j++
		}
		member := p[i:j]
		if member == "" || member == "*" || strings.ContainsAny(member, "?()@$*]'\"{}") {
			return bad("wildcards and filters are not supported")
		}
		steps = append(steps, jsonStep{name: member, index: -1})
		i = j
	}
	return steps, nil
}

// String gives the expression back in its canonical form, for messages.
func (m mapping) String() string {
	var b strings.Builder
	for _, p := range m.parts {
		b.WriteString(p.String())
	}
	return b.String()
}

func (p mappingPart) String() string {
	switch p.kind {
	case srcLiteral:
		return p.text
	case srcHeader:
		return "${request.header." + p.text + "}"
	case srcQuery:
		return "${request.querystring." + p.text + "}"
	case srcPathParam:
		return "${request.path." + p.text + "}"
	case srcPath:
		return "${request.path}"
	case srcBody:
		return "${request.body}"
	case srcBodyPath:
		var b strings.Builder
		b.WriteString("${request.body")
		for _, s := range p.path {
			if s.index >= 0 {
				fmt.Fprintf(&b, "[%d]", s.index)
			} else {
				b.WriteString("['" + s.name + "']")
			}
		}
		return b.String() + "}"
	case srcContext:
		return "${context." + p.text + "}"
	case srcStageVariable:
		return "${stageVariables." + p.text + "}"
	}
	return ""
}

// mappingSource is what mapping expressions read from one request.
type mappingSource interface {
	headerValue(lowerName string) string
	queryValue(name string) string
	pathParamValue(name string) string
	pathValue() string
	bodyValue() []byte
	contextValue(name string) string
}

// eval evaluates the mapping against one request; absent values are empty.
func (m mapping) eval(src mappingSource) string {
	if len(m.parts) == 1 {
		return m.parts[0].eval(src)
	}
	var b strings.Builder
	for _, p := range m.parts {
		b.WriteString(p.eval(src))
	}
	return b.String()
}

func (p mappingPart) eval(src mappingSource) string {
	switch p.kind {
	case srcLiteral:
		return p.text
	case srcHeader:
		return src.headerValue(p.text)
	case srcQuery:
		return src.queryValue(p.text)
	case srcPathParam:
		return src.pathParamValue(p.text)
	case srcPath:
		return src.pathValue()
	case srcBody:
		return string(src.bodyValue())
	case srcBodyPath:
		return selectJSON(src.bodyValue(), p.path)
	case srcContext:
		return src.contextValue(p.text)
	}
	return "" // stage variables: none are configured
}

// selectJSON applies a parsed JSONPath to body. Strings come back bare;
// other values as their JSON text; anything missing or unparsable is "".
func selectJSON(body []byte, steps []jsonStep) string {
	if len(body) > maxJSONPathBody {
		body = body[:maxJSONPathBody]
	}
	var v any
	if err := decodeJSON(body, &v); err != nil {
		return ""
	}
	for _, s := range steps {
		if s.index >= 0 {
			arr, ok := v.([]any)
			if !ok || s.index >= len(arr) {
				return ""
			}
			v = arr[s.index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		if v, ok = obj[s.name]; !ok {
			return ""
		}
	}
	return scalarString(v)
}

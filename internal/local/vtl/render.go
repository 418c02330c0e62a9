package vtl

import (
	"errors"
	"fmt"
	"strings"
)

// Bounds on one Render, so a hostile body cannot make a template use
// unbounded memory or time.
const (
	// MaxOutput caps the rendered text and every string built on the way
	// (10 MiB, API Gateway's payload quota).
	MaxOutput = 10 << 20
	// MaxForeachItems caps the list one #foreach may walk.
	MaxForeachItems = 1000
	// MaxIterations caps the #foreach iterations of one Render, nested
	// loops included.
	MaxIterations = 100_000
)

var (
	// ErrOutputTooLarge reports a render that would exceed MaxOutput.
	ErrOutputTooLarge = errors.New("output larger than the cap")
	// ErrTooManyIterations reports a #foreach over more than
	// MaxForeachItems, or a render past MaxIterations.
	ErrTooManyIterations = errors.New("too many #foreach iterations")
)

// Error is a parse or render error, placed in the template.
type Error struct {
	Template  string
	Line, Col int
	Msg       string
	Err       error // ErrOutputTooLarge, ErrTooManyIterations or nil
}

func (e *Error) Error() string {
	return fmt.Sprintf("vtl: %s:%d:%d: %s", e.Template, e.Line, e.Col, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Input is what a mapping template sees of a request.
type Input struct {
	Body   []byte
	Params Params
	// Context holds $context: nested map[string]any / map[string]string,
	// strings, numbers and booleans ($context.authorizer.sub,
	// $context.identity.sourceIp, $context.error.messageString).
	Context        map[string]any
	StageVariables map[string]string
}

// Params are the request's parameters as $input.params() shows them.
type Params struct {
	Path, QueryString, Header map[string]string
}

// Render runs the template on in. A failure (a body that is not JSON for
// $input.json, a cap reached) is an *Error and no partial output.
func (t *Template) Render(in *Input) (string, error) {
	if in == nil {
		in = &Input{}
	}
	r := &renderer{t: t, in: in, vars: map[string]any{}}
	if err := r.nodes(t.nodes, &r.out); err != nil {
		return "", err
	}
	return string(r.out), nil
}

type renderer struct {
	t          *Template
	in         *Input
	vars       map[string]any
	out        []byte
	loops      []*loopState
	iterations int

	bodyDone bool
	body     any
	bodyErr  error
	context  *omap
	stage    *omap
}

// loopState is $foreach.
type loopState struct {
	index, size int
}

// errBreak unwinds from #break to its #foreach.
var errBreak = errors.New("#break")

func (r *renderer) errAt(pos int, err error, format string, args ...any) error {
	line, col := where(r.t.src, pos)
	return &Error{Template: r.t.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Err: err}
}

func (r *renderer) write(out *[]byte, pos int, s string) error {
	if len(*out)+len(s) > MaxOutput {
		return r.errAt(pos, ErrOutputTooLarge, "output larger than %d bytes", MaxOutput)
	}
	*out = append(*out, s...)
	return nil
}

func (r *renderer) nodes(nodes []node, out *[]byte) error {
	for _, n := range nodes {
		if err := r.node(n, out); err != nil {
			return err
		}
	}
	return nil
}

func (r *renderer) node(n node, out *[]byte) error {
	switch n := n.(type) {
	case *textNode:
		return r.write(out, 0, n.s)
	case *refNode:
		v, err := r.ref(n.ref)
		if err != nil {
			return err
		}
		s, err := r.str(n.ref.pos, v)
		if err != nil {
			return err
		}
		return r.write(out, n.ref.pos, s)
	case *setNode:
		v, err := r.eval(n.val)
		if err != nil {
			return err
		}
		if v != nil { // Velocity 1.7 leaves the variable as it was on a null
			r.vars[n.name] = v
		}
		return nil
	case *ifNode:
		for i, c := range n.conds {
			v, err := r.eval(c)
			if err != nil {
				return err
			}
			if truthy(v) {
				return r.nodes(n.blocks[i], out)
			}
		}
		return r.nodes(n.els, out)
	case *foreachNode:
		return r.foreach(n, out)
	default: // *breakNode
		return errBreak
	}
}

func (r *renderer) foreach(n *foreachNode, out *[]byte) error {
	src, err := r.eval(n.src)
	if err != nil {
		return err
	}
	var items []any
	switch x := src.(type) {
	case []any:
		items = x
	case *omap: // Velocity walks a map's values
		items = x.values()
	default: // null or a single value: Velocity skips the loop
		return nil
	}
	if len(items) > MaxForeachItems {
		return r.errAt(n.pos, ErrTooManyIterations, "#foreach over %d items (at most %d)", len(items), MaxForeachItems)
	}
	old, had := r.vars[n.name]
	ls := &loopState{size: len(items)}
	r.loops = append(r.loops, ls)
	defer func() {
		r.loops = r.loops[:len(r.loops)-1]
		if had {
			r.vars[n.name] = old
		} else {
			delete(r.vars, n.name)
		}
	}()
	for i, it := range items {
		r.iterations++
		if r.iterations > MaxIterations {
			return r.errAt(n.pos, ErrTooManyIterations, "more than %d #foreach iterations", MaxIterations)
		}
		ls.index = i
		r.vars[n.name] = it
		if err := r.nodes(n.body, out); err != nil {
			if err == errBreak {
				return nil
			}
			return err
		}
	}
	return nil
}

// str renders a value as Velocity would print it (nulls as nothing).
func (r *renderer) str(pos int, v any) (string, error) {
	s := toString(v, false)
	if len(s) > MaxOutput {
		return "", r.errAt(pos, ErrOutputTooLarge, "value larger than %d bytes", MaxOutput)
	}
	return s, nil
}

func (r *renderer) eval(e expr) (any, error) {
	switch e := e.(type) {
	case *litExpr:
		return e.v, nil
	case *refExpr:
		return r.ref(e)
	case *interpExpr:
		var b []byte
		for _, part := range e.parts {
			if err := r.node(part, &b); err != nil {
				return nil, err
			}
		}
		return string(b), nil
	case *notExpr:
		v, err := r.eval(e.x)
		return !truthy(v), err
	default:
		return r.binary(e.(*binaryExpr))
	}
}

func (r *renderer) binary(e *binaryExpr) (any, error) {
	l, err := r.eval(e.l)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		rv, err := r.eval(e.r)
		return truthy(rv), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		rv, err := r.eval(e.r)
		return truthy(rv), err
	}
	rv, err := r.eval(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "==":
		return equal(l, rv), nil
	case "!=":
		return !equal(l, rv), nil
	case "<", "<=", ">", ">=":
		return compare(e.op, l, rv), nil
	default:
		return arith(e.op, l, rv), nil
	}
}

func (r *renderer) ref(e *refExpr) (any, error) {
	var v any
	steps := e.steps
	switch e.root {
	case "input":
		var err error
		if v, err = r.input(steps[0]); err != nil {
			return nil, err
		}
		steps = steps[1:]
	case "util":
		var err error
		if v, err = r.util(steps[0]); err != nil {
			return nil, err
		}
		steps = steps[1:]
	case "context":
		if r.context == nil {
			r.context = sortedOmap(r.in.Context)
		}
		v = r.context
	case "stageVariables":
		if r.stage == nil {
			r.stage = sortedOmap(r.in.StageVariables)
		}
		v = r.stage
	case "foreach":
		if len(r.loops) > 0 {
			v = r.loops[len(r.loops)-1]
		}
	case "velocityCount":
		if len(r.loops) > 0 {
			v = int64(r.loops[len(r.loops)-1].index + 1)
		}
	default:
		v = r.vars[e.root]
	}
	for _, s := range steps {
		var err error
		if v, err = r.step(v, s); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (r *renderer) args(s step) ([]any, error) {
	out := make([]any, len(s.args))
	for i, a := range s.args {
		v, err := r.eval(a)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (r *renderer) step(v any, s step) (any, error) {
	switch s.kind {
	case stepProp:
		switch x := v.(type) {
		case nil:
			return nil, nil
		case *omap:
			e, _ := x.get(s.name)
			return e, nil
		case *loopState:
			switch s.name {
			case "count":
				return int64(x.index + 1), nil
			case "index":
				return int64(x.index), nil
			case "hasNext":
				return x.index < x.size-1, nil
			case "first":
				return x.index == 0, nil
			case "last":
				return x.index == x.size-1, nil
			}
		}
		return nil, r.errAt(s.pos, nil, "a %s has no property .%s", typeName(v), s.name)
	case stepIndex:
		idx, err := r.eval(s.index)
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case nil:
			return nil, nil
		case *omap:
			e, _ := x.get(toString(idx, false))
			return e, nil
		case []any:
			n, ok := toInt(idx)
			if !ok || n < 0 || n >= int64(len(x)) {
				return nil, r.errAt(s.pos, nil, "index %s out of the list's %d items", toString(idx, true), len(x))
			}
			return x[n], nil
		}
		return nil, r.errAt(s.pos, nil, "a %s cannot be indexed", typeName(v))
	default:
		args, err := r.args(s)
		if err != nil {
			return nil, err
		}
		out, err := call(v, s.name, args)
		if err != nil {
			return nil, r.errAt(s.pos, errors.Unwrap(err), "%v", err)
		}
		return out, nil
	}
}

// input evaluates $input's member.
func (r *renderer) input(s step) (any, error) {
	if s.name == "body" {
		return string(r.in.Body), nil
	}
	args, err := r.args(s)
	if err != nil {
		return nil, err
	}
	if s.name == "params" {
		p := r.in.Params
		if len(args) == 0 {
			o := newOmap(3)
			o.set("path", sortedOmap(p.Path))
			o.set("querystring", sortedOmap(p.QueryString))
			o.set("header", sortedOmap(p.Header))
			return o, nil
		}
		return param(p, toString(args[0], false)), nil
	}
	path, ok := args[0].(string)
	if !ok {
		return nil, r.errAt(s.pos, nil, "$input.%s needs a JSONPath string", s.name)
	}
	jp, err := parseJSONPath(path)
	if err != nil {
		return nil, r.errAt(s.pos, nil, "$input.%s: %v", s.name, err)
	}
	if !r.bodyDone {
		r.bodyDone = true
		if b := strings.TrimSpace(string(r.in.Body)); b == "" {
			r.body = newOmap(0) // API Gateway reads an empty body as {}
		} else {
			r.body, r.bodyErr = decodeJSON([]byte(b))
		}
	}
	if r.bodyErr != nil {
		return nil, r.errAt(s.pos, nil, "$input.%s: the body is not JSON: %v", s.name, r.bodyErr)
	}
	v, found := jp.eval(r.body)
	if s.name == "path" {
		return v, nil
	}
	if !found {
		return `""`, nil
	}
	b := appendJSON(nil, v)
	if len(b) > MaxOutput {
		return nil, r.errAt(s.pos, ErrOutputTooLarge, "$input.json result larger than %d bytes", MaxOutput)
	}
	return string(b), nil
}

// param is $input.params(name): the path, then the query string, then the
// headers (their names case-insensitive); "" when none has it.
func param(p Params, name string) string {
	if v, ok := p.Path[name]; ok {
		return v
	}
	if v, ok := p.QueryString[name]; ok {
		return v
	}
	if v, ok := p.Header[name]; ok {
		return v
	}
	for _, k := range sortedOmap(p.Header).keys {
		if strings.EqualFold(k, name) {
			return p.Header[k]
		}
	}
	return ""
}

// util evaluates $util.fn(arg); a null argument gives null.
func (r *renderer) util(s step) (any, error) {
	args, err := r.args(s)
	if err != nil {
		return nil, err
	}
	if args[0] == nil {
		return nil, nil
	}
	in := toString(args[0], false)
	var out any
	switch s.name {
	case "escapeJavaScript":
		out, err = escapeJavaScript(in, MaxOutput)
	case "urlEncode":
		out, err = urlEncode(in, MaxOutput)
	case "urlDecode":
		out, err = urlDecode(in)
	case "base64Encode":
		out, err = base64Encode(in, MaxOutput)
	case "base64Decode":
		out, err = base64Decode(in)
	default: // parseJson
		if out, err = decodeJSON([]byte(in)); err != nil {
			err = fmt.Errorf("not JSON: %w", err)
		}
	}
	if err != nil {
		if errors.Is(err, ErrOutputTooLarge) {
			return nil, r.errAt(s.pos, err, "$util.%s result larger than %d bytes", s.name, MaxOutput)
		}
		return nil, r.errAt(s.pos, nil, "$util.%s: %v", s.name, err)
	}
	return out, nil
}

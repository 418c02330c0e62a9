package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of blocks, parentheses and "…" strings, so a
// hostile template cannot exhaust the parser's or the renderer's stack.
const maxDepth = 64

// Template is a parsed mapping template, safe for concurrent Render calls.
type Template struct {
	name  string
	src   string
	nodes []node
}

// Name returns the name given to Parse.
func (t *Template) Name() string { return t.name }

// Parse parses src, the text of a mapping template. name (the route and
// content type, say) appears in every error. Anything outside the subset
// documented in the package comment is refused here, with its line and
// column, rather than misrendered later.
func Parse(name, src string) (*Template, error) {
	p := &parser{name: name, src: src, end: len(src)}
	nodes, term, err := p.block()
	if err != nil {
		return nil, err
	}
	if term.kind != "" {
		return nil, p.errAt(term.pos, "unbalanced #%s: no #if or #foreach is open", term.kind)
	}
	return &Template{name: name, src: src, nodes: nodes}, nil
}

type parser struct {
	name  string
	src   string
	pos   int
	end   int // the parse stops here: len(src), or a "…" string's closing quote
	depth int
	loops int // open #foreach blocks, for #break
}

// terminator is the #elseif/#else/#end that ended a block.
type terminator struct {
	kind string // "" at the end of input
	pos  int
	cond expr // #elseif's condition
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	line, col := where(p.src, pos)
	return &Error{Template: p.name, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// where turns a byte offset into a 1-based line and column (in bytes).
func where(src string, pos int) (line, col int) {
	pos = min(pos, len(src))
	line = 1 + strings.Count(src[:pos], "\n")
	col = pos - strings.LastIndexByte(src[:pos], '\n')
	return line, col
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxDepth {
		return p.errAt(pos, "nested deeper than %d levels", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// block parses text, references and directives up to the end of input or
// the next #elseif, #else or #end, which it returns for the caller to judge.
func (p *parser) block() ([]node, terminator, error) {
	var nodes []node
	var buf []byte
	flush := func() {
		if len(buf) != 0 {
			nodes = append(nodes, &textNode{s: string(buf)})
			buf = nil
		}
	}
	for p.pos < p.end {
		switch p.src[p.pos] {
		case '$':
			r, ok, err := p.reference()
			if err != nil {
				return nil, terminator{}, err
			}
			if !ok {
				buf = append(buf, '$')
				p.pos++
				continue
			}
			flush()
			nodes = append(nodes, &refNode{ref: r})
		case '#':
			start := p.pos
			rest := p.src[p.pos:p.end]
			switch {
			case strings.HasPrefix(rest, "##"):
				// A line comment runs to the end of the line and takes the
				// newline with it.
				_, after, _ := strings.Cut(rest, "\n")
				p.pos = p.end - len(after)
				continue
			case strings.HasPrefix(rest, "#*"):
				i := strings.Index(rest[2:], "*#")
				if i < 0 {
					return nil, terminator{}, p.errAt(start, "unterminated #* comment")
				}
				p.pos += 2 + i + 2
				continue
			case strings.HasPrefix(rest, "#[["):
				i := strings.Index(rest[3:], "]]#")
				if i < 0 {
					return nil, terminator{}, p.errAt(start, "unterminated #[[ block")
				}
				buf = append(buf, rest[3:3+i]...)
				p.pos += 3 + i + 3
				continue
			}
			name, braced, after := p.directiveName()
			switch name {
			case "":
				buf = append(buf, '#')
				p.pos++
				continue
			case "end", "else", "elseif":
				flush()
				p.pos = after
				t := terminator{kind: name, pos: start}
				if name == "elseif" {
					cond, err := p.condition(start, name)
					if err != nil {
						return nil, terminator{}, err
					}
					t.cond = cond
				} else if !braced {
					p.eatLineEnd()
				}
				return nodes, t, nil
			case "set":
				// Velocity 1.7 eats the spaces and tabs before #set.
				buf = []byte(strings.TrimRight(string(buf), " \t"))
				flush()
				p.pos = after
				n, err := p.set(start)
				if err != nil {
					return nil, terminator{}, err
				}
				nodes = append(nodes, n)
			case "if":
				flush()
				p.pos = after
				n, err := p.ifBlock(start)
				if err != nil {
					return nil, terminator{}, err
				}
				nodes = append(nodes, n)
			case "foreach":
				flush()
				p.pos = after
				n, err := p.foreach(start)
				if err != nil {
					return nil, terminator{}, err
				}
				nodes = append(nodes, n)
			case "break":
				if p.loops == 0 {
					return nil, terminator{}, p.errAt(start, "#break outside #foreach")
				}
				flush()
				p.pos = after
				if !braced {
					p.eatLineEnd()
				}
				nodes = append(nodes, &breakNode{})
			case "macro", "include", "parse", "evaluate", "define", "stop":
				return nil, terminator{}, p.errAt(start, "#%s is not supported in mapping templates", name)
			default:
				// Velocity prints an unknown #word as text, but #word(…) is
				// a macro call, which API Gateway templates cannot define.
				j := after
				for j < p.end && (p.src[j] == ' ' || p.src[j] == '\t') {
					j++
				}
				if j < p.end && p.src[j] == '(' {
					return nil, terminator{}, p.errAt(start, "unknown directive or macro call #%s", name)
				}
				buf = append(buf, p.src[start:after]...)
				p.pos = after
			}
		default:
			text := p.src[p.pos:p.end]
			if i := strings.IndexAny(text, "$#"); i != -1 {
				text = text[:i]
			}
			buf = append(buf, text...)
			p.pos += len(text)
		}
	}
	flush()
	return nodes, terminator{}, nil
}

// directiveName reads #name or #{name} at p.pos without moving; name is ""
// when the # starts no directive.
func (p *parser) directiveName() (name string, braced bool, after int) {
	i := p.pos + 1
	if i < p.end && p.src[i] == '{' {
		j := i + 1
		for j < p.end && isLetter(p.src[j]) {
			j++
		}
		if name := p.src[i+1 : j]; name != "" && j < p.end && p.src[j] == '}' {
			return name, true, j + 1
		}
		return "", false, 0
	}
	j := i
	for j < p.end && isLetter(p.src[j]) {
		j++
	}
	return p.src[i:j], false, j
}

// eatLineEnd consumes spaces, tabs and one newline after a directive, when
// nothing else follows it on its line (Velocity 1.7's gobbling).
func (p *parser) eatLineEnd() {
	rest := strings.TrimLeft(p.src[p.pos:p.end], " \t")
	if strings.HasPrefix(rest, "\n") {
		p.pos = p.end - len(rest) + 1
	} else if strings.HasPrefix(rest, "\r\n") {
		p.pos = p.end - len(rest) + 2
	}
}

// open expects the ( of a directive's arguments.
func (p *parser) open(start int, name string) error {
	for p.pos < p.end && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
	if p.pos >= p.end || p.src[p.pos] != '(' {
		return p.errAt(start, "#%s needs its arguments in parentheses", name)
	}
	p.pos++
	return nil
}

// close expects the ) ending a directive's arguments, then gobbles the line end.
func (p *parser) close(start int, name string) error {
	p.skipSpace()
	if p.pos >= p.end || p.src[p.pos] != ')' {
		return p.errAt(p.pos, "#%s at %s: expected )", name, p.lineCol(start))
	}
	p.pos++
	p.eatLineEnd()
	return nil
}

func (p *parser) lineCol(pos int) string {
	l, c := where(p.src, pos)
	return fmt.Sprintf("%d:%d", l, c)
}

func (p *parser) condition(start int, name string) (expr, error) {
	if err := p.open(start, name); err != nil {
		return nil, err
	}
	cond, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.close(start, name); err != nil {
		return nil, err
	}
	return cond, nil
}

// reserved names cannot be the target of #set or #foreach: they are API
// Gateway's variables.
var reserved = map[string]bool{"input": true, "util": true, "context": true, "stageVariables": true, "foreach": true, "velocityCount": true}

// variable reads the $name (or ${name}, $!name) that #set and #foreach assign.
func (p *parser) variable(start int, directive string) (string, error) {
	p.skipSpace()
	i := p.pos
	if i >= p.end || p.src[i] != '$' {
		return "", p.errAt(i, "#%s needs a $variable", directive)
	}
	i++
	if i < p.end && p.src[i] == '!' {
		i++
	}
	braced := i < p.end && p.src[i] == '{'
	if braced {
		i++
	}
	j := identEnd(p.src[:p.end], i)
	if j == i {
		return "", p.errAt(p.pos, "#%s needs a $variable", directive)
	}
	name := p.src[i:j]
	if braced {
		if j >= p.end || p.src[j] != '}' {
			return "", p.errAt(p.pos, "${ without }")
		}
		j++
	}
	if reserved[name] {
		return "", p.errAt(p.pos, "#%s cannot assign $%s, an API Gateway variable", directive, name)
	}
	p.pos = j
	return name, nil
}

func (p *parser) set(start int) (node, error) {
	if err := p.open(start, "set"); err != nil {
		return nil, err
	}
	name, err := p.variable(start, "set")
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos >= p.end || p.src[p.pos] != '=' {
		return nil, p.errAt(p.pos, "#set supports only $variable = value")
	}
	p.pos++
	val, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.close(start, "set"); err != nil {
		return nil, err
	}
	return &setNode{pos: start, name: name, val: val}, nil
}

func (p *parser) ifBlock(start int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	cond, err := p.condition(start, "if")
	if err != nil {
		return nil, err
	}
	n := &ifNode{}
	for {
		body, term, err := p.block()
		if err != nil {
			return nil, err
		}
		n.conds = append(n.conds, cond)
		n.blocks = append(n.blocks, body)
		switch term.kind {
		case "end":
			return n, nil
		case "elseif":
			cond = term.cond
		case "else":
			els, t2, err := p.block()
			if err != nil {
				return nil, err
			}
			if t2.kind != "end" {
				if t2.kind == "" {
					return nil, p.errAt(start, "#if is never closed by #end")
				}
				return nil, p.errAt(t2.pos, "#%s after #else", t2.kind)
			}
			n.els = els
			return n, nil
		default:
			return nil, p.errAt(start, "#if is never closed by #end")
		}
	}
}

func (p *parser) foreach(start int) (node, error) {
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.open(start, "foreach"); err != nil {
		return nil, err
	}
	name, err := p.variable(start, "foreach")
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.word("in") {
		return nil, p.errAt(p.pos, "#foreach needs ($item in $list)")
	}
	src, err := p.expr()
	if err != nil {
		return nil, err
	}
	if err := p.close(start, "foreach"); err != nil {
		return nil, err
	}
	p.loops++
	body, term, err := p.block()
	p.loops--
	if err != nil {
		return nil, err
	}
	if term.kind != "end" {
		if term.kind == "" {
			return nil, p.errAt(start, "#foreach is never closed by #end")
		}
		return nil, p.errAt(term.pos, "#%s inside #foreach without #if", term.kind)
	}
	return &foreachNode{pos: start, name: name, src: src, body: body}, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// identEnd returns the end of the identifier starting at i (i when none).
// Velocity 1.7 identifiers: a letter or _, then letters, digits, - and _.
func identEnd(s string, i int) int {
	if i >= len(s) || !(isLetter(s[i]) || s[i] == '_') {
		return i
	}
	j := i + 1
	for j < len(s) && (isLetter(s[j]) || isDigit(s[j]) || s[j] == '-' || s[j] == '_') {
		j++
	}
	return j
}

// Members API Gateway's $input and $util offer, with their argument counts.
var (
	inputMembers = map[string][]int{"body": nil, "json": {1}, "path": {1}, "params": {0, 1}}
	utilMembers  = map[string]bool{"escapeJavaScript": true, "parseJson": true, "urlEncode": true, "urlDecode": true, "base64Encode": true, "base64Decode": true}
	// methods is every method a value may be asked for; which value has
	// which is settled when rendering (see call in value.go).
	methods = map[string]bool{
		"size": true, "length": true, "isEmpty": true, "keySet": true, "get": true, "containsKey": true,
		"values": true, "contains": true, "toLowerCase": true, "toUpperCase": true, "trim": true,
		"replace": true, "replaceAll": true, "startsWith": true, "endsWith": true, "indexOf": true,
		"substring": true, "equals": true, "toString": true, "matches": true, "hasNext": true,
	}
)

// reference parses $x… at p.pos. ok is false when the $ starts no
// reference (a lone $ is text, as in Velocity).
func (p *parser) reference() (*refExpr, bool, error) {
	start := p.pos
	src := p.src[:p.end]
	i := start + 1
	if i < len(src) && src[i] == '!' {
		i++
	}
	braced := i < len(src) && src[i] == '{'
	if braced {
		i++
	}
	j := identEnd(src, i)
	if j == i {
		return nil, false, nil
	}
	r := &refExpr{pos: start, root: src[i:j]}
	p.pos = j
	for p.pos < p.end {
		c := p.src[p.pos]
		if c == '.' && identEnd(src, p.pos+1) > p.pos+1 {
			at := p.pos
			k := identEnd(src, p.pos+1)
			st := step{pos: at, kind: stepProp, name: src[p.pos+1 : k]}
			p.pos = k
			if p.pos < p.end && p.src[p.pos] == '(' {
				p.pos++
				args, err := p.args(at)
				if err != nil {
					return nil, false, err
				}
				st.kind, st.args = stepCall, args
			}
			r.steps = append(r.steps, st)
			continue
		}
		if c == '[' {
			at := p.pos
			if err := p.enter(at); err != nil {
				return nil, false, err
			}
			p.pos++
			idx, err := p.expr()
			if err != nil {
				return nil, false, err
			}
			p.skipSpace()
			if p.pos >= p.end || p.src[p.pos] != ']' {
				return nil, false, p.errAt(at, "[ without ]")
			}
			p.pos++
			p.leave()
			r.steps = append(r.steps, step{pos: at, kind: stepIndex, index: idx})
			continue
		}
		break
	}
	if braced {
		if p.pos >= p.end || p.src[p.pos] != '}' {
			return nil, false, p.errAt(start, "${ without }")
		}
		p.pos++
	}
	if err := p.check(r); err != nil {
		return nil, false, err
	}
	return r, true, nil
}

// check refuses, at parse time, members of $input and $util that API
// Gateway does not have and methods outside the subset.
func (p *parser) check(r *refExpr) error {
	switch r.root {
	case "input":
		if len(r.steps) == 0 {
			return p.errAt(r.pos, "$input needs a member: body, json(path), path(path) or params()")
		}
		s := r.steps[0]
		counts, ok := inputMembers[s.name]
		if !ok || s.kind == stepIndex || (s.kind == stepProp) != (counts == nil) {
			return p.errAt(s.pos, "unknown $input.%s: API Gateway offers body, json(path), path(path) and params()", s.name)
		}
		if s.kind == stepCall && !containsInt(counts, len(s.args)) {
			return p.errAt(s.pos, "$input.%s takes %v argument(s), not %d", s.name, counts, len(s.args))
		}
		if (s.name == "json" || s.name == "path") && len(s.args) == 1 {
			if lit, ok := s.args[0].(*litExpr); ok {
				str, isStr := lit.v.(string)
				if !isStr {
					return p.errAt(s.pos, "$input.%s needs a JSONPath string", s.name)
				}
				if _, err := parseJSONPath(str); err != nil {
					return p.errAt(s.pos, "$input.%s: %v", s.name, err)
				}
			}
		}
	case "util":
		if len(r.steps) == 0 || r.steps[0].kind != stepCall || !utilMembers[r.steps[0].name] {
			name := ""
			if len(r.steps) > 0 {
				name = r.steps[0].name
			}
			return p.errAt(r.pos, "unknown $util.%s: API Gateway offers escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode and base64Decode", name)
		}
		if len(r.steps[0].args) != 1 {
			return p.errAt(r.steps[0].pos, "$util.%s takes 1 argument, not %d", r.steps[0].name, len(r.steps[0].args))
		}
	}
	for i, s := range r.steps {
		if s.kind == stepCall && !methods[s.name] && !(i == 0 && (r.root == "input" || r.root == "util")) {
			return p.errAt(s.pos, "unknown method .%s()", s.name)
		}
	}
	return nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// args parses a method's arguments after its (.
func (p *parser) args(at int) ([]expr, error) {
	if err := p.enter(at); err != nil {
		return nil, err
	}
	defer p.leave()
	var args []expr
	p.skipSpace()
	if p.pos < p.end && p.src[p.pos] == ')' {
		p.pos++
		return nil, nil
	}
	for {
		a, err := p.expr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		p.skipSpace()
		if p.pos >= p.end {
			return nil, p.errAt(at, "( without )")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return args, nil
		default:
			return nil, p.errAt(p.pos, "expected , or ) in arguments")
		}
	}
}

func (p *parser) skipSpace() {
	for p.pos < p.end {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// word consumes the keyword w when it stands alone at p.pos.
func (p *parser) word(w string) bool {
	if !strings.HasPrefix(p.src[p.pos:p.end], w) {
		return false
	}
	if j := p.pos + len(w); j < p.end && (isLetter(p.src[j]) || isDigit(p.src[j]) || p.src[j] == '_') {
		return false
	}
	p.pos += len(w)
	return true
}

// op consumes the first of ops found at p.pos, returning its canonical form
// (the symbol; "and" for &&…).
func (p *parser) op(ops ...string) string {
	p.skipSpace()
	for _, o := range ops {
		if isLetter(o[0]) {
			if p.word(o) {
				return canonical[o]
			}
			continue
		}
		if strings.HasPrefix(p.src[p.pos:p.end], o) {
			// "!" must not take the "!=" operator, "<" not "<=".
			p.pos += len(o)
			return canonical[o]
		}
	}
	return ""
}

var canonical = map[string]string{
	"||": "||", "or": "||", "&&": "&&", "and": "&&",
	"==": "==", "eq": "==", "!=": "!=", "ne": "!=",
	"<=": "<=", "le": "<=", ">=": ">=", "ge": ">=", "<": "<", "lt": "<", ">": ">", "gt": ">",
	"+": "+", "-": "-", "*": "*", "/": "/", "%": "%",
}

func (p *parser) expr() (expr, error) {
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	return p.binary(0)
}

// levels of binary operators, loosest first; longer symbols before their prefixes.
var levels = [][]string{
	{"||", "or"},
	{"&&", "and"},
	{"==", "!=", "eq", "ne"},
	{"<=", ">=", "<", ">", "le", "ge", "lt", "gt"},
	{"+", "-"},
	{"*", "/", "%"},
}

func (p *parser) binary(level int) (expr, error) {
	if level == len(levels) {
		return p.unary()
	}
	l, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		at := p.pos
		o := p.op(levels[level]...)
		if o == "" {
			p.pos = at
			return l, nil
		}
		r, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binaryExpr{pos: at, op: o, l: l, r: r}
	}
}

func (p *parser) unary() (expr, error) {
	p.skipSpace()
	if p.pos < p.end && p.src[p.pos] == '!' && !strings.HasPrefix(p.src[p.pos:p.end], "!=") {
		p.pos++
		return p.notOf()
	}
	if p.word("not") {
		return p.notOf()
	}
	return p.primary()
}

func (p *parser) notOf() (expr, error) {
	if err := p.enter(p.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	return &notExpr{x: x}, nil
}

func (p *parser) primary() (expr, error) {
	p.skipSpace()
	if p.pos >= p.end {
		return nil, p.errAt(p.pos, "expression expected, found the end")
	}
	start := p.pos
	c := p.src[p.pos]
	switch c {
	case '$':
		r, ok, err := p.reference()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, p.errAt(start, "$ starts no reference")
		}
		return r, nil
	case '\'':
		i := strings.IndexByte(p.src[p.pos+1:p.end], '\'')
		if i < 0 {
			return nil, p.errAt(start, "unterminated string")
		}
		p.pos += i + 2
		return &litExpr{v: p.src[start+1 : start+1+i]}, nil
	case '"':
		return p.interpolated()
	case '(':
		p.pos++
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= p.end || p.src[p.pos] != ')' {
			return nil, p.errAt(start, "( without )")
		}
		p.pos++
		return x, nil
	case '[', '{':
		return nil, p.errAt(start, "list, range and map literals are not supported")
	}
	if isDigit(c) || c == '-' && p.pos+1 < p.end && isDigit(p.src[p.pos+1]) {
		return p.number()
	}
	if p.word("true") {
		return &litExpr{v: true}, nil
	}
	if p.word("false") {
		return &litExpr{v: false}, nil
	}
	j := identEnd(p.src[:p.end], p.pos)
	if j > p.pos {
		return nil, p.errAt(start, "unexpected %q (variables start with $)", p.src[p.pos:j])
	}
	return nil, p.errAt(start, "unexpected %q", string(c))
}

func (p *parser) number() (expr, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	for p.pos < p.end && isDigit(p.src[p.pos]) {
		p.pos++
	}
	isFloat := p.pos+1 < p.end && p.src[p.pos] == '.' && isDigit(p.src[p.pos+1])
	if isFloat {
		p.pos++
		for p.pos < p.end && isDigit(p.src[p.pos]) {
			p.pos++
		}
		f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
		if err != nil {
			return nil, p.errAt(start, "bad number %s", p.src[start:p.pos])
		}
		return &litExpr{v: f}, nil
	}
	n, err := strconv.ParseInt(p.src[start:p.pos], 10, 64)
	if err != nil {
		return nil, p.errAt(start, "number %s out of range", p.src[start:p.pos])
	}
	return &litExpr{v: n}, nil
}

// interpolated parses a "…" string: like Velocity, the string ends at the
// next " and the references inside it are rendered; # is plain text there.
func (p *parser) interpolated() (expr, error) {
	start := p.pos
	i := strings.IndexByte(p.src[p.pos+1:p.end], '"')
	if i < 0 {
		return nil, p.errAt(start, "unterminated string")
	}
	closing := p.pos + 1 + i
	body := p.src[p.pos+1 : closing]
	if !strings.Contains(body, "$") {
		p.pos = closing + 1
		return &litExpr{v: body}, nil
	}
	if err := p.enter(start); err != nil {
		return nil, err
	}
	defer p.leave()
	saved := p.end
	p.end, p.pos = closing, start+1
	var parts []node
	var buf []byte
	for p.pos < p.end {
		if p.src[p.pos] == '$' {
			r, ok, err := p.reference()
			if err != nil {
				p.end = saved
				return nil, err
			}
			if ok {
				if len(buf) != 0 {
					parts = append(parts, &textNode{s: string(buf)})
					buf = nil
				}
				parts = append(parts, &refNode{ref: r})
				continue
			}
		}
		buf = append(buf, p.src[p.pos])
		p.pos++
	}
	p.end, p.pos = saved, closing+1
	if len(parts) == 0 { // every $ was text: a plain string, checked as one
		return &litExpr{v: string(buf)}, nil
	}
	if len(buf) != 0 {
		parts = append(parts, &textNode{s: string(buf)})
	}
	return &interpExpr{pos: start, parts: parts}, nil
}

package sqsendpoint

import (
	"hash/maphash"
	"io"
	"net/http"
	"slices"
	"strings"
)

// maxQueryParams caps one request's parameters, as net/url's ParseQuery
// does (GODEBUG urlmaxqueryparams, 10000): past it a request is refused
// as malformed, before it costs memory.
const maxQueryParams = 10000

// smallFanOut is how many children a node searches in order; a node with
// more (a list's members) is also indexed by hash.
const smallFanOut = 8

// queryTree is a query-protocol request's parameters as a tree of their
// dot-separated keys: "Entry.1.MessageAttribute.2.Name" is root → Entry →
// 1 → MessageAttribute → 2 → Name. It is built in one pass over the
// request's text, and decoding looks members up in it instead of
// rescanning every key for every list and map (which made a 588 KB batch
// cost seconds). It holds no pointers (nodes refer to each other by index,
// names and values are spans of one byte arena), so the garbage collector
// has nothing in it to scan however large the request.
type queryTree struct {
	text   []byte            // unescaped key segments and values
	nodes  []treeNode        // nodes[0] is the root
	wide   map[uint64]int32  // hash(parent, name) → child, for wide nodes
	spill  map[int32][]int32 // a wide node's children whose hash was taken
	seed   maphash.Seed
	params int
}

// span is a string in queryTree.text.
type span struct{ off, n int32 }

type treeNode struct {
	name, value span
	hasValue    bool
	first, last int32 // children, in insertion order; 0 = none
	next        int32 // next sibling; 0 = none
	children    int32
}

func newQueryTree() *queryTree {
	return &queryTree{nodes: []treeNode{{}}, seed: maphash.MakeSeed()}
}

// readQueryForm reads the URL's query and, unless the request is a GET, a
// form-encoded body, into one tree. A key given twice keeps its first
// value (the URL's before the body's), as url.Values.Get would.
func readQueryForm(r *http.Request) (queryNode, *Error) {
	t := newQueryTree()
	if !t.parse(r.URL.RawQuery) {
		return queryNode{}, errInvalidParameterValue("The query string is not valid URL encoding.")
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return t.root(), nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return queryNode{}, errTooLarge(err)
	}
	if !t.parse(string(body)) {
		return queryNode{}, errInvalidParameterValue("The request body is not valid form encoding.")
	}
	return t.root(), nil
}

func (t *queryTree) root() queryNode { return queryNode{t: t, i: 0} }

// parse adds the parameters of raw; false if it is not valid URL encoding
// (a bad escape or a semicolon, which net/url refuses too) or has too many.
func (t *queryTree) parse(raw string) bool {
	pairs := strings.Count(raw, "&") + 1
	t.nodes = slices.Grow(t.nodes, min(2*pairs, 2*maxQueryParams))
	t.text = slices.Grow(t.text, len(raw))
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return false
		}
		if t.params++; t.params > maxQueryParams {
			return false
		}
		k, v, _ := strings.Cut(pair, "=")
		keyStart := len(t.text)
		var ok bool
		if t.text, ok = appendUnescaped(t.text, k); !ok {
			return false
		}
		n := int32(0)
		for off := keyStart; ; {
			end := off
			for end < len(t.text) && t.text[end] != '.' {
				end++
			}
			n = t.step(n, span{int32(off), int32(end - off)})
			if end == len(t.text) {
				break
			}
			off = end + 1
		}
		valueStart := len(t.text)
		if t.text, ok = appendUnescaped(t.text, v); !ok {
			return false
		}
		if t.nodes[n].hasValue {
			t.text = t.text[:valueStart] // the first value stands
			continue
		}
		t.nodes[n].value = span{int32(valueStart), int32(len(t.text) - valueStart)}
		t.nodes[n].hasValue = true
	}
	return true
}

// step finds parent's child named by the text at name, adding it if new.
func (t *queryTree) step(parent int32, name span) int32 {
	if c := t.find(parent, t.text[name.off:name.off+name.n]); c != 0 {
		return c
	}
	c := int32(len(t.nodes))
	t.nodes = append(t.nodes, treeNode{name: name})
	p := &t.nodes[parent]
	if p.first == 0 {
		p.first = c
	} else {
		t.nodes[p.last].next = c
	}
	p.last = c
	p.children++
	if p.children > smallFanOut {
		if p.children == smallFanOut+1 {
			for s := p.first; s != 0; s = t.nodes[s].next {
				t.index(parent, s)
			}
		} else {
			t.index(parent, c)
		}
	}
	return c
}

// hash places a wide node's child in the index (maphash gives a string
// and the same bytes one hash).
func (t *queryTree) hash(parent int32, name []byte) uint64 {
	return maphash.Bytes(t.seed, name) ^ uint64(parent)*0x9e3779b97f4a7c15
}

func (t *queryTree) hashString(parent int32, name string) uint64 {
	return maphash.String(t.seed, name) ^ uint64(parent)*0x9e3779b97f4a7c15
}

// index enters a wide node's child in the hash index, or, if another
// child holds its hash, in the parent's spill list.
func (t *queryTree) index(parent, c int32) {
	if t.wide == nil {
		t.wide = map[uint64]int32{}
	}
	h := t.hash(parent, t.bytes(t.nodes[c].name))
	if _, taken := t.wide[h]; !taken {
		t.wide[h] = c
		return
	}
	if t.spill == nil {
		t.spill = map[int32][]int32{}
	}
	t.spill[parent] = append(t.spill[parent], c)
}

// find is parent's child named name, 0 if none; findString the same for
// a name given as a string.
func (t *queryTree) find(parent int32, name []byte) int32 {
	if t.nodes[parent].children > smallFanOut {
		return t.findWide(parent, t.hash(parent, name), string(name))
	}
	for c := t.nodes[parent].first; c != 0; c = t.nodes[c].next {
		if string(t.bytes(t.nodes[c].name)) == string(name) {
			return c
		}
	}
	return 0
}

func (t *queryTree) findString(parent int32, name string) int32 {
	if t.nodes[parent].children > smallFanOut {
		return t.findWide(parent, t.hashString(parent, name), name)
	}
	for c := t.nodes[parent].first; c != 0; c = t.nodes[c].next {
		if string(t.bytes(t.nodes[c].name)) == name {
			return c
		}
	}
	return 0
}

// findWide looks a wide node's child up by hash: a miss means no such
// child, never a walk over all of them (which would make a list of n
// members cost n² to build).
func (t *queryTree) findWide(parent int32, h uint64, name string) int32 {
	if c, ok := t.wide[h]; ok && string(t.bytes(t.nodes[c].name)) == name {
		return c
	}
	for _, c := range t.spill[parent] {
		if string(t.bytes(t.nodes[c].name)) == name {
			return c
		}
	}
	return 0
}

func (t *queryTree) bytes(s span) []byte { return t.text[s.off : s.off+s.n] }

// appendUnescaped appends s decoded as a query component ('+' is a space,
// %XX a byte), as url.QueryUnescape decodes it; false for a bad escape.
func appendUnescaped(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			dst = append(dst, ' ')
		case '%':
			if i+2 >= len(s) {
				return dst, false
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return dst, false
			}
			dst = append(dst, hi<<4|lo)
			i += 2
		default:
			dst = append(dst, c)
		}
	}
	return dst, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// queryNode is one node of a queryTree; the zero queryNode is "not given".
type queryNode struct {
	t *queryTree
	i int32
}

func (n queryNode) ok() bool { return n.t != nil }

// child is the child named name, or the zero queryNode.
func (n queryNode) child(name string) queryNode {
	if n.t == nil {
		return queryNode{}
	}
	if c := n.t.findString(n.i, name); c != 0 {
		return queryNode{t: n.t, i: c}
	}
	return queryNode{}
}

// given reports whether the node's key was given a value.
func (n queryNode) given() bool { return n.t != nil && n.t.nodes[n.i].hasValue }

// text is the node's value, "" for a node not given.
func (n queryNode) text() string {
	if !n.given() {
		return ""
	}
	return string(n.t.bytes(n.t.nodes[n.i].value))
}

// Get is the value of a child parameter, "" when not given.
func (n queryNode) Get(name string) string { return n.child(name).text() }

// member is list or map member N of a node.
type member struct {
	n    int
	node queryNode
}

// members gives the members N = 1, 2, … (given as key.N or key.N.*; a
// leading zero or a sign is not a member) in order of N, at most limit of
// them, and how many there are in all.
func (n queryNode) members(limit int) ([]member, int) {
	if n.t == nil {
		return nil, 0
	}
	// The `limit` lowest, kept sorted as they come: linear in the members
	// however many more there are.
	var out []member
	total := 0
	for c := n.t.nodes[n.i].first; c != 0; c = n.t.nodes[c].next {
		i, ok := memberNumber(n.t.bytes(n.t.nodes[c].name))
		if !ok {
			continue
		}
		total++
		if len(out) == limit && i > out[limit-1].n {
			continue
		}
		at, _ := slices.BinarySearchFunc(out, i, func(m member, i int) int { return m.n - i })
		if len(out) == limit {
			out = out[:limit-1]
		}
		out = slices.Insert(out, at, member{i, queryNode{t: n.t, i: c}})
	}
	return out, total
}

// memberNumber reads a member's N: a decimal without sign or leading zero.
func memberNumber(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 || b[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

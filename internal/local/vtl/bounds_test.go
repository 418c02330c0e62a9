package vtl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The edges of each bound and limit: one inside is accepted, one past is not.

func TestJSONDepthEdge(t *testing.T) {
	tpl, err := Parse("t", "$util.parseJson($input.body).size()")
	require.NoError(t, err)
	for _, open := range []string{"[", `{"a":`} {
		closeWith := "]"
		if open != "[" {
			closeWith = "}"
		}
		nest := func(n int) *Input {
			return body(strings.Repeat(open, n) + "1" + strings.Repeat(closeWith, n))
		}
		_, err := tpl.Render(nest(maxJSONDepth))
		assert.NoError(t, err, open)
		_, err = tpl.Render(nest(maxJSONDepth + 1))
		assert.ErrorContains(t, err, "nested deeper than 256 levels", open)
	}
}

func TestTemplateDepthEdge(t *testing.T) {
	nested := func(n int) string { return strings.Repeat("#if(true)", n) + "x" + strings.Repeat("#end", n) }
	tpl, err := Parse("t", nested(maxDepth-1))
	require.NoError(t, err)
	out, err := tpl.Render(nil)
	require.NoError(t, err)
	assert.Equal(t, "x", out)
	_, err = Parse("t", nested(maxDepth))
	assert.ErrorContains(t, err, "nested deeper than 64 levels")

	// Depth is nesting, not count: side by side blocks never add up.
	_, err = Parse("t", strings.Repeat("#if(true)#foreach($a in $b)$a.get((1))[0]#end#end", 3*maxDepth))
	assert.NoError(t, err)
}

func TestForeachEdge(t *testing.T) {
	tpl, err := Parse("t", "#foreach($a in $input.path('$'))#end$foreach.count")
	require.NoError(t, err)
	_, err = tpl.Render(body("[" + strings.Repeat("0,", MaxForeachItems-1) + "0]"))
	assert.NoError(t, err)

	// MaxIterations exactly: 100 outer iterations and 100 loops of 999.
	tpl, err = Parse("t", "#foreach($a in $input.path('$.outer'))#foreach($b in $input.path('$.inner'))#end#end")
	require.NoError(t, err)
	_, err = tpl.Render(body(`{"outer":[` + strings.Repeat("0,", 99) + `0],"inner":[` + strings.Repeat("0,", 998) + `0]}`))
	assert.NoError(t, err)
}

func TestOutputEdge(t *testing.T) {
	tpl, err := Parse("t", "$input.body")
	require.NoError(t, err)
	out, err := tpl.Render(body(strings.Repeat("x", MaxOutput)))
	require.NoError(t, err)
	assert.Len(t, out, MaxOutput)

	tpl, err = Parse("t", "$input.body.replace('x', 'yy')")
	require.NoError(t, err)
	out, err = tpl.Render(body(strings.Repeat("x", MaxOutput/2)))
	require.NoError(t, err)
	assert.Len(t, out, MaxOutput)

	tpl, err = Parse("t", "$input.body.replaceAll('x', 'yy')")
	require.NoError(t, err)
	out, err = tpl.Render(body(strings.Repeat("z", MaxOutput-2000) + strings.Repeat("x", 1000)))
	require.NoError(t, err)
	assert.Len(t, out, MaxOutput)

	tpl, err = Parse("t", "$util.escapeJavaScript($input.body)")
	require.NoError(t, err)
	out, err = tpl.Render(body(strings.Repeat("'", MaxOutput/2)))
	require.NoError(t, err)
	assert.Len(t, out, MaxOutput)

	tpl, err = Parse("t", "$util.urlEncode($input.body)")
	require.NoError(t, err)
	out, err = tpl.Render(body(strings.Repeat("&", MaxOutput/3)))
	require.NoError(t, err)
	assert.Len(t, out, MaxOutput/3*3)

	tpl, err = Parse("t", "$util.base64Encode($input.body)")
	require.NoError(t, err)
	out, err = tpl.Render(body(strings.Repeat("x", MaxOutput/4*3)))
	require.NoError(t, err)
	assert.Len(t, out, MaxOutput)

	tpl, err = Parse("t", "$input.body.replaceAll('', '')")
	require.NoError(t, err)
	_, err = tpl.Render(body(strings.Repeat("x", maxMatches-1)))
	assert.NoError(t, err)
}

func TestJSONPathEdges(t *testing.T) {
	in := body(`{"l":["a","b"],"o":{"k":"v"}}`)
	runRender(t, []renderCase{
		{"index at length", "[$input.path('$.l[2]')][$input.path('$.l[1]')][$input.path('$.l[0]')]", in, "[][b][a]"},
		{"index on a map", "[$input.path('$.o[0]')]", in, "[]"},
		{"name on a list", "[$input.path('$.l.k')]", in, "[]"},
		{"empty quoted name", "$input.json(\"$['']\")", body(`{"":1}`), "1"},
		{"bracket then dot", "$input.path(\"$['o'].k\")", in, "v"},
		{"wildcard then name", "$input.json('$.*.k')", in, `["v"]`},
		{"json space kept", "$input.json('$.s')", body(`{"s":"a b\u001f"}`), `"a b\u001f"`},
		{"unparsed empty", "a#[[]]#b", nil, "ab"},
	})
	for _, tc := range []struct{ path, want string }{
		{"$.a[", "[ without ]"},
		{"$['a'", "unterminated [' … ']"},
		{"$[", "[ without ]"},
		{"$.a[]", "[] is not supported"},
		{"$.a[1-]", "[1-] is not supported"},
	} {
		_, err := Parse("t", "$input.path(\""+tc.path+"\")")
		assert.ErrorContains(t, err, tc.want, tc.path)
	}
}

func TestCharacterClassEdges(t *testing.T) {
	runRender(t, []renderCase{
		// The characters either side of a-z, A-Z and 0-9.
		{"urlEncode class edges", "$util.urlEncode('`{@[/:azAZ09')", nil, "%60%7B%40%5B%2F%3AazAZ09"},
		{"urlDecode hex edges", "$util.urlDecode('%30%39%41%46%61%66%2f%2F')", nil, "09AFaf//"},
		{"escapeJavaScript edges", "$util.escapeJavaScript($input.body)", body("\x1f \x7f\u0080~"), `\u001F ` + "\x7f" + `\u0080~`},
		{"identifier edges", "#set($a_-9Z = 1)${a_-9Z}|#set($_x = 2)$_x", nil, "1|2"},
		{"number then dot is not a float", "#set($n = 1)#set($m = $n)$m.", nil, "1."},
	})
	for _, bad := range []string{"%g0", "%G0", "%:0", "%/0", "%`0", "%@0", "%0g", "%", "%0"} {
		tpl, err := Parse("t", "$util.urlDecode($input.body)")
		require.NoError(t, err)
		_, err = tpl.Render(body(bad))
		assert.ErrorContains(t, err, "incomplete escape", bad)
	}
}

func TestComparisonEdges(t *testing.T) {
	runRender(t, []renderCase{
		{"equal ints", "#if(2 < 2)a#end#if(2 <= 2)b#end#if(2 > 2)c#end#if(2 >= 2)d#end", nil, "bd"},
		{"equal floats", "#if(1.5 < 1.5)a#end#if(1.5 <= 1.5)b#end#if(1.5 > 1.5)c#end#if(1.5 >= 1.5)d#end", nil, "bd"},
		{"int and float", "#if(1 < 1.5)a#end#if(2 <= 1.5)b#end#if(2 > 1.5)c#end#if(1 >= 1.5)d#end", nil, "ac"},
		{"min int divided by -1 is null", "#set($a = 0)#set($a = -9223372036854775808 / -1)$a|#set($b = 0)#set($b = -9223372036854775808 % -1)$b", nil, "0|0"},
		{"min int divided by 1", "#set($a = -9223372036854775808 / 1)$a", nil, "-9223372036854775808"},
		{"float modulo zero is null", "#set($a = 1)#set($a = 5.5 % 0)$a", nil, "1"},
		{"float overflow prints as Java", "#set($a = 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0 * 100000000000000000.0)$a|#set($b = 0 - $a)$b|#set($c = $a + $b)$c", nil, "Infinity|-Infinity|NaN"},
	})
}

func TestIndexEdges(t *testing.T) {
	in := body(`["a"]`)
	for _, src := range []string{"$input.path('$')[1]", "$input.path('$').get(1)", "$input.path('$')[-1]"} {
		tpl, err := Parse("t", src)
		require.NoError(t, err)
		_, err = tpl.Render(in)
		assert.ErrorContains(t, err, "out of the list's 1 items", src)
	}
	runRender(t, []renderCase{
		{"first item", "$input.path('$')[0]$input.path('$').get(0)", in, "aa"},
		{"substring edges", "#set($s = 'abc')[$s.substring(0)][$s.substring(1, 3)][$s.substring(1, 1)][$s.substring(3)]", nil, "[abc][bc][][]"},
		{"group at the start", "#set($s = 'abc')$s.replaceAll('(a)', '$1$1')|$s.replaceAll('(x)?b', '[$1]')", nil, "aabc|a[]c"},
		{"json exactly at the cap", "$input.json('$').length()", body(`"` + strings.Repeat("x", MaxOutput-2) + `"`), "10485760"},
	})
}

func TestMoreEdges(t *testing.T) {
	runRender(t, []renderCase{
		{"big ints compare as ints", "#if(9007199254740993 == 9007199254740992)a#end#if(9007199254740993 > 9007199254740992)b#end#if(9007199254740992 < 9007199254740993)c#end", nil, "bc"},
		{"escapeJavaScript BMP edge", "$util.escapeJavaScript($input.body)", body("\uffff\U00010000"), `\uFFFF\uD800\uDC00`},
		{"urlEncode first non-ASCII", "$util.urlEncode($input.body)", body("\u0080\u007f"), "%C2%80%7F"},
		{"indexOf at the start", "#set($s = 'abc')$s.indexOf('a')", nil, "0"},
		{"escaped dollar and backslash in a replacement", "#set($s = 'abc')$s.replaceAll('b', '\\$1\\\\')", nil, "a$1\\c"},
		{"duplicate keys keep the first place and the last value", "$input.path('$').keySet()=$input.path('$').values()", body(`{"a":1,"b":2,"a":3}`), "[a, b]=[3, 2]"},
	})
	for src, want := range map[string]string{
		"$s.substring(0, 1, 2)":     "a string has no method .substring()",
		"$s.replaceAll('b', 'x\\')": ".replaceAll(): the replacement ends in \\",
		"$s.replaceAll('b', 'x$')":  ".replaceAll(): the replacement ends in $",
		"$s.replaceAll('b', '$x')":  ".replaceAll(): illegal group reference $x",
	} {
		tpl, err := Parse("t", "#set($s = 'abc')"+src)
		require.NoError(t, err)
		_, err = tpl.Render(nil)
		assert.ErrorContains(t, err, want, src)
	}
}

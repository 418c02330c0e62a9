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

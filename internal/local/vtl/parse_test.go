package vtl

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Anything outside the subset is refused when the template is read, with
// the template's name, the line and column, and the construct.
func TestParseErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"macro", "a\n  #macro(x)#end", "tpl:2:3: #macro is not supported"},
		{"include", "#include('x')", "tpl:1:1: #include is not supported"},
		{"parse", "#parse('x')", "tpl:1:1: #parse is not supported"},
		{"evaluate", "x #evaluate('$a')", "tpl:1:3: #evaluate is not supported"},
		{"define", "#define($x)y#end", "tpl:1:1: #define is not supported"},
		{"stop", "#stop", "tpl:1:1: #stop is not supported"},
		{"braced forbidden", "#{macro}(x)", "tpl:1:1: #macro is not supported"},
		{"macro call", "#myMacro('a')", "tpl:1:1: unknown directive or macro call #myMacro"},
		{"macro call with space", "#myMacro ('a')", "tpl:1:1: unknown directive or macro call #myMacro"},
		{"unknown input member", "$input.bodyx", "tpl:1:7: unknown $input.bodyx"},
		{"input body called", "$input.body()", "tpl:1:7: unknown $input.body"},
		{"input json as property", "$input.json", "tpl:1:7: unknown $input.json"},
		{"input indexed", "$input['body']", "unknown $input."},
		{"input alone", "x $input y", "tpl:1:3: $input needs a member"},
		{"input json arity", "$input.json('$', 1)", "$input.json takes [1] argument(s), not 2"},
		{"input params arity", "$input.params('a', 'b')", "$input.params takes [0 1] argument(s), not 2"},
		{"input path not string", "$input.path(1)", "$input.path needs a JSONPath string"},
		{"jsonpath empty", "$input.path('')", "empty JSONPath"},
		{"jsonpath no dollar still checked", "$input.path('a..b')", `JSONPath "$.a..b": deep scan`},
		{"jsonpath deep scan", "$input.json('$..a')", "deep scan (..) is not supported"},
		{"jsonpath filter", "$input.json('$.a[?(@.b)]')", "[?(@.b)] is not supported"},
		{"jsonpath slice", "$input.json('$.a[0:2]')", "[0:2] is not supported"},
		{"jsonpath negative", "$input.json('$.a[-1]')", "[-1] is not supported"},
		{"jsonpath plus", "$input.json('$.a[+1]')", "[+1] is not supported"},
		{"jsonpath empty name", "$input.json('$.a.')", "empty name after ."},
		{"jsonpath unterminated bracket", "$input.json('$.a[0')", "[ without ]"},
		{"jsonpath unterminated quote", `$input.json("$['a")`, "unterminated [' … ']"},
		{"jsonpath quote without bracket", `$input.json("$['a'x")`, "unterminated [' … ']"},
		{"jsonpath garbage", "$input.json('$a')", `unexpected 'a'`},
		{"jsonpath at sign", "$input.json('@.a')", `a relative path (@) is not supported`},
		{"unknown util", "$util.toJson($x)", "tpl:1:1: unknown $util.toJson"},
		{"util property", "$util.urlEncode", "unknown $util.urlEncode"},
		{"util alone", "$util", "unknown $util."},
		{"util arity", "$util.urlEncode('a', 'b')", "$util.urlEncode takes 1 argument, not 2"},
		{"unknown method", "$x.foo()", "tpl:1:3: unknown method .foo()"},
		{"unknown method later", "$input.path('$').size().bar()", "unknown method .bar()"},
		{"unbalanced end", "a\n#end", "tpl:2:1: unbalanced #end"},
		{"unbalanced else", "#else", "tpl:1:1: unbalanced #else"},
		{"unbalanced elseif", "#elseif(true)", "tpl:1:1: unbalanced #elseif"},
		{"if never closed", "\n#if(true) x", "tpl:2:1: #if is never closed by #end"},
		{"else never closed", "#if(true)#else x", "tpl:1:1: #if is never closed by #end"},
		{"elseif after else", "#if(true)#else#elseif(false)#end", "tpl:1:15: #elseif after #else"},
		{"else after else", "#if(true)#else#else#end", "#else after #else"},
		{"foreach never closed", "#foreach($a in $b)", "tpl:1:1: #foreach is never closed by #end"},
		{"else in foreach", "#foreach($a in $b)#else#end", "tpl:1:19: #else inside #foreach without #if"},
		{"break outside foreach", "#if(true)#break#end", "tpl:1:10: #break outside #foreach"},
		{"break after a foreach", "#foreach($a in $b)#break#end#break", "tpl:1:29: #break outside #foreach"},
		{"break after nested foreach", "#foreach($a in $b)#foreach($c in $a)#end#end#{break}", "tpl:1:45: #break outside #foreach"},
		{"unterminated block comment", "a #* b", "tpl:1:3: unterminated #* comment"},
		{"unterminated unparsed", "#[[ b", "tpl:1:1: unterminated #[[ block"},
		{"unterminated double string", `#set($a = "abc)`, "tpl:1:11: unterminated string"},
		{"unterminated single string", "#set($a = 'abc)", "tpl:1:11: unterminated string"},
		{"unterminated string in method", "$x.contains('a)", "unterminated string"},
		{"if at the end", "x#if", "tpl:1:2: #if needs its arguments in parentheses"},
		{"if without parens", "#if true #end", "tpl:1:1: #if needs its arguments in parentheses"},
		{"if unclosed paren", "#if(true x#end", "#if at 1:1: expected )"},
		{"elseif without parens", "#if(true)#elseif#end", "#elseif needs its arguments in parentheses"},
		{"set without parens", "#set $a = 1", "#set needs its arguments in parentheses"},
		{"set property", "#set($a.b = 1)", "#set supports only $variable = value"},
		{"set without variable", "#set(a = 1)", "#set needs a $variable"},
		{"set empty variable", "#set($ = 1)", "#set needs a $variable"},
		{"set braced unclosed", "#set(${a = 1)", "${ without }"},
		{"set reserved", "#set($input = 1)", "#set cannot assign $input"},
		{"set reserved foreach", "#set($!{foreach} = 1)", "#set cannot assign $foreach"},
		{"set missing value", "#set($a = )", "unexpected \")\""},
		{"set at end", "#set($a = ", "expression expected, found the end"},
		{"set unclosed", "#set($a = 1", "#set at 1:1: expected )"},
		{"foreach without in", "#foreach($a of $b)#end", "#foreach needs ($item in $list)"},
		{"foreach reserved", "#foreach($context in $b)#end", "#foreach cannot assign $context"},
		{"foreach unclosed", "#foreach($a in $b#end", "#foreach at 1:1: expected )"},
		{"foreach bad source", "#foreach($a in )#end", `unexpected ")"`},
		{"list literal", "#set($a = [1, 2])", "list, range and map literals are not supported"},
		{"map literal", "#set($a = {})", "list, range and map literals are not supported"},
		{"bare word", "#if(foo)#end", `unexpected "foo" (variables start with $)`},
		{"bare symbol", "#if(@)#end", `unexpected "@"`},
		{"dollar in expression", "#if($)#end", "$ starts no reference"},
		{"null literal", "#if($a == null)#end", `unexpected "null"`},
		{"braced reference unclosed", "${a", "tpl:1:1: ${ without }"},
		{"braced reference with junk", "${a b}", "${ without }"},
		{"index unclosed", "$a[1", "tpl:1:3: [ without ]"},
		{"index bad", "$a[]", `unexpected "]"`},
		{"method unclosed", "$a.get(1", "( without )"},
		{"method bad separator", "$a.get(1 2)", "expected , or ) in arguments"},
		{"method bad argument", "$a.get(,)", `unexpected ","`},
		{"paren unclosed", "#if((true)#end", "#if at 1:1: expected )"},
		{"paren unclosed at end", "#if((true", "( without )"},
		{"number with a bare dot", "#if(1.)#end", "#if at 1:1: expected )"},
		{"number out of range", "#set($a = 99999999999999999999)", "number 99999999999999999999 out of range"},
		{"error inside string", `#set($a = "x $b.foo() y")`, "tpl:1:16: unknown method .foo()"},
		{"error in elseif condition", "#if(true)#elseif(@)#end", `unexpected "@"`},
		{"error in if body", "#if(true)#macro#end", "#macro is not supported"},
		{"error in else body", "#if(true)#else#macro#end", "#macro is not supported"},
		{"error in foreach body", "#foreach($a in $b)#macro#end", "#macro is not supported"},
		{"error in foreach var", "#foreach(a in $b)#end", "#foreach needs a $variable"},
		{"error in foreach parens", "#foreach $a in $b #end", "#foreach needs its arguments in parentheses"},
		{"error in set value", "#set($a = $b.foo())", "unknown method .foo()"},
		{"error in not", "#if(!@)#end", `unexpected "@"`},
		{"error in binary right", "#if(true && @)#end", `unexpected "@"`},
		{"error in index", "$a[$b.foo()]", "unknown method .foo()"},
		{"error in method arg", "$a.get($b.foo())", "unknown method .foo()"},
		{"error in parens", "#if((@))#end", `unexpected "@"`},
		{"error in interpolated index", `#set($a = "$b[")`, "tpl:1:15: expression expected, found the end"},
		{"too deep blocks", strings.Repeat("#if(true)", maxDepth+1) + strings.Repeat("#end", maxDepth+1), "nested deeper than 64 levels"},
		{"too deep parens", "#if(" + strings.Repeat("(", 100) + "true" + strings.Repeat(")", 100) + ")#end", "nested deeper than 64 levels"},
		{"too deep nots", "#if(" + strings.Repeat("!", 100) + "true)#end", "nested deeper than 64 levels"},
		{"too deep indexes", "$a" + strings.Repeat("[$a", 100) + strings.Repeat("]", 100), "nested deeper than 64 levels"},
		{"too deep calls", "$a" + strings.Repeat(".get($a", 100) + strings.Repeat(")", 100), "nested deeper than 64 levels"},
		{"too deep foreach", strings.Repeat("#foreach($a in $b)", maxDepth+1) + strings.Repeat("#end", maxDepth+1), "nested deeper than 64 levels"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse("tpl", tc.src)
			require.Error(t, err)
			assert.Nil(t, tpl)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "vtl: tpl:"), err.Error())
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "tpl", e.Template)
		})
	}
}

func TestErrorPosition(t *testing.T) {
	_, err := Parse("POST /v1/messages", "Action=SendMessage\n\t&X=$util.nope($input.body)")
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, 2, e.Line)
	assert.Equal(t, 5, e.Col)
	assert.Equal(t, "vtl: POST /v1/messages:2:5: unknown $util.nope: API Gateway offers escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode and base64Decode", err.Error())
}

func TestParseAccepts(t *testing.T) {
	// Constructs that look odd but are Velocity text, or valid.
	for _, src := range []string{
		"", "plain", "#", "$", "#{", "#{}", "#{1}", "100% #1 $5",
		"#if($a)#elseif($b)#elseif($c)#else#end",
		"#foreach($a in $b)#foreach($c in $a)#break#end#break#end",
		"#{if}(true)x#{end}", "#if(true)#{else}#{end}",
		"$input.json(\"$['a b'][0][*].*\")", "$input.path($p)",
		"#set($a = \"$b\")#set($c = '')#set($d = \"\")",
		"$a.b-c.d_e", "#if( $a == 1 and not $b or $c ne 'x' )#end",
		"#set($a = (1 + 2) * 3 - -4 / 5 % 6)",
		"#if(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2)#end",
		"#breakfast #ends #elsewhere", "#{end", "#{abc", "#{",
	} {
		_, err := Parse("ok", src)
		assert.NoError(t, err, src)
	}
}

// TestEveryPrefix parses every prefix of rich templates: a template cut
// anywhere is an *Error or a template, never a panic (each "at the end of
// input" check is exercised at its edge).
func TestEveryPrefix(t *testing.T) {
	batch, err := os.ReadFile("testdata/send-message-batch.vtl")
	require.NoError(t, err)
	srcs := append([]string{
		string(batch),
		"#set(${a} = 1)#set($!{b} = 'x')#set($!c = \"y$a\")${a}$!{b}$!c #{set}($d = 2)$d",
		"#foreach($!{e} in $input.path('$[*]'))$e.get('k')[0]$e.size()#{break}#end",
		"#if ( $a == 1.5 && !$b || -2 < $c )#elseif( not $d )#{else}#end #[[x]]# #*c*# ##x\n",
		"$input.json(\"$['a']['b'][0].*\")$util.urlEncode('a')${x.y}$x[1]$x.get(1, 2)",
	}, fuzzSeeds...)
	for _, src := range srcs {
		for i := range len(src) + 1 {
			tpl, err := Parse("prefix", src[:i])
			if err != nil {
				var e *Error
				require.True(t, errors.As(err, &e), "%q: %v", src[:i], err)
				continue
			}
			if _, err := tpl.Render(body(`[{"k":["v"]}]`)); err != nil {
				var e *Error
				require.True(t, errors.As(err, &e), "%q: %v", src[:i], err)
			}
		}
	}
}

func TestDirectiveVariableForms(t *testing.T) {
	runRender(t, []renderCase{
		{"braced set", "#set(${a} = 1)$a", nil, "1"},
		{"quiet braced set", "#set($!{a} = 2)$a", nil, "2"},
		{"quiet set", "#set($!a = 3)$a", nil, "3"},
		{"braced foreach", "#foreach(${x} in $input.path('$'))$x#end", body("[1,2]"), "12"},
		{"braced set directive", "#{set}($a = 4)$a", nil, "4"},
		{"braced if", "#{if}(true)y#{else}n#{end}", nil, "y"},
	})
	for _, tc := range []struct{ src, want string }{
		{"#set(", "tpl:1:6: #set needs a $variable"},
		{"#set($", "tpl:1:6: #set needs a $variable"},
		{"#set($!", "#set needs a $variable"},
		{"#set(${", "#set needs a $variable"},
		{"#set(${a", "tpl:1:6: ${ without }"},
		{"#set(${a}", "#set supports only $variable = value"},
		{"#set($a", "#set supports only $variable = value"},
		{"#set($a =", "expression expected, found the end"},
		{"#foreach(", "#foreach needs a $variable"},
		{"#foreach($a", "#foreach needs ($item in $list)"},
		{"#foreach($a in", "expression expected, found the end"},
		{"#if(", "expression expected, found the end"},
		{"#if(true", "#if at 1:1: expected )"},
		{"#if(true)", "#if is never closed by #end"},
		{"#if(true)#elseif(", "expression expected, found the end"},
		{"$a.get(", "tpl:1:8: expression expected, found the end"},
		{"$a.get(1", "( without )"},
		{"$a[", "expression expected, found the end"},
		{"$a[1", "[ without ]"},
		{"${a.b", "${ without }"},
		{"#set($a = '", "unterminated string"},
		{"#set($a = \"", "unterminated string"},
		{"#set($a = -", `unexpected "-"`},
		{"#if(1 <", "expression expected, found the end"},
	} {
		_, err := Parse("tpl", tc.src)
		assert.ErrorContains(t, err, tc.want, tc.src)
	}
}

package vtl

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type renderCase struct {
	name string
	src  string
	in   *Input
	want string
}

func body(s string) *Input { return &Input{Body: []byte(s)} }

func runRender(t *testing.T, cases []renderCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse("test", tc.src)
			require.NoError(t, err)
			got, err := tpl.Render(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestReferences(t *testing.T) {
	ctx := &Input{
		Context: map[string]any{
			"requestId":  "req-1",
			"authorizer": map[string]any{"sub": "user-7", "n": 3},
			"identity":   map[string]string{"sourceIp": "192.0.2.1"},
			"error":      map[string]any{"messageString": `"Invalid request body"`},
		},
		StageVariables: map[string]string{"queue": "ingest", "b": "2", "a": "1"},
	}
	runRender(t, []renderCase{
		{"undefined renders nothing", "[$nope]", nil, "[]"},
		{"quiet undefined", "[$!nope][$!{nope}]", nil, "[][]"},
		{"lone dollar is text", "cost $ 5 and $1 and $", nil, "cost $ 5 and $1 and $"},
		{"dollar bang without name", "$!", nil, "$!"},
		{"context nested", "$context.requestId/$context.authorizer.sub/$context.identity.sourceIp", ctx, "req-1/user-7/192.0.2.1"},
		{"context number", "$context.authorizer.n", ctx, "3"},
		{"context error message already quoted", `{"message":$context.error.messageString}`, ctx, `{"message":"Invalid request body"}`},
		{"context missing leaf", "[$context.authorizer.nope][$context.nope.deeper]", ctx, "[][]"},
		{"braced reference before text", "${context.requestId}x", ctx, "req-1x"},
		{"quiet braced", "$!{context.requestId}", ctx, "req-1"},
		{"stage variables", "$stageVariables.queue $stageVariables.get('queue')", ctx, "ingest ingest"},
		{"stage variables sorted keys", "#foreach($k in $stageVariables.keySet())$k#end", ctx, "abqueue"},
		{"trailing dot is text", "$context.requestId.", ctx, "req-1."},
		{"hyphen belongs to the identifier", "#set($a = 1)${a}-$a-", nil, "1-"},
		{"index into a map", "$context['requestId']", ctx, "req-1"},
		{"context nil map", "[$context.requestId]", &Input{}, "[]"},
		{"nil input", "[$input.body][$input.params('x')]", nil, "[][]"},
	})
}

func TestInput(t *testing.T) {
	pets := `{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}],"owner":{"name":"Ana"}}`
	params := &Input{Params: Params{
		Path:        map[string]string{"petId": "7", "x": "from-path"},
		QueryString: map[string]string{"x": "from-query", "q": "hello"},
		Header:      map[string]string{"X-Trace": "t1", "Accept": "*/*"},
	}}
	runRender(t, []renderCase{
		{"body raw", "$input.body", body(`{"a": 1}`), `{"a": 1}`},
		{"body not json is fine raw", "$input.body", body(`a=b&c`), `a=b&c`},
		{"json root", "$input.json('$')", body(` {"b": [1, 2.50, "x"], "a": null} `), `{"b":[1,2.50,"x"],"a":null}`},
		{"json string keeps quotes", "$input.json('$.owner.name')", body(pets), `"Ana"`},
		{"json list", "$input.json('$.pets[*].id')", body(pets), `[1,2]`},
		{"json index", "$input.json('$.pets[1]')", body(pets), `{"id":2,"type":"cat","price":124.99}`},
		{"json bracket name", `$input.json("$['owner']['name']")`, body(pets), `"Ana"`},
		{"json missing is empty string", "$input.json('$.nope')", body(pets), `""`},
		{"json escapes", "$input.json('$.s')", body(`{"s":"a\"b\\c\n\u0001/<é"}`), `"a\"b\\c\n\u0001/<é"`},
		{"empty body is an object", "$input.json('$')|$input.path('$').size()", body(""), "{}|0"},
		{"path scalar", "$input.path('$.pets[0].type')", body(pets), "dog"},
		{"path number", "$input.path('$.pets[0].price')", body(pets), "249.99"},
		{"path size", "$input.path('$.pets').size()", body(pets), "2"},
		{"path missing", "[$input.path('$.nope')][$input.path('$.pets[5]')][$input.path('$.owner.name.x')]", body(pets), "[][][]"},
		{"path navigate", "#set($root = $input.path('$'))$root.owner.name $root.pets[1].type $root.pets.get(0).id", body(pets), "Ana cat 1"},
		{"path wildcard object", "$input.path('$.owner.*')", body(pets), "[Ana]"},
		{"path wildcard none", "$input.path('$.nope[*]').size()", body(pets), "0"},
		{"path map prints like Java", "$input.path('$.pets[0]')", body(pets), "{id=1, type=dog, price=249.99}"},
		{"path list with null prints null", "$input.path('$')", body(`[1,null,"a"]`), "[1, null, a]"},
		{"path keySet in document order", "#foreach($k in $input.path('$').keySet())$k,#end", body(`{"z":1,"a":2,"m":3}`), "z,a,m,"},
		// Jayway JsonPath reads "num" as "$.num"; observed on API Gateway in
		// https://qiita.com/Kept1994/items/663b700ddb55cf59b4c9 ($input.json("str")).
		{"path without dollar", "$input.json('owner.name')|$input.path('pets[1].id')", body(pets), `"Ana"|2`},
		{"path dynamic", "#set($p = '$.owner.name')$input.path($p)", body(pets), "Ana"},
		{"params name path first", "$input.params('x')", params, "from-path"},
		{"params query", "$input.params('q')", params, "hello"},
		{"params header case-insensitive", "$input.params('x-trace')|$input.params('X-Trace')", params, "t1|t1"},
		{"params absent", "[$input.params('none')]", params, "[]"},
		{"params all", "#foreach($type in $input.params().keySet())$type:#foreach($n in $input.params().get($type).keySet())$n=$input.params().get($type).get($n);#end|#end", params,
			"path:petId=7;x=from-path;|querystring:q=hello;x=from-query;|header:Accept=*/*;X-Trace=t1;|"},
		{"params property access", "$input.params().header.Accept", params, "*/*"},
	})
}

func TestUtil(t *testing.T) {
	runRender(t, []renderCase{
		{"escapeJavaScript quotes", `$util.escapeJavaScript("It's")`, nil, `It\'s`},
		{"escapeJavaScript specials", "$util.escapeJavaScript($input.body)", body("\"\\/\b\f\n\r\t\x01\x1f"), `\"\\\/\b\f\n\r\t\u0001\u001F`},
		{"escapeJavaScript non-ASCII", "$util.escapeJavaScript($input.body)", body("é€😀"), `\u00E9\u20AC\uD83D\uDE00`},
		{"escapeJavaScript plain", "$util.escapeJavaScript('abc 123 <>')", nil, `abc 123 <>`},
		{"urlEncode form rules", "$util.urlEncode($input.body)", body("a b+c&d=e/f*g~h.i-j_k"), "a+b%2Bc%26d%3De%2Ff*g%7Eh.i-j_k"},
		{"urlEncode UTF-8", "$util.urlEncode('é€')", nil, "%C3%A9%E2%82%AC"},
		{"urlDecode", "$util.urlDecode('a+b%2Bc%C3%A9%e2%82%ac')", nil, "a b+cé€"},
		{"base64Encode", "$util.base64Encode('Hello, World!')", nil, "SGVsbG8sIFdvcmxkIQ=="},
		{"base64Decode", "$util.base64Decode('SGVsbG8sIFdvcmxkIQ==')", nil, "Hello, World!"},
		{"parseJson navigates", `#set($o = $util.parseJson($input.json('$.inner')))$o.a.b`, body(`{"inner":{"a":{"b":"deep"}}}`), "deep"},
		{"parseJson of a string field", `$util.parseJson($input.path('$.s')).x`, body(`{"s":"{\"x\":42}"}`), "42"},
		{"null argument gives null", "[$util.urlEncode($nope)][$util.escapeJavaScript($nope)]", nil, "[][]"},
		{"number argument is printed", "$util.urlEncode($input.path('$.n'))", body(`{"n":1.5}`), "1.5"},
	})
}

func TestDirectives(t *testing.T) {
	runRender(t, []renderCase{
		{"set and use", "#set($a = 'x')$a$a", nil, "xx"},
		{"set interpolated", `#set($a = 'w')#set($b = "h${a}y $!nope")$b`, nil, "hwy "},
		{"interpolated text around references", `#set($a = 'w')#set($b = "<$a$a>")$b`, nil, "<ww>"},
		{"set null leaves value", "#set($a = 1)#set($a = $nope)$a", nil, "1"},
		{"set number arithmetic", "#set($a = 7)#set($b = $a * 2 + 1)$b|#set($c = $a / 2)$c|#set($d = $a % 4)$d|#set($e = $a - 10)$e", nil, "15|3|3|-3"},
		{"float arithmetic", "#set($a = 1.5 + 1)$a|#set($b = 3.0 / 2)$b|#set($c = 7.5 % 2)$c", nil, "2.5|1.5|1.5"},
		{"float whole prints .0", "#set($a = 2.0 * 2)$a", nil, "4.0"},
		{"division by zero is null", "#set($a = 1)#set($a = 4 / 0)$a|#set($f = 1.0)#set($f = 1.0 / 0)$f|#set($m = 1)#set($m = 5 % 0)$m", nil, "1|1.0|1"},
		{"arith on strings is null", "#set($a = 'k')#set($a = 'x' + 1)$a", nil, "k"},
		{"if true", "#if(true)yes#end", nil, "yes"},
		{"if false else", "#if(false)yes#{else}no#end", nil, "no"},
		{"elseif chain", "#foreach($n in $input.path('$'))#if($n < 2)a#elseif($n == 2)b#elseif($n >= 5)d#{else}c#end#end", body("[1,2,3,5]"), "abcd"},
		{"null is false", "#if($nope)y#{else}n#end", nil, "n"},
		{"empty string is true (1.7)", "#if('')y#{else}n#end", nil, "y"},
		{"zero is true (1.7)", "#if(0)y#{else}n#end", nil, "y"},
		{"empty list is true (1.7)", "#if($input.path('$'))y#{else}n#end", body("[]"), "y"},
		{"json false is false", "#if($input.path('$.f'))y#{else}n#end", body(`{"f":false}`), "n"},
		{"json null is false", "#if($input.path('$.f'))y#{else}n#end", body(`{"f":null}`), "n"},
		{"not", "#if(!$nope)a#end#if(not true)b#end#if(! false)c#end", nil, "ac"},
		{"and or", "#if(true && false)a#end#if(true and true)b#end#if(false || true)c#end#if(false or false)d#end", nil, "bc"},
		{"and short-circuits", "#if(false && $x.foo.bar)a#{else}b#end", nil, "b"},
		{"or short-circuits", "#if(true || $nope)a#end", nil, "a"},
		{"precedence and over or", "#if(true || false && false)a#end", nil, "a"},
		{"parentheses", "#if((true || false) && false)a#{else}b#end", nil, "b"},
		{"equality strings", "#if('a' == 'a')1#end#if('a' != 'b')2#end#if('a' eq 'b')3#end#if('a' ne 'a')4#end", nil, "12"},
		{"equality numbers across kinds", "#if($input.path('$.n') == 2)1#end#if(2.0 == 2)2#end#if($input.path('$.f') == 2.5)3#end", body(`{"n":2,"f":2.50}`), "123"},
		{"equality by printed form", "#if($input.path('$.n') == '2')1#end#if(true == 'true')2#end", body(`{"n":2}`), "12"},
		{"null equality", "#if($nope == $nada)1#end#if($nope == '')2#end#if('' != $nope)3#end", nil, "13"},
		{"comparisons", "#if(1 < 2)a#end#if(2 <= 2)b#end#if(3 > 2)c#end#if(2 >= 3)d#end#if(1 lt 2)e#end#if(2 le 1)f#end#if(2 gt 1)g#end#if(2 ge 2)h#end", nil, "abcegh"},
		{"float comparisons", "#if(1.5 < 2)a#end#if(2 < 1.5)b#end#if(1.5 > 1.25)c#end#if(1.5 >= 1.5)d#end#if(1.5 <= 1.25)e#end", nil, "acd"},
		{"comparing non-numbers is false", "#if('a' < 'b')a#end#if('b' > 'a')b#end", nil, ""},
		{"foreach list", "#foreach($x in $input.path('$'))$x;#end", body(`["a","b"]`), "a;b;"},
		{"foreach map values", "#foreach($x in $input.path('$'))$x;#end", body(`{"k":"a","j":"b"}`), "a;b;"},
		{"foreach over null or scalar skips", "#foreach($x in $nope)a#end#foreach($x in 'str')b#end", nil, ""},
		{"foreach counters", "#foreach($x in $input.path('$'))$foreach.count/$foreach.index/$velocityCount/$foreach.hasNext/$foreach.hasNext()/$foreach.first/$foreach.last #end", body(`["a","b"]`),
			"1/0/1/true/true/true/false 2/1/2/false/false/false/true "},
		{"foreach nested counters", "#foreach($x in $input.path('$'))#foreach($y in $x)$foreach.count#end:$foreach.count #end", body(`[[1,2],[3]]`), "12:1 1:2 "},
		{"foreach outside is null", "[$foreach.count][$velocityCount]", nil, "[][]"},
		{"foreach restores variable", "#set($x = 'before')#foreach($x in $input.path('$'))$x#end $x", body(`[1,2]`), "12 before"},
		{"foreach unset variable removed after", "#foreach($x in $input.path('$'))$x#end[$x]", body(`[1]`), "1[]"},
		{"foreach json null item", "#foreach($x in $input.path('$'))[$x]#end", body(`[null,1]`), "[][1]"},
		{"break", "#foreach($x in $input.path('$'))#if($x == 3)#break#end$x#end", body(`[1,2,3,4]`), "12"},
		{"break inner only", "#foreach($a in $input.path('$'))#foreach($b in $a)#if($b == 2)#{break}#end$b#end|#end", body(`[[1,2,3],[4]]`), "1|4|"},
		{"line comment eats newline", "a## comment\nb##\nc", nil, "abc"},
		{"line comment at end", "a## no newline", nil, "a"},
		{"block comment", "a#* x\ny *#b#**#c", nil, "abc"},
		{"unparsed content", "#[[$x #if]]#", nil, "$x #if"},
		{"unknown word is text", "color #ff00ff and #hashtag", nil, "color #ff00ff and #hashtag"},
		{"hash alone is text", "# 1 #", nil, "# 1 #"},
		{"braced directive name not closed is text", "#{foo bar", nil, "#{foo bar"},
		{"braced end at the end is text", "a#{end", nil, "a#{end"},
		{"directive with space before paren", "#if ($nope)a#{else}b#end", nil, "b"},
		{"single quotes are literal", `#set($a = 'x')#set($b = '$a "q"')$b`, nil, `$a "q"`},
		{"double quotes keep hash", `#set($b = "#if x")$b`, nil, "#if x"},
		{"double quotes with lone dollar", `#set($b = "5$ $")$b`, nil, "5$ $"},
		{"negative number", "#set($n = -3)$n", nil, "-3"},
	})
}

func TestWhitespace(t *testing.T) {
	runRender(t, []renderCase{
		{"set line gobbled", "#set($a = 1)\nx$a\n", nil, "x1\n"},
		{"set with trailing spaces gobbled", "#set($a = 1)  \t\nx", nil, "x"},
		{"set indentation gobbled", "  \t#set($a = 1)\nx", nil, "x"},
		{"set crlf gobbled", "#set($a = 1)\r\nx", nil, "x"},
		{"lone carriage return kept", "#if(true)x#end\r", nil, "x\r"},
		{"lone carriage return then newline kept", "#if(true)x#end \r \n", nil, "x \r \n"},
		{"end of input after directive", "#if(true)x#end  ", nil, "x  "},
		{"set followed by text keeps it", "#set($a = 1) x", nil, " x"},
		{"if lines gobbled", "#if(true)\nyes\n#end\nafter", nil, "yes\nafter"},
		{"else line gobbled", "#if(false)\nyes\n#else\nno\n#end\n", nil, "no\n"},
		{"elseif line gobbled", "#if(false)\na\n#elseif(true)\nb\n#end\n", nil, "b\n"},
		{"indentation before if kept", "  #if(true)\n  x\n  #end\n", nil, "    x\n  "},
		{"foreach lines gobbled", "#foreach($x in $input.path('$'))\n$x\n#end\n", body(`[1,2]`), "1\n2\n"},
		{"braced end keeps newline", "#if(true)a#{end}\nb", nil, "a\nb"},
		{"break line gobbled", "#foreach($x in $input.path('$'))\n$x\n#break\n#end\n", body(`[1,2]`), "1\n"},
		{"comment lines join", "a##\n##\nb", nil, "ab"},
		{"newline before directive kept", "a\n#set($x = 1)b", nil, "a\nb"},
		{"block comment keeps following newline", "#* c *#\nx", nil, "\nx"},
	})
}

func TestMethods(t *testing.T) {
	in := body(`{"s":"  Hello World  ","m":{"a":1,"b":[1,"x"]},"l":["p","q"],"n":5,"e":"","u":"é😀x"}`)
	runRender(t, []renderCase{
		{"string length trim case", "#set($s = $input.path('$.s'))$s.length() [$s.trim()] $s.trim().toLowerCase() $s.toUpperCase().trim()", in, "15 [Hello World] hello world HELLO WORLD"},
		{"string length counts UTF-16", "$input.path('$.u').length() $input.path('$.u').indexOf('x') $input.path('$.u').substring(1, 3)", in, "4 3 😀"},
		{"string tests", "#set($s = 'abcabc')$s.contains('ca') $s.startsWith('ab') $s.endsWith('bc') $s.indexOf('c') $s.indexOf('z') $s.isEmpty() $input.path('$.e').isEmpty()", in, "true true true 2 -1 false true"},
		{"string replace", "#set($t = 'a.b.c')$util.escapeJavaScript(\"It's\").replaceAll(\"\\\\'\",\"'\") $t.replace('.', '-')", nil, "It's a-b-c"},
		{"string replace literal via variable", "#set($s = 'a.b.c')$s.replace('.', '-') $s.replaceAll('\\.', '/') $s.replaceAll('(a)\\.(b)', '$2$1\\$')", nil, "a-b-c a/b/c ba$.c"},
		{"string substring one arg", "#set($s = 'abcdef')$s.substring(2)", nil, "cdef"},
		{"string equals", "#set($s = 'abc')$s.equals('abc') $s.equals('abd') $s.equals(1)", nil, "true false false"},
		{"string matches", "#set($s = 'abc123')$s.matches('[a-z]+[0-9]+') $s.matches('[a-z]+')", nil, "true false"},
		{"string toString", "#set($s = 'abc')$s.toString()", nil, "abc"},
		{"map methods", "#set($m = $input.path('$.m'))$m.size() $m.isEmpty() $m.keySet() $m.values() $m.get('a') $m.containsKey('b') $m.containsKey('z') [$m.get('z')] $m.toString()", in, "2 false [a, b] [1, [1, x]] 1 true false [] {a=1, b=[1, x]}"},
		{"list methods", "#set($l = $input.path('$.l'))$l.size() $l.isEmpty() $l.get(1) $l.contains('q') $l.contains('z') $l[0] $l.toString()", in, "2 false q true false p [p, q]"},
		{"number and boolean", "#set($n = $input.path('$.n'))$n.toString() $n.equals(5) $n.equals('5')|#set($b = true)$b.equals(true)", in, "5 true false|true"},
		{"method on null is null", "[$nope.size()][$nope.foo][$nope[0]]", nil, "[][][]"},
	})
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name, src string
		in        *Input
		want      string
		is        error
	}{
		{"json body not JSON", "$input.json('$')", body("{nope"), "test:1:7: $input.json: the body is not JSON", nil},
		{"path body not JSON", "\n  $input.path('$.a')", body("a=b"), "test:2:9: $input.path: the body is not JSON", nil},
		{"trailing data", "$input.path('$')", body(`{} {}`), "the body is not JSON: data after the JSON value", nil},
		{"dynamic bad jsonpath", "#set($p = '$..b')$input.path($p)", body(`{}`), "deep scan (..) is not supported", nil},
		{"dynamic jsonpath not a string", "#set($p = 1)$input.json($p)", body(`{}`), "needs a JSONPath string", nil},
		{"property of a number", "#set($n = 1)$n.Id", nil, "test:1:15: a number has no property .Id", nil},
		{"property of a string", "#set($s = 'x')$s.foo", nil, "a string has no property .foo", nil},
		{"unknown foreach property", "#foreach($x in $input.path('$'))$foreach.parent#end", body(`[1]`), "a $foreach has no property .parent", nil},
		{"index a string", "#set($s = 'x')$s[0]", nil, "a string cannot be indexed", nil},
		{"list index out of range", "$input.path('$')[2]", body(`[1]`), "index 2 out of the list's 1 items", nil},
		{"list get out of range", "$input.path('$').get(-1)", body(`[1]`), ".get(-1) out of the list's 1 items", nil},
		{"list method missing", "$input.path('$').keySet()", body(`[1]`), "a list has no method .keySet()", nil},
		{"map method missing", "$input.path('$').contains(1)", body(`{}`), "a map has no method .contains()", nil},
		{"string method missing", "#set($s = 'x')$s.keySet()", nil, "a string has no method .keySet()", nil},
		{"number method missing", "#set($n = 1)$n.size()", nil, "a number has no method .size()", nil},
		{"foreach method missing", "#foreach($x in $input.path('$'))$foreach.size()#end", body(`[1]`), "a $foreach has no method .size()", nil},
		{"arity", "#set($s = 'x')$s.contains()", nil, ".contains() takes 1 argument(s), not 0", nil},
		{"arity map", "$input.path('$').size(1)", body(`{}`), ".size() takes 0 argument(s), not 1", nil},
		{"arity list", "$input.path('$').size(1)", body(`[]`), ".size() takes 0 argument(s), not 1", nil},
		{"arity list get", "$input.path('$').get()", body(`[]`), ".get() takes 1 argument(s), not 0", nil},
		{"arity list contains", "$input.path('$').contains()", body(`[]`), ".contains() takes 1 argument(s), not 0", nil},
		{"arity map get", "$input.path('$').get()", body(`{}`), ".get() takes 1 argument(s), not 0", nil},
		{"arity toString", "#set($s = 'x')$s.toString(1)", nil, ".toString() takes 0 argument(s), not 1", nil},
		{"arity hasNext", "#foreach($x in $input.path('$'))$foreach.hasNext(1)#end", body(`[1]`), ".hasNext() takes 0 argument(s)", nil},
		{"arity equals", "#set($n = 1)$n.equals()", nil, ".equals() takes 1 argument(s), not 0", nil},
		{"null argument", "#set($s = 'x')$s.contains($nope)", nil, ".contains() got a null argument", nil},
		{"substring out of range", "#set($s = 'abc')$s.substring(2, 5)", nil, ".substring([2, 5]) out of the string's 3 characters", nil},
		{"substring backwards", "#set($s = 'abc')$s.substring(2, 1)", nil, "out of the string's 3 characters", nil},
		{"substring negative", "#set($s = 'abc')$s.substring(-1)", nil, "out of the string's 3 characters", nil},
		{"substring arity", "#set($s = 'abc')$s.substring()", nil, "a string has no method .substring()", nil},
		{"bad regexp", "#set($s = 'abc')$s.replaceAll('(', '')", nil, ".replaceAll(): error parsing regexp", nil},
		{"bad regexp matches", "#set($s = 'abc')$s.matches('(')", nil, ".matches(): error parsing regexp", nil},
		{"missing group", "#set($s = 'abc')$s.replaceAll('b', '$1')", nil, ".replaceAll(): no group 1", nil},
		{"urlDecode bad escape", "$util.urlDecode('a%2')", nil, "$util.urlDecode: incomplete escape at byte 1", nil},
		{"urlDecode bad hex", "$util.urlDecode('%zz')", nil, "incomplete escape at byte 0", nil},
		{"base64Decode bad", "$util.base64Decode('%%%')", nil, "$util.base64Decode: not standard base64", nil},
		{"parseJson bad", "$util.parseJson('{')", nil, "$util.parseJson: not JSON: EOF", nil},
		{"parseJson deep", "$util.parseJson($input.body)", body(strings.Repeat("[", 300) + strings.Repeat("]", 300)), "nested deeper than 256 levels", nil},
		{"error in index expression", "$input.path('$')[$input.json('$.x')]", body(`x`), "the body is not JSON", nil},
		{"error in method argument", "#set($s = 'x')$s.contains($input.json('$'))", body(`x`), "the body is not JSON", nil},
		{"error in set", "#set($a = $input.json('$'))", body(`x`), "the body is not JSON", nil},
		{"error in if", "#if($input.json('$'))#end", body(`x`), "the body is not JSON", nil},
		{"error in elseif branch", "#if(false)#elseif(true)$input.json('$')#end", body(`x`), "the body is not JSON", nil},
		{"error in else", "#if(false)#{else}$input.json('$')#end", body(`x`), "the body is not JSON", nil},
		{"error in foreach source", "#foreach($a in $input.path('$'))#end", body(`x`), "the body is not JSON", nil},
		{"error in foreach body", "#foreach($a in $input.path('$.l'))$a.x#end", body(`{"l":[1]}`), "a number has no property .x", nil},
		{"error in interpolation", `#set($a = "$input.json('$')")`, body(`x`), "the body is not JSON", nil},
		{"error in not", "#if(!$input.json('$'))#end", body(`x`), "the body is not JSON", nil},
		{"error in and right", "#if(true && $input.json('$'))#end", body(`x`), "the body is not JSON", nil},
		{"error in or right", "#if(false || $input.json('$'))#end", body(`x`), "the body is not JSON", nil},
		{"error in comparison right", "#if(1 == $input.json('$'))#end", body(`x`), "the body is not JSON", nil},
		{"error in comparison left", "#if($input.json('$') == 1)#end", body(`x`), "the body is not JSON", nil},
		{"error in util argument", "$util.urlEncode($input.json('$'))", body(`x`), "the body is not JSON", nil},
		{"error in input argument", "$input.params($input.json('$'))", body(`x`), "the body is not JSON", nil},
		{"error in ref chain", "$input.path('$').get($input.json('$.a.b'))", body(`x`), "the body is not JSON", nil},
		{"foreach too many items", "#foreach($a in $input.path('$'))#end", body("[" + strings.Repeat("0,", MaxForeachItems) + "0]"), "#foreach over 1001 items (at most 1000)", ErrTooManyIterations},
		{"too many iterations", "#foreach($a in $input.path('$'))#foreach($b in $input.path('$'))#end#end", body("[" + strings.Repeat("0,", 999) + "0]"), "more than 100000 #foreach iterations", ErrTooManyIterations},
		{"output cap", "#foreach($a in $input.path('$'))$input.body#end", body(`["` + strings.Repeat("x", MaxOutput/8) + `",1,2,3,4,5,6,7,8]`), "output larger than 10485760 bytes", ErrOutputTooLarge},
		{"output cap in interpolation", `#set($s = "$input.body$input.body")`, body(strings.Repeat("x", MaxOutput/2+1)), "output larger than", ErrOutputTooLarge},
		{"escapeJavaScript cap", "$util.escapeJavaScript($input.body)", body(strings.Repeat("'", MaxOutput/2+1)), "$util.escapeJavaScript result larger than", ErrOutputTooLarge},
		{"urlEncode cap", "$util.urlEncode($input.body)", body(strings.Repeat("&", MaxOutput/3+1)), "$util.urlEncode result larger than", ErrOutputTooLarge},
		{"base64Encode cap", "$util.base64Encode($input.body)", body(strings.Repeat("x", MaxOutput/4*3+1)), "$util.base64Encode result larger than", ErrOutputTooLarge},
		{"replace cap", "$input.body.replace('x', 'yy')", body(strings.Repeat("x", MaxOutput/2+1)), ".replace() result larger than", ErrOutputTooLarge},
		{"replaceAll cap", "$input.body.replaceAll('x', 'yy')", body(strings.Repeat("x", 100) + strings.Repeat("z", MaxOutput-150)), ".replaceAll() result larger than", ErrOutputTooLarge},
		{"replaceAll matches cap", "$input.body.replaceAll('', '')", body(strings.Repeat("x", maxMatches)), ".replaceAll() matches more than 100000 times", ErrTooManyIterations},
		{"json result cap", "$input.json('$')", body(`"` + strings.Repeat(`\u0001`, MaxOutput/6+1) + `"`), "$input.json result larger than", ErrOutputTooLarge},
		{"map print cap", "$input.path('$')", body(`{"a":"` + strings.Repeat("x", MaxOutput) + `"}`), "value larger than", ErrOutputTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tpl, err := Parse("test", tc.src)
			require.NoError(t, err)
			got, err := tpl.Render(tc.in)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.Contains(t, err.Error(), tc.want)
			var e *Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "test", e.Template)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			} else {
				assert.NoError(t, e.Unwrap())
			}
		})
	}
}

func TestNamePreserved(t *testing.T) {
	tpl, err := Parse("POST /v1/messages application/json", "x")
	require.NoError(t, err)
	assert.Equal(t, "POST /v1/messages application/json", tpl.Name())
}

func TestRenderIsReentrant(t *testing.T) {
	// A Template is shared by every request: one render's variables and
	// body must not leak into the next.
	tpl, err := Parse("t", "#if($seen)leak#end#set($seen = true)$input.path('$.a')")
	require.NoError(t, err)
	a, err := tpl.Render(body(`{"a":1}`))
	require.NoError(t, err)
	b, err := tpl.Render(body(`{"a":2}`))
	require.NoError(t, err)
	assert.Equal(t, "1", a)
	assert.Equal(t, "2", b)
}

package vtl

import (
	"errors"
	"os"
	"testing"
)

var fuzzSeeds = []string{
	"Action=SendMessage&MessageBody=$util.urlEncode($input.body)",
	"#set($r = $input.path('$'))#foreach($e in $r)$e.id $foreach.count#if($foreach.hasNext),#end#end",
	"#if($input.path('$.a') == 1 && !$nope || $x > 2)a#elseif($y)b#{else}c#end",
	`#set($s = "x$input.json('$.a')y")$s.replaceAll('(x)', '$1$1').substring(1)`,
	"$util.escapeJavaScript($input.body) $util.base64Decode($util.base64Encode($input.body)) $util.parseJson($input.body).keySet()",
	"${context.requestId}-$!{stageVariables.q} $input.params('h') $input.params().header",
	"## c\n#* b *##[[raw]]#$input.path('$[*].*')[0]",
}

// FuzzParseRender: no template and body make Parse or Render panic, every
// failure is an *Error, and the output stays under MaxOutput.
func FuzzParseRender(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, []byte(`[{"id":"a","body":"b","attributes":{"k":"v"}},{"a":1}]`))
	}
	f.Fuzz(func(t *testing.T, src string, body []byte) {
		tpl, err := Parse("fuzz", src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("parse error %v is not an *Error", err)
			}
			return
		}
		checkRender(t, tpl, body)
	})
}

// FuzzBatchTemplateBody: a hostile body against the SendMessageBatch template.
func FuzzBatchTemplateBody(f *testing.F) {
	src, err := os.ReadFile("testdata/send-message-batch.vtl")
	if err != nil {
		f.Fatal(err)
	}
	tpl, err := Parse("batch", string(src))
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`[{"id":"a","body":"b","attributes":{"k":"v"}},{"body":"c"}]`))
	f.Add([]byte(`{"body":1}`))
	f.Add([]byte(`[[[]]]`))
	f.Add([]byte(`[{"body":null,"attributes":[1,2]}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkRender(t, tpl, body)
	})
}

func checkRender(t *testing.T, tpl *Template, body []byte) {
	out, err := tpl.Render(&Input{
		Body:           body,
		Params:         Params{Header: map[string]string{"H": "v"}, QueryString: map[string]string{"q": "1"}},
		Context:        map[string]any{"requestId": "r", "authorizer": map[string]any{"sub": "s"}},
		StageVariables: map[string]string{"q": "x"},
	})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("render error %v is not an *Error", err)
		}
		if out != "" {
			t.Fatalf("output %q with error %v", out, err)
		}
		return
	}
	if len(out) > MaxOutput {
		t.Fatalf("output of %d bytes", len(out))
	}
}

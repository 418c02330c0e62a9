package vtl

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"text/template"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// The SendMessageBatch template of the same job in text/template, the body
// decoded with encoding/json: the peer of BenchmarkSendMessageBatch.
const textBatch = `Action=SendMessageBatch
{{- range $i, $e := .Entries}}{{$n := add $i 1}}{{$p := printf "SendMessageBatchRequestEntry.%d" $n -}}
&{{$p}}.Id={{if $e.ID}}{{enc $e.ID}}{{else}}{{$n}}{{end -}}
&{{$p}}.MessageBody={{enc $e.Body}}{{$m := 0}}
{{- range $k, $v := $e.Attributes}}{{$m = add $m 1 -}}
&{{$p}}.MessageAttribute.{{$m}}.Name={{enc $k}}&{{$p}}.MessageAttribute.{{$m}}.Value.DataType=String&{{$p}}.MessageAttribute.{{$m}}.Value.StringValue={{enc $v}}
{{- end}}{{$m = add $m 1 -}}
&{{$p}}.MessageAttribute.{{$m}}.Name=sub&{{$p}}.MessageAttribute.{{$m}}.Value.DataType=String&{{$p}}.MessageAttribute.{{$m}}.Value.StringValue={{enc $.Sub}}
{{- end}}`

type textEntry struct {
	ID         string            `json:"id"`
	Body       string            `json:"body"`
	Attributes map[string]string `json:"attributes"`
}

func BenchmarkSendMessageBatch(b *testing.B) {
	src, err := os.ReadFile("testdata/send-message-batch.vtl")
	if err != nil {
		b.Fatal(err)
	}
	tpl, err := Parse("batch", string(src))
	if err != nil {
		b.Fatal(err)
	}
	peer := template.Must(template.New("batch").Funcs(template.FuncMap{
		"add": func(a, b int) int { return a + b },
		"enc": url.QueryEscape, // equal to $util.urlEncode on this body (no * or ~)
	}).Parse(textBatch))
	in := &Input{Body: tenEntries(), Context: batchContext}

	ours := func() string {
		out, err := tpl.Render(in)
		if err != nil {
			b.Fatal(err)
		}
		return out
	}
	theirs := func() string {
		var entries []textEntry
		if err := json.Unmarshal(in.Body, &entries); err != nil {
			b.Fatal(err)
		}
		var sb strings.Builder
		if err := peer.Execute(&sb, map[string]any{"Entries": entries, "Sub": "user 7"}); err != nil {
			b.Fatal(err)
		}
		return sb.String()
	}
	if o, t := ours(), theirs(); o != t {
		b.Fatalf("the two renderings differ:\nvtl:  %s\ntext: %s", o, t)
	}
	benchcmp.Ratio(b, func() { ours() }, map[string]func(){"text_template": func() { theirs() }})
}

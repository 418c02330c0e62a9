package vtl_test

import (
	"fmt"

	"github.com/sqsgate/sqsgate/internal/local/vtl"
)

func ExampleTemplate_Render() {
	tpl, err := vtl.Parse("POST /v1/messages application/json",
		"Action=SendMessage&MessageBody=$util.urlEncode($input.body)##\n"+
			"&MessageAttribute.1.Name=sub&MessageAttribute.1.Value.DataType=String##\n"+
			"&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.authorizer.sub)")
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := tpl.Render(&vtl.Input{
		Body:    []byte(`{"order": 42}`),
		Context: map[string]any{"authorizer": map[string]any{"sub": "user-1"}},
	})
	fmt.Println(out, err)
	// Output: Action=SendMessage&MessageBody=%7B%22order%22%3A+42%7D&MessageAttribute.1.Name=sub&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=user-1 <nil>
}

func ExampleParse() {
	_, err := vtl.Parse("POST /v1/messages/batch application/json", "Action=SendMessageBatch\n#macro(entry $e)$e#end")
	fmt.Println(err)
	// Output: vtl: POST /v1/messages/batch application/json:2:1: #macro is not supported in mapping templates
}

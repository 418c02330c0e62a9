package vtl

import (
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AWS's own mapping-template examples, with the outputs AWS documents.

func mustRender(t *testing.T, src string, in *Input) string {
	t.Helper()
	tpl, err := Parse(t.Name(), src)
	require.NoError(t, err)
	out, err := tpl.Render(in)
	require.NoError(t, err)
	return out
}

// Tutorial: Create a REST API as an Amazon SQS proxy in API Gateway,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-sqs.html
// ("Action=SendMessage&MessageBody=$input.body" as the
// application/json mapping template, Content-Type
// application/x-www-form-urlencoded).
func TestAWSSQSTutorialTemplate(t *testing.T) {
	got := mustRender(t, "Action=SendMessage&MessageBody=$input.body", body("hello"))
	assert.Equal(t, "Action=SendMessage&MessageBody=hello", got)
}

// Mapping template examples, "Pet store" (the response template that turns
// the pets list into descriptions),
// https://docs.aws.amazon.com/apigateway/latest/developerguide/example-pet-store.html
// (the pet store example of the mapping template pages).
func TestAWSPetStoreExample(t *testing.T) {
	src := `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]`
	in := body(`[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]`)
	got := mustRender(t, src, in)
	assert.JSONEq(t, `[
  {"description" : "Item 1 is a dog.", "askingPrice" : 249.99},
  {"description" : "Item 2 is a cat.", "askingPrice" : 124.99},
  {"description" : "Item 3 is a fish.", "askingPrice" : 0.99}
]`, got)
	// The layout as Velocity 1.7 prints it: the directive-only lines gone,
	// and the inline #end eating its newline, so the template's blank line
	// after each item is what ends the item's line.
	assert.Equal(t, "[\n  {\n    \"description\" : \"Item 1 is a dog.\",\n    \"askingPrice\" : 249.99\n  },\n  {\n", got[:strings.Index(got, "    \"description\" : \"Item 2")])
	assert.True(t, strings.HasSuffix(got, "\"askingPrice\" : 0.99\n  }\n]"), got)
}

// Mapping template examples, "Photo album", the integration request
// template and its documented output,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/example-photos.html
func TestAWSPhotoAlbumExample(t *testing.T) {
	src := `#set($inputRoot = $input.path('$'))
{
  "photos": {
    "page": $inputRoot.photos.page,
    "pages": "$inputRoot.photos.pages",
    "perpage": $inputRoot.photos.perpage,
    "total": "$inputRoot.photos.total",
    "photo": [
#foreach($elem in $inputRoot.photos.photo)
      {
        "id": "$elem.id",
        "photographedBy": "$elem.photographer_first_name $elem.photographer_last_name",
        "title": "$elem.title",
        "ispublic": $elem.ispublic,
        "isfriend": $elem.isfriend,
        "isfamily": $elem.isfamily
      }#if($foreach.hasNext),#end

#end
    ]
  }
}`
	in := body(`{
  "photos": {
    "page": 1, "pages": "1234", "perpage": 100, "total": "123398",
    "photo": [
      {"id": "12345678901", "owner": "23456789@A12", "photographer_first_name": "Saanvi", "photographer_last_name": "Sarkar",
       "secret": "abc123d456", "server": "1234", "farm": 1, "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
      {"id": "23456789012", "owner": "34567890@B23", "photographer_first_name": "Richard", "photographer_last_name": "Roe",
       "secret": "bcd234e567", "server": "2345", "farm": 2, "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}
    ]
  }
}`)
	assert.JSONEq(t, `{
  "photos": {
    "page": 1, "pages": "1234", "perpage": 100, "total": "123398",
    "photo": [
      {"id": "12345678901", "photographedBy": "Saanvi Sarkar", "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
      {"id": "23456789012", "photographedBy": "Richard Roe", "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}
    ]
  }
}`, mustRender(t, src, in))
}

// Variables for data transformations for API Gateway, "$input variables":
// $input.path('$.pets') of the documented pets array, "$input.path('$.pets').size()
// would return "3"", and $input.json('$.pets') "returns a JSON string
// representing the pets structure",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#input-variable-reference
func TestAWSInputVariables(t *testing.T) {
	in := body(`{"pets": [{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]}`)
	assert.Equal(t, "3", mustRender(t, "$input.path('$.pets').size()", in))
	assert.Equal(t, `[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]`,
		mustRender(t, "$input.json('$.pets')", in))

	// The same section's template passing a parameter and the whole body.
	got := mustRender(t, "{\n    \"name\" : \"$input.params('name')\",\n    \"body\" : $input.json('$')\n}",
		&Input{Body: []byte(`{"a": [1, "two"]}`), Params: Params{QueryString: map[string]string{"name": "me"}}})
	assert.JSONEq(t, `{"name": "me", "body": {"a": [1, "two"]}}`, got)

	// A path that selects nothing: $input.json renders "" (observed on API
	// Gateway: https://qiita.com/Kept1994/items/663b700ddb55cf59b4c9,
	// "$input.json('$.pets')" on a body without pets gives "val": "").
	assert.JSONEq(t, `{"val": ""}`, mustRender(t, `{"val": $input.json('$.pets')}`, body(`{"str":"str"}`)))
}

// Variables for data transformations for API Gateway, "$util variables":
// escapeJavaScript "will turn any regular single quotes (') into escaped
// ones (\')", and the documented way back to JSON,
// "$util.escapeJavaScript(...).replaceAll("\\'","'")"; urlEncode
// "converts a string into application/x-www-form-urlencoded format";
// base64Encode/Decode; parseJson "returns an object representation".
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#util-template-reference
func TestAWSUtilVariables(t *testing.T) {
	in := body(`{"data": "It's \"quoted\" / done"}`)
	assert.Equal(t, `It\'s \"quoted\" \/ done`, mustRender(t, "$util.escapeJavaScript($input.path('$.data'))", in))
	got := mustRender(t, `{"input" : "$util.escapeJavaScript($input.path('$.data')).replaceAll("\\'","'")"}`, in)
	assert.JSONEq(t, `{"input": "It's \"quoted\" / done"}`, got)

	// application/x-www-form-urlencoded (java.net.URLEncoder): url.ParseQuery
	// must read back exactly what went in.
	raw := "a b&c=d+e/é*~'"
	enc := mustRender(t, "v=$util.urlEncode($input.body)", body(raw))
	q, err := url.ParseQuery(enc)
	require.NoError(t, err)
	assert.Equal(t, raw, q.Get("v"))
	assert.Equal(t, "v=a+b%26c%3Dd%2Be%2F%C3%A9*%7E%27", enc)

	assert.Equal(t, raw, mustRender(t, "$util.urlDecode($util.urlEncode($input.body))", body(raw)))
	assert.Equal(t, raw, mustRender(t, "$util.base64Decode($util.base64Encode($input.body))", body(raw)))

	assert.Equal(t, "2", mustRender(t, `$util.parseJson($input.json('$.data')).b`, body(`{"data":{"a":1,"b":2}}`)))
}

// Examples using variables for mapping template transformations, Example 2
// "Pass all request parameters to the integration endpoint through a JSON
// payload", template and documented output,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-variable-examples.html
func TestAWSAllParamsExample(t *testing.T) {
	src := `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}`
	in := &Input{Params: Params{
		Path:        map[string]string{"path": "path"},
		QueryString: map[string]string{"querystring": "query"},
		Header:      map[string]string{"header": "header"},
	}}
	assert.JSONEq(t, `{"params": {"path": {"path": "path"}, "querystring": {"querystring": "query"}, "header": {"header": "header"}}}`,
		mustRender(t, src, in))
}

// Example 1 of the same page: $context variables into a payload.
func TestAWSContextExample(t *testing.T) {
	src := `{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "source_ip" : "$context.identity.sourceIp",
    "user-agent" : "$context.identity.userAgent",
    "api_key" : "$context.identity.apiKey"
}`
	in := &Input{Context: map[string]any{
		"stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg",
		"identity": map[string]any{"sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0", "apiKey": "MyTestKey"},
	}}
	assert.JSONEq(t, `{"stage": "prod", "request_id": "abcdefg-000-000-0000-abcdefg", "source_ip": "192.0.2.1",
		"user-agent": "curl/7.84.0", "api_key": "MyTestKey"}`, mustRender(t, src, in))
}

// The templates of rest-contract.md (issue 12).

func readTemplate(t *testing.T, name string) *Template {
	t.Helper()
	src, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	tpl, err := Parse(name, string(src))
	require.NoError(t, err)
	return tpl
}

var batchContext = map[string]any{
	"requestId":  "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
	"authorizer": map[string]any{"sub": "user 7"},
}

func TestSendMessageBatchTemplate(t *testing.T) {
	tpl := readTemplate(t, "send-message-batch.vtl")
	in := &Input{
		Body: []byte(`[
			{"id": "order-1", "body": "{\"total\": 10}", "attributes": {"source": "shop", "kind": "a b"}},
			{"body": "plain & simple"},
			{"id": "x_3", "body": "é"}
		]`),
		Context: batchContext,
	}
	got, err := tpl.Render(in)
	require.NoError(t, err)
	const e1, e2, e3 = "&SendMessageBatchRequestEntry.1", "&SendMessageBatchRequestEntry.2", "&SendMessageBatchRequestEntry.3"
	want := "Action=SendMessageBatch" +
		e1 + ".Id=order-1" + e1 + ".MessageBody=%7B%22total%22%3A+10%7D" +
		e1 + ".MessageAttribute.1.Name=source" + e1 + ".MessageAttribute.1.Value.DataType=String" + e1 + ".MessageAttribute.1.Value.StringValue=shop" +
		e1 + ".MessageAttribute.2.Name=kind" + e1 + ".MessageAttribute.2.Value.DataType=String" + e1 + ".MessageAttribute.2.Value.StringValue=a+b" +
		e1 + ".MessageAttribute.3.Name=sub" + e1 + ".MessageAttribute.3.Value.DataType=String" + e1 + ".MessageAttribute.3.Value.StringValue=user+7" +
		e2 + ".Id=2" + e2 + ".MessageBody=plain+%26+simple" +
		e2 + ".MessageAttribute.1.Name=sub" + e2 + ".MessageAttribute.1.Value.DataType=String" + e2 + ".MessageAttribute.1.Value.StringValue=user+7" +
		e3 + ".Id=x_3" + e3 + ".MessageBody=%C3%A9" +
		e3 + ".MessageAttribute.1.Name=sub" + e3 + ".MessageAttribute.1.Value.DataType=String" + e3 + ".MessageAttribute.1.Value.StringValue=user+7"
	assert.Equal(t, want, got)
	assert.NotContains(t, got, "\n")
	assert.NotContains(t, got, " ")

	// What SQS reads back from the form.
	q, err := url.ParseQuery(got)
	require.NoError(t, err)
	assert.Equal(t, `{"total": 10}`, q.Get("SendMessageBatchRequestEntry.1.MessageBody"))
	assert.Equal(t, "plain & simple", q.Get("SendMessageBatchRequestEntry.2.MessageBody"))
	assert.Equal(t, "user 7", q.Get("SendMessageBatchRequestEntry.3.MessageAttribute.1.Value.StringValue"))
}

func TestSendMessageBatchTemplateTen(t *testing.T) {
	tpl := readTemplate(t, "send-message-batch.vtl")
	got, err := tpl.Render(&Input{Body: tenEntries(), Context: batchContext})
	require.NoError(t, err)
	q, err := url.ParseQuery(got)
	require.NoError(t, err)
	for i := 1; i <= 10; i++ {
		n := strings.Repeat("x", i)
		assert.Equal(t, "m-"+n, q.Get("SendMessageBatchRequestEntry."+strconv.Itoa(i)+".Id"))
		assert.Equal(t, "body "+n, q.Get("SendMessageBatchRequestEntry."+strconv.Itoa(i)+".MessageBody"))
	}
	assert.Len(t, q, 1+10*(2+3*3)) // Action; per entry Id, MessageBody and 3 attributes of 3 fields
}

func TestSendMessageBatchFIFOTemplate(t *testing.T) {
	tpl := readTemplate(t, "send-message-batch-fifo.vtl")
	got, err := tpl.Render(&Input{Body: []byte(`[{"id":"a","body":"1"},{"body":"2"}]`), Context: batchContext})
	require.NoError(t, err)
	const e1, e2 = "&SendMessageBatchRequestEntry.1", "&SendMessageBatchRequestEntry.2"
	assert.Equal(t, "Action=SendMessageBatch"+
		e1+".Id=a"+e1+".MessageBody=1"+e1+".MessageGroupId=user+7"+e1+".MessageDeduplicationId=c6af9ac6-7b61-11e6-9a41-93e8deadbeef-1"+
		e2+".Id=2"+e2+".MessageBody=2"+e2+".MessageGroupId=user+7"+e2+".MessageDeduplicationId=c6af9ac6-7b61-11e6-9a41-93e8deadbeef-2", got)
}

func TestSendMessageTemplate(t *testing.T) {
	// POST /v1/messages of rest-contract.md.
	src := "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=sub&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=$util.urlEncode($context.authorizer.sub)"
	got := mustRender(t, src, &Input{Body: []byte(`{"msg": "hi & bye"}`), Context: batchContext})
	q, err := url.ParseQuery(got)
	require.NoError(t, err)
	assert.Equal(t, `{"msg": "hi & bye"}`, q.Get("MessageBody"))
	assert.Equal(t, "user 7", q.Get("MessageAttribute.1.Value.StringValue"))
	assert.Equal(t, "SendMessage", q.Get("Action"))
}

func TestContractResponseTemplates(t *testing.T) {
	// The 4xx integration response: SQS's JSON error into our error shape,
	// valid JSON whatever the message holds.
	sqsErr := `{"Error":{"Code":"InvalidParameterValue","Message":"Value \"x\" for parameter Id is invalid.\nReason: bad","Type":"Sender"},"RequestId":"r1"}`
	got := mustRender(t, `{"code":"sqs_rejected","sqs_code":$input.json('$.Error.Code'),"message":$input.json('$.Error.Message')}`, body(sqsErr))
	var v map[string]string
	require.NoError(t, json.Unmarshal([]byte(got), &v))
	assert.Equal(t, map[string]string{"code": "sqs_rejected", "sqs_code": "InvalidParameterValue", "message": "Value \"x\" for parameter Id is invalid.\nReason: bad"}, v)

	// The gateway responses: $context.error.messageString comes quoted.
	got = mustRender(t, `{"code":"invalid_body","message":$context.error.messageString}`,
		&Input{Context: map[string]any{"error": map[string]any{"messageString": `"Invalid request body"`}}})
	assert.JSONEq(t, `{"code":"invalid_body","message":"Invalid request body"}`, got)
}

func tenEntries() []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := 1; i <= 10; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		n := strings.Repeat("x", i)
		b.WriteString(`{"id":"m-` + n + `","body":"body ` + n + `","attributes":{"a":"1","b":"2"}}`)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

package restapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

// sendBatchModel is the contract's SendBatch model (JSON Schema draft 4).
const sendBatchModel = `{"$schema":"http://json-schema.org/draft-04/schema#","type":"array","minItems":1,"maxItems":10,
 "items":{"type":"object","required":["body"],"additionalProperties":false,"properties":{
  "id":{"type":"string","pattern":"^[A-Za-z0-9_-]{1,80}$"},"body":{"type":"string","minLength":1},
  "attributes":{"type":"object","additionalProperties":{"type":"string"}}}}}`

// batchTemplate is template.yaml's POST /v1/messages/batch request
// template for a standard queue (the FIFO line is empty), with ${i}. and
// ${m}. where template.yaml writes $i. and $m.: Velocity reads $i.Id as
// the property Id of the number $i, which AWS renders as the literal text
// "$i.Id" (package vtl refuses it), so the braces are needed.
const batchTemplate = `Action=SendMessageBatch##
#foreach($entry in $input.path('$'))##
#set($i = $foreach.count)##
#if($entry.id)#set($id = $entry.id)#else#set($id = "$i")#end##
&SendMessageBatchRequestEntry.${i}.Id=$util.urlEncode($id)##
&SendMessageBatchRequestEntry.${i}.MessageBody=$util.urlEncode($entry.body)##
#set($m = 0)##
#if($entry.attributes)#foreach($name in $entry.attributes.keySet())#set($m = $m + 1)##
&SendMessageBatchRequestEntry.${i}.MessageAttribute.${m}.Name=$util.urlEncode($name)##
&SendMessageBatchRequestEntry.${i}.MessageAttribute.${m}.Value.DataType=String##
&SendMessageBatchRequestEntry.${i}.MessageAttribute.${m}.Value.StringValue=$util.urlEncode($entry.attributes.get($name))##
#end#end##
#set($m = $m + 1)##
&SendMessageBatchRequestEntry.${i}.MessageAttribute.${m}.Name=sub##
&SendMessageBatchRequestEntry.${i}.MessageAttribute.${m}.Value.DataType=String##
&SendMessageBatchRequestEntry.${i}.MessageAttribute.${m}.Value.StringValue=$util.urlEncode($context.authorizer.sub)##
##
#end##
`

// validatedAPI adds the batch method (body validator, SendBatch) and makes
// MessageBody required on /v1/send (params validator), with the
// contract's gateway responses.
func validatedAPI() *template.RestAPI {
	api := testAPI()
	api.Models["SendBatch"] = []byte(sendBatchModel)
	batch := sqsMethod("POST", "/v1/messages/batch", "POST", map[string]string{
		"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'",
		"integration.request.header.Accept":       "'application/json'",
	}, nil)
	batch.Validator = "body"
	batch.RequestModels = map[string]string{"application/json": "SendBatch"}
	batch.Integration.PassthroughBehavior = "NEVER"
	batch.Integration.RequestTemplates = map[string]string{"application/json": batchTemplate}
	api.Methods = append(api.Methods, batch)
	api.Methods[0].Validator = "params"
	api.Methods[0].RequestParameters = map[string]bool{"method.request.querystring.MessageBody": true}
	api.GatewayResponses = map[string]template.GatewayResponse{
		"BAD_REQUEST_BODY": {StatusCode: 400, ResponseTemplates: map[string]string{
			"application/json": `{"code":"invalid_body","message":$context.error.messageString}`}},
		"BAD_REQUEST_PARAMETERS": {StatusCode: 400, ResponseTemplates: map[string]string{
			"application/json": `{"code":"missing_parameter","message":$context.error.messageString}`}},
		"UNSUPPORTED_MEDIA_TYPE": {StatusCode: 415, ResponseTemplates: map[string]string{
			"application/json": `{"code":"unsupported_media_type","message":$context.error.messageString}`},
			ResponseParameters: map[string]string{"gatewayresponse.header.X-Request": "context.requestId"}},
	}
	return api
}

// TestBodyValidator: a body validator checks the body against the model
// of its content type (JSON Schema draft 4) and answers BAD_REQUEST_BODY,
// 400 with "Invalid request body"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html),
// here through the contract's gateway response; nothing reaches SQS.
func TestBodyValidator(t *testing.T) {
	f := newFixture(t, validatedAPI(), policy("Allow", "*"))
	eleven := "["
	for i := range 11 {
		if i > 0 {
			eleven += ","
		}
		eleven += `{"body":"b"}`
	}
	eleven += "]"
	bad := []struct{ name, body string }{
		{"empty array", `[]`},
		{"eleven entries", eleven},
		{"not JSON", `[{"body":`},
		{"object, not array", `{"body":"x"}`},
		{"missing body", `[{"id":"a"}]`},
		{"empty body", `[{"body":""}]`},
		{"bad id", `[{"id":"a b","body":"x"}]`},
		{"extra field", `[{"body":"x","delay":5}]`},
		{"attribute not a string", `[{"body":"x","attributes":{"n":1}}]`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			w := do(f.srv, "POST", "/v1/messages/batch", tt.body, "Authorization", bearer, "Content-Type", "application/json")
			assert.Equal(t, 400, w.Code)
			assert.JSONEq(t, `{"code":"invalid_body","message":"Invalid request body"}`, w.Body.String())
		})
	}
	msgs, _ := f.sqs.Peek(testQueue, 10)
	assert.Empty(t, msgs)
	w := do(f.srv, "POST", "/v1/messages/batch", `[{"id":"a-1","body":"x","attributes":{"k":"v"}}]`, "Authorization", bearer, "Content-Type", "application/json")
	assert.Equal(t, 200, w.Code, w.Body.String())
}

// TestParameterValidator: a params validator answers a missing required
// parameter with BAD_REQUEST_PARAMETERS, 400 "Missing required request
// parameters: [MessageBody]".
func TestParameterValidator(t *testing.T) {
	f := newFixture(t, validatedAPI(), policy("Allow", "*"))
	for _, target := range []string{"/v1/send", "/v1/send?MessageBody=", "/v1/send?messagebody=x"} {
		w := do(f.srv, "GET", target, "", "Authorization", bearer)
		assert.Equal(t, 400, w.Code, target)
		assert.JSONEq(t, `{"code":"missing_parameter","message":"Missing required request parameters: [MessageBody]"}`, w.Body.String())
	}
	w := do(f.srv, "GET", "/v1/send?MessageBody=x", "", "Authorization", bearer)
	assert.Equal(t, 200, w.Code)
}

// TestGatewayResponses: overrides render with $context.error.* and
// $context.*; headers map from context; other types keep AWS's defaults;
// DEFAULT_4XX covers 4xx types without their own entry.
func TestGatewayResponses(t *testing.T) {
	f := newFixture(t, validatedAPI(), policy("Allow", "*"))
	w := do(f.srv, "POST", "/v1/messages", `x`, "Authorization", bearer, "Content-Type", "text/csv")
	assert.Equal(t, 415, w.Code)
	assert.JSONEq(t, `{"code":"unsupported_media_type","message":"Unsupported Media Type"}`, w.Body.String())
	assert.Equal(t, "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", w.Header().Get("X-Request"))

	w = do(f.srv, "GET", "/nope", "")
	assert.JSONEq(t, `{"message":"Missing Authentication Token"}`, w.Body.String(), "no override: AWS's default")

	api := validatedAPI()
	api.GatewayResponses["DEFAULT_4XX"] = template.GatewayResponse{ResponseTemplates: map[string]string{
		"application/json": `{"code":"$context.error.responseType","message":$context.error.messageString}`}}
	api.GatewayResponses["DEFAULT_5XX"] = template.GatewayResponse{StatusCode: 503}
	g := newFixture(t, api, `not a policy`)
	w = do(g.srv, "GET", "/nope", "")
	assert.Equal(t, 403, w.Code)
	assert.JSONEq(t, `{"code":"MISSING_AUTHENTICATION_TOKEN","message":"Missing Authentication Token"}`, w.Body.String())
	w = do(g.srv, "POST", "/v1/events", `{}`, "Authorization", bearer)
	assert.Equal(t, 503, w.Code, "DEFAULT_5XX's status applies to the authorizer's 500")
	assert.JSONEq(t, `{"message":null}`, w.Body.String())
}

func TestMediaType(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "application/json",
		"  ":                              "application/json",
		"Application/JSON; charset=utf-8": "application/json",
		"text/plain;;":                    "text/plain",
	} {
		require.Equal(t, want, mediaType(in), in)
	}
}

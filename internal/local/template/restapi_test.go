package template

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// restBase is a small REST form of the contract (rest-contract.md): a
// webhook proxy, two SQS methods, a REQUEST authorizer, the API key, a
// validator, models, gateway responses, a usage plan and its key.
const restBase = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  RequireApiKey: {Type: String, Default: "true", AllowedValues: ["true", "false"]}
  Cidrs: {Type: CommaDelimitedList, Default: ""}
Conditions:
  ApiKeyRequired: !Equals [!Ref RequireApiKey, "true"]
  HasCidrs: !Not [!Equals [!Join [",", !Ref Cidrs], ""]]
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
Resources:
  IngestQueue:
    Type: AWS::SQS::Queue
  Authz:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ./}
  Webhook:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ./}
  Role:
    Type: AWS::IAM::Role
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      TracingEnabled: true
      MethodSettings: [{ResourcePath: "/*", HttpMethod: "*", ThrottlingRateLimit: 10}]
      EndpointConfiguration: {Type: REGIONAL}
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: t, version: "1"}
        x-amazon-apigateway-api-key-source: HEADER
        x-amazon-apigateway-request-validators:
          body: {validateRequestBody: true, validateRequestParameters: false}
          params: {validateRequestBody: false, validateRequestParameters: true}
        x-amazon-apigateway-gateway-responses:
          BAD_REQUEST_BODY:
            statusCode: 400
            responseTemplates:
              application/json: '{"code":"invalid_body","message":$context.error.messageString}'
        x-amazon-apigateway-policy: !If
          - HasCidrs
          - Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: execute-api:/*}
              - Effect: Deny
                Principal: "*"
                Action: execute-api:Invoke
                Resource: execute-api:/*/POST/webhooks/*
                Condition: {NotIpAddress: {aws:SourceIp: !Ref Cidrs}}
          - !Ref AWS::NoValue
        components:
          securitySchemes:
            CognitoRequestAuthorizer:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: custom
              x-amazon-apigateway-authorizer:
                type: request
                identitySource: method.request.header.Authorization
                authorizerUri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Authz.Arn}/invocations
                authorizerResultTtlInSeconds: 60
            ApiKey: {type: apiKey, name: x-api-key, in: header}
          schemas:
            SendBatch:
              type: array
              minItems: 1
              maxItems: 10
              items: {type: object, required: [body]}
        paths:
          /webhooks/github:
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Webhook.Arn}/invocations
          /v1/send:
            get:
              security:
                - !If [ApiKeyRequired, {CognitoRequestAuthorizer: [], ApiKey: []}, {CognitoRequestAuthorizer: []}]
              parameters:
                - {name: MessageBody, in: query, required: true}
              x-amazon-apigateway-request-validator: params
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: GET
                passthroughBehavior: when_no_match
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${IngestQueue.QueueName}
                credentials: !GetAtt Role.Arn
                requestParameters:
                  integration.request.header.Accept: "'application/json'"
                  integration.request.querystring.Action: "'SendMessage'"
                  integration.request.querystring.MessageBody: method.request.querystring.MessageBody
                  integration.request.querystring.MessageGroupId: context.authorizer.sub
                responses:
                  default: {statusCode: "200"}
                  5\d{2}:
                    statusCode: "502"
                    responseTemplates: {application/json: '{"code":"queue_unavailable"}'}
                  4\d{2}:
                    statusCode: "400"
                    responseTemplates: {application/json: '{"code":"sqs_rejected"}'}
          /v1/messages/batch:
            post:
              security: [{CognitoRequestAuthorizer: []}]
              x-amazon-apigateway-request-validator: body
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/SendBatch"}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                passthroughBehavior: never
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${IngestQueue.QueueName}
                credentials: !GetAtt Role.Arn
                requestParameters:
                  integration.request.header.Content-Type: "'application/x-www-form-urlencoded'"
                requestTemplates:
                  application/json: "Action=SendMessageBatch##\n#foreach($e in $input.path('$'))&SendMessageBatchRequestEntry.$foreach.count.Id=$foreach.count#end"
                responses:
                  default: {statusCode: "200"}
  Key:
    Type: AWS::ApiGateway::ApiKey
    Condition: ApiKeyRequired
    Properties: {Enabled: true}
  GivenKey:
    Type: AWS::ApiGateway::ApiKey
    Condition: ApiKeyRequired
    Properties: {Enabled: false, Value: abcdefghijklmnopqrstuvwxyz}
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Condition: ApiKeyRequired
    Properties:
      ApiStages: [{ApiId: !Ref Api, Stage: !Ref Api.Stage}]
      Quota: {Limit: 1000, Period: MONTH}
      Throttle: {RateLimit: 10, BurstLimit: 20}
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Condition: ApiKeyRequired
    Properties: {KeyId: !Ref Key, KeyType: API_KEY, UsagePlanId: !Ref Plan}
  GivenPlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Condition: ApiKeyRequired
    Properties: {KeyId: !Ref GivenKey, KeyType: API_KEY, UsagePlanId: !Ref Plan}
  Waf:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/live
      WebACLArn: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/y
`

func restMethod(t *testing.T, api *RestAPI, method, path string) RestMethod {
	t.Helper()
	for _, m := range api.Methods {
		if m.Method == method && m.Path == path {
			return m
		}
	}
	t.Fatalf("method %s %s not loaded; have %+v", method, path, api.Methods)
	return RestMethod{}
}

func TestRestAPI(t *testing.T) {
	app, err := loadFixture(t, restBase, nil)
	if err != nil {
		t.Fatal(err)
	}
	api := app.RestAPI
	if api == nil || app.API != nil {
		t.Fatalf("RestAPI %v, HTTP API %v: want the REST API only", api, app.API)
	}
	t.Run("API", func(t *testing.T) {
		if api.LogicalID != "Api" || api.ID != "local" || api.StageName != "live" || api.APIKeySource != "HEADER" || api.Policy != nil {
			t.Errorf("api %+v", api)
		}
		var keys []string
		for _, m := range api.Methods {
			keys = append(keys, m.Method+" "+m.Path)
		}
		want := []string{"POST /v1/messages/batch", "GET /v1/send", "POST /webhooks/github"}
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("methods %v, want %v (sorted by path, then method)", keys, want)
		}
	})
	t.Run("authorizer", func(t *testing.T) {
		want := map[string]RestAuthorizer{"CognitoRequestAuthorizer": {
			Name: "CognitoRequestAuthorizer", Type: "request", Function: "Authz",
			IdentitySource: []string{"method.request.header.Authorization"}, ResultTTL: time.Minute,
		}}
		if !reflect.DeepEqual(api.Authorizers, want) {
			t.Errorf("authorizers %+v, want %+v", api.Authorizers, want)
		}
	})
	t.Run("validators, models, gateway responses", func(t *testing.T) {
		wantV := map[string]RequestValidator{"body": {Body: true}, "params": {Parameters: true}}
		if !reflect.DeepEqual(api.Validators, wantV) {
			t.Errorf("validators %+v", api.Validators)
		}
		var schema map[string]any
		if err := json.Unmarshal(api.Models["SendBatch"], &schema); err != nil || schema["maxItems"] != float64(10) || schema["minItems"] != float64(1) {
			t.Errorf("SendBatch model %s (%v)", api.Models["SendBatch"], err)
		}
		g := api.GatewayResponses["BAD_REQUEST_BODY"]
		if g.StatusCode != 400 || !strings.Contains(g.ResponseTemplates["application/json"], "$context.error.messageString") {
			t.Errorf("BAD_REQUEST_BODY %+v", g)
		}
	})
	t.Run("webhook: Lambda proxy, no authorization", func(t *testing.T) {
		m := restMethod(t, api, "POST", "/webhooks/github")
		in := m.Integration
		if m.Authorizer != "" || m.APIKeyRequired || in.Type != "aws_proxy" || in.Function != "Webhook" || in.HTTPMethod != "POST" {
			t.Errorf("webhook method %+v", m)
		}
	})
	t.Run("send: SQS path, parameters, responses with default last", func(t *testing.T) {
		m := restMethod(t, api, "GET", "/v1/send")
		if m.Authorizer != "CognitoRequestAuthorizer" || !m.APIKeyRequired || m.Validator != "params" {
			t.Errorf("security/validator %+v", m)
		}
		if !reflect.DeepEqual(m.RequestParameters, map[string]bool{"method.request.querystring.MessageBody": true}) {
			t.Errorf("request parameters %v", m.RequestParameters)
		}
		in := m.Integration
		if in.Type != "aws" || in.Service != "sqs" || in.Path != "000000000000/IngestQueue" || in.Action != "" || in.HTTPMethod != "GET" ||
			in.CredentialsARN != "arn:aws:iam::000000000000:role/Role" || in.PassthroughBehavior != "WHEN_NO_MATCH" {
			t.Errorf("integration %+v", in)
		}
		if in.RequestParameters["integration.request.querystring.Action"] != "'SendMessage'" ||
			in.RequestParameters["integration.request.querystring.MessageBody"] != "method.request.querystring.MessageBody" {
			t.Errorf("integration parameters %v", in.RequestParameters)
		}
		var got []string
		for _, r := range in.Responses {
			got = append(got, r.SelectionPattern+"="+itoa(r.StatusCode))
		}
		if want := []string{`4\d{2}=400`, `5\d{2}=502`, "=200"}; !reflect.DeepEqual(got, want) {
			t.Errorf("responses %v, want %v", got, want)
		}
	})
	t.Run("batch: model and template, NEVER passthrough", func(t *testing.T) {
		m := restMethod(t, api, "POST", "/v1/messages/batch")
		if m.APIKeyRequired || m.Validator != "body" || !reflect.DeepEqual(m.RequestModels, map[string]string{"application/json": "SendBatch"}) {
			t.Errorf("method %+v", m)
		}
		in := m.Integration
		if in.PassthroughBehavior != "NEVER" || !strings.HasPrefix(in.RequestTemplates["application/json"], "Action=SendMessageBatch##\n#foreach") {
			t.Errorf("integration %+v", in)
		}
	})
	t.Run("usage plan and keys", func(t *testing.T) {
		want := []UsagePlan{{
			LogicalID: "Plan", QuotaLimit: 1000, QuotaPeriod: "MONTH", RateLimit: 10, BurstLimit: 20,
			Keys: []APIKey{
				{LogicalID: "GivenKey", Value: "abcdefghijklmnopqrstuvwxyz", Enabled: false},
				{LogicalID: "Key", Value: "sqsgate-local-Key000", Enabled: true},
			},
		}}
		if !reflect.DeepEqual(api.UsagePlans, want) {
			t.Errorf("usage plans %+v\nwant %+v", api.UsagePlans, want)
		}
	})
	t.Run("notes and not emulated", func(t *testing.T) {
		var notes []string
		for _, n := range app.Notes {
			notes = append(notes, n.Resource+": "+n.Message)
		}
		all := strings.Join(notes, "\n")
		for _, want := range []string{"TracingEnabled", "MethodSettings", "EndpointConfiguration"} {
			if !strings.Contains(all, want) {
				t.Errorf("notes %q do not mention %s", all, want)
			}
		}
		found := false
		for _, r := range app.NotEmulated {
			found = found || (r.LogicalID == "Waf" && strings.Contains(r.Reason, "WAF"))
		}
		if !found || !strings.Contains(all, "Waf: no local effect: the WAF web ACL is not applied") {
			t.Errorf("the WAF association is not listed as not emulated (%+v) and in the notes (%q)", app.NotEmulated, all)
		}
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestRestAPIConditions(t *testing.T) {
	app, err := loadFixture(t, restBase, map[string]string{"RequireApiKey": "false", "Cidrs": "192.0.2.0/24,198.51.100.0/24"})
	if err != nil {
		t.Fatal(err)
	}
	api := app.RestAPI
	if m := restMethod(t, api, "GET", "/v1/send"); m.APIKeyRequired || m.Authorizer != "CognitoRequestAuthorizer" {
		t.Errorf("without RequireApiKey: %+v", m)
	}
	if len(api.UsagePlans) != 0 {
		t.Errorf("usage plans %+v, want none when their Condition is false", api.UsagePlans)
	}
	var policy struct {
		Statement []struct {
			Effect    string
			Resource  string
			Condition map[string]map[string][]string
		}
	}
	if err := json.Unmarshal(api.Policy, &policy); err != nil {
		t.Fatalf("policy %s: %v", api.Policy, err)
	}
	if len(policy.Statement) != 2 || policy.Statement[1].Effect != "Deny" ||
		!reflect.DeepEqual(policy.Statement[1].Condition["NotIpAddress"]["aws:SourceIp"], []string{"192.0.2.0/24", "198.51.100.0/24"}) {
		t.Errorf("policy %s", api.Policy)
	}
}

func TestRestAPIRefusals(t *testing.T) {
	tests := []struct {
		name       string
		old, new   string
		is         error
		wantInText string
	}{
		{"unknown API Gateway extension on the API", "        x-amazon-apigateway-api-key-source: HEADER\n", "        x-amazon-apigateway-api-key-source: HEADER\n        x-amazon-apigateway-cors: {}\n", ErrUnsupported, "DefinitionBody.x-amazon-apigateway-cors"},
		{"unknown API Gateway extension on a method", "              x-amazon-apigateway-request-validator: body\n", "              x-amazon-apigateway-request-validator: body\n              x-amazon-apigateway-colour: red\n", ErrUnsupported, "paths./v1/messages/batch.post.x-amazon-apigateway-colour"},
		{"http integration", "                type: aws_proxy\n", "                type: http_proxy\n", ErrUnsupported, "http_proxy"},
		{"AWS service other than SQS", ":sqs:path/${AWS::AccountId}/${IngestQueue.QueueName}\n                credentials: !GetAtt Role.Arn\n                requestParameters:\n                  integration.request.header.Accept", ":sns:path/${AWS::AccountId}/${IngestQueue.QueueName}\n                credentials: !GetAtt Role.Arn\n                requestParameters:\n                  integration.request.header.Accept", ErrUnsupported, "sns"},
		{"SQS path names no queue of the template", "sqs:path/${AWS::AccountId}/${IngestQueue.QueueName}\n                credentials: !GetAtt Role.Arn\n                requestParameters:\n                  integration.request.header.Content-Type", "sqs:path/${AWS::AccountId}/Other\n                credentials: !GetAtt Role.Arn\n                requestParameters:\n                  integration.request.header.Content-Type", ErrUnsupported, "000000000000/Other"},
		{"integration property not emulated", "                passthroughBehavior: never\n", "                passthroughBehavior: never\n                connectionId: abc\n", ErrUnsupported, "connectionId"},
		{"VPC link", "                passthroughBehavior: never\n", "                passthroughBehavior: never\n                connectionType: VPC_LINK\n", ErrUnsupported, "VPC"},
		{"bad passthrough", "passthroughBehavior: never", "passthroughBehavior: sometimes", ErrInvalid, "sometimes"},
		{"mapped method parameter not declared", "                - {name: MessageBody, in: query, required: true}\n", "                - {name: Other, in: query}\n", ErrInvalid, "method.request.querystring.MessageBody"},
		{"mapping source not valid", "method.request.querystring.MessageBody\n", "request.querystring.MessageBody\n", ErrInvalid, "not a mapping source"},
		{"security names an unknown scheme", "security: [{CognitoRequestAuthorizer: []}]", "security: [{Nope: []}]", ErrInvalid, "Nope"},
		{"validator not declared", "x-amazon-apigateway-request-validator: body\n", "x-amazon-apigateway-request-validator: nope\n", ErrInvalid, "nope"},
		{"model not declared", "#/components/schemas/SendBatch", "#/components/schemas/Nope", ErrInvalid, "Nope"},
		{"Cognito user pool authorizer", "                type: request\n", "                type: cognito_user_pools\n", ErrUnsupported, "Cognito user pool"},
		{"authorizer TTL over an hour", "authorizerResultTtlInSeconds: 60", "authorizerResultTtlInSeconds: 3601", ErrInvalid, "0..3600"},
		{"authorizer uri of no function", "${Authz.Arn}/invocations", "arn:aws:lambda:us-east-1:1:function:Elsewhere/invocations", ErrInvalid, "authorizerUri"},
		{"token validation expression", "                authorizerResultTtlInSeconds: 60\n", "                authorizerResultTtlInSeconds: 60\n                identityValidationExpression: ^Bearer\n", ErrUnsupported, "identityValidationExpression"},
		{"IAM authorization", "            ApiKey: {type: apiKey, name: x-api-key, in: header}\n", "            ApiKey: {type: apiKey, name: x-api-key, in: header}\n            Sig: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}\n", ErrUnsupported, "SigV4"},
		{"gateway response type unknown", "          BAD_REQUEST_BODY:\n", "          BAD_BODY:\n", ErrInvalid, "BAD_BODY"},
		{"Lambda proxy not POST", "                type: aws_proxy\n                httpMethod: POST\n", "                type: aws_proxy\n                httpMethod: GET\n", ErrInvalid, "POST"},
		{"method without integration", "          /webhooks/github:\n            post:\n", "          /webhooks/gitlab:\n            post: {}\n          /webhooks/github:\n            post:\n", ErrUnsupported, "x-amazon-apigateway-integration"},
		{"SAM Auth block", "      TracingEnabled: true\n", "      TracingEnabled: true\n      Auth: {ApiKeyRequired: true}\n", ErrUnsupported, "Auth"},
		{"stage variables", "      TracingEnabled: true\n", "      TracingEnabled: true\n      Variables: {a: b}\n", ErrUnsupported, "stage variables"},
		{"custom domain", "      TracingEnabled: true\n", "      TracingEnabled: true\n      Domain: {DomainName: api.example.com}\n", ErrUnsupported, `custom domain "api.example.com"`},
		{"unknown API property", "      TracingEnabled: true\n", "      TracingEnabled: true\n      Colour: red\n", ErrUnsupported, "Properties.Colour"},
		{"usage plan on another stage", "Stage: !Ref Api.Stage", "Stage: prod", ErrInvalid, `stage "prod"`},
		{"per-method throttle in a usage plan", "Stage: !Ref Api.Stage}", "Stage: !Ref Api.Stage, Throttle: {/v1/send/GET: {RateLimit: 1}}}", ErrUnsupported, "per-method"},
		{"quota period", "Period: MONTH", "Period: YEAR", ErrInvalid, "YEAR"},
		{"short API key value", "Value: abcdefghijklmnopqrstuvwxyz", "Value: short", ErrInvalid, "20 characters"},
		{"key in two plans of one stage", "    Properties: {KeyId: !Ref GivenKey,", "    Properties: {KeyId: !Ref Key,", ErrInvalid, "already in usage plan"},
		{"function Api event", "  Webhook:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ./}\n", "  Webhook:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ./\n      Events: {Rest: {Type: Api, Properties: {Path: /x, Method: get, RestApiId: !Ref Api}}}\n", ErrUnsupported, "DefinitionBody"},
		{"bare RestApi", "  Waf:\n", "  Bare:\n    Type: AWS::ApiGateway::RestApi\n  Waf:\n", ErrUnsupported, "only AWS::Serverless::Api"},
		{"swagger 1", `openapi: "3.0.1"`, `swagger: "1.2"`, ErrUnsupported, "OpenAPI 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(restBase, tc.old) {
				t.Fatalf("fixture does not contain %q", tc.old)
			}
			_, err := loadFixture(t, strings.Replace(restBase, tc.old, tc.new, 1), nil)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.wantInText) {
				t.Errorf("error %v, want %v mentioning %q", err, tc.is, tc.wantInText)
			}
		})
	}
}

// TestRestAPIAndHTTPAPI: the platform serves one API; a template with both
// on is refused, and with each conditional on a parameter either loads.
func TestRestAPIAndHTTPAPI(t *testing.T) {
	both := restBase + `
  Http:
    Type: AWS::Serverless::HttpApi
`
	if _, err := loadFixture(t, both, nil); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "one API per template") {
		t.Errorf("error %v, want ErrUnsupported: one API per template", err)
	}
	conditional := strings.Replace(restBase, "  Api:\n    Type: AWS::Serverless::Api\n", "  Api:\n    Type: AWS::Serverless::Api\n    Condition: Rest\n", 1) + `
  Http:
    Type: AWS::Serverless::HttpApi
    Condition: Http
`
	conditional = strings.Replace(conditional, "Conditions:\n", "Conditions:\n  Rest: !Equals [!Ref ApiType, rest]\n  Http: !Equals [!Ref ApiType, http]\n", 1)
	conditional = strings.Replace(conditional, "Parameters:\n", "Parameters:\n  ApiType: {Type: String, Default: http}\n", 1)
	conditional = strings.ReplaceAll(conditional, "    Condition: ApiKeyRequired\n", "    Condition: Rest\n")
	conditional = strings.Replace(conditional, "ResourceArn: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/live", "ResourceArn: x", 1)
	for _, tc := range []struct{ apiType, want string }{{"http", "Http"}, {"rest", "Api"}} {
		app, err := loadFixture(t, conditional, map[string]string{"ApiType": tc.apiType})
		if err != nil {
			t.Fatalf("ApiType=%s: %v", tc.apiType, err)
		}
		got := ""
		if app.API != nil {
			got += app.API.LogicalID
		}
		if app.RestAPI != nil {
			got += app.RestAPI.LogicalID
		}
		if got != tc.want {
			t.Errorf("ApiType=%s: served %q, want %q", tc.apiType, got, tc.want)
		}
	}
}

func TestRestAPISwagger2(t *testing.T) {
	src := `
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {QueueName: q}
  Authz:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ./, Runtime: provided.al2023, Handler: bootstrap}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      BinaryMediaTypes: [image~1png]
      DefinitionBody:
        swagger: "2.0"
        basePath: /v1
        consumes: [application/json]
        x-amazon-apigateway-request-validator: all
        x-amazon-apigateway-request-validators:
          all: {validateRequestBody: true, validateRequestParameters: true}
        securityDefinitions:
          Tok:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: custom
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Authz.Arn}/invocations
        definitions:
          Item: {type: object}
        security: [{Tok: []}]
        paths:
          /items/{id}:
            parameters:
              - {name: X-Trace, in: header}
            put:
              parameters:
                - {name: body, in: body, schema: {$ref: "#/definitions/Item"}}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:sqs:action/SendMessage
                requestParameters:
                  integration.request.querystring.Id: method.request.path.id
                  integration.request.header.X-Trace: method.request.header.X-Trace
            delete:
              security: []
              x-amazon-apigateway-integration: {type: mock}
            post:
              consumes: [text/plain]
              parameters:
                - {name: id, in: path, required: true}
                - {name: body, in: body, schema: {$ref: "#/definitions/Item"}}
              x-amazon-apigateway-integration: {type: mock}
`
	app, err := loadFixture(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	api := app.RestAPI
	if !reflect.DeepEqual(api.BinaryMediaTypes, []string{"image/png"}) {
		t.Errorf("binary media types %v (SAM's ~1 is /)", api.BinaryMediaTypes)
	}
	if a := api.Authorizers["Tok"]; a.Type != "token" || a.ResultTTL != 300*time.Second || !reflect.DeepEqual(a.IdentitySource, []string{"method.request.header.Authorization"}) {
		t.Errorf("token authorizer %+v: want the scheme's header and API Gateway's default TTL of 300 s", a)
	}
	put := restMethod(t, api, "PUT", "/items/{id}")
	wantParams := map[string]bool{"method.request.path.id": true, "method.request.header.X-Trace": false}
	if put.Authorizer != "Tok" || put.Validator != "all" || !reflect.DeepEqual(put.RequestParameters, wantParams) ||
		!reflect.DeepEqual(put.RequestModels, map[string]string{"application/json": "Item"}) || put.Integration.Action != "SendMessage" {
		t.Errorf("PUT %+v", put)
	}
	del := restMethod(t, api, "DELETE", "/items/{id}")
	if del.Authorizer != "" || del.Integration.Type != "mock" {
		t.Errorf("DELETE %+v: security [] turns the API default off", del)
	}
	post := restMethod(t, api, "POST", "/items/{id}")
	if !reflect.DeepEqual(post.RequestModels, map[string]string{"text/plain": "Item"}) || !post.RequestParameters["method.request.path.id"] {
		t.Errorf("POST models %v parameters %v: the operation's consumes wins over the API's", post.RequestModels, post.RequestParameters)
	}
	var order []string
	for _, m := range api.Methods {
		order = append(order, m.Method)
	}
	if want := []string{"DELETE", "POST", "PUT"}; !reflect.DeepEqual(order, want) {
		t.Errorf("methods of one path in order %v, want %v", order, want)
	}
	noted := false
	for _, n := range app.Notes {
		noted = noted || strings.Contains(n.Message, "basePath /v1")
	}
	if !noted {
		t.Errorf("notes %+v do not say that basePath /v1 is ignored", app.Notes)
	}
	app, err = loadFixture(t, strings.Replace(src, "basePath: /v1", "basePath: /", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range app.Notes {
		if strings.Contains(n.Message, "basePath") {
			t.Errorf("basePath / noted: %s", n.Message)
		}
	}
}

// restMore exercises what restBase does not: SAM's own Api properties
// (Globals.Api, Models, GatewayResponses, ApiKeySourceType), $ref'd
// parameters and request bodies, an inline body schema, ANY, the action
// form of an SQS URI, integration options and a usage plan on no stage.
const restMore = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    StageName: dev
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties: {QueueName: q}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: ./, Runtime: provided.al2023, Handler: bootstrap}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      BinaryMediaTypes: [application~1octet-stream]
      ApiKeySourceType: AUTHORIZER
      Models:
        Extra: {type: object}
      GatewayResponses:
        DEFAULT_4XX:
          StatusCode: 418
          ResponseParameters:
            Headers: {Access-Control-Allow-Origin: "'*'"}
          ResponseTemplates: {application/json: '{"code":"client"}'}
      DefinitionBody:
        openapi: "3.0.1"
        x-amazon-apigateway-binary-media-types: [image/png]
        x-amazon-apigateway-minimum-compression-size: 1024
        components:
          parameters:
            Id: {name: id, in: header, required: true}
          requestBodies:
            Thing:
              content:
                application/json: {schema: {$ref: "#/components/schemas/Thing"}}
          schemas:
            Thing: {type: object}
        paths:
          /things:
            parameters:
              - $ref: "#/components/parameters/Id"
            post:
              requestBody: {$ref: "#/components/requestBodies/Thing"}
              x-amazon-apigateway-integration:
                type: AWS
                httpMethod: post
                uri: arn:aws:apigateway:us-east-1:sqs:action/SendMessage
                timeoutInMillis: 2500
                contentHandling: convert_to_text
                passthroughBehavior: when_no_templates
                cacheKeyParameters: [method.request.header.id]
                requestParameters:
                  integration.request.header.X-Id: method.request.header.id
                  integration.request.querystring.Body: method.request.body.name
                responses:
                  default:
                    statusCode: 201
                    responseParameters: {method.response.header.X-Id: integration.response.header.X-Id}
            put:
              requestBody:
                content:
                  text/plain: {schema: {type: string, maxLength: 5}}
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {text/plain: '{"statusCode": 200}'}}
          /{proxy+}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Loose:
    Type: AWS::ApiGateway::UsagePlan
    Properties: {UsagePlanName: nothing}
  K:
    Type: AWS::ApiGateway::ApiKey
    Properties: {Enabled: true}
  LooseKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties: {KeyId: !Ref K, KeyType: API_KEY, UsagePlanId: !Ref Loose}
`

func TestRestAPIMore(t *testing.T) {
	app, err := loadFixture(t, restMore, nil)
	if err != nil {
		t.Fatal(err)
	}
	api := app.RestAPI
	if api.StageName != "dev" || api.APIKeySource != "AUTHORIZER" || !reflect.DeepEqual(api.BinaryMediaTypes, []string{"application/octet-stream", "image/png"}) {
		t.Errorf("stage %q (from Globals.Api), key source %q, binary media types %v", api.StageName, api.APIKeySource, api.BinaryMediaTypes)
	}
	if string(api.Models["Extra"]) != `{"type":"object"}` || string(api.Models["PutThingsBody"]) != `{"maxLength":5,"type":"string"}` {
		t.Errorf("models %v: want SAM's Extra and the inline PUT schema as PutThingsBody", api.Models)
	}
	g := api.GatewayResponses["DEFAULT_4XX"]
	if g.StatusCode != 418 || g.ResponseParameters["gatewayresponse.header.Access-Control-Allow-Origin"] != "'*'" || g.ResponseTemplates["application/json"] != `{"code":"client"}` {
		t.Errorf("SAM GatewayResponses read as %+v", g)
	}
	post := restMethod(t, api, "POST", "/things")
	in := post.Integration
	if !reflect.DeepEqual(post.RequestParameters, map[string]bool{"method.request.header.id": true}) || post.RequestModels["application/json"] != "Thing" {
		t.Errorf("POST parameters %v models %v: want the $ref'd header parameter and request body", post.RequestParameters, post.RequestModels)
	}
	if in.Type != "aws" || in.HTTPMethod != "POST" || in.Action != "SendMessage" || in.Path != "" || in.Timeout != 2500*time.Millisecond ||
		in.ContentHandling != "CONVERT_TO_TEXT" || in.PassthroughBehavior != "WHEN_NO_TEMPLATES" {
		t.Errorf("POST integration %+v", in)
	}
	if len(in.Responses) != 1 || in.Responses[0].StatusCode != 201 || in.Responses[0].ResponseParameters["method.response.header.X-Id"] != "integration.response.header.X-Id" {
		t.Errorf("POST responses %+v", in.Responses)
	}
	if put := restMethod(t, api, "PUT", "/things"); put.Integration.Type != "mock" || put.RequestModels["text/plain"] != "PutThingsBody" {
		t.Errorf("PUT %+v", put)
	}
	if anyM := restMethod(t, api, "ANY", "/{proxy+}"); anyM.Integration.Function != "Fn" || !anyM.RequestParameters["method.request.path.proxy"] {
		t.Errorf("ANY /{proxy+} %+v: want the function and the greedy path parameter", anyM)
	}
	if len(api.UsagePlans) != 0 {
		t.Errorf("usage plans %+v: a plan on no stage has no local effect", api.UsagePlans)
	}
	var notes []string
	for _, n := range app.Notes {
		notes = append(notes, n.Message)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"minimum-compression-size", "cacheKeyParameters", "usage plan on no API stage"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes %q do not mention %s", all, want)
		}
	}
}

// Empty Variables and Auth blocks, DisableExecuteApiEndpoint false and a
// null Cors are what SAM templates write when a feature is off: accepted.
func TestRestAPIEmptyBlocks(t *testing.T) {
	src := strings.Replace(restMore, "      ApiKeySourceType: AUTHORIZER\n", "      ApiKeySourceType: AUTHORIZER\n      Variables: {}\n      Auth: {}\n      DisableExecuteApiEndpoint: false\n      Cors: null\n      Domain: null\n", 1)
	if _, err := loadFixture(t, src, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRestAPIMoreRefusals(t *testing.T) {
	tests := []struct {
		name, old, new string
		is             error
		wantInText     string
	}{
		{"API key source", "ApiKeySourceType: AUTHORIZER", "ApiKeySourceType: COOKIE", ErrInvalid, "COOKIE"},
		{"API key source extension", "        x-amazon-apigateway-minimum-compression-size: 1024\n", "        x-amazon-apigateway-api-key-source: QUERY\n", ErrInvalid, "QUERY"},
		{"no stage name", "    StageName: dev\n", "    Description: x\n", ErrInvalid, "StageName"},
		{"no DefinitionBody", "      DefinitionBody:\n        openapi", "      Unused:\n        openapi", ErrUnsupported, "Unused"},
		{"DefinitionBody not a mapping", "      DefinitionBody:\n        openapi: \"3.0.1\"\n", "      DefinitionBody: openapi.yaml\n      Description:\n        openapi: \"3.0.1\"\n", ErrUnsupported, "inline OpenAPI DefinitionBody"},
		{"DefinitionUri", "      ApiKeySourceType: AUTHORIZER\n", "      ApiKeySourceType: AUTHORIZER\n      DefinitionUri: ./api.yaml\n", ErrUnsupported, "DefinitionUri"},
		{"SAM Cors", "      ApiKeySourceType: AUTHORIZER\n", "      ApiKeySourceType: AUTHORIZER\n      Cors: \"'*'\"\n", ErrUnsupported, "OPTIONS"},
		{"execute-api endpoint disabled", "      ApiKeySourceType: AUTHORIZER\n", "      ApiKeySourceType: AUTHORIZER\n      DisableExecuteApiEndpoint: true\n", ErrUnsupported, "DisableExecuteApiEndpoint"},
		{"SAM model also in the body", "        Extra: {type: object}", "        Thing: {type: object}", ErrInvalid, "also in the DefinitionBody"},
		{"SAM gateway response type", "        DEFAULT_4XX:\n          StatusCode: 418", "        DEFAULT_4:\n          StatusCode: 418", ErrInvalid, "DEFAULT_4"},
		{"SAM gateway response status", "StatusCode: 418", "StatusCode: 99", ErrInvalid, "100..599"},
		{"SAM gateway response parameters", "            Headers: {Access", "            Cookies: {Access", ErrInvalid, "Headers, Paths and QueryStrings"},
		{"dangling parameter $ref", "$ref: \"#/components/parameters/Id\"", "$ref: \"#/components/parameters/Nope\"", ErrInvalid, "paths./things.parameters[0]: $ref \"#/components/parameters/Nope\" names nothing"},
		{"external $ref", "$ref: \"#/components/parameters/Id\"", "$ref: \"other.yaml#/Id\"", ErrUnsupported, "only references inside"},
		{"cookie parameter", "Id: {name: id, in: header, required: true}", "Id: {name: id, in: cookie, required: true}", ErrUnsupported, "cookie"},
		{"parameter without a name", "Id: {name: id, in: header, required: true}", "Id: {in: header, required: true}", ErrInvalid, "needs a name"},
		{"body parameter in OpenAPI 3", "Id: {name: id, in: header, required: true}", "Id: {name: id, in: body}", ErrInvalid, "Swagger 2 only"},
		{"path item $ref", "          /things:\n            parameters:", "          /other: {$ref: x}\n          /things:\n            parameters:", ErrUnsupported, "path item $ref"},
		{"path without /", "          /things:\n", "          things:\n", ErrInvalid, "starts with /"},
		{"integration type", "                type: AWS\n", "                type: lambda\n", ErrInvalid, `"lambda"`},
		{"AWS service URI", "uri: arn:aws:apigateway:us-east-1:sqs:action/SendMessage", "uri: sqs:SendMessage", ErrInvalid, "not an AWS service integration URI"},
		{"AWS service without httpMethod", "                httpMethod: post\n", "", ErrInvalid, "httpMethod"},
		{"timeout", "timeoutInMillis: 2500", "timeoutInMillis: 10", ErrInvalid, "at least 50"},
		{"content handling", "contentHandling: convert_to_text", "contentHandling: gzip", ErrInvalid, "gzip"},
		{"payload format 2.0", "                timeoutInMillis: 2500\n", "                timeoutInMillis: 2500\n                payloadFormatVersion: \"2.0\"\n", ErrInvalid, "1.0 only"},
		{"request parameter target", "integration.request.header.X-Id: method", "method.request.header.X-Id: method", ErrInvalid, "integration.request"},
		{"response status", "statusCode: 201", "statusCode: 2001", ErrInvalid, "100..599"},
		{"response without status", "                    statusCode: 201\n", "", ErrInvalid, "needs a statusCode"},
		{"selection pattern", "                  default:\n                    statusCode: 201", "                  \"(\":\n                    statusCode: 201", ErrInvalid, "regular expression"},
		{"response property", "                    responseParameters:", "                    selectionPattern: x\n                    responseParameters:", ErrUnsupported, "selectionPattern"},
		{"request templates not strings", "requestTemplates: {text/plain: '{\"statusCode\": 200}'}", "requestTemplates: {text/plain: [a]}", ErrInvalid, "not a string"},
		{"lambda URI of no function", "functions/${Fn.Arn}/invocations", "functions/arn:aws:lambda:us-east-1:1:function:Gone/invocations", ErrUnsupported, "function of this template"},
		{"plan key names no plan", "UsagePlanId: !Ref Loose", "UsagePlanId: Nope", ErrInvalid, "UsagePlan of this template"},
		{"plan key names no key", "KeyId: !Ref K,", "KeyId: Nope,", ErrInvalid, "ApiKey of this template"},
		{"plan key type", "KeyType: API_KEY", "KeyType: OTHER", ErrInvalid, "API_KEY"},
		{"plan on another API", "Properties: {UsagePlanName: nothing}", "Properties: {ApiStages: [{ApiId: abc, Stage: dev}]}", ErrInvalid, "no REST API"},
		{"stage keys", "Properties: {Enabled: true}", "Properties: {Enabled: true, StageKeys: []}", ErrUnsupported, "stage keys"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(restMore, tc.old) {
				t.Fatalf("fixture does not contain %q", tc.old)
			}
			_, err := loadFixture(t, strings.Replace(restMore, tc.old, tc.new, 1), nil)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.wantInText) {
				t.Errorf("error %v, want %v mentioning %q", err, tc.is, tc.wantInText)
			}
		})
	}
}

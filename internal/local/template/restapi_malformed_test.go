package template

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRestAPIMalformed: every malformed piece of a REST API (and its
// usage plan resources, and Rules) is refused with the path to it, never
// read halfway.
func TestRestAPIMalformed(t *testing.T) {
	const twoAPIs = "  Second:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: s, DefinitionBody: {openapi: 3.0.1, paths: {}}}\n"
	tests := []struct {
		name, fixture, old, new string
		is                      error
		want                    string
	}{
		{"two REST APIs", restMore, "  Loose:\n", twoAPIs + "  Loose:\n", ErrUnsupported, "one REST API per template"},
		{"usage plan without a REST API", restMore, "  Api:\n    Type: AWS::Serverless::Api\n", "  Api:\n    Type: AWS::Serverless::HttpApi\n    Condition: Never\n  Unused:\n    Type: AWS::Serverless::Api\n    Condition: Never\n", ErrInvalid, "no AWS::Serverless::Api on"},
		{"binary media types not a list", restMore, "x-amazon-apigateway-binary-media-types: [image/png]", "x-amazon-apigateway-binary-media-types: image/png", ErrInvalid, "binary-media-types: not a list"},
		{"policy without Statement", restMore, "        x-amazon-apigateway-minimum-compression-size: 1024\n", "        x-amazon-apigateway-policy: {Version: \"2012-10-17\"}\n", ErrInvalid, "Statement"},
		{"validators not a mapping", restMore, "        x-amazon-apigateway-minimum-compression-size: 1024\n", "        x-amazon-apigateway-request-validators: [all]\n", ErrInvalid, "request-validators: not a mapping"},
		{"validator not a mapping", restMore, "        x-amazon-apigateway-minimum-compression-size: 1024\n", "        x-amazon-apigateway-request-validators: {all: true}\n", ErrInvalid, "request-validators.all: a validator is a mapping"},
		{"validator with another key", restMore, "        x-amazon-apigateway-minimum-compression-size: 1024\n", "        x-amazon-apigateway-request-validators: {all: {validateRequestBody: true, colour: red}}\n", ErrInvalid, "all.colour"},
		{"API default validator not declared", restMore, "        x-amazon-apigateway-minimum-compression-size: 1024\n", "        x-amazon-apigateway-request-validator: nope\n", ErrInvalid, "names no validator"},
		{"model not a mapping", restMore, "            Thing: {type: object}", "            Thing: {type: object}\n            Bad: 1", ErrInvalid, "components.schemas.Bad: a model is a JSON Schema object"},
		{"security scheme not a mapping", restBase, "            ApiKey: {type: apiKey, name: x-api-key, in: header}", "            ApiKey: 1", ErrInvalid, "securitySchemes.ApiKey: a security scheme is a mapping"},
		{"security scheme of another type", restBase, "            ApiKey: {type: apiKey, name: x-api-key, in: header}", "            ApiKey: {type: http, scheme: bearer}", ErrUnsupported, `type "http"`},
		{"unknown extension on a security scheme", restBase, "            ApiKey: {type: apiKey, name: x-api-key, in: header}", "            ApiKey: {type: apiKey, name: x-api-key, in: header, x-amazon-apigateway-colour: red}", ErrUnsupported, "ApiKey.x-amazon-apigateway-colour"},
		{"apiKey scheme that is not API Gateway's key", restBase, "            ApiKey: {type: apiKey, name: x-api-key, in: header}", "            ApiKey: {type: apiKey, name: token, in: query}", ErrUnsupported, "name: x-api-key, in: header"},
		{"authorizer type", restBase, "                type: request\n", "                type: jwt\n", ErrInvalid, `authorizer type "jwt"`},
		{"identity source", restBase, "identitySource: method.request.header.Authorization", "identitySource: header.Authorization", ErrInvalid, `"header.Authorization" is not an identity source`},
		{"cached REQUEST authorizer without identity source", restBase, "                identitySource: method.request.header.Authorization\n", "", ErrInvalid, "at least one identity source"},
		{"TOKEN authorizer on a query string", restBase, "                type: request\n                identitySource: method.request.header.Authorization", "                type: token\n                identitySource: method.request.querystring.t", ErrInvalid, "exactly one header"},
		{"gateway responses not a mapping", restBase, "        x-amazon-apigateway-gateway-responses:\n          BAD_REQUEST_BODY:\n            statusCode: 400\n            responseTemplates:\n              application/json: '{\"code\":\"invalid_body\",\"message\":$context.error.messageString}'\n", "        x-amazon-apigateway-gateway-responses: [BAD_REQUEST_BODY]\n", ErrInvalid, "not a mapping of response types"},
		{"gateway response not a mapping", restBase, "          BAD_REQUEST_BODY:\n            statusCode: 400\n            responseTemplates:\n              application/json: '{\"code\":\"invalid_body\",\"message\":$context.error.messageString}'\n", "          BAD_REQUEST_BODY: 400\n", ErrInvalid, "a gateway response is a mapping"},
		{"gateway response status", restBase, "            statusCode: 400\n", "            statusCode: 4000\n", ErrInvalid, "BAD_REQUEST_BODY.statusCode"},
		{"gateway response templates", restBase, "              application/json: '{\"code\":\"invalid_body\",\"message\":$context.error.messageString}'\n", "              application/json: [x]\n", ErrInvalid, "BAD_REQUEST_BODY.responseTemplates"},
		{"gateway response parameters", restBase, "            statusCode: 400\n", "            statusCode: 400\n            responseParameters: [x]\n", ErrInvalid, "BAD_REQUEST_BODY.responseParameters"},
		{"gateway response key", restBase, "            statusCode: 400\n", "            statusCode: 400\n            colour: red\n", ErrInvalid, "BAD_REQUEST_BODY.colour"},
		{"path item not a mapping", restMore, "          /things:\n", "          /x: 1\n          /things:\n", ErrInvalid, "paths./x: path item is not a mapping"},
		{"extension on a path item", restMore, "          /things:\n", "          /x: {x-amazon-apigateway-colour: red}\n          /things:\n", ErrUnsupported, "paths./x.x-amazon-apigateway-colour"},
		{"operation not a mapping", restMore, "          /things:\n", "          /x: {get: 1}\n          /things:\n", ErrInvalid, "paths./x.get: operation is not a mapping"},
		{"IAM authorization on a method", restMore, "            put:\n", "            put:\n              x-amazon-apigateway-auth: {type: AWS_IAM}\n", ErrUnsupported, "AWS_IAM"},
		{"security not a list", restBase, "security: [{CognitoRequestAuthorizer: []}]", "security: {CognitoRequestAuthorizer: []}", ErrInvalid, "a list of requirement objects"},
		{"security requirement not a mapping", restBase, "security: [{CognitoRequestAuthorizer: []}]", "security: [CognitoRequestAuthorizer]", ErrInvalid, "a security requirement is a mapping"},
		{"scopes on a Lambda authorizer", restBase, "security: [{CognitoRequestAuthorizer: []}]", "security: [{CognitoRequestAuthorizer: [read]}]", ErrUnsupported, "scopes"},
		{"two authorizers on a method", strings.Replace(restBase, "security: [{CognitoRequestAuthorizer: []}]", "security: [{CognitoRequestAuthorizer: []}, {Other: []}]", 1), "            ApiKey: {type: apiKey, name: x-api-key, in: header}\n", "            ApiKey: {type: apiKey, name: x-api-key, in: header}\n            Other:\n              type: apiKey\n              name: Authorization\n              in: header\n              x-amazon-apigateway-authorizer:\n                type: token\n                authorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Authz.Arn}/invocations\n", ErrUnsupported, "several authorizers"},
		{"parameter not a mapping", restMore, "              - $ref: \"#/components/parameters/Id\"", "              - 1", ErrInvalid, "paths./things.parameters[0]: not a mapping"},
		{"$ref loop", restMore, "            Id: {name: id, in: header, required: true}", "            Id: {$ref: \"#/components/parameters/Id\"}", ErrInvalid, "$ref chain too long"},
		{"request body not a mapping", restMore, "              requestBody: {$ref: \"#/components/requestBodies/Thing\"}", "              requestBody: 1", ErrInvalid, "requestBody: not a mapping"},
		{"schema not a mapping", restMore, "text/plain: {schema: {type: string, maxLength: 5}}", "text/plain: {schema: 1}", ErrInvalid, "a schema is a mapping"},
		{"request parameters not a mapping", restMore, "                requestParameters:\n                  integration.request.header.X-Id: method.request.header.id\n                  integration.request.querystring.Body: method.request.body.name\n", "                requestParameters: [x]\n", ErrInvalid, "requestParameters: not a mapping"},
		{"responses not a mapping", restMore, "                responses:\n                  default:\n                    statusCode: 201\n                    responseParameters: {method.response.header.X-Id: integration.response.header.X-Id}\n", "                responses: [x]\n", ErrInvalid, "responses is a mapping of selection patterns"},
		{"response not a mapping", restMore, "                  default:\n                    statusCode: 201\n                    responseParameters: {method.response.header.X-Id: integration.response.header.X-Id}\n", "                  default: 201\n", ErrInvalid, "an integration response is a mapping"},
		{"response templates", restMore, "                    statusCode: 201\n", "                    statusCode: 201\n                    responseTemplates: [x]\n", ErrInvalid, "default.responseTemplates"},
		{"SAM Models not a mapping", restMore, "      Models:\n        Extra: {type: object}\n", "      Models: [Extra]\n", ErrInvalid, "Properties.Models: not a mapping"},
		{"SAM GatewayResponses not a mapping", restMore, "      GatewayResponses:\n        DEFAULT_4XX:\n          StatusCode: 418\n          ResponseParameters:\n            Headers: {Access-Control-Allow-Origin: \"'*'\"}\n          ResponseTemplates: {application/json: '{\"code\":\"client\"}'}\n", "      GatewayResponses: [x]\n", ErrInvalid, "Properties.GatewayResponses: not a mapping"},
		{"SAM GatewayResponses templates", restMore, "ResponseTemplates: {application/json: '{\"code\":\"client\"}'}", "ResponseTemplates: [x]", ErrInvalid, "DEFAULT_4XX.ResponseTemplates"},
		{"usage plan key property", restMore, "KeyType: API_KEY, UsagePlanId: !Ref Loose}", "KeyType: API_KEY, UsagePlanId: !Ref Loose, Colour: red}", ErrUnsupported, "LooseKey Properties.Colour"},
		{"API key property", restMore, "Properties: {Enabled: true}", "Properties: {Enabled: true, Colour: red}", ErrUnsupported, "K Properties.Colour"},
		{"usage plan property", restMore, "Properties: {UsagePlanName: nothing}", "Properties: {UsagePlanName: nothing, Colour: red}", ErrUnsupported, "Loose Properties.Colour"},
	}
	plan := "Properties: {UsagePlanName: nothing}"
	onStage := "Properties: {ApiStages: [{ApiId: !Ref Api, Stage: dev}], "
	for _, c := range []struct{ name, props, want string }{
		{"quota limit", "Quota: {Limit: many, Period: DAY}}", "Quota.Limit"},
		{"quota offset", "Quota: {Limit: 1, Period: DAY, Offset: -1}}", "Quota.Offset"},
		{"rate limit", "Throttle: {RateLimit: fast}}", "Throttle.RateLimit"},
		{"burst limit", "Throttle: {BurstLimit: -2}}", "Throttle.BurstLimit"},
	} {
		tests = append(tests, struct {
			name, fixture, old, new string
			is                      error
			want                    string
		}{c.name, restMore, plan, onStage + c.props, ErrInvalid, c.want})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.fixture, tc.old) {
				t.Fatalf("fixture does not contain %q", tc.old)
			}
			src := strings.Replace(tc.fixture, tc.old, tc.new, 1)
			if strings.Contains(tc.new, "Condition: Never") {
				src = strings.Replace(src, "Resources:\n", "Conditions:\n  Never: !Equals [a, b]\nResources:\n", 1)
			}
			_, err := loadFixture(t, src, nil)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %v mentioning %q", err, tc.is, tc.want)
			}
		})
	}
}

func TestRulesMalformed(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"rule not a mapping", "  KnownRegion:\n    Assertions:\n", "  Bad: 1\n  KnownRegion:\n    Assertions:\n", "a rule is a mapping"},
		{"rule condition not a function", "RuleCondition: !Equals [!Ref ApiType, rest]", "RuleCondition: rest", "a rule condition is a rule function"},
		{"Fn::Not with two arguments", "RuleCondition: !Not [!Equals [!Ref ApiType, rest]]", "RuleCondition: !Not [!Equals [!Ref ApiType, rest], !Equals [a, a]]", "Fn::Not"},
		{"Fn::And with one argument", "      - Assert: !And\n          - !Equals [!Ref RequireApiKey, \"false\"]\n          - Fn::EachMemberEquals: [!Ref Cidrs, \"\"]\n", "      - Assert: !And\n          - !Equals [!Ref RequireApiKey, \"false\"]\n", "2 to 10 conditions"},
		{"Fn::Contains on a scalar", "Fn::Contains: [[us-east-1, eu-west-1], !Ref Region]", "Fn::Contains: [us-east-1, !Ref Region]", "expects a list"},
		{"Fn::EachMemberIn on a scalar", "Fn::EachMemberIn: [[!Ref Region], [ap-south-1]]", "Fn::EachMemberIn: [[!Ref Region], ap-south-1]", "expects a list"},
		{"Fn::Contains on an unknown parameter", "Fn::Contains: [[us-east-1, eu-west-1], !Ref Region]", "Fn::Contains: [[us-east-1, eu-west-1], !Ref Nowhere]", "Nowhere"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(rulesBase, tc.old) {
				t.Fatalf("fixture does not contain %q", tc.old)
			}
			_, err := loadFixture(t, strings.Replace(rulesBase, tc.old, tc.new, 1), nil)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "Rules") {
				t.Errorf("error %v, want ErrInvalid in Rules mentioning %q", err, tc.want)
			}
		})
	}
}

// TestRestAPIBounds: the edges of every range the loader checks are
// accepted (and the values read), so a refusal is never one off.
func TestRestAPIBounds(t *testing.T) {
	tests := []struct {
		name, fixture, old, new string
		check                   func(t *testing.T, app *App)
	}{
		{"authorizer TTL 0 (caching off)", restBase, "authorizerResultTtlInSeconds: 60", "authorizerResultTtlInSeconds: 0", func(t *testing.T, app *App) {
			if ttl := app.RestAPI.Authorizers["CognitoRequestAuthorizer"].ResultTTL; ttl != 0 {
				t.Errorf("TTL %s, want 0", ttl)
			}
		}},
		{"REQUEST authorizer without identity source and without caching", strings.Replace(restBase, "authorizerResultTtlInSeconds: 60", "authorizerResultTtlInSeconds: 0", 1),
			"                identitySource: method.request.header.Authorization\n", "", func(t *testing.T, app *App) {
				if a := app.RestAPI.Authorizers["CognitoRequestAuthorizer"]; a.ResultTTL != 0 || len(a.IdentitySource) != 0 {
					t.Errorf("authorizer %+v", a)
				}
			}},
		{"authorizer TTL 3600", restBase, "authorizerResultTtlInSeconds: 60", "authorizerResultTtlInSeconds: 3600", func(t *testing.T, app *App) {
			if ttl := app.RestAPI.Authorizers["CognitoRequestAuthorizer"].ResultTTL; ttl != time.Hour {
				t.Errorf("TTL %s, want 1h", ttl)
			}
		}},
		{"two path parameters", restMore, "          /{proxy+}:\n", "          /a/{x}/b/{y}:\n            get: {x-amazon-apigateway-integration: {type: mock}}\n          /{proxy+}:\n", func(t *testing.T, app *App) {
			m := restMethod(t, app.RestAPI, "GET", "/a/{x}/b/{y}")
			if !reflect.DeepEqual(m.RequestParameters, map[string]bool{"method.request.path.x": true, "method.request.path.y": true}) {
				t.Errorf("parameters %v, want both path parameters", m.RequestParameters)
			}
		}},
		{"service with a subdomain", restMore, "uri: arn:aws:apigateway:us-east-1:sqs:action/SendMessage", "uri: arn:aws:apigateway:us-east-1:queue.sqs:action/SendMessage", func(t *testing.T, app *App) {
			if in := restMethod(t, app.RestAPI, "POST", "/things").Integration; in.Service != "sqs" || in.Action != "SendMessage" {
				t.Errorf("integration %+v, want service sqs", in)
			}
		}},
		{"timeout 50 ms", restMore, "timeoutInMillis: 2500", "timeoutInMillis: 50", func(t *testing.T, app *App) {
			if in := restMethod(t, app.RestAPI, "POST", "/things").Integration; in.Timeout != 50*time.Millisecond {
				t.Errorf("timeout %s", in.Timeout)
			}
		}},
		{"status codes 100 and 599", restMore, "statusCode: 201", "statusCode: 100", func(t *testing.T, app *App) {
			if r := restMethod(t, app.RestAPI, "POST", "/things").Integration.Responses[0]; r.StatusCode != 100 {
				t.Errorf("status %d", r.StatusCode)
			}
		}},
		{"status code 599", restMore, "StatusCode: 418", "StatusCode: 599", func(t *testing.T, app *App) {
			if g := app.RestAPI.GatewayResponses["DEFAULT_4XX"]; g.StatusCode != 599 {
				t.Errorf("status %d", g.StatusCode)
			}
		}},
		{"API key of exactly 20 characters", restMore, "Properties: {Enabled: true}", "Properties: {Enabled: true, Value: abcdefghijklmnopqrst}", nil},
		{"zero quota, offset, rate and burst", restMore, "Properties: {UsagePlanName: nothing}",
			"Properties: {ApiStages: [{ApiId: !Ref Api, Stage: dev}], Quota: {Limit: 0, Offset: 0, Period: DAY}, Throttle: {RateLimit: 0, BurstLimit: 0}}", func(t *testing.T, app *App) {
				want := []UsagePlan{{LogicalID: "Loose", QuotaPeriod: "DAY", Keys: []APIKey{{LogicalID: "K", Value: "sqsgate-local-K00000", Enabled: true}}}}
				if !reflect.DeepEqual(app.RestAPI.UsagePlans, want) {
					t.Errorf("plans %+v, want %+v", app.RestAPI.UsagePlans, want)
				}
			}},
		{"quota offset", restMore, "Properties: {UsagePlanName: nothing}", "Properties: {ApiStages: [{ApiId: !Ref Api, Stage: dev}], Quota: {Limit: 5, Offset: 2, Period: WEEK}, Throttle: {RateLimit: 0.5}}", func(t *testing.T, app *App) {
			p := app.RestAPI.UsagePlans[0]
			if p.QuotaLimit != 5 || p.QuotaOffset != 2 || p.QuotaPeriod != "WEEK" || p.RateLimit != 0.5 {
				t.Errorf("plan %+v", p)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.fixture, tc.old) {
				t.Fatalf("fixture does not contain %q", tc.old)
			}
			app, err := loadFixture(t, strings.Replace(tc.fixture, tc.old, tc.new, 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, app)
			}
		})
	}
	t.Run("a Swagger body parameter with a bad schema", func(t *testing.T) {
		src := strings.Replace(restMore, "          /{proxy+}:\n", "          /s:\n            post:\n              parameters: [{name: b, in: body, schema: 1}]\n              x-amazon-apigateway-integration: {type: mock}\n          /{proxy+}:\n", 1)
		src = strings.Replace(src, `openapi: "3.0.1"`, `swagger: "2.0"`, 1)
		src = strings.Replace(src, "              requestBody: {$ref: \"#/components/requestBodies/Thing\"}\n", "", 1)
		src = strings.Replace(src, "              requestBody:\n                content:\n                  text/plain: {schema: {type: string, maxLength: 5}}\n", "", 1)
		if _, err := loadFixture(t, src, nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "paths./s.post.parameters[0]: a schema is a mapping") {
			t.Errorf("error %v, want the body parameter's schema refused", err)
		}
	})
	t.Run("a schema JSON cannot hold (NaN)", func(t *testing.T) {
		for _, c := range []struct{ old, new, want string }{
			{"            Thing: {type: object}", "            Thing: {type: number, maximum: .nan}", "components.schemas.Thing: model is not JSON"},
			{"        Extra: {type: object}", "        Extra: {type: number, maximum: .nan}", "Models.Extra: not JSON"},
			{"text/plain: {schema: {type: string, maxLength: 5}}", "text/plain: {schema: {type: number, maximum: .nan}}", "schema is not JSON"},
		} {
			if _, err := loadFixture(t, strings.Replace(restMore, c.old, c.new, 1), nil); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want ErrInvalid mentioning %q", err, c.want)
			}
		}
	})
}

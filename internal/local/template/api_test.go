package template

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const apiBase = `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 5
    Environment:
      Variables:
        FROM_GLOBALS: g
        OVERRIDDEN: g
  HttpApi:
    CorsConfiguration: true
Resources:
  Authz:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./
      MemorySize: 512
      Environment:
        Variables:
          OVERRIDDEN: f
          NUMBER: 42
      Events:
        Open:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /open
            Method: post
            Auth:
              Authorizer: NONE
        Default:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /items/{id}
            Method: GET
            TimeoutInMillis: 2000
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: v1
      Auth:
        DefaultAuthorizer: Lambda
        Authorizers:
          Lambda:
            FunctionArn: !GetAtt Authz.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity:
              Headers: [Authorization]
              QueryStrings: [token]
              ReauthorizeEvery: 60
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: https://issuer.example
              audience: [a, b]
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /direct:
            post:
              security: [{ Jwt: [write] }]
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
                payloadFormatVersion: "2.0"
`

func TestHTTPAPI(t *testing.T) {
	app, err := loadFixture(t, apiBase, nil)
	if err != nil {
		t.Fatal(err)
	}
	var fn *Function
	for _, f := range app.Functions {
		if f.LogicalID == "Fn" {
			fn = f
		}
	}
	t.Run("Globals merge: maps by key, resource wins", func(t *testing.T) {
		want := map[string]string{"FROM_GLOBALS": "g", "OVERRIDDEN": "f", "NUMBER": "42"}
		if !reflect.DeepEqual(fn.Environment, want) {
			t.Errorf("environment %v, want %v", fn.Environment, want)
		}
		if fn.Timeout != 5*time.Second || fn.MemoryMB != 512 {
			t.Errorf("timeout %s memory %d", fn.Timeout, fn.MemoryMB)
		}
	})
	api := app.API
	t.Run("ReauthorizeEvery defaults to 300s with identity sources", func(t *testing.T) {
		app, err := loadFixture(t, strings.Replace(apiBase, "              ReauthorizeEvery: 60\n", "", 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		if ttl := app.API.Authorizers["Lambda"].ResultTTL; ttl != 300*time.Second {
			t.Errorf("ResultTTL %s, want 5m", ttl)
		}
	})
	t.Run("stage, CORS true, authorizers", func(t *testing.T) {
		if api.StageName != "v1" || api.Cors == nil || api.Cors.AllowOrigins[0] != "*" {
			t.Errorf("stage %q cors %+v", api.StageName, api.Cors)
		}
		l := api.Authorizers["Lambda"]
		want := []string{"$request.header.Authorization", "$request.querystring.token"}
		if l.Function != "Authz" || !reflect.DeepEqual(l.IdentitySource, want) || l.ResultTTL != time.Minute || !l.EnableSimpleResponses {
			t.Errorf("Lambda authorizer %+v", l)
		}
		j := api.Authorizers["Jwt"]
		if j.Type != "jwt" || j.JWTIssuer != "https://issuer.example" || !reflect.DeepEqual(j.JWTAudience, []string{"a", "b"}) {
			t.Errorf("Jwt authorizer %+v", j)
		}
	})
	t.Run("routes", func(t *testing.T) {
		got := map[string]Route{}
		for _, r := range api.Routes {
			got[r.Key()] = r
		}
		tests := []struct {
			key, authorizer string
			scopes          []string
			timeout         time.Duration
		}{
			{"POST /open", "", nil, 0},
			{"GET /items/{id}", "Lambda", nil, 2 * time.Second},
			{"POST /direct", "Jwt", []string{"write"}, 0},
		}
		for _, tc := range tests {
			r, ok := got[tc.key]
			if !ok {
				t.Errorf("route %s missing", tc.key)
				continue
			}
			if r.Authorizer != tc.authorizer || !reflect.DeepEqual(r.AuthorizationScopes, tc.scopes) || r.Integration.Timeout != tc.timeout || r.Integration.Function != "Fn" {
				t.Errorf("%s: %+v", tc.key, r)
			}
		}
	})
}

func TestHTTPAPIRefusals(t *testing.T) {
	tests := []struct {
		name       string
		old, new   string
		is         error
		wantInText string
	}{
		{"custom domain property", "      StageName: v1\n", "      StageName: v1\n      Domain:\n        DomainName: api.example.com\n        CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/x\n", ErrUnsupported, `custom domain "api.example.com"`},
		{"execute-api endpoint disabled", "      StageName: v1\n", "      StageName: v1\n      DisableExecuteApiEndpoint: true\n", ErrUnsupported, "DisableExecuteApiEndpoint"},
		{"stage variables", "      StageName: v1\n", "      StageName: v1\n      StageVariables: {a: b}\n", ErrUnsupported, "stage variables"},
		{"unknown API property", "      StageName: v1\n", "      StageName: v1\n      Colour: red\n", ErrUnsupported, "Properties.Colour"},
		{"IAM authorizer", "        DefaultAuthorizer: Lambda\n", "        DefaultAuthorizer: Lambda\n        EnableIamAuthorizer: true\n", ErrUnsupported, "IAM"},
		{"integration subtype not emulated", "                type: aws_proxy\n", "                type: aws_proxy\n                integrationSubtype: EventBridge-PutEvents\n", ErrUnsupported, "EventBridge-PutEvents"},
		{"http integration", "                type: aws_proxy\n", "                type: http_proxy\n", ErrUnsupported, "http_proxy"},
		{"event type other than HttpApi", "          Type: HttpApi\n          Properties:\n            ApiId: !Ref Api\n            Path: /open", "          Type: Schedule\n          Properties:\n            ApiId: !Ref Api\n            Path: /open", ErrUnsupported, "event type Schedule"},
		{"security names an unknown authorizer", "[{ Jwt: [write] }]", "[{ Nope: [] }]", ErrInvalid, "Nope"},
		{"event names an unknown authorizer", "              Authorizer: NONE", "              Authorizer: Nope", ErrInvalid, "Nope"},
		{"duplicate route", "            Path: /open\n            Method: post", "            Path: /direct\n            Method: post", ErrInvalid, "declared twice"},
		{"runtime other than a custom one", "    Runtime: provided.al2023", "    Runtime: python3.12", ErrUnsupported, "python3.12"},
		{"layers", "      MemorySize: 512\n", "      MemorySize: 512\n      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:x:1]\n", ErrUnsupported, "Layers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(apiBase, tc.old) {
				t.Fatalf("fixture does not contain %q", tc.old)
			}
			_, err := loadFixture(t, strings.Replace(apiBase, tc.old, tc.new, 1), nil)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.wantInText) {
				t.Errorf("error %v, want %v mentioning %q", err, tc.is, tc.wantInText)
			}
		})
	}
}

func TestImplicitHTTPAPI(t *testing.T) {
	src := `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./
      Runtime: provided.al2023
      Handler: bootstrap
      Events:
        Hello:
          Type: HttpApi
          Properties:
            Path: /hello
            Method: GET
`
	app, err := loadFixture(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if app.API == nil || app.API.LogicalID != "ServerlessHttpApi" || len(app.API.Routes) != 1 || app.API.Routes[0].Key() != "GET /hello" {
		t.Errorf("API %+v, want the implicit ServerlessHttpApi with GET /hello", app.API)
	}
}

// FuzzLoad checks that no template, however malformed, panics the reader:
// it either loads or returns an error.
func FuzzLoad(f *testing.F) {
	f.Add(fixture)
	f.Add(apiBase)
	f.Add(restBase)
	f.Add("Resources:\n  X: !If [C, !Ref A, !Sub '${B.C}']\n")
	f.Fuzz(func(t *testing.T, src string) {
		doc, err := Parse([]byte(src))
		if err != nil {
			return
		}
		Load(doc, Options{})
	})
}

package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// ErrBadLambdaResponse reports a function response API Gateway cannot turn
// into an HTTP response; the client sees 500.
var ErrBadLambdaResponse = errors.New("malformed Lambda proxy response")

// eventV2JSON and contextV2JSON marshal the aws-lambda-go types without the
// empty "authentication" object they would otherwise emit: API Gateway
// sends it only for mutual TLS, which the emulator does not do.
type contextV2JSON struct {
	events.APIGatewayV2HTTPRequestContext
	Authentication *events.APIGatewayV2HTTPRequestContextAuthentication `json:"authentication,omitempty"`
}

type eventV2JSON struct {
	events.APIGatewayV2HTTPRequest
	RequestContext contextV2JSON `json:"requestContext"`
}

type authorizerRequestJSON struct {
	events.APIGatewayV2CustomAuthorizerV2Request
	RequestContext contextV2JSON `json:"requestContext"`
}

func marshalEventV2(ev events.APIGatewayV2HTTPRequest) ([]byte, error) {
	return json.Marshal(eventV2JSON{APIGatewayV2HTTPRequest: ev, RequestContext: contextV2JSON{APIGatewayV2HTTPRequestContext: ev.RequestContext}})
}

func marshalAuthorizerRequest(ev events.APIGatewayV2CustomAuthorizerV2Request) ([]byte, error) {
	return json.Marshal(authorizerRequestJSON{APIGatewayV2CustomAuthorizerV2Request: ev, RequestContext: contextV2JSON{APIGatewayV2HTTPRequestContext: ev.RequestContext}})
}

// proxyResponse is an HTTP response taken from a Lambda proxy integration.
type proxyResponse struct {
	status  int
	headers http.Header
	body    []byte
}

// structuredResponse decodes the fields both payload versions share.
type structuredResponse struct {
	StatusCode        json.Number         `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              *string             `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// parseLambdaResponse interprets a function's output. Payload 2.0 infers a
// response when the output has no statusCode: 200, content-type
// application/json, and the output itself as the body (a JSON string
// contributes its contents). Payload 1.0 requires statusCode.
func parseLambdaResponse(version string, out []byte) (*proxyResponse, error) {
	trimmed := bytes.TrimSpace(out)
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("%w: not JSON", ErrBadLambdaResponse)
	}
	var probe map[string]json.RawMessage
	if trimmed[0] == '{' {
		_ = json.Unmarshal(trimmed, &probe)
	}
	_, hasStatus := probe["statusCode"]
	if !hasStatus {
		if version == "1.0" {
			return nil, fmt.Errorf("%w: no statusCode", ErrBadLambdaResponse)
		}
		body := trimmed
		if trimmed[0] == '"' {
			var s string
			_ = json.Unmarshal(trimmed, &s)
			body = []byte(s)
		}
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return &proxyResponse{status: http.StatusOK, headers: h, body: body}, nil
	}
	var r structuredResponse
	if err := decodeJSON(trimmed, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadLambdaResponse, err)
	}
	status, err := strconv.Atoi(r.StatusCode.String())
	if err != nil || status < 100 || status > 599 {
		return nil, fmt.Errorf("%w: statusCode %q", ErrBadLambdaResponse, r.StatusCode.String())
	}
	h := http.Header{}
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	for k, vs := range r.MultiValueHeaders {
		if _, single := r.Headers[k]; single {
			h.Del(k)
		}
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	if version == "2.0" {
		for _, c := range r.Cookies {
			h.Add("Set-Cookie", c)
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	var body []byte
	if r.Body != nil {
		body = []byte(*r.Body)
		if r.IsBase64Encoded {
			if body, err = base64.StdEncoding.DecodeString(*r.Body); err != nil {
				return nil, fmt.Errorf("%w: body is not base64", ErrBadLambdaResponse)
			}
		}
	}
	return &proxyResponse{status: status, headers: h, body: body}, nil
}

package httpapi

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sqsgate/sqsgate/internal/local/lambdaproxy"
)

// ErrBadLambdaResponse reports a function response API Gateway cannot turn
// into an HTTP response; the client sees 500.
var ErrBadLambdaResponse = lambdaproxy.ErrBadResponse

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

// parseLambdaResponse interprets a function's output (lambdaproxy.ParseResponse).
func parseLambdaResponse(version string, out []byte) (*lambdaproxy.Response, error) {
	return lambdaproxy.ParseResponse(version, out)
}

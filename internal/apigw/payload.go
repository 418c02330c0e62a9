package apigw

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Event is an API Gateway Lambda proxy event of either payload format: an
// HTTP API's 2.0 or a REST API's 1.0. The functions handle one shape, 2.0,
// so a 1.0 event is converted on decoding and V1 remembers to answer in
// 1.0's response shape.
type Event struct {
	Request events.APIGatewayV2HTTPRequest
	V1      bool
}

// UnmarshalJSON detects the format from the raw event: 2.0 events carry
// "version":"2.0"; 1.0 events carry "version":"1.0" or (older REST
// integrations, hand-written events) no version at all.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
func (e *Event) UnmarshalJSON(raw []byte) error {
	var probe struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return fmt.Errorf("decode API Gateway event: %w", err)
	}
	if probe.Version == "2.0" {
		*e = Event{}
		return json.Unmarshal(raw, &e.Request)
	}
	var v1 events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &v1); err != nil {
		return fmt.Errorf("decode API Gateway 1.0 event: %w", err)
	}
	*e = Event{Request: FromV1(&v1), V1: true}
	return nil
}

// FromV1 converts a payload 1.0 request to the 2.0 shape the functions
// read. Header names are lowercased and repeated values comma-joined, as
// HTTP API delivers them, so a header sent twice (two multiValueHeaders
// values, or two spellings of one name) is still seen as repeated. The body
// is kept byte for byte; it is base64 only when isBase64Encoded says so.
func FromV1(r *events.APIGatewayProxyRequest) events.APIGatewayV2HTTPRequest {
	rc := &r.RequestContext
	out := events.APIGatewayV2HTTPRequest{
		Version:               "1.0",
		RouteKey:              r.HTTPMethod + " " + r.Resource,
		RawPath:               r.Path,
		RawQueryString:        rawQuery(r),
		Headers:               joined(r.Headers, r.MultiValueHeaders, true),
		QueryStringParameters: joined(r.QueryStringParameters, r.MultiValueQueryStringParameters, false),
		PathParameters:        r.PathParameters,
		StageVariables:        r.StageVariables,
		Body:                  r.Body,
		IsBase64Encoded:       r.IsBase64Encoded,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     r.HTTPMethod + " " + r.Resource,
			AccountID:    rc.AccountID,
			Stage:        rc.Stage,
			RequestID:    rc.RequestID,
			APIID:        rc.APIID,
			DomainName:   rc.DomainName,
			DomainPrefix: rc.DomainPrefix,
			Time:         rc.RequestTime,
			TimeEpoch:    rc.RequestTimeEpoch,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.HTTPMethod,
				Path:      rc.Path,
				Protocol:  rc.Protocol,
				SourceIP:  rc.Identity.SourceIP,
				UserAgent: rc.Identity.UserAgent,
			},
		},
	}
	// A templated resource ("/{proxy+}") names no route; the functions
	// then route by path, as behind an HTTP API's $default route.
	if r.Resource == "" || strings.Contains(r.Resource, "{") {
		out.RouteKey, out.RequestContext.RouteKey = "", ""
	}
	if a := rc.Authorizer; a != nil {
		out.RequestContext.Authorizer = authorizerOf(a)
	}
	return out
}

// authorizerOf maps a 1.0 authorizer: a Lambda authorizer's context keys
// sit at its top level; a Cognito user pool authorizer's claims under
// "claims".
func authorizerOf(a map[string]any) *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	out := &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: a}
	if claims, ok := a["claims"].(map[string]any); ok {
		out.JWT = &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{}}
		for k, v := range claims {
			if s, ok := v.(string); ok {
				out.JWT.Claims[k] = s
			}
		}
	}
	return out
}

// joined merges single and multi-value maps the way 2.0 presents them: one
// entry per name, repeats joined with ",". Multi-value entries win, since
// the single map holds only the last value of a repeat.
func joined(single map[string]string, multi map[string][]string, fold bool) map[string]string {
	if single == nil && multi == nil {
		return nil
	}
	key := func(k string) string {
		if fold {
			return strings.ToLower(k)
		}
		return k
	}
	values := map[string][]string{}
	for _, k := range slices.Sorted(maps.Keys(multi)) {
		values[key(k)] = append(values[key(k)], multi[k]...)
	}
	for _, k := range slices.Sorted(maps.Keys(single)) {
		if _, inMulti := multi[k]; !inMulti {
			values[key(k)] = append(values[key(k)], single[k])
		}
	}
	out := make(map[string]string, len(values))
	for k, vs := range values {
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// rawQuery rebuilds a query string from the 1.0 parameters (1.0 has no raw
// form); names are sorted, so equal requests give equal strings.
func rawQuery(r *events.APIGatewayProxyRequest) string {
	q := url.Values{}
	for k, vs := range r.MultiValueQueryStringParameters {
		q[k] = append(q[k], vs...)
	}
	for k, v := range r.QueryStringParameters {
		if _, ok := q[k]; !ok {
			q.Set(k, v)
		}
	}
	return q.Encode()
}

// Response is an answer in the shape its event came in: 2.0's or, for a
// 1.0 event, events.APIGatewayProxyResponse.
type Response struct {
	Response events.APIGatewayV2HTTPResponse
	V1       bool
}

// MarshalJSON writes the answer in the event's format.
func (r Response) MarshalJSON() ([]byte, error) {
	if !r.V1 {
		return json.Marshal(r.Response)
	}
	return json.Marshal(ToV1(r.Response))
}

// ToV1 converts an answer to payload 1.0's response; cookies, which 2.0
// keeps apart, become Set-Cookie headers.
func ToV1(r events.APIGatewayV2HTTPResponse) events.APIGatewayProxyResponse {
	out := events.APIGatewayProxyResponse{
		StatusCode:        r.StatusCode,
		Headers:           r.Headers,
		MultiValueHeaders: r.MultiValueHeaders,
		Body:              r.Body,
		IsBase64Encoded:   r.IsBase64Encoded,
	}
	if len(r.Cookies) > 0 {
		mv := map[string][]string{}
		for k, v := range r.MultiValueHeaders {
			mv[k] = v
		}
		mv["Set-Cookie"] = append(mv["Set-Cookie"], r.Cookies...)
		out.MultiValueHeaders = mv
	}
	return out
}

// Adapt lets a 2.0 handler serve events of both formats: the one decoder
// for every function behind API Gateway.
func Adapt(h func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)) func(context.Context, Event) (Response, error) {
	return func(ctx context.Context, e Event) (Response, error) {
		resp, err := h(ctx, e.Request)
		return Response{Response: resp, V1: e.V1}, err
	}
}

// JoinHeaders merges a 1.0 event's headers and multiValueHeaders as 2.0
// presents them (lowercased names, repeats comma-joined), for readers such
// as SingleHeader that must see a repeat.
func JoinHeaders(single map[string]string, multi map[string][]string) map[string]string {
	return joined(single, multi, true)
}

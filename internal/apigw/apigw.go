package apigw

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ErrBodyTooLarge is returned by Body when the decoded body exceeds the cap.
var ErrBodyTooLarge = errors.New("request body is larger than allowed")

// Header returns the value of the named header, matched without regard to
// case. HTTP API lowercases names; other sources (REST APIs, hand-written
// events) may not.
func Header(headers map[string]string, name string) (string, bool) {
	if v, ok := headers[strings.ToLower(name)]; ok {
		return v, true
	}
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// ErrRepeatedHeader reports a header that must appear once but arrived
// several times (HTTP API joins repeats with commas).
var ErrRepeatedHeader = errors.New("header repeated")

// SingleHeader returns a header that must appear at most once. Because HTTP
// API joins repeated headers with ",", a value containing a comma means the
// header was sent more than once; callers use it for values that never
// contain commas themselves, such as signatures.
func SingleHeader(headers map[string]string, name string) (string, bool, error) {
	v, ok := Header(headers, name)
	if !ok {
		return "", false, nil
	}
	if strings.Contains(v, ",") {
		return "", true, fmt.Errorf("%w: %s", ErrRepeatedHeader, name)
	}
	return v, true, nil
}

// Body returns the request body as the client sent it, decoding base64 when
// API Gateway encoded it, and refuses bodies over maxBytes before decoding
// more than it must.
func Body(req *events.APIGatewayV2HTTPRequest, maxBytes int) ([]byte, error) {
	if !req.IsBase64Encoded {
		if len(req.Body) > maxBytes {
			return nil, ErrBodyTooLarge
		}
		return []byte(req.Body), nil
	}
	if base64.StdEncoding.DecodedLen(len(req.Body)) > maxBytes+2 {
		return nil, ErrBodyTooLarge
	}
	body, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, fmt.Errorf("decode base64 body: %w", err)
	}
	if len(body) > maxBytes {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

// JSON returns a response with v encoded as its JSON body.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		// Only our own response types reach here; a failure is a bug.
		status = http.StatusInternalServerError
		body = []byte(`{"code":"internal_error","message":"the response could not be encoded"}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"content-type": "application/json"},
		Body:       string(body),
	}
}

package apigw

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBody(t *testing.T) {
	tests := []struct {
		name    string
		req     events.APIGatewayV2HTTPRequest
		max     int
		want    string
		wantErr error
	}{
		{"plain over cap", events.APIGatewayV2HTTPRequest{Body: "12345"}, 4, "", ErrBodyTooLarge},
		{"base64 over cap", events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte("12345")), IsBase64Encoded: true}, 4, "", ErrBodyTooLarge},
		{"base64 far over cap", events.APIGatewayV2HTTPRequest{Body: strings.Repeat("A", 4000), IsBase64Encoded: true}, 10, "", ErrBodyTooLarge},
		{"plain", events.APIGatewayV2HTTPRequest{Body: `{"a":1}`}, 100, `{"a":1}`, nil},
		{"plain at cap", events.APIGatewayV2HTTPRequest{Body: "1234"}, 4, "1234", nil},
		{"base64", events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte("payload=%7B%7D")), IsBase64Encoded: true}, 100, "payload=%7B%7D", nil},
		{"base64 at cap", events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte("1234")), IsBase64Encoded: true}, 4, "1234", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Body(&tt.req, tt.max)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
	_, err := Body(&events.APIGatewayV2HTTPRequest{Body: "!!!", IsBase64Encoded: true}, 100)
	assert.Error(t, err, "invalid base64 must fail")
}

func TestSingleHeader(t *testing.T) {
	headers := map[string]string{"x-hub-signature-256": "sha256=ab,sha256=cd", "X-Mixed": "v"}
	_, present, err := SingleHeader(headers, "X-Hub-Signature-256")
	assert.True(t, present)
	assert.ErrorIs(t, err, ErrRepeatedHeader)

	v, present, err := SingleHeader(headers, "x-mixed")
	assert.NoError(t, err)
	assert.True(t, present)
	assert.Equal(t, "v", v)

	_, present, err = SingleHeader(headers, "absent")
	assert.NoError(t, err)
	assert.False(t, present)
}

func TestErrorResponse(t *testing.T) {
	errForged := NewError(http.StatusUnauthorized, "invalid_signature", "the signature does not match")
	hidden := errors.New("detail with a password")
	tests := []struct {
		name   string
		err    error
		status int
		body   ErrorBody
	}{
		{"a kind answers with its default", errForged, 401, ErrorBody{Code: "invalid_signature", Message: "the signature does not match"}},
		{"a detail's message wins, its cause stays hidden", errForged.Detail("no configured key matches", hidden), 401, ErrorBody{Code: "invalid_signature", Message: "no configured key matches"}},
		{"an empty detail keeps the default", errForged.Detail("", hidden), 401, ErrorBody{Code: "invalid_signature", Message: "the signature does not match"}},
		{"wrapped further up", fmt.Errorf("verify: %w", errForged.Detail("specific", nil)), 401, ErrorBody{Code: "invalid_signature", Message: "specific"}},
		{"the outermost message wins", errForged.Detail("outer", NewError(400, "inner_kind", "inner default").Detail("inner", nil)), 401, ErrorBody{Code: "invalid_signature", Message: "outer"}},
		{"no kind: 500, nothing of the error shown", errors.New("boom: password detail"), 500, ErrorBody{Code: "internal_error", Message: "internal error"}},
		{"no kind, even with a message", publicOnly{}, 500, ErrorBody{Code: "internal_error", Message: "internal error"}},
		{"nil", nil, 500, ErrorBody{Code: "internal_error", Message: "internal error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := ErrorResponse(tt.err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Headers["content-type"])
			var body ErrorBody
			require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
			assert.Equal(t, tt.body, body)
			assert.NotContains(t, resp.Body, "password")
		})
	}
}

type publicOnly struct{}

func (publicOnly) Error() string         { return "public only" }
func (publicOnly) PublicMessage() string { return "secret-free but kindless" }

func TestDetailMatchesKindAndCause(t *testing.T) {
	kind := NewError(http.StatusServiceUnavailable, "queue_unavailable", "retry later")
	cause := errors.New("connection refused")
	err := kind.Detail("the queue did not answer", cause)
	assert.ErrorIs(t, err, kind)
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "queue_unavailable: the queue did not answer: connection refused", err.Error())
	assert.Equal(t, "queue_unavailable: retry later", kind.Error())
	assert.Equal(t, "queue_unavailable: retry later", kind.Detail("", nil).Error())
	other := NewError(http.StatusServiceUnavailable, "queue_unavailable", "retry later")
	assert.NotErrorIs(t, err, other, "kinds are matched by identity, not by code")
}

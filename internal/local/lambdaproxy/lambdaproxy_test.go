package lambdaproxy

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseResponseV1: payload 1.0 needs statusCode; headers,
// multiValueHeaders and base64 bodies are read as the Lambda proxy
// output format documents
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format).
func TestParseResponseV1(t *testing.T) {
	bad := []string{`nope`, `{"body":"x"}`, `"text"`, `{"statusCode":99}`, `{"statusCode":600}`, `{"statusCode":"x"}`,
		`{"statusCode":200,"body":"!!","isBase64Encoded":true}`, `{"statusCode":200,"headers":{"a":1}}`}
	for _, out := range bad {
		t.Run(out, func(t *testing.T) {
			_, err := ParseResponse("1.0", []byte(out))
			assert.ErrorIs(t, err, ErrBadResponse)
		})
	}
	r, err := ParseResponse("1.0", []byte(`{"statusCode":202,"headers":{"X-A":"1","X-B":"b"},"multiValueHeaders":{"X-B":["1","2"]},"body":"aGk=","isBase64Encoded":true}`))
	require.NoError(t, err)
	assert.Equal(t, 202, r.Status)
	assert.Equal(t, "1", r.Headers.Get("X-A"))
	assert.Equal(t, []string{"1", "2"}, r.Headers.Values("X-B"))
	assert.Equal(t, "application/json", r.Headers.Get("Content-Type"))
	assert.Equal(t, "hi", string(r.Body))

	for _, code := range []int{100, 599} {
		r, err = ParseResponse("1.0", []byte(fmt.Sprintf(`{"statusCode":%d}`, code)))
		require.NoError(t, err)
		assert.Equal(t, code, r.Status)
	}

	// Cookies are a 2.0 field; 1.0 sets cookies through headers only.
	const withCookies = `{"statusCode":200,"cookies":["a=1","b=2"]}`
	r, err = ParseResponse("1.0", []byte(withCookies))
	require.NoError(t, err)
	assert.Empty(t, r.Headers.Values("Set-Cookie"))
	r, err = ParseResponse("2.0", []byte(withCookies))
	require.NoError(t, err)
	assert.Equal(t, []string{"a=1", "b=2"}, r.Headers.Values("Set-Cookie"))

	r, err = ParseResponse("2.0", []byte(`{"ok":true}`))
	require.NoError(t, err)
	assert.Equal(t, 200, r.Status)
	assert.JSONEq(t, `{"ok":true}`, string(r.Body))
}

type invokerFunc func(ctx context.Context, fn string, payload []byte) ([]byte, error)

func (f invokerFunc) Invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	return f(ctx, fn, payload)
}

func TestInvokeWithin(t *testing.T) {
	out, err := InvokeWithin(context.Background(), invokerFunc(func(_ context.Context, fn string, p []byte) ([]byte, error) {
		return append([]byte(fn+":"), p...), errors.New("boom")
	}), "F", []byte("x"))
	assert.Equal(t, "F:x", string(out))
	assert.EqualError(t, err, "boom")

	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	defer close(release)
	cancel()
	_, err = InvokeWithin(ctx, invokerFunc(func(context.Context, string, []byte) ([]byte, error) {
		<-release // ignores ctx, as a stuck function would
		return nil, nil
	}), "F", nil)
	assert.ErrorIs(t, err, context.Canceled)
}

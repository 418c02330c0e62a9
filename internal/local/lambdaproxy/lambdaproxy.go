package lambdaproxy

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// ErrBadResponse reports a function response API Gateway cannot turn into
// an HTTP response (HTTP APIs answer 500, REST APIs 502).
var ErrBadResponse = errors.New("malformed Lambda proxy response")

// Invoker invokes a function by logical id; a function error is a non-nil
// error, with the function's error document as the output.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// InvokeWithin calls the function but gives up when ctx ends, even if the
// invoker does not watch ctx: API Gateway answers at its timeout while the
// function may run on to its own.
func InvokeWithin(ctx context.Context, inv Invoker, function string, payload []byte) ([]byte, error) {
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := inv.Invoke(ctx, function, payload)
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// Response is an HTTP response taken from a Lambda proxy integration.
type Response struct {
	Status  int
	Headers http.Header
	Body    []byte
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

// ParseResponse interprets a function's output. Payload 2.0 infers a
// response when the output has no statusCode: 200, content-type
// application/json, and the output itself as the body (a JSON string
// contributes its contents). Payload 1.0 requires statusCode.
func ParseResponse(version string, out []byte) (*Response, error) {
	trimmed := bytes.TrimSpace(out)
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("%w: not JSON", ErrBadResponse)
	}
	var probe map[string]json.RawMessage
	if trimmed[0] == '{' {
		_ = json.Unmarshal(trimmed, &probe)
	}
	_, hasStatus := probe["statusCode"]
	if !hasStatus {
		if version == "1.0" {
			return nil, fmt.Errorf("%w: no statusCode", ErrBadResponse)
		}
		body := trimmed
		if trimmed[0] == '"' {
			var s string
			_ = json.Unmarshal(trimmed, &s)
			body = []byte(s)
		}
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return &Response{Status: http.StatusOK, Headers: h, Body: body}, nil
	}
	var r structuredResponse
	if err := decodeJSON(trimmed, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadResponse, err)
	}
	status, err := strconv.Atoi(r.StatusCode.String())
	if err != nil || status < 100 || status > 599 {
		return nil, fmt.Errorf("%w: statusCode %q", ErrBadResponse, r.StatusCode.String())
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
				return nil, fmt.Errorf("%w: body is not base64", ErrBadResponse)
			}
		}
	}
	return &Response{Status: status, Headers: h, Body: body}, nil
}

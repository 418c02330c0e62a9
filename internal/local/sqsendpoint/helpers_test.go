package sqsendpoint

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// startServer runs a Server behind an httptest server for the test.
func startServer(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	s, err := New(opts)
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		require.NoError(t, s.Close())
	})
	return s, ts.URL
}

// newClient builds an aws-sdk-go-v2 SQS client for endpoint with dummy
// credentials and no retries, so an error reaches the test as sent.
func newClient(endpoint string) *sqs.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 256
	return sqs.New(sqs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:       &http.Client{Transport: transport, Timeout: 60 * time.Second},
		RetryMaxAttempts: 1,
	})
}

// errorCode is the SQS error code a client saw, "" for none.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if err != nil {
		return "non-API error: " + err.Error()
	}
	return ""
}

var queueCounter atomic.Int64

// uniqueName gives each test its own queue.
func uniqueName(prefix string) string {
	return prefix + "-" + time.Now().Format("150405") + "-" + strconv.FormatInt(queueCounter.Add(1), 10)
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

package platform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// signingTransport signs every request with SigV4 for SQS, as API Gateway
// signs an AWS-service integration request with its credentials role. An
// external endpoint then takes the REST API's SQS integrations like any
// SDK call: moto routes by the signature's service (an unsigned
// /<account>/<queue> request reaches its S3 instead), AWS authenticates it.
type signingTransport struct {
	next   http.RoundTripper
	creds  aws.Credentials
	region string
	now    func() time.Time
	signer *v4.Signer
}

func newSigningTransport(next http.RoundTripper, creds aws.Credentials, region string, now func() time.Time) *signingTransport {
	return &signingTransport{next: next, creds: creds, region: region, now: now, signer: v4.NewSigner()}
}

func (t *signingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("sign SQS integration request: %w", err)
		}
	}
	// RoundTrip must not change the caller's request.
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	sum := sha256.Sum256(body)
	if err := t.signer.SignHTTP(req.Context(), t.creds, out, hex.EncodeToString(sum[:]), "sqs", t.region, t.now()); err != nil {
		return nil, fmt.Errorf("sign SQS integration request: %w", err)
	}
	return t.next.RoundTrip(out)
}

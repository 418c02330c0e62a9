package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
)

// BenchmarkHandle measures the whole handler on a 64 KiB GitHub delivery
// (base64 decode, verify, attributes, SQS checks, SendMessage input) with a
// fake sender, beside a bare HMAC-SHA256 of the same body (x-hmac).
func BenchmarkHandle(b *testing.B) {
	const size = 64 << 10
	body := []byte(`{"repository":{"full_name":"octocat/Hello-World"},"pad":"` + strings.Repeat("x", size-60) + `"}`)
	for _, b64 := range []bool{false, true} {
		b.Run(fmt.Sprintf("size=64KiB/base64=%t", b64), func(b *testing.B) {
			sender := senderFunc(func(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
				return &sqs.SendMessageOutput{MessageId: aws.String("msg-1")}, nil
			})
			h := newTestHandler(b, sender, nil)
			req := request(GitHubPath, githubHeaders(body), body, b64)
			b.SetBytes(int64(len(body)))
			benchcmp.Ratio(b, func() {
				resp, _ := h.Handle(context.Background(), req)
				if resp.StatusCode != http.StatusAccepted {
					b.Fatal(resp.Body)
				}
			}, map[string]func(){
				"hmac": func() {
					mac := hmac.New(sha256.New, []byte(githubSecret))
					mac.Write(body)
					mac.Sum(nil)
				},
			})
		})
	}
}

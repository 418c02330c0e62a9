package authorizer_test

import (
	"context"
	"testing"

	"github.com/sqsgate/sqsgate/internal/authorizer"
)

// BenchmarkHandle measures a warm authorizer answering a token it has seen
// (the verified-token cache) on a route with a rule, context included.
//
//	go test -run '^$' -bench BenchmarkHandle -benchtime 20000x ./internal/authorizer/
func BenchmarkHandle(b *testing.B) {
	p := newPool(b)
	rules, err := authorizer.ParseRules(`{"POST /v1/messages":{"scopes":["sqsgate/write"],"groups":["writers"]}}`)
	if err != nil {
		b.Fatal(err)
	}
	h := p.handler(b, rules, nil)
	req := request("POST /v1/messages", map[string]string{"authorization": "Bearer " + p.token(b, nil)})
	ctx := context.Background()
	if resp, _ := h.Handle(ctx, req); !resp.IsAuthorized {
		b.Fatal("denied")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if resp, _ := h.Handle(ctx, req); !resp.IsAuthorized {
			b.Fatal("denied")
		}
	}
}

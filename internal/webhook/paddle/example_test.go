package paddle_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/paddle"
)

func ExampleVerifier_Verify() {
	body := []byte(`{"event_id":"evt_01","event_type":"transaction.completed"}`)
	sent := time.Unix(1710929255, 0)
	header := paddle.Sign("pdl_ntfset_example", sent, body)
	v := paddle.Verifier{Secrets: []string{"pdl_ntfset_example"}} // Tolerance 0: the 5 s default

	fmt.Println(v.Verify(header, body, sent.Add(2*time.Second)))
	// The same notification replayed a minute later is refused.
	fmt.Println(errors.Is(v.Verify(header, body, sent.Add(time.Minute)), paddle.ErrStaleTimestamp))
	// Output:
	// <nil>
	// true
}

func ExampleParseEvent() {
	e, err := paddle.ParseEvent([]byte(`{"event_id":"evt_01","event_type":"price.created","data":{}}`))
	fmt.Println(e.ID, e.Type, err)
	// Output: evt_01 price.created <nil>
}

func ExampleSign() {
	// The paddle-node-sdk vector: the HMAC covers "1698796800:" + body.
	fmt.Println(paddle.Sign("VALID_SECRET", time.Unix(1698796800, 0), []byte(`{"data": ["1", "2"]}`)))
	// Output: ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9
}

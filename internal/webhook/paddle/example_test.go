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
	// The dev secret the local platform uses (dev-only); the value was
	// checked independently with Python's hmac module over "<ts>:" + body.
	body := []byte(`{"event_id":"evt_01","event_type":"price.created"}`)
	fmt.Println(paddle.Sign("pdl_ntfset_sqsgatedev_localonly", time.Unix(1767225600, 0), body))
	// Output: ts=1767225600;h1=70bfa3ad540a55caecb63dab8f0b1cbfaded6c293768df74ab928358e17c4de1
}

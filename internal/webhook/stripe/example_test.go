package stripe_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/stripe"
)

func ExampleVerifier_Verify() {
	body := []byte(`{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}`)
	sent := time.Unix(1756252800, 0)
	header := stripe.Sign("whsec_example", sent, body)
	// Two secrets while the endpoint's secret is rolled; Tolerance 0 is
	// stripe-go's 300 s.
	v := stripe.Verifier{Secrets: []string{"whsec_new", "whsec_example"}}

	fmt.Println(v.Verify(header, body, sent.Add(time.Minute)))
	// Replayed ten minutes later, or stamped ten minutes ahead: refused.
	fmt.Println(errors.Is(v.Verify(header, body, sent.Add(10*time.Minute)), stripe.ErrStaleTimestamp))
	fmt.Println(errors.Is(v.Verify(header, body, sent.Add(-10*time.Minute)), stripe.ErrStaleTimestamp))
	// Output:
	// <nil>
	// true
	// true
}

func ExampleParseEvent() {
	e, err := stripe.ParseEvent([]byte(`{"id":"evt_1","object":"event","type":"invoice.paid","data":{}}`))
	fmt.Println(e.ID, e.Type, err)
	// Output: evt_1 invoice.paid <nil>
}

func ExampleSign() {
	// The dev secret the local platform uses (dev-only); the value was
	// checked independently with Python's hmac module over "<t>." + body.
	body := []byte(`{"id":"evt_01","type":"invoice.paid"}`)
	fmt.Println(stripe.Sign("whsec_sqsgatedev_localonly", time.Unix(1767225600, 0), body))
	// Output: t=1767225600,v1=cb7b6a90a18d9bfd6162c07bb2acf48ea0827438aae6276dbd919e77be1e307a
}

package standard_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/sqsgate/sqsgate/internal/webhook/standard"
)

func ExampleVerifier_Verify() {
	// A shared secret (v1) and a sender's public key (v1a) at once: either
	// kind of signature is accepted.
	seed := sha256.Sum256([]byte("example sender key"))
	sender := ed25519.NewKeyFromSeed(seed[:])
	v := standard.Verifier{Secrets: []string{
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		standard.PublicKey(sender.Public().(ed25519.PublicKey)),
	}}
	body := []byte(`{"type":"invoice.paid","data":{}}`)
	sent := time.Unix(1674087231, 0)

	sig := standard.SignEd25519(sender, "msg_1", sent, body)
	fmt.Println(v.Verify("msg_1", "1674087231", sig, body, sent.Add(time.Second)))

	sig, _ = standard.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_2", sent, body)
	fmt.Println(v.Verify("msg_2", "1674087231", sig, body, sent))

	// Replayed an hour later: refused.
	_, err := v.Verify("msg_2", "1674087231", sig, body, sent.Add(time.Hour))
	fmt.Println(errors.Is(err, standard.ErrStaleTimestamp))
	// Output:
	// v1a <nil>
	// v1 <nil>
	// true
}

func ExampleParseEvent() {
	e, err := standard.ParseEvent([]byte(`{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{}}`))
	fmt.Println(e.Type, err)
	// Output: contact.created <nil>
}

func ExampleSign() {
	// The shared vector from the reference library's tests.
	fmt.Println(standard.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`)))
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= <nil>
}

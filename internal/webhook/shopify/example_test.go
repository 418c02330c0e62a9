package shopify_test

import (
	"errors"
	"fmt"

	"github.com/sqsgate/sqsgate/internal/webhook/shopify"
)

func ExampleVerifier_Verify() {
	body := []byte(`{"foo": "bar"}`)
	// The example from Shopify's own library tests (shopify-app-js).
	v := shopify.Verifier{Secrets: []string{"test_secret_key"}}

	fmt.Println(v.Verify("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", body))
	fmt.Println(errors.Is(v.Verify(shopify.Sign("forged", body), body), shopify.ErrSignatureMismatch))
	// Output:
	// <nil>
	// true
}

func ExampleSign() {
	// The dev secret the local platform uses (dev-only); checked
	// independently with Python's hmac and base64 modules.
	fmt.Println(shopify.Sign("shpss_sqsgatedev_localonly", []byte(`{"id":1,"email":"jon@example.com"}`)))
	// Output: K68zrIRoRp9Qk18G0nFwWIvE5pygrFdGQIzrHS/Acac=
}

package github_test

import (
	"errors"
	"fmt"

	"github.com/sqsgate/sqsgate/internal/webhook/github"
)

func ExampleVerifier_Verify() {
	body := []byte(`{"zen":"Keep it logically awesome."}`)
	// Two secrets during a rotation: the new one first, the old one still valid.
	v := github.Verifier{Secrets: []string{"new-secret", "old-secret"}}

	fmt.Println(v.Verify(github.Sign("old-secret", body), body))
	fmt.Println(errors.Is(v.Verify(github.Sign("forged", body), body), github.ErrSignatureMismatch))
	fmt.Println(errors.Is(v.VerifyHeaders("", "sha1=126f2c800419c60137ce748d7672e77b65cf16d6", body), github.ErrSHA1Only))
	// Output:
	// <nil>
	// true
	// true
}

func ExamplePayload() {
	raw := []byte("payload=%7B%22zen%22%3A%22hi%22%7D")
	v := github.Verifier{Secrets: []string{"secret"}}
	// The signature covers the raw form bytes...
	if err := v.Verify(github.Sign("secret", raw), raw); err != nil {
		fmt.Println(err)
		return
	}
	// ...and the JSON document is the decoded payload field.
	payload, _ := github.Payload("application/x-www-form-urlencoded", raw)
	fmt.Println(string(payload))
	// Output: {"zen":"hi"}
}

func ExampleSign() {
	fmt.Println(github.Sign("It's a Secret to Everybody", []byte("Hello, World!")))
	// Output: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
}

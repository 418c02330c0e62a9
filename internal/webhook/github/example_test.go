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
	fmt.Println(errors.Is(v.VerifyHeaders("", "sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709", body), github.ErrSHA1Only))
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
	// The dev secret the local platform uses (dev-only); the value was
	// checked independently with Python's hmac module.
	fmt.Println(github.Sign("sqsgate-dev-github-secret", []byte(`{"zen":"Design for failure."}`)))
	// Output: sha256=d414b15db907a1c55d513997a470d6592becf06df3bcec8eb71511b780e09b36
}

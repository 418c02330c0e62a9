package cognito_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

func ExampleVerifier_Verify() {
	// A stand-in for the user pool: its key and its JWKS endpoint.
	priv, _ := rsa.GenerateKey(rand.Reader, 2048)
	key, _ := jwk.FromRaw(priv)
	_ = key.Set(jwk.KeyIDKey, "pool-key-1")
	_ = key.Set(jwk.AlgorithmKey, jwa.RS256)
	pub, _ := key.PublicKey()
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	pool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(set) // the JWKS, as Cognito serves it
		_, _ = w.Write(body)
	}))
	defer pool.Close()

	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	v, err := cognito.New(context.Background(), cognito.Config{
		Issuer:    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1",
		ClientIDs: []string{"exampleclient"},
		JWKSURL:   pool.URL + "/.well-known/jwks.json",
		Leeway:    cognito.DefaultLeeway,
		Now:       func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()

	// An access token as Cognito issues it.
	tok, _ := jwt.NewBuilder().
		Issuer("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1").
		Subject("8f1c2d3e-0000-4000-8000-00000000abcd").
		Claim("token_use", "access").
		Claim("client_id", "exampleclient").
		Claim("username", "alice").
		Claim("scope", "sqsgate/write").
		IssuedAt(now.Add(-time.Minute)).
		Expiration(now.Add(time.Hour)).
		Build()
	signed, _ := jwt.Sign(tok, jwt.WithKey(jwa.RS256, key))

	claims, err := v.Verify(context.Background(), string(signed))
	if err != nil {
		fmt.Println("denied:", cognito.Code(err))
		return
	}
	fmt.Println(claims.Username, claims.Subject, claims.Scope)

	// The same token past its expiry and the leeway.
	now = now.Add(time.Hour + cognito.DefaultLeeway)
	_, err = v.Verify(context.Background(), string(signed))
	fmt.Println(errors.Is(err, cognito.ErrExpired), cognito.Code(err))
	// Output:
	// alice 8f1c2d3e-0000-4000-8000-00000000abcd sqsgate/write
	// true token_expired
}

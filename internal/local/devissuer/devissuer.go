package devissuer

import (
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sqsgate/sqsgate/internal/uuid"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/sqsgate/sqsgate/internal/cognito"
)

// The dev issuer's identity, fixed so env.local.json can name it.
const (
	// Issuer is the iss of every dev token (.invalid: never resolvable).
	Issuer = "https://dev-issuer.sqsgate.invalid/us-east-1_sqsgatedev"
	// ClientID is the dev app client: client_id of access tokens, aud of
	// id tokens.
	ClientID = "sqsgatelocalclient"
	// JWKSPath is where the local platform serves JWKS().
	JWKSPath = "/.sqsgate/dev-issuer/.well-known/jwks.json"
	// KeyID is the kid of the dev key.
	KeyID = "sqsgate-dev-key-1"
	// DefaultTTL is a token's lifetime when Claims.TTL is zero (Cognito's
	// default for access and id tokens).
	DefaultTTL = time.Hour
	// ExpireAtIssue as Claims.TTL mints a token whose exp is its iat:
	// expired from the start, for testing (`sqsgate token --ttl=0`).
	ExpireAtIssue = time.Duration(-1 << 63)
	// DefaultSubject and DefaultUsername name the dev user.
	DefaultSubject  = "00000000-0000-4000-8000-5e75ca7ede01"
	DefaultUsername = "dev-user"
)

// Token uses, as Cognito writes them: the verifier's own constants.
const (
	TokenUseAccess = cognito.TokenUseAccess
	TokenUseID     = cognito.TokenUseID
)

//go:embed dev-key.pem
var devKeyPEM []byte

// Signer mints tokens with the dev key. (It is not named Issuer because
// Issuer is the issuer URL constant.)
type Signer struct {
	key  jwk.Key // private, with kid and alg
	jwks []byte
}

// Load parses the embedded dev key.
func Load() (*Signer, error) {
	block, _ := pem.Decode(devKeyPEM)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("devissuer: embedded key is not a PEM private key")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devissuer: parse embedded key: %w", err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("devissuer: embedded key is %T, not RSA", parsed)
	}
	key, err := jwk.FromRaw(priv)
	if err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	if err := key.Set(jwk.KeyIDKey, KeyID); err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	if err := key.Set(jwk.AlgorithmKey, jwa.RS256); err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	if err := pub.Set(jwk.KeyUsageKey, jwk.ForSignature); err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	set := jwk.NewSet()
	if err := set.AddKey(pub); err != nil {
		return nil, fmt.Errorf("devissuer: %w", err)
	}
	jwks, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("devissuer: marshal JWKS: %w", err)
	}
	return &Signer{key: key, jwks: jwks}, nil
}

// JWKS returns the key set document to serve at JWKSPath.
func (s *Signer) JWKS() []byte { return append([]byte(nil), s.jwks...) }

// Claims says what a minted token asserts. Zero values take the defaults:
// DefaultSubject, DefaultUsername, ClientID, TokenUseAccess, DefaultTTL.
type Claims struct {
	Subject  string
	Username string
	ClientID string
	TokenUse string // TokenUseAccess or TokenUseID
	Scopes   []string
	Groups   []string
	// Email goes into id tokens only, as Cognito does.
	Email string
	TTL   time.Duration
}

// Mint signs a Cognito-shaped token issued at now.
func (s *Signer) Mint(c Claims, now time.Time) (string, error) {
	c = c.withDefaults()
	iat := now.Unix()
	// A negative TTL mints an already expired token, for testing; exp is
	// whole seconds, so ExpireAtIssue is exactly iat.
	exp := now.Add(c.TTL).Unix()
	if c.TTL == ExpireAtIssue {
		exp = iat
	}
	payload := map[string]any{
		"sub":        c.Subject,
		"iss":        Issuer,
		"origin_jti": uuid.New(),
		"event_id":   uuid.New(),
		"token_use":  c.TokenUse,
		"auth_time":  iat,
		"iat":        iat,
		"exp":        exp,
		"jti":        uuid.New(),
	}
	if len(c.Groups) > 0 {
		payload["cognito:groups"] = c.Groups
	}
	switch c.TokenUse {
	case TokenUseAccess:
		payload["client_id"] = c.ClientID
		payload["username"] = c.Username
		payload["scope"] = strings.Join(c.Scopes, " ")
		payload["version"] = 2
	case TokenUseID:
		payload["aud"] = c.ClientID
		payload["cognito:username"] = c.Username
		if c.Email != "" {
			payload["email"] = c.Email
			payload["email_verified"] = true
		}
	default:
		return "", fmt.Errorf("devissuer: token use %q is neither %q nor %q", c.TokenUse, TokenUseAccess, TokenUseID)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("devissuer: %w", err)
	}
	// Cognito's header is {"kid","alg"} only; jws adds alg, the key gives kid.
	signed, err := jws.Sign(body, jws.WithKey(jwa.RS256, s.key))
	if err != nil {
		return "", fmt.Errorf("devissuer: sign: %w", err)
	}
	return string(signed), nil
}

func (c Claims) withDefaults() Claims {
	if c.Subject == "" {
		c.Subject = DefaultSubject
	}
	if c.Username == "" {
		c.Username = DefaultUsername
	}
	if c.ClientID == "" {
		c.ClientID = ClientID
	}
	if c.TokenUse == "" {
		c.TokenUse = TokenUseAccess
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	return c
}

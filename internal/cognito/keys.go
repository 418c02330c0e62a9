package cognito

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// minRSABits is the smallest RSA modulus accepted from a key set; Cognito
// uses 2048-bit keys.
const minRSABits = 2048

// keySource serves RSA keys by kid from a jwk.Cache and decides when the
// cache may be forced to refetch.
type keySource struct {
	cache       *jwk.Cache
	url         string
	now         func() time.Time
	minInterval time.Duration
	cancel      context.CancelFunc

	mu         sync.Mutex // guards lastForced
	lastForced time.Time
}

func newKeySource(url string, client *http.Client, refresh, minInterval time.Duration, now func() time.Time) (*keySource, error) {
	ctx, cancel := context.WithCancel(context.Background())
	cache := jwk.NewCache(ctx)
	if err := cache.Register(url,
		jwk.WithHTTPClient(client),
		jwk.WithRefreshInterval(refresh),
	); err != nil {
		cancel()
		return nil, fmt.Errorf("register JWKS URL with the key cache: %w", err)
	}
	return &keySource{cache: cache, url: url, now: now, minInterval: minInterval, cancel: cancel}, nil
}

// fetch fetches the key set now. New calls it once so the keys are ready
// before the first request.
func (s *keySource) fetch(ctx context.Context) error {
	if _, err := s.cache.Refresh(ctx, s.url); err != nil {
		return fmt.Errorf("%w: %w", ErrJWKSUnavailable, err)
	}
	s.mu.Lock()
	s.lastForced = s.now()
	s.mu.Unlock()
	return nil
}

// key returns the public key for kid. It forces a refetch when there is no
// key set yet or kid is unknown, at most once per minInterval.
func (s *keySource) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	set, err := s.cache.Get(ctx, s.url)
	if err != nil || set == nil {
		// The cache holds nothing when every fetch so far has failed.
		err = fmt.Errorf("%w: no key set fetched yet", ErrJWKSUnavailable)
	} else if k, ok := set.LookupKeyID(kid); ok {
		return rsaKey(k)
	}
	if !s.mayForce() {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: kid %q (refresh suppressed until the minimum interval passes)", ErrUnknownKey, kid)
	}
	set, ferr := s.cache.Refresh(ctx, s.url)
	if ferr != nil {
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrJWKSUnavailable, ferr)
		}
		// The old set is still good; the kid is simply not in it.
		return nil, fmt.Errorf("%w: kid %q (refresh failed: %v)", ErrUnknownKey, kid, ferr)
	}
	if k, ok := set.LookupKeyID(kid); ok {
		return rsaKey(k)
	}
	return nil, fmt.Errorf("%w: kid %q", ErrUnknownKey, kid)
}

// mayForce reports whether a forced refetch is allowed now, and if so
// records it, so that concurrent callers get one refetch between them.
func (s *keySource) mayForce() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if !s.lastForced.IsZero() && now.Sub(s.lastForced) < s.minInterval {
		return false
	}
	s.lastForced = now
	return true
}

func (s *keySource) close() { s.cancel() }

// rsaKey turns a key set's entry into the key that verifies RS256 tokens,
// or the reason it cannot. The key must declare alg RS256 itself: the
// token's header never chooses the algorithm. The conversion is done per
// fresh token; it costs well under a microsecond beside the RSA check.
func rsaKey(k jwk.Key) (*rsa.PublicKey, error) {
	if k.KeyType() != jwa.RSA {
		return nil, fmt.Errorf("%w: key %q is %s, not RSA", ErrAlgorithm, k.KeyID(), k.KeyType())
	}
	if alg := k.Algorithm(); alg == nil || alg.String() != jwa.RS256.String() {
		return nil, fmt.Errorf("%w: key %q does not declare RS256", ErrAlgorithm, k.KeyID())
	}
	if use := k.KeyUsage(); use != "" && use != string(jwk.ForSignature) {
		return nil, fmt.Errorf("%w: key %q is for %q, not signatures", ErrAlgorithm, k.KeyID(), use)
	}
	var pub rsa.PublicKey
	if err := k.Raw(&pub); err != nil {
		return nil, fmt.Errorf("%w: key %q: %v", ErrAlgorithm, k.KeyID(), err)
	}
	if pub.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("%w: key %q has %d bits", ErrAlgorithm, k.KeyID(), pub.N.BitLen())
	}
	return &pub, nil
}

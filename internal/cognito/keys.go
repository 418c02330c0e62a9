package cognito

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// minRSABits is the smallest RSA modulus accepted from a key set; Cognito
// uses 2048-bit keys.
const minRSABits = 2048

// keySource serves prepared RSA keys by kid from a jwk.Cache and decides
// when the cache may be forced to refetch.
type keySource struct {
	cache       *jwk.Cache
	url         string
	now         func() time.Time
	minInterval time.Duration
	cancel      context.CancelFunc

	mu         sync.Mutex // guards lastForced and rebuilding prepared
	lastForced time.Time
	prepared   atomic.Pointer[preparedSet]
}

// preparedSet is a jwk.Set turned into what verification needs, built once
// per fetched set so the hot path does no key conversion.
type preparedSet struct {
	set  jwk.Set
	keys map[string]preparedKey
}

// preparedKey is a usable RSA key, or the reason the key set's entry under
// that kid cannot verify RS256 tokens.
type preparedKey struct {
	pub *rsa.PublicKey
	err error
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
	set, err := s.cache.Refresh(ctx, s.url)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrJWKSUnavailable, err)
	}
	s.mu.Lock()
	s.lastForced = s.now()
	s.mu.Unlock()
	s.use(set)
	return nil
}

// key returns the public key for kid. It forces a refetch when there is no
// key set yet or kid is unknown, at most once per minInterval.
func (s *keySource) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	ps, err := s.current(ctx)
	if err == nil {
		if k, ok := ps.keys[kid]; ok {
			return k.pub, k.err
		}
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
	if k, ok := s.use(set).keys[kid]; ok {
		return k.pub, k.err
	}
	return nil, fmt.Errorf("%w: kid %q", ErrUnknownKey, kid)
}

// current returns the prepared form of the cache's present set.
func (s *keySource) current(ctx context.Context) (*preparedSet, error) {
	set, err := s.cache.Get(ctx, s.url)
	if err != nil || set == nil {
		// The cache holds nothing when every fetch so far has failed.
		return nil, fmt.Errorf("%w: no key set fetched yet", ErrJWKSUnavailable)
	}
	if ps := s.prepared.Load(); ps != nil && ps.set == set {
		return ps, nil
	}
	return s.use(set), nil
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

// use prepares set (once per distinct set) and makes it current.
func (s *keySource) use(set jwk.Set) *preparedSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ps := s.prepared.Load(); ps != nil && ps.set == set {
		return ps
	}
	ps := prepare(set)
	s.prepared.Store(ps)
	return ps
}

func (s *keySource) close() { s.cancel() }

// prepare converts every RSA signing key of set into an *rsa.PublicKey.
// A key is usable only if it declares alg RS256 itself: the token's header
// never chooses the algorithm.
func prepare(set jwk.Set) *preparedSet {
	ps := &preparedSet{set: set, keys: make(map[string]preparedKey, set.Len())}
	for i := 0; i < set.Len(); i++ {
		k, ok := set.Key(i)
		if !ok || k.KeyID() == "" {
			continue
		}
		ps.keys[k.KeyID()] = prepareKey(k)
	}
	return ps
}

func prepareKey(k jwk.Key) preparedKey {
	if k.KeyType() != jwa.RSA {
		return preparedKey{err: fmt.Errorf("%w: key %q is %s, not RSA", ErrAlgorithm, k.KeyID(), k.KeyType())}
	}
	if alg := k.Algorithm(); alg == nil || alg.String() != jwa.RS256.String() {
		return preparedKey{err: fmt.Errorf("%w: key %q does not declare RS256", ErrAlgorithm, k.KeyID())}
	}
	if use := k.KeyUsage(); use != "" && use != string(jwk.ForSignature) {
		return preparedKey{err: fmt.Errorf("%w: key %q is for %q, not signatures", ErrAlgorithm, k.KeyID(), use)}
	}
	var pub rsa.PublicKey
	if err := k.Raw(&pub); err != nil {
		return preparedKey{err: fmt.Errorf("%w: key %q: %v", ErrAlgorithm, k.KeyID(), err)}
	}
	if pub.N.BitLen() < minRSABits {
		return preparedKey{err: fmt.Errorf("%w: key %q has %d bits", ErrAlgorithm, k.KeyID(), pub.N.BitLen())}
	}
	return preparedKey{pub: &pub}
}

package cognito

import (
	"io"
	"net/http"
)

// MaxJWKSBytes caps a key set response. Cognito's holds two keys (about
// 1 KB); jwk.Cache itself reads whatever it is given.
const MaxJWKSBytes = 1 << 20

// NewJWKSClient returns the client that fetches key sets when
// Config.HTTPClient is nil: bounded in time (DefaultFetchTimeout) and size
// (MaxJWKSBytes), and refusing redirects, so the configured URL is the only
// place keys come from.
func NewJWKSClient() *http.Client {
	return &http.Client{
		Timeout:       DefaultFetchTimeout,
		Transport:     limitedBody{http.DefaultTransport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// limitedBody cuts response bodies at MaxJWKSBytes, so a larger key set
// arrives truncated and fails to parse instead of filling memory.
type limitedBody struct{ next http.RoundTripper }

func (l limitedBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, MaxJWKSBytes), resp.Body}
	return resp, nil
}

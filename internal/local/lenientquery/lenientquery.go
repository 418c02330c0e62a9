// Package lenientquery decodes query strings as API Gateway does: a pair
// that does not decode is kept as sent rather than dropped (url.ParseQuery
// would drop it and report an error).
package lenientquery

import (
	"net/url"
	"strings"
)

// Parse decodes raw (without the leading "?") into its values by name, in
// order.
func Parse(raw string) map[string][]string {
	out := map[string][]string{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		out[k] = append(out[k], v)
	}
	return out
}

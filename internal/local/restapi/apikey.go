package restapi

import (
	"net/http"
	"sync"
	"time"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

var (
	errForbidden = &apiError{kind: "INVALID_API_KEY", status: http.StatusForbidden, message: "Forbidden",
		errorType: "ForbiddenException"}
	errThrottled = &apiError{kind: "THROTTLED", status: http.StatusTooManyRequests, message: "Too Many Requests",
		errorType: "TooManyRequestsException"}
	errQuota = &apiError{kind: "QUOTA_EXCEEDED", status: http.StatusTooManyRequests, message: "Limit Exceeded",
		errorType: "LimitExceededException"}
)

// apiKey is one key of a usage plan with the plan's live counters. Each key
// has its own bucket and quota, as usage plans meter per key.
type apiKey struct {
	id      string
	enabled bool
	plan    template.UsagePlan

	mu      sync.Mutex
	tokens  float64
	last    time.Time
	period  time.Time // start of the quota period counted in used
	used    int
	started bool
}

func compileUsagePlans(plans []template.UsagePlan) (map[string]*apiKey, error) {
	keys := map[string]*apiKey{}
	for _, p := range plans {
		where := "usage plan " + p.LogicalID
		switch p.QuotaPeriod {
		case "", "DAY", "WEEK", "MONTH":
		default:
			return nil, configErr(where, "quota period %q (DAY, WEEK or MONTH)", p.QuotaPeriod)
		}
		if p.QuotaLimit < 0 || p.RateLimit < 0 || p.BurstLimit < 0 || p.QuotaOffset < 0 {
			return nil, configErr(where, "negative limit")
		}
		for _, k := range p.Keys {
			if k.Value == "" {
				return nil, configErr(where, "API key %s has no value", k.LogicalID)
			}
			if len(k.Value) < 20 {
				// API Gateway refuses key values shorter than 20 characters.
				return nil, configErr(where, "API key %s is shorter than 20 characters", k.LogicalID)
			}
			if _, dup := keys[k.Value]; dup {
				return nil, configErr(where, "API key %s is in two usage plans of this stage", k.LogicalID)
			}
			keys[k.Value] = &apiKey{id: k.LogicalID, enabled: k.Enabled, plan: p}
		}
	}
	return keys, nil
}

// checkAPIKey applies the method's API key requirement: a missing,
// unknown or disabled key is 403 Forbidden; then the key's usage plan
// quota (429 Limit Exceeded) and throttle (429 Too Many Requests).
func (s *Server) checkAPIKey(req *request) error {
	value, _ := req.header("X-Api-Key")
	k := s.keys[value]
	if value == "" || k == nil || !k.enabled {
		return errForbidden
	}
	req.apiKey, req.apiKeyID = value, k.id
	return k.admit(s.now())
}

func (k *apiKey) admit(now time.Time) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.plan
	if p.QuotaLimit > 0 {
		start := periodStart(p.QuotaPeriod, now)
		switch {
		case !k.started:
			// The offset is taken from the limit in the initial period.
			k.period, k.used, k.started = start, p.QuotaOffset, true
		case !start.Equal(k.period):
			k.period, k.used = start, 0
		}
		if k.used >= p.QuotaLimit {
			return errQuota
		}
	}
	if p.RateLimit > 0 {
		burst := float64(max(p.BurstLimit, 1))
		if k.last.IsZero() {
			k.tokens = burst
		} else {
			// A clock that steps back adds nothing.
			k.tokens = min(burst, k.tokens+max(now.Sub(k.last).Seconds(), 0)*p.RateLimit)
		}
		k.last = now
		if k.tokens < 1 {
			return errThrottled
		}
		k.tokens--
	}
	k.used++
	return nil
}

// periodStart is the start (UTC) of the quota period holding now: the day,
// the week from Sunday, or the month.
func periodStart(period string, now time.Time) time.Time {
	y, m, d := now.UTC().Date()
	switch period {
	case "DAY":
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case "WEEK":
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return day.AddDate(0, 0, -int(day.Weekday()))
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

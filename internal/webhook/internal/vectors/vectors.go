package vectors

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// PathEnv overrides where the vectors file is read from.
const PathEnv = "SQSGATE_WEBHOOK_VECTORS"

// File is the vectors document.
type File struct {
	GitHub           []GitHub           `json:"github"`
	Paddle           []Paddle           `json:"paddle"`
	StandardWebhooks []StandardWebhooks `json:"standard_webhooks"`
}

// GitHub is one GitHub vector.
type GitHub struct {
	Source         string `json:"source"`
	Secret         string `json:"secret"`
	Body           string `json:"body"`
	ContentType    string `json:"content_type"`
	Header         string `json:"header"`
	Signature      string `json:"signature"`
	DecodedPayload string `json:"decoded_payload"`
	Valid          bool   `json:"valid"`
}

// Paddle is one Paddle vector; Now is unix seconds.
type Paddle struct {
	Source    string   `json:"source"`
	Secrets   []string `json:"secrets"`
	Body      string   `json:"body"`
	Header    string   `json:"header"`
	Signature string   `json:"signature"`
	Now       int64    `json:"now"`
	Valid     bool     `json:"valid"`
}

// StandardWebhooks is one Standard Webhooks vector.
type StandardWebhooks struct {
	Source    string `json:"source"`
	Secret    string `json:"secret"`
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Body      string `json:"body"`
	Signature string `json:"signature"`
	Now       int64  `json:"now"`
	Valid     bool   `json:"valid"`
}

// Load reads the vectors file, failing t when it is absent: the vectors are
// part of what the tests must prove.
func Load(t testing.TB) File {
	t.Helper()
	path := os.Getenv(PathEnv)
	if path == "" {
		_, here, _, _ := runtime.Caller(0)
		// internal/webhook/internal/vectors → repository root → its sibling shared/.
		path = filepath.Join(filepath.Dir(here), "..", "..", "..", "..", "..", "shared", "testdata", "webhook-vectors.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read webhook vectors (set %s to override): %v", PathEnv, err)
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if len(f.GitHub) == 0 || len(f.Paddle) == 0 {
		t.Fatalf("%s holds no github or paddle vectors", path)
	}
	return f
}

// Example is one published example of a provider's scheme, as committed
// under that provider package's testdata/examples.json with its source.
type Example struct {
	Source  string            `json:"source"`
	Secrets []string          `json:"secrets"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	// Now is the receiver's clock, unix seconds.
	Now int64 `json:"now"`
	// Want is the verdict: ok, mismatch, malformed, stale or missing.
	Want string `json:"want"`
	// Scheme is the scheme that must verify an ok example, where a
	// provider has several (Standard Webhooks: v1 or v1a).
	Scheme string `json:"scheme,omitempty"`
}

// Examples reads testdata/examples.json of the calling package's directory,
// failing t when it is absent or empty.
func Examples(t testing.TB) []Example {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "examples.json"))
	if err != nil {
		t.Fatalf("read published examples: %v", err)
	}
	var doc struct {
		Examples []Example `json:"examples"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("parse testdata/examples.json: %v", err)
	}
	if len(doc.Examples) == 0 {
		t.Fatal("testdata/examples.json holds no examples")
	}
	return doc.Examples
}

// Verdict names the kind of err as Example.Want spells it: ok, no_secret,
// missing, malformed, stale or mismatch; anything else is "unexpected".
func Verdict(err error) string {
	for _, k := range []struct {
		kind error
		name string
	}{
		{sigcheck.ErrNoSecret, "no_secret"},
		{sigcheck.ErrMissingSignature, "missing"},
		{sigcheck.ErrMalformedSignature, "malformed"},
		{sigcheck.ErrStaleTimestamp, "stale"},
		{sigcheck.ErrSignatureMismatch, "mismatch"},
	} {
		if errors.Is(err, k.kind) {
			return k.name
		}
	}
	if err == nil {
		return "ok"
	}
	return "unexpected: " + err.Error()
}

package vectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
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

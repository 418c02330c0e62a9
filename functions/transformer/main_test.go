package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/sqsgate/sqsgate/internal/testpeer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewHandler(t *testing.T) {
	testpeer.SetAWSEnv(t, "http://127.0.0.1:1")
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"no queue", map[string]string{"QUEUE_URL": ""}, "QUEUE_URL"},
		{"unknown schema", map[string]string{"QUEUE_URL": "http://127.0.0.1:1/000000000000/q", "EVENT_SCHEMA": "nope"}, "unknown event schema"},
		{"bad item limit", map[string]string{"QUEUE_URL": "http://127.0.0.1:1/000000000000/q", "MAX_BATCH_ITEMS": "-3"}, "MAX_BATCH_ITEMS"},
		{"ok", map[string]string{"QUEUE_URL": "http://127.0.0.1:1/000000000000/q", "EVENT_SCHEMA": "strict-order", "EVENT_SOURCE": "shop", "MAX_BATCH_ITEMS": "100"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"QUEUE_URL", "EVENT_SCHEMA", "EVENT_SOURCE", "MAX_BATCH_ITEMS"} {
				t.Setenv(k, tt.env[k])
			}
			h, err := newHandler(context.Background(), logger)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, h)
		})
	}
}

package lambdalog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewLoggerWritesJSONWithLambdaKeys(t *testing.T) {
	var buf bytes.Buffer
	env := map[string]string{"AWS_LAMBDA_LOG_LEVEL": "WARN"}
	logger := newLogger(&buf, func(k string) string { return env[k] })

	logger.Info("dropped below the level")
	logger.Warn("kept", slog.String("delivery_id", "d-1"))

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	require.Len(t, lines, 1, "INFO must be filtered at WARN: %s", buf.String())
	var rec map[string]any
	require.NoError(t, json.Unmarshal(lines[0], &rec))
	assert.Equal(t, "kept", rec["message"])
	assert.Equal(t, "WARN", rec["level"])
	assert.Equal(t, "d-1", rec["delivery_id"])
	assert.Contains(t, rec, "timestamp")
}

func TestLevel(t *testing.T) {
	tests := []struct {
		name string
		want slog.Level
	}{
		{"", slog.LevelInfo},
		{"bogus", slog.LevelInfo},
		{"debug", slog.LevelDebug},
		{"TRACE", slog.LevelDebug},
		{"WARN", slog.LevelWarn},
		{"FATAL", slog.LevelError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, level(tt.name))
		})
	}
}

package transform

import (
	"fmt"
	"strconv"
)

// Environment variables the TransformerFunction reads at cold start.
const (
	EnvQueueURL      = "QUEUE_URL"
	EnvEventSchema   = "EVENT_SCHEMA"
	EnvEventSource   = "EVENT_SOURCE"
	EnvMaxBatchItems = "MAX_BATCH_ITEMS"
)

// ConfigFromEnv reads the settings that come from the environment; the
// other fields keep their defaults. getenv is os.Getenv in main.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		QueueURL: getenv(EnvQueueURL),
		Schema:   getenv(EnvEventSchema),
		Source:   getenv(EnvEventSource),
	}
	if cfg.QueueURL == "" {
		return Config{}, fmt.Errorf("%s is required", EnvQueueURL)
	}
	if v := getenv(EnvMaxBatchItems); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("%s must be a positive integer, got %q", EnvMaxBatchItems, v)
		}
		cfg.MaxBatchItems = n
	}
	return cfg, nil
}

package lambdalog

import (
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// New returns the logger every function uses. With the template's
// LoggingConfig (LogFormat JSON) Lambda sets AWS_LAMBDA_LOG_FORMAT=JSON and
// aws-lambda-go's own handler adds the request id. Without it (sam local,
// tests) aws-lambda-go would log text, so New falls back to a JSON handler
// with the same keys: logs stay machine-readable everywhere.
func New() *slog.Logger {
	return newLogger(os.Stdout, os.Getenv)
}

func newLogger(w io.Writer, getenv func(string) string) *slog.Logger {
	if getenv("AWS_LAMBDA_LOG_FORMAT") == "JSON" {
		return lambdacontext.NewLogger()
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level(getenv("AWS_LAMBDA_LOG_LEVEL")),
		ReplaceAttr: lambdacontext.ReplaceAttr,
	}))
}

// level maps Lambda's application log levels onto slog's; unknown or empty
// means INFO, as Lambda defaults.
func level(name string) slog.Level {
	switch strings.ToUpper(name) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

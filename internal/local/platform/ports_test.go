package platform

import (
	"net"
	"strings"
	"testing"
)

// Issue 14, friction 8: a port in use stopped start-up with the bare
// "address already in use"; the error now names the flag and the variable
// that move the listener.
func TestPortInUseNamesFlagAndVariable(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	taken := busy.Addr().String()
	tests := []struct {
		name      string
		cfg       Config
		flag, env string
	}{
		{"HTTP API", Config{APIAddr: taken, LambdaAddr: "127.0.0.1:0", SQSAddr: "127.0.0.1:0"}, "--api-addr", "SQSGATE_API_ADDR"},
		{"Lambda Invoke API", Config{APIAddr: "127.0.0.1:0", LambdaAddr: taken, SQSAddr: "127.0.0.1:0"}, "--lambda-addr", "SQSGATE_LAMBDA_ADDR"},
		{"SQS endpoint", Config{APIAddr: "127.0.0.1:0", LambdaAddr: "127.0.0.1:0", SQSAddr: taken}, "--sqs-addr", "SQSGATE_SQS_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Template, tt.cfg.FunctionsDir, tt.cfg.Logger = "../../../template.yaml", t.TempDir(), discard()
			_, err := Start(t.Context(), tt.cfg)
			if err == nil {
				t.Fatal("started on a port in use")
			}
			for _, want := range []string{tt.name, taken, tt.flag, tt.env} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
	if got := portHint("the dev issuer's JWKS address", &net.OpError{}); got != "" {
		t.Errorf("hint %q for a listener without a flag", got)
	}
}

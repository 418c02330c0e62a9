// Package testfn is the handler of the test function the runtime's tests
// build (testdata/testfn): one binary whose event chooses what it does, so
// one build covers every Runtime API path. The benchmarks also call it
// in-process, to compare with the same handler under the runtime.
package testfn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Event selects the handler's behaviour.
type Event struct {
	// Action: "" or "echo", "env", "error", "panic", "sleep", "alloc",
	// "big", "exit", "log".
	Action  string          `json:"action"`
	Data    json.RawMessage `json:"data,omitempty"`
	MS      int             `json:"ms,omitempty"` // sleep, and echo's delay
	MB      int             `json:"mb,omitempty"`
	Message string          `json:"message,omitempty"`
}

// Response is what the echo and env actions answer.
type Response struct {
	Data        json.RawMessage   `json:"data,omitempty"`
	PID         int               `json:"pid"`
	Count       int64             `json:"count"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	DeadlineMS  int64             `json:"deadlineMs"`
	Env         map[string]string `json:"env,omitempty"`
}

// Handler counts its invocations, so tests can tell warm reuse (same pid,
// growing count) from a new environment.
type Handler struct {
	count atomic.Int64
	kept  [][]byte // memory the alloc action holds on to
}

// Handle runs one event.
func (h *Handler) Handle(ctx context.Context, ev Event) (any, error) {
	n := h.count.Add(1)
	switch ev.Action {
	case "", "echo", "env":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		resp := Response{Data: ev.Data, PID: os.Getpid(), Count: n}
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			resp.RequestID, resp.FunctionARN = lc.AwsRequestID, lc.InvokedFunctionArn
		}
		if d, ok := ctx.Deadline(); ok {
			resp.DeadlineMS = d.UnixMilli()
		}
		if ev.Action == "env" {
			resp.Env = map[string]string{}
			for _, kv := range os.Environ() {
				k, v, _ := strings.Cut(kv, "=")
				resp.Env[k] = v
			}
		}
		return resp, nil
	case "error":
		return nil, errors.New(ev.Message)
	case "panic":
		panic(ev.Message)
	case "sleep":
		if ev.Message != "" {
			fmt.Println(ev.Message) // tells a test the event was taken
		}
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
		return map[string]int{"slept": ev.MS}, nil
	case "alloc":
		for i := 0; i < ev.MB; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = byte(j)
			}
			h.kept = append(h.kept, b)
		}
		return map[string]int{"allocated": ev.MB}, nil
	case "big":
		return strings.Repeat("x", ev.MB<<20), nil
	case "exit":
		os.Exit(2)
	case "log":
		fmt.Println(ev.Message)
		fmt.Fprintln(os.Stderr, "stderr: "+ev.Message)
		return "logged", nil
	}
	return nil, fmt.Errorf("unknown action %q", ev.Action)
}

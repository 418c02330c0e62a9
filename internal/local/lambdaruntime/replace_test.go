package lambdaruntime_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sqsgate/sqsgate/internal/local/lambdaruntime"
)

// TestReplace: after Replace (sqsgate run --watch swapped in a new build),
// new invocations start the bootstrap anew, an invocation in flight
// finishes on the process it started on, which then stops, and the new
// environments are reused as usual.
func TestReplace(t *testing.T) {
	rt, logs, events := newRuntimeEvents(t, lambdaruntime.Options{Functions: []lambdaruntime.Function{fn("F")}})
	echo := map[string]any{"action": "echo"}

	a := decodeEcho(t, invoke(t, rt, "F", echo)).PID
	if err := rt.Replace("F"); err != nil {
		t.Fatal(err)
	}
	events.waitN(t, 1, envEnded("F"), "the idle environment of the replaced bootstrap to stop")
	b := decodeEcho(t, invoke(t, rt, "F", echo)).PID
	if b == a {
		t.Fatalf("pid %d served again after Replace", a)
	}

	// In flight across a Replace: it finishes, on its own process.
	done := make(chan *lambdaruntime.Result, 1)
	go func() {
		res, err := rt.Invoke(context.Background(), "F", []byte(`{"action":"sleep","ms":1000,"message":"taken"}`))
		if err != nil {
			t.Errorf("in-flight invocation: %v", err)
		}
		done <- res
	}()
	logs.waitN(t, 1, func(l string) bool { return l == "taken" }, "the slow invocation to start")
	if err := rt.Replace("F"); err != nil {
		t.Fatal(err)
	}
	c := decodeEcho(t, invoke(t, rt, "F", echo)).PID
	if res := <-done; res == nil || res.FunctionError != "" || string(res.Payload) != `{"slept":1000}` {
		t.Fatalf("the invocation in flight during Replace did not finish normally: %+v", res)
	}
	events.waitN(t, 2, envEnded("F"), "the replaced environment to stop once its invocation ended")
	if c == b {
		t.Fatalf("pid %d (busy with the old bootstrap) took a new invocation", b)
	}
	if d := decodeEcho(t, invoke(t, rt, "F", echo)).PID; d != c {
		t.Errorf("the new environment %d was not reused (got %d)", c, d)
	}

	if err := rt.Replace("nope"); !errors.Is(err, lambdaruntime.ErrFunctionNotFound) {
		t.Errorf("Replace of an unknown function: %v", err)
	}
}

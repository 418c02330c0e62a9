package sqsendpoint

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sqsgate/sqsgate/internal/fakeclock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateAttributesRanges(t *testing.T) {
	type tc struct {
		name    string
		attrs   map[string]string
		fifo    bool
		wantErr string
	}
	var tests []tc
	// Every ranged attribute: both bounds pass, one past each fails.
	for name, r := range intAttributes {
		tests = append(tests,
			tc{name + " below range", map[string]string{name: strconv.Itoa(r.min - 1)}, false, "InvalidAttributeValue"},
			tc{name + " above range", map[string]string{name: strconv.Itoa(r.max + 1)}, false, "InvalidAttributeValue"},
			tc{name + " not a number", map[string]string{name: "ten"}, false, "InvalidAttributeValue"},
		)
	}
	tests = append(tests,
		tc{"unknown attribute", map[string]string{"Colour": "blue"}, false, "InvalidAttributeName"},
		tc{"ContentBasedDeduplication on a standard queue", map[string]string{"ContentBasedDeduplication": "true"}, false, "InvalidAttributeName"},
		tc{"DeduplicationScope value", map[string]string{"DeduplicationScope": "group"}, true, "InvalidAttributeValue"},
		tc{"messageGroup scope with perQueue limit", map[string]string{"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perQueue"}, true, "InvalidAttributeValue"},
		tc{"RedrivePolicy not JSON", map[string]string{"RedrivePolicy": "{"}, false, "InvalidAttributeValue"},
		tc{"RedrivePolicy without target", map[string]string{"RedrivePolicy": `{"maxReceiveCount":3}`}, false, "InvalidAttributeValue"},
		tc{"RedrivePolicy maxReceiveCount 0", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":0}`}, false, "InvalidAttributeValue"},
		tc{"RedriveAllowPolicy byQueue without sources", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue"}`}, false, "InvalidAttributeValue"},
		tc{"RedriveAllowPolicy unknown permission", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"some"}`}, false, "InvalidAttributeValue"},
		tc{"Policy not JSON", map[string]string{"Policy": "allow"}, false, "InvalidAttributeValue"},
		tc{"SqsManagedSseEnabled not a bool", map[string]string{"SqsManagedSseEnabled": "yes"}, false, "InvalidAttributeValue"},
	)
	for name, r := range intAttributes {
		tests = append(tests, tc{name + " at its bounds", map[string]string{name: strconv.Itoa(r.min)}, false, ""},
			tc{name + " at its upper bound", map[string]string{name: strconv.Itoa(r.max)}, false, ""})
	}
	tests = append(tests,
		tc{"maxReceiveCount as a string", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":"5"}`}, false, ""},
		tc{"FIFO attributes", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}, true, ""},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := validateAttributes(tt.attrs, tt.fifo, true)
			if tt.wantErr == "" {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tt.wantErr, err.Code)
		})
	}
}

func TestReceiptHandles(t *testing.T) {
	h := newReceiptHandle("q", "id-1")
	queue, id, ok := parseReceiptHandle(h)
	require.True(t, ok)
	assert.Equal(t, []string{"q", "id-1"}, []string{queue, id})
	assert.NotEqual(t, h, newReceiptHandle("q", "id-1"), "every receive gets a new handle")
	for _, bad := range []string{"", "!!!", "cQ", encodeToken("q\x00id"), encodeToken("q\x00id\x00short")} {
		_, _, ok := parseReceiptHandle(bad)
		assert.False(t, ok, "handle %q", bad)
	}
}

// eventLogger is a logger for a Server that closes the returned channel
// the first time the server logs msg: tests wait on what the server says
// it is doing, not on time.
func eventLogger(msg string) (*slog.Logger, <-chan struct{}) {
	seen := make(chan struct{})
	var once sync.Once
	h := &eventHandler{msg: msg, fire: func() { once.Do(func() { close(seen) }) }}
	return slog.New(h), seen
}

// eventStream is a logger that sends one value on the returned channel
// each time the server logs msg (up to 64 unread).
func eventStream(msg string) (*slog.Logger, <-chan struct{}) {
	events := make(chan struct{}, 64)
	h := &eventHandler{msg: msg, fire: func() {
		select {
		case events <- struct{}{}:
		default:
		}
	}}
	return slog.New(h), events
}

type eventHandler struct {
	msg  string
	fire func()
}

func (h *eventHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *eventHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.fire()
	}
	return nil
}
func (h *eventHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *eventHandler) WithGroup(string) slog.Handler      { return h }

// answer waits for a receive started on a frozen clock, which cannot end
// on its own; the guard only turns a hang into a failure.
func answer(t *testing.T, answered <-chan []delivery, why string) []delivery {
	t.Helper()
	select {
	case got := <-answered:
		return got
	case <-time.After(30 * time.Second):
		t.Fatal(why)
		return nil
	}
}

func TestDrainAnswersLongPollsAndKeepsServing(t *testing.T) {
	log, waiting := eventLogger("sqs receive waiting")
	frozen := fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s, err := New(Options{Logger: log, Now: frozen.Now})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.EnsureQueue("q", nil, nil)
	require.NoError(t, err)
	q, qerr := s.queueIn(s.region, "q")
	require.Nil(t, qerr)
	answered := make(chan []delivery)
	go func() {
		got, err := s.receive(context.Background(), q, receiveOptions{max: 1, wait: 20 * time.Second})
		assert.NoError(t, err)
		answered <- got
	}()
	<-waiting
	s.Drain()
	assert.Empty(t, answer(t, answered, "Drain did not answer the waiting receive"))

	_, err = s.sendMessage(q, messageInput{MessageBody: "after drain"})
	require.NoError(t, err, "a drained server still serves")
	got, err := s.receive(context.Background(), q, receiveOptions{max: 1, wait: 20 * time.Second, visibility: time.Minute})
	require.NoError(t, err)
	require.Len(t, got, 1)
	go func() {
		got, err := s.receive(context.Background(), q, receiveOptions{max: 1, wait: 20 * time.Second})
		assert.NoError(t, err)
		answered <- got
	}()
	assert.Empty(t, answer(t, answered, "a receive after Drain waited"))
}

func TestCloseEndsLongPollsAndRefusesWrites(t *testing.T) {
	log, waiting := eventLogger("sqs receive waiting")
	frozen := fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s, err := New(Options{DataDir: t.TempDir(), Logger: log, Now: frozen.Now})
	require.NoError(t, err)
	_, err = s.EnsureQueue("q", nil, nil)
	require.NoError(t, err)
	q, qerr := s.queueIn(s.region, "q")
	require.Nil(t, qerr)
	answered := make(chan []delivery)
	go func() {
		got, err := s.receive(context.Background(), q, receiveOptions{max: 1, wait: 20 * time.Second})
		assert.NoError(t, err)
		answered <- got
	}()
	<-waiting
	require.NoError(t, s.Close())
	assert.Empty(t, answer(t, answered, "Close did not answer the waiting receive"))
	_, err = s.sendMessage(q, messageInput{MessageBody: "late"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "InternalFailure", e.Code)
}

func TestDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Options{DataDir: dir})
	require.NoError(t, err)
	defer s.Close()
	_, err = New(Options{DataDir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in use by another process")
}

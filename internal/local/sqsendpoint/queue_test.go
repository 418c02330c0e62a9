package sqsendpoint

import (
	"context"
	"strconv"
	"testing"
	"time"

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

func TestCloseEndsLongPollsAndRefusesWrites(t *testing.T) {
	s, err := New(Options{DataDir: t.TempDir()})
	require.NoError(t, err)
	_, err = s.EnsureQueue("q", nil, nil)
	require.NoError(t, err)
	q, qerr := s.queueByName("q")
	require.Nil(t, qerr)
	done := make(chan struct{})
	go func() {
		defer close(done)
		got, err := s.receive(context.Background(), q, receiveOptions{max: 1, wait: 20 * time.Second})
		assert.NoError(t, err)
		assert.Empty(t, got)
	}()
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, s.Close())
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("long poll still waiting after Close")
	}
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

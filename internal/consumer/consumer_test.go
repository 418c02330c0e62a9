package consumer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func strAttr(v string) events.SQSMessageAttribute {
	return events.SQSMessageAttribute{DataType: "String", StringValue: &v}
}

func webhookMsg(id, provider, event, delivery, group string) events.SQSMessage {
	m := events.SQSMessage{
		MessageId: id,
		Body:      `{"n":"` + id + `"}`,
		Attributes: map[string]string{
			"ApproximateReceiveCount": "1",
		},
		MessageAttributes: map[string]events.SQSMessageAttribute{
			AttributeProvider:   strAttr(provider),
			AttributeEvent:      strAttr(event),
			AttributeDeliveryID: strAttr(delivery),
		},
	}
	if group != "" {
		m.Attributes["MessageGroupId"] = group
	}
	return m
}

func cloudEventMsg(id, typ, ceID string) events.SQSMessage {
	body, _ := json.Marshal(CloudEvent{SpecVersion: "1.0", ID: ceID, Source: "sqsgate", Type: typ, Data: json.RawMessage(`{"order":"` + id + `"}`)})
	return events.SQSMessage{MessageId: id, Body: string(body), MessageAttributes: map[string]events.SQSMessageAttribute{"type": strAttr(typ)}}
}

func failures(resp events.SQSEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

// failing fails the records whose message ids are listed.
func failing(ids ...string) (Handler, *[]string) {
	var ran []string
	return func(_ context.Context, r Record) error {
		ran = append(ran, r.Message.MessageId)
		for _, id := range ids {
			if id == r.Message.MessageId {
				return errors.New("boom " + id)
			}
		}
		return nil
	}, &ran
}

func TestHandleFailures(t *testing.T) {
	tests := []struct {
		name    string
		records []events.SQSMessage
		fail    []string
		want    []string // batchItemFailures
		wantRan []string
	}{
		{
			name:    "one of three fails: only it is reported",
			records: []events.SQSMessage{webhookMsg("a", "github", "push", "d1", ""), webhookMsg("b", "github", "push", "d2", ""), webhookMsg("c", "github", "push", "d3", "")},
			fail:    []string{"b"},
			want:    []string{"b"},
			wantRan: []string{"a", "b", "c"},
		},
		{
			name:    "standard queue: a failure does not stop later records",
			records: []events.SQSMessage{webhookMsg("a", "github", "push", "d1", ""), webhookMsg("b", "github", "push", "d2", "")},
			fail:    []string{"a"},
			want:    []string{"a"},
			wantRan: []string{"a", "b"},
		},
		{
			name: "FIFO: the rest of the failed group is failed without running, other groups go on",
			records: []events.SQSMessage{
				webhookMsg("a1", "github", "push", "d1", "A"),
				webhookMsg("b1", "github", "push", "d2", "B"),
				webhookMsg("a2", "github", "push", "d3", "A"),
				webhookMsg("a3", "github", "push", "d4", "A"),
				webhookMsg("b2", "github", "push", "d5", "B"),
			},
			fail:    []string{"a2"},
			want:    []string{"a2", "a3"},
			wantRan: []string{"a1", "b1", "a2", "b2"},
		},
		{
			name:    "all succeed: an empty list, not null",
			records: []events.SQSMessage{webhookMsg("a", "github", "push", "d1", "")},
			want:    []string{},
			wantRan: []string{"a"},
		},
		{
			name:    "no handler for the route fails the record",
			records: []events.SQSMessage{webhookMsg("a", "paddle", "x", "d1", ""), webhookMsg("b", "github", "push", "d2", "")},
			want:    []string{"a"},
			wantRan: []string{"b"},
		},
		{
			name:    "a body that is no CloudEvent and no webhook fails the record",
			records: []events.SQSMessage{{MessageId: "x", Body: "plain text"}, {MessageId: "y", Body: `{"specversion":"0.3","type":"t"}`}},
			want:    []string{"x", "y"},
			wantRan: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ran := failing(tt.fail...)
			b := New(Options{}).Webhook("github", "push", h)
			resp, err := b.Handle(context.Background(), events.SQSEvent{Records: tt.records})
			require.NoError(t, err)
			assert.Equal(t, tt.want, failures(resp))
			if *ran == nil {
				*ran = []string{}
			}
			assert.Equal(t, tt.wantRan, *ran)
			raw, _ := json.Marshal(resp)
			assert.Contains(t, string(raw), `"batchItemFailures":[`)
		})
	}
}

func TestRouting(t *testing.T) {
	var got []string
	rec := func(tag string) Handler {
		return func(_ context.Context, r Record) error {
			got = append(got, tag+":"+r.Kind+":"+r.Route+":"+r.ID+":"+string(r.Data))
			return nil
		}
	}
	b := New(Options{}).
		Webhook("github", "push", rec("push")).
		Webhook("github", "*", rec("github-any")).
		CloudEvent("order.created", rec("ce")).
		Default(rec("default"))
	resp, err := b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		webhookMsg("1", "github", "push", "d1", ""),
		webhookMsg("2", "github", "issues", "d2", ""),
		cloudEventMsg("3", "order.created", "ce-3"),
		webhookMsg("4", "paddle", "transaction.completed", "d4", ""),
		cloudEventMsg("5", "other", "ce-5"),
	}})
	require.NoError(t, err)
	assert.Empty(t, resp.BatchItemFailures)
	assert.Equal(t, []string{
		`push:webhook:github/push:d1:{"n":"1"}`,
		`github-any:webhook:github/issues:d2:{"n":"2"}`,
		`ce:cloudevent:order.created:ce-3:{"order":"3"}`,
		`default:webhook:paddle/transaction.completed:d4:{"n":"4"}`,
		`default:cloudevent:other:ce-5:{"order":"5"}`,
	}, got)
}

func TestDecodeCloudEventEnvelope(t *testing.T) {
	r, err := Decode(cloudEventMsg("m", "t.x", "id-1"))
	require.NoError(t, err)
	require.NotNil(t, r.CloudEvent)
	assert.Equal(t, "sqsgate", r.CloudEvent.Source)
	assert.Equal(t, "1.0", r.CloudEvent.SpecVersion)
	_, err = Decode(events.SQSMessage{Body: `{"specversion":"1.0"}`})
	assert.ErrorIs(t, err, ErrUndecodable)
	// A provider attribute without a string value is not a webhook message.
	_, err = Decode(events.SQSMessage{Body: "x", MessageAttributes: map[string]events.SQSMessageAttribute{AttributeProvider: {DataType: "Binary"}}})
	assert.ErrorIs(t, err, ErrUndecodable)
}

func TestPanicBecomesRecordFailure(t *testing.T) {
	var buf bytes.Buffer
	b := New(Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}).Webhook("github", "push", func(_ context.Context, r Record) error {
		if r.Message.MessageId == "b" {
			var m map[string]int
			m["x"] = 1 // nil map write panics
		}
		return nil
	})
	resp, err := b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		webhookMsg("a", "github", "push", "d1", ""), webhookMsg("b", "github", "push", "d2", ""), webhookMsg("c", "github", "push", "d3", ""),
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, failures(resp))
	assert.Contains(t, buf.String(), "handler panicked")
	var pe *PanicError
	_, perr := b.process(context.Background(), Record{Kind: KindWebhook, Route: "github/push", Provider: "github", Message: events.SQSMessage{MessageId: "b"}})
	require.ErrorAs(t, perr, &pe)
	assert.ErrorIs(t, perr, ErrPanic)
	assert.NotEmpty(t, pe.Stack)
}

type flakyStore struct {
	*MemoryIdempotency
	seenErr, doneErr error
}

func (f flakyStore) Seen(ctx context.Context, k string) (bool, error) {
	if f.seenErr != nil {
		return false, f.seenErr
	}
	return f.MemoryIdempotency.Seen(ctx, k)
}

func (f flakyStore) Done(ctx context.Context, k string) error {
	if f.doneErr != nil {
		return f.doneErr
	}
	return f.MemoryIdempotency.Done(ctx, k)
}

func TestIdempotency(t *testing.T) {
	t.Run("a redelivered delivery_id or CloudEvents id runs once", func(t *testing.T) {
		h, ran := failing()
		b := New(Options{Idempotency: NewMemoryIdempotency()}).Webhook("github", "push", h).CloudEvent("t", h)
		batch := events.SQSEvent{Records: []events.SQSMessage{
			webhookMsg("a", "github", "push", "same", ""), webhookMsg("b", "github", "push", "same", ""),
			cloudEventMsg("c", "t", "ce"), cloudEventMsg("d", "t", "ce"),
		}}
		resp, err := b.Handle(context.Background(), batch)
		require.NoError(t, err)
		assert.Empty(t, resp.BatchItemFailures)
		assert.Equal(t, []string{"a", "c"}, *ran)
	})
	t.Run("a failed record is not remembered, so its retry runs", func(t *testing.T) {
		store := NewMemoryIdempotency()
		h, ran := failing("a")
		b := New(Options{Idempotency: store}).Webhook("github", "push", h)
		resp, _ := b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{webhookMsg("a", "github", "push", "d", "")}})
		assert.Equal(t, []string{"a"}, failures(resp))
		seen, _ := store.Seen(context.Background(), "d")
		assert.False(t, seen)
		resp, _ = b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{webhookMsg("a2", "github", "push", "d", "")}})
		assert.Empty(t, resp.BatchItemFailures)
		assert.Equal(t, []string{"a", "a2"}, *ran)
	})
	t.Run("records without an id always run", func(t *testing.T) {
		h, ran := failing()
		b := New(Options{Idempotency: NewMemoryIdempotency()}).Webhook("github", "push", h)
		b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{webhookMsg("a", "github", "push", "", ""), webhookMsg("b", "github", "push", "", "")}})
		assert.Equal(t, []string{"a", "b"}, *ran)
	})
	t.Run("a store error fails the record (retry, never a skip)", func(t *testing.T) {
		for _, store := range []flakyStore{
			{MemoryIdempotency: NewMemoryIdempotency(), seenErr: errors.New("down")},
			{MemoryIdempotency: NewMemoryIdempotency(), doneErr: errors.New("down")},
		} {
			h, _ := failing()
			b := New(Options{Idempotency: store}).Webhook("github", "push", h)
			resp, _ := b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{webhookMsg("a", "github", "push", "d", "")}})
			assert.Equal(t, []string{"a"}, failures(resp))
		}
	})
}

func TestLogsOneLinePerRecordWithoutBody(t *testing.T) {
	var buf bytes.Buffer
	h, _ := failing("b")
	b := New(Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Idempotency: NewMemoryIdempotency()}).Webhook("github", "push", h)
	b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		webhookMsg("a", "github", "push", "d1", "G"), webhookMsg("b", "github", "push", "d2", "G"), webhookMsg("c", "github", "push", "d1", "H"),
	}})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3)
	var outcomes []string
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		assert.Equal(t, "github", m["provider"])
		assert.NotContains(t, l, `"n"`, "the body never reaches the log")
		outcomes = append(outcomes, m["outcome"].(string))
	}
	assert.Equal(t, []string{"ok", "failed", "duplicate"}, outcomes)
	assert.Contains(t, lines[1], `"message_group_id":"G"`)
	assert.Contains(t, lines[1], `"level":"WARN"`)
}

func TestLogFieldsPerKind(t *testing.T) {
	var buf bytes.Buffer
	t0 := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	calls := 0
	now := func() time.Time { calls++; return t0.Add(time.Duration(calls) * 2500 * time.Microsecond) }
	b := New(Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil)), Now: now}).Default(func(context.Context, Record) error { return nil })
	b.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{cloudEventMsg("c", "t", "ce-1"), webhookMsg("w", "github", "push", "d1", "")}})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2)
	var ce, wh map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &ce))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &wh))
	assert.Equal(t, "ce-1", ce["cloudevent_id"])
	assert.NotContains(t, ce, "delivery_id")
	assert.NotContains(t, wh, "cloudevent_id")
	assert.Equal(t, 2.5, ce["duration_ms"], "each record's own duration, in ms")
	assert.Equal(t, "INFO", ce["level"])
}

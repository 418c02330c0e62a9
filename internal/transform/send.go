package transform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/deadline"
	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// MessageSender is the one SQS call the single route needs.
type MessageSender interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// BatchSender is the one SQS call the batch route needs.
type BatchSender interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

var (
	_ MessageSender = (*sqs.Client)(nil)
	_ BatchSender   = (*sqs.Client)(nil)
)

// Stable codes of per-item enqueue failures (207 bodies).
const (
	// CodeSQSRejected: SQS refused the entry and says retrying will not help
	// (SenderFault true).
	CodeSQSRejected = "sqs_rejected"
	// CodeSQSUnavailable: SQS failed the entry or the whole call and our
	// retries ran out; the same request may be sent again.
	CodeSQSUnavailable = "sqs_unavailable"
)

// Result is one item's outcome: its event id and either the SQS message id
// or the error that kept it out of the queue.
type Result struct {
	Index     int              `json:"index"`
	ID        string           `json:"id"`
	MessageID string           `json:"messageId,omitempty"`
	Error     *apigw.ErrorBody `json:"error,omitempty"`
}

// ResultsBody is the 202 and 207 response body.
type ResultsBody struct {
	Results []Result `json:"results"`
}

// outcome is what happened to one message: a message id, or an error.
type outcome struct {
	messageID string
	err       *apigw.ErrorBody
}

// send makes the planned calls and answers: 202 when every item is stored,
// 207 with each item's outcome when some are not (the caller resends only
// those, with the same ids). The single route's failure is an error
// (503 sqs_unavailable). failed counts the items not stored.
func (h *Handler) send(ctx context.Context, msgs []Message, calls [][]int, batch bool) (resp events.APIGatewayV2HTTPResponse, failed int, err error) {
	// SQS calls end short of Lambda's deadline, so the answer (with the
	// per-item results of a batch) still reaches the caller.
	ctx, cancel := deadline.WithMargin(ctx)
	defer cancel()
	results := make([]Result, len(msgs))
	if !batch {
		id, err := h.sendOne(ctx, &msgs[0])
		if err != nil {
			h.logger.LogAttrs(ctx, slog.LevelWarn, "SendMessage failed", slog.String("error", err.Error()))
			return resp, 1, ErrNothingEnqueued
		}
		results[0] = Result{Index: 0, ID: msgs[0].ID, MessageID: id}
		return apigw.JSON(http.StatusAccepted, ResultsBody{Results: results}), 0, nil
	}
	for i, o := range h.sendBatches(ctx, msgs, calls) {
		results[i] = Result{Index: i, ID: msgs[i].ID, MessageID: o.messageID, Error: o.err}
		if o.err != nil {
			failed++
		}
	}
	status := http.StatusAccepted
	if failed > 0 {
		status = http.StatusMultiStatus
	}
	return apigw.JSON(status, ResultsBody{Results: results}), failed, nil
}

// sendBatches sends calls (index lists into msgs, from Pack) and returns
// one outcome per message: on a FIFO queue one call after another, stopping
// at the first that leaves an item unstored; otherwise with at most
// h.concurrency calls in flight. Entries SQS fails with SenderFault false
// are sent again, alone with the other failed entries of their call, after
// a growing pause, up to maxAttempts sends in all.
func (h *Handler) sendBatches(ctx context.Context, msgs []Message, calls [][]int) []outcome {
	out := make([]outcome, len(msgs))
	if h.fifo {
		h.sendInOrder(ctx, msgs, calls, out)
		return out
	}
	sem := make(chan struct{}, h.concurrency)
	var wg sync.WaitGroup
	for _, call := range calls {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			// Each goroutine writes only its own calls' indexes of out.
			h.sendCall(ctx, msgs, call, out)
		})
	}
	wg.Wait()
	return out
}

// sendInOrder sends a FIFO request's calls one at a time. Once an item is
// not stored, no later item is sent: the client resends what failed, and
// anything sent meanwhile would land ahead of it and break the group's
// order. Every unsent item is answered sqs_unavailable, so resending all the
// failed items of the response keeps the request's order.
func (h *Handler) sendInOrder(ctx context.Context, msgs []Message, calls [][]int, out []outcome) {
	for k, call := range calls {
		h.sendCall(ctx, msgs, call, out)
		first := firstUnstored(call, out)
		if first < 0 {
			continue
		}
		unsent := 0
		for _, later := range calls[k+1:] {
			for _, i := range later {
				out[i] = failed(CodeSQSUnavailable, fmt.Sprintf("not sent: item %d before it was not stored, and a FIFO queue keeps the request's order; send this item again after it", msgs[first].Index))
				unsent++
			}
		}
		if unsent > 0 {
			h.logger.LogAttrs(ctx, slog.LevelWarn, "FIFO request stopped at a failed item", slog.Int("index", msgs[first].Index), slog.Int("unsent", unsent))
		}
		return
	}
}

// firstUnstored returns the first index of call whose outcome is an error,
// or -1.
func firstUnstored(call []int, out []outcome) int {
	for _, i := range call {
		if out[i].err != nil {
			return i
		}
	}
	return -1
}

func (h *Handler) sendCall(ctx context.Context, msgs []Message, call []int, out []outcome) {
	if ctx.Err() != nil {
		// Time is up (or the invocation ended) before this call started.
		for _, i := range call {
			out[i] = failed(CodeSQSUnavailable, "the request ran out of time before this item was sent; send it again")
		}
		return
	}
	pending := call
	for attempt := 1; ; attempt++ {
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(h.queueURL), Entries: make([]types.SendMessageBatchRequestEntry, 0, len(pending))}
		byEntryID := make(map[string]int, len(pending))
		for _, i := range pending {
			m := &msgs[i]
			// Entry ids only need to be unique within the call; the index
			// maps results back to the request without a lookup table.
			id := strconv.Itoa(m.Index)
			byEntryID[id] = i
			in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{
				Id:                     aws.String(id),
				MessageBody:            aws.String(m.Body),
				MessageAttributes:      attributeValues(m.Attributes),
				MessageGroupId:         optional(m.GroupID),
				MessageDeduplicationId: optional(m.DeduplicationID),
			})
		}
		resp, err := h.batch.SendMessageBatch(ctx, in)
		if err != nil {
			// The SDK has already retried the call itself.
			h.logger.LogAttrs(ctx, slog.LevelWarn, "SendMessageBatch failed", slog.Int("entries", len(pending)), slog.String("error", err.Error()))
			for _, i := range pending {
				out[i] = failed(CodeSQSUnavailable, "SQS could not be reached; send this item again")
			}
			return
		}
		for _, s := range resp.Successful {
			if i, ok := byEntryID[aws.ToString(s.Id)]; ok {
				out[i] = outcome{messageID: aws.ToString(s.MessageId)}
				delete(byEntryID, aws.ToString(s.Id))
			}
		}
		var retry []int
		for _, f := range resp.Failed {
			i, ok := byEntryID[aws.ToString(f.Id)]
			if !ok {
				continue
			}
			delete(byEntryID, aws.ToString(f.Id))
			code := aws.ToString(f.Code)
			switch {
			case f.SenderFault:
				h.logger.LogAttrs(ctx, slog.LevelWarn, "SQS rejected an entry", slog.Int("index", msgs[i].Index), slog.String("sqs_code", code), slog.String("sqs_message", aws.ToString(f.Message)))
				out[i] = failed(CodeSQSRejected, "SQS rejected the message ("+code+")")
			case attempt < h.maxAttempts:
				retry = append(retry, i)
			default:
				h.logger.LogAttrs(ctx, slog.LevelWarn, "SQS failed an entry; retries exhausted", slog.Int("index", msgs[i].Index), slog.String("sqs_code", code), slog.Int("attempts", attempt))
				out[i] = failed(CodeSQSUnavailable, "SQS failed the message ("+code+"); send this item again")
			}
		}
		// SQS answers for every entry; one it skipped is not known to be stored.
		for _, i := range byEntryID {
			out[i] = failed(CodeSQSUnavailable, "SQS did not report on the message; send this item again")
		}
		if len(retry) == 0 {
			return
		}
		if err := h.sleep(ctx, h.backoff(attempt)); err != nil {
			for _, i := range retry {
				out[i] = failed(CodeSQSUnavailable, "the request ended before SQS accepted the message; send this item again")
			}
			return
		}
		pending = retry
	}
}

// maxBackoff caps the pause between retries, so they stay well inside a
// Lambda timeout.
const maxBackoff = 2 * time.Second

// backoff doubles from the configured first delay, capped at maxBackoff.
func (h *Handler) backoff(attempt int) time.Duration {
	d := h.firstBackoff << (attempt - 1)
	if d <= 0 { // doubled past int64
		return maxBackoff
	}
	return min(d, maxBackoff)
}

// sendOne sends a single message with SendMessage.
func (h *Handler) sendOne(ctx context.Context, m *Message) (string, error) {
	resp, err := h.single.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:               aws.String(h.queueURL),
		MessageBody:            aws.String(m.Body),
		MessageAttributes:      attributeValues(m.Attributes),
		MessageGroupId:         optional(m.GroupID),
		MessageDeduplicationId: optional(m.DeduplicationID),
	})
	if err != nil {
		return "", err
	}
	if resp.MessageId == nil {
		return "", errors.New("SendMessage returned no message id")
	}
	return *resp.MessageId, nil
}

func failed(code, message string) outcome {
	return outcome{err: &apigw.ErrorBody{Code: code, Message: message}}
}

func attributeValues(attrs map[string]sqsmsg.Attribute) map[string]types.MessageAttributeValue {
	if len(attrs) == 0 {
		return nil
	}
	out := make(map[string]types.MessageAttributeValue, len(attrs))
	for name, a := range attrs {
		v := types.MessageAttributeValue{DataType: aws.String(a.DataType)}
		if a.IsBinary() {
			v.BinaryValue = a.BinaryValue
		} else {
			v.StringValue = aws.String(a.StringValue)
		}
		out[name] = v
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// SleepContext waits for d or until ctx ends, whichever is first.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

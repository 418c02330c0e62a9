package transform

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	benchItems = 1000
	benchSize  = 1 << 10
	benchRTT   = 10 * time.Millisecond
)

// slowQueue answers every call after a simulated round trip, like SQS over
// the network, and does nothing else.
func slowQueue(rtt time.Duration) (sendFunc, batchFunc) {
	single := func(ctx context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
		time.Sleep(rtt)
		return &sqs.SendMessageOutput{MessageId: aws.String("m")}, nil
	}
	batch := func(ctx context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
		time.Sleep(rtt)
		out := &sqs.SendMessageBatchOutput{Successful: make([]types.SendMessageBatchResultEntry, len(in.Entries))}
		for i, e := range in.Entries {
			out.Successful[i] = types.SendMessageBatchResultEntry{Id: e.Id, MessageId: aws.String("m")}
		}
		return out, nil
	}
	return single, batch
}

// BenchmarkBatching sends 1,000 items of 1 KiB to a queue with a 10 ms round
// trip: through the batch route, and, measured once in the same run, as a
// naive loop of 1,000 single-route requests (one SendMessage each). It
// reports the batch route's speed-up over the loop (target ≥ 40) and its
// time over the ideal ceil(n/10) × RTT / concurrency (target ≤ 1.2).
func BenchmarkBatching(b *testing.B) {
	sender, batchSender := slowQueue(benchRTT)
	h, err := New(Config{QueueURL: "https://sqs.example/1/q", MaxBatchItems: benchItems}, Deps{Sender: sender, BatchSender: batchSender}, nil)
	if err != nil {
		b.Fatal(err)
	}
	body := batchJSON(benchItems, benchSize)
	ideal := time.Duration(math.Ceil(benchItems/10.0)) * benchRTT / DefaultConcurrency

	raws, err := SplitBatch([]byte(body), false, benchItems)
	if err != nil {
		b.Fatal(err)
	}
	first, err := raws[0].Decode(0)
	if err != nil {
		b.Fatal(err)
	}
	one := first.Data
	b.Run("batch-route", func(b *testing.B) {
		// The naive loop runs once, here: b.Loop runs this function once
		// and starts its clock at the loop.
		start := time.Now()
		for range benchItems {
			resp, _ := h.Handle(context.Background(), request(single, "application/json", string(one)))
			if resp.StatusCode != http.StatusAccepted {
				b.Fatalf("single: %d %s", resp.StatusCode, resp.Body)
			}
		}
		naive := time.Since(start)
		req := request(batch, "application/json", body)
		for b.Loop() {
			resp, _ := h.Handle(context.Background(), req)
			if resp.StatusCode != http.StatusAccepted {
				b.Fatalf("batch: %d %s", resp.StatusCode, truncate(resp.Body))
			}
		}
		perOp := float64(b.Elapsed()) / float64(b.N)
		b.ReportMetric(float64(naive)/perOp, "x_faster_than_naive")
		b.ReportMetric(perOp/float64(ideal), "x_of_ideal")
		b.ReportMetric(float64(naive.Milliseconds()), "naive_ms")
		b.ReportMetric(float64(ideal.Milliseconds()), "ideal_ms")
	})
	// The same request with an instant queue: the handler's own CPU time,
	// which the batch route adds to the round trips.
	b.Run("batch-route-no-RTT", func(b *testing.B) {
		sender, batchSender := slowQueue(0)
		h, err := New(Config{QueueURL: "https://sqs.example/1/q", MaxBatchItems: benchItems}, Deps{Sender: sender, BatchSender: batchSender}, nil)
		if err != nil {
			b.Fatal(err)
		}
		req := request(batch, "application/json", body)
		for b.Loop() {
			if resp, _ := h.Handle(context.Background(), req); resp.StatusCode != http.StatusAccepted {
				b.Fatalf("batch: %d", resp.StatusCode)
			}
		}
	})
}

// BenchmarkPerItem compares validating and enveloping one 1 KiB item with a
// bare json.Unmarshal of the same bytes.
func BenchmarkPerItem(b *testing.B) {
	for _, schema := range []string{"default", "strict-order"} {
		q := newFakeQueue()
		h := newTestHandler(b, q, func(c *testSetup) { c.Schema = schema })
		data := benchOrder()
		in := &input{single: Item{Type: DefaultType, ID: "order-1", Data: data}}
		caller := Caller{Subject: testSub, RequestID: "r", SourceIP: "198.51.100.7", UserAgent: "ua"}
		b.Run(schema+"/json.Unmarshal", func(b *testing.B) {
			for b.Loop() {
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(schema+"/validate+envelope", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.prepare(in, caller, testNow); err != nil {
					b.Fatal(err)
				}
			}
			perOp := float64(b.Elapsed()) / float64(b.N)
			// The baseline runs here, right after, so both see the same
			// machine load.
			const n = 20000
			start := time.Now()
			for range n {
				var v any
				if err := json.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
			}
			base := float64(time.Since(start)) / n
			b.ReportMetric(perOp/base, "x_unmarshal")
		})
	}
}

// benchOrder is a strict-order document of about 1 KiB.
func benchOrder() []byte {
	order := map[string]any{"orderId": "ord_abc123", "amount": 99.5, "currency": "EUR",
		"customer": map[string]any{"email": "buyer@example.com", "name": "A Buyer"}}
	var lines []map[string]any
	for i := range 20 {
		lines = append(lines, map[string]any{"sku": "SKU-" + itoa(1000+i), "quantity": i + 1})
	}
	order["items"] = lines
	data, _ := json.Marshal(order)
	return data
}

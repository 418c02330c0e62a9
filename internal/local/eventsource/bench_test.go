package eventsource

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/benchcmp"
	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
)

// benchEndpoint is an embedded SQS endpoint with two queues: one a
// mapping consumes, one a direct loop does.
func benchEndpoint(b *testing.B) (client *sqs.Client, mapped, direct string, mappedARN string) {
	srv, err := sqsendpoint.New(sqsendpoint.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(func() { ts.Close(); srv.Close() })
	client = newClient(ts.URL)
	ctx := context.Background()
	for _, name := range []string{"mapped", "direct"} {
		if _, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)}); err != nil {
			b.Fatal(err)
		}
	}
	mapped, direct = ts.URL+"/000000000000/mapped", ts.URL+"/000000000000/direct"
	return client, mapped, direct, "arn:aws:sqs:us-east-1:000000000000:mapped"
}

func sendN(b *testing.B, c *sqs.Client, url string, n int) {
	for i := 0; i < n; i += 10 {
		var entries []types.SendMessageBatchRequestEntry
		for j := i; j < min(i+10, n); j++ {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(j)), MessageBody: aws.String(`{"n":1}`)})
		}
		if _, err := c.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
			b.Fatal(err)
		}
	}
}

// directDrain is the raw primitive: ReceiveMessage (10, long poll) and
// DeleteMessageBatch until n messages are gone.
func directDrain(b *testing.B, c *sqs.Client, url string, n int) {
	ctx := context.Background()
	for n > 0 {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 20,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}, MessageAttributeNames: []string{"All"}})
		if err != nil {
			b.Fatal(err)
		}
		var entries []types.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
		}
		if len(entries) > 0 {
			if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
				b.Fatal(err)
			}
		}
		n -= len(out.Messages)
	}
}

// BenchmarkThroughput: 100 messages sent and consumed through a mapping
// (BatchSize 10, MaximumConcurrency 2) to a no-op function, against the
// same 100 sent and drained by a direct ReceiveMessage + DeleteMessageBatch
// loop on the same endpoint. x-direct is our time over theirs: the
// mapping's throughput is 1/x-direct of the raw loop's (target >= 0.5, so
// x-direct <= 2).
func BenchmarkThroughput(b *testing.B) {
	const n = 100
	client, mapped, direct, arn := benchEndpoint(b)
	done := make(chan int, 1000)
	r, err := Start(Options{
		Mappings: []Mapping{{Function: "noop", Name: "bench", QueueURL: mapped, QueueARN: arn, BatchSize: 10, MaximumConcurrency: 2, ReportBatchItemFailures: true, Enabled: true}},
		SQS:      client,
		Region:   "us-east-1",
		Invoke:   func(context.Context, string, []byte) ([]byte, bool, error) { return nil, false, nil },
		OnBatch:  func(x Batch) { done <- x.Invoked },
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	benchcmp.Ratio(b, func() {
		sendN(b, client, mapped, n)
		for got := 0; got < n; {
			got += <-done
		}
	}, map[string]func(){
		"direct": func() {
			sendN(b, client, direct, n)
			directDrain(b, client, direct, n)
		},
	})
}

// BenchmarkSendToInvocation: one message sent to an idle queue until the
// mapping invokes the function with it (ms-median is the median of the
// measured runs; target <= 50 ms), against the same message reaching a
// client already blocked in a direct long-poll ReceiveMessage.
func BenchmarkSendToInvocation(b *testing.B) {
	client, mapped, direct, arn := benchEndpoint(b)
	invoked := make(chan struct{}, 10)
	r, err := Start(Options{
		Mappings: []Mapping{{Function: "noop", Name: "bench", QueueURL: mapped, QueueARN: arn, BatchSize: 10, MaximumConcurrency: 2, Enabled: true}},
		SQS:      client,
		Region:   "us-east-1",
		Invoke: func(context.Context, string, []byte) ([]byte, bool, error) {
			invoked <- struct{}{}
			return nil, false, nil
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	send := func(url string) {
		if _, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}); err != nil {
			b.Fatal(err)
		}
	}
	var mu sync.Mutex
	var latencies []time.Duration
	benchcmp.Ratio(b, func() {
		start := time.Now()
		send(mapped)
		<-invoked
		mu.Lock()
		latencies = append(latencies, time.Since(start))
		mu.Unlock()
	}, map[string]func(){
		"direct-long-poll": func() {
			got := make(chan struct{})
			go func() {
				directDrain(b, client, direct, 1)
				close(got)
			}()
			send(direct)
			<-got
		},
	})
	if len(latencies) > 0 {
		sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "ms-median")
	}
}

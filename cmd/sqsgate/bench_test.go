package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/local/fixtures"
)

// BenchmarkWebhookVsSendMessage compares, in one run, a signed GitHub push
// through the whole local stack (HTTP API → WebhookFunction process →
// verification → SendMessage → embedded SQS) with a client sending the same
// message, with the same attributes, straight to the same SQS endpoint.
// It reports both throughputs and their ratio at 1 and 32 concurrent
// clients.
func BenchmarkWebhookVsSendMessage(b *testing.B) {
	s := startStack(b)
	queueURL := s.queueURL(b, ingestQueue)
	push := fixtures.Webhooks(time.Now())[0]
	attrs := map[string]sqstypes.MessageAttributeValue{}
	for k, v := range map[string]string{"provider": "github", "event": "push", "delivery_id": push.Delivery, "content_type": "application/json", "received_at": time.Now().UTC().Format(time.RFC3339)} {
		attrs[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	webhook := func() error {
		req, err := http.NewRequest(http.MethodPost, s.API+push.Path, bytes.NewReader(push.Body))
		if err != nil {
			return err
		}
		req.Header = push.Headers.Clone()
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	direct := func() error {
		_, err := s.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
			QueueUrl: aws.String(queueURL), MessageBody: aws.String(string(push.Payload)), MessageAttributes: attrs,
		})
		return err
	}
	// Warm every function environment the 32-client run will use, so cold
	// starts are not measured.
	if _, err := measure(64, 32, webhook); err != nil {
		b.Fatal(err)
	}
	for _, clients := range []int{1, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			viaWebhook, err := measure(b.N, clients, webhook)
			if err != nil {
				b.Fatal(err)
			}
			viaSendMessage, err := measure(b.N, clients, direct)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/viaWebhook.Seconds(), "webhook-req/s")
			b.ReportMetric(float64(b.N)/viaSendMessage.Seconds(), "sendmessage-req/s")
			b.ReportMetric(viaSendMessage.Seconds()/viaWebhook.Seconds(), "webhook/sendmessage")
		})
	}
}

// measure runs op n times across clients goroutines and returns the wall
// time, or the first error.
func measure(n, clients int, op func() error) (time.Duration, error) {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := op(); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), firstErr
}

package sqsendpoint

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentProducersConsumers: many clients at once never get a
// message twice within its visibility timeout, and none is lost.
func TestConcurrentProducersConsumers(t *testing.T) {
	for _, durable := range []bool{false, true} {
		t.Run(fmt.Sprintf("durable=%v", durable), func(t *testing.T) {
			opts := Options{}
			if durable {
				opts.DataDir = t.TempDir()
			}
			_, endpoint := startServer(t, opts)
			c := newClient(endpoint)
			q := createQueue(t, c, "busy", map[string]string{"VisibilityTimeout": "300"})
			const producers, perProducer, consumers = 8, 100, 8
			total := producers * perProducer

			var wg sync.WaitGroup
			for p := range producers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < perProducer; i += 2 {
						if i%4 == 0 {
							_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i))})
							assert.NoError(t, err)
							_, err = c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i+1))})
							assert.NoError(t, err)
							continue
						}
						_, err := c.SendMessageBatch(ctx(t), &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.SendMessageBatchRequestEntry{
							{Id: aws.String("a"), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i))},
							{Id: aws.String("b"), MessageBody: aws.String(fmt.Sprintf("%d-%d", p, i+1))},
						}})
						assert.NoError(t, err)
					}
				}()
			}

			var mu sync.Mutex
			seen := map[string]int{}
			done := make(chan struct{})
			var consumersWG sync.WaitGroup
			for range consumers {
				consumersWG.Add(1)
				go func() {
					defer consumersWG.Done()
					for {
						select {
						case <-done:
							return
						default:
						}
						out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
						if !assert.NoError(t, err) {
							return
						}
						var entries []types.DeleteMessageBatchRequestEntry
						mu.Lock()
						for i, m := range out.Messages {
							seen[aws.ToString(m.Body)]++
							entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
						}
						finished := len(seen) == total
						mu.Unlock()
						if len(entries) > 0 {
							del, err := c.DeleteMessageBatch(ctx(t), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q), Entries: entries})
							assert.NoError(t, err)
							if del != nil {
								assert.Empty(t, del.Failed)
							}
						}
						if finished {
							select {
							case <-done:
							default:
								close(done)
							}
							return
						}
					}
				}()
			}
			wg.Wait()
			consumersWG.Wait()
			require.Len(t, seen, total, "every message was delivered")
			for body, n := range seen {
				assert.Equal(t, 1, n, "message %s delivered %d times within its visibility timeout", body, n)
			}
		})
	}
}

// TestConcurrentFIFOConsumers: with consumers racing, each group is
// delivered strictly in order and never to two consumers at once.
func TestConcurrentFIFOConsumers(t *testing.T) {
	_, endpoint := startServer(t, Options{})
	c := newClient(endpoint)
	q := createQueue(t, c, "busy.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true", "VisibilityTimeout": "300"})
	const groups, perGroup = 4, 50
	for i := range perGroup {
		for g := range groups {
			_, err := c.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(fmt.Sprintf("%d-%03d", g, i)), MessageGroupId: aws.String(fmt.Sprint(g))})
			require.NoError(t, err)
		}
	}
	var mu sync.Mutex
	next := make([]int, groups)
	inFlight := make([]bool, groups)
	received := 0
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if received == groups*perGroup {
					mu.Unlock()
					return
				}
				mu.Unlock()
				out, err := c.ReceiveMessage(ctx(t), &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 3, WaitTimeSeconds: 1})
				if !assert.NoError(t, err) {
					return
				}
				held := map[int]bool{}
				mu.Lock()
				for _, m := range out.Messages {
					var g, i int
					fmt.Sscanf(aws.ToString(m.Body), "%d-%d", &g, &i)
					assert.Equal(t, next[g], i, "group %d out of order", g)
					next[g] = i + 1
					received++
					if !held[g] {
						assert.False(t, inFlight[g], "group %d delivered to two consumers at once", g)
						inFlight[g], held[g] = true, true
					}
				}
				mu.Unlock()
				// Delete in order; the group stays ours until the last one goes.
				for i, m := range out.Messages {
					if i == len(out.Messages)-1 {
						mu.Lock()
						for g := range held {
							inFlight[g] = false
						}
						mu.Unlock()
					}
					_, err := c.DeleteMessage(ctx(t), &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: m.ReceiptHandle})
					assert.NoError(t, err)
				}
			}
		}()
	}
	wg.Wait()
	for g := range groups {
		assert.Equal(t, perGroup, next[g])
	}
}

package sqsendpoint

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// bctx is the context of benchmark calls; the clients' own timeout bounds them.
var bctx = context.Background()

const benchBody = `{"event":"push","delivery_id":"72d3162e-cc78-11e3-81ab-4c9367dc0958"}`

// bareHandler answers the same requests with canned responses: the
// ceiling for any HTTP server on this machine with these clients. Its
// digests are right, so the SDK's MD5 checks pass.
func bareHandler() http.Handler {
	md5 := sqsmsg.MD5OfBody(benchBody)
	send := []byte(`{"MD5OfMessageBody":"` + md5 + `","MessageId":"5fea7756-0ea4-451a-a703-a558b933e274"}`)
	receive := []byte(`{"Messages":[{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","ReceiptHandle":"canned","MD5OfBody":"` + md5 + `","Body":` + fmt.Sprintf("%q", benchBody) + `}]}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf [4096]byte
		for {
			if _, err := r.Body.Read(buf[:]); err != nil {
				break
			}
		}
		w.Header().Set("Content-Type", jsonContentType)
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix) {
		case "SendMessage":
			w.Write(send)
		case "ReceiveMessage":
			w.Write(receive)
		default:
			w.Write([]byte(`{}`))
		}
	})
}

// measurement is one target's throughput and latency for one workload.
type measurement struct {
	perSecond float64
	p50, p99  time.Duration
}

// runLoad performs n operations spread over `clients` aws-sdk-go-v2
// clients, each with its own connection pool.
func runLoad(b *testing.B, endpoint string, clients, n int, op func(c *sqs.Client, q string) error, q string) measurement {
	b.Helper()
	var next atomic.Int64
	latencies := make([]time.Duration, n)
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(endpoint)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := op(c, q); err != nil {
					failed.Store(err)
					return
				}
				latencies[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, _ := failed.Load().(error); err != nil {
		b.Fatalf("load against %s: %v", endpoint, err)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	return measurement{perSecond: float64(n) / elapsed.Seconds(), p50: latencies[n/2], p99: latencies[n*99/100]}
}

func benchSend(c *sqs.Client, q string) error {
	_, err := c.SendMessage(bctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(benchBody)})
	return err
}

func benchReceiveDelete(c *sqs.Client, q string) error {
	out, err := c.ReceiveMessage(bctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 1, WaitTimeSeconds: 1})
	if err != nil {
		return err
	}
	if len(out.Messages) != 1 {
		return fmt.Errorf("received %d messages, want 1", len(out.Messages))
	}
	_, err = c.DeleteMessage(bctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q), ReceiptHandle: out.Messages[0].ReceiptHandle})
	return err
}

// prepare creates the queue and, for receive+delete, fills it with n
// messages (10 per batch) before the clock starts.
func prepareQueue(b *testing.B, endpoint, name string, fill int) string {
	b.Helper()
	c := newClient(endpoint)
	out, err := c.CreateQueue(bctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		b.Fatal(err)
	}
	q := aws.ToString(out.QueueUrl)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := 0; i < fill; i += 10 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var entries []types.SendMessageBatchRequestEntry
			for j := i; j < min(i+10, fill); j++ {
				entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(j)), MessageBody: aws.String(benchBody)})
			}
			if _, err := c.SendMessageBatch(bctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: entries}); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	return q
}

// benchRounds interleaves the targets so that a burst of load from
// elsewhere on a shared machine hits all of them, not one; each figure is
// the median round.
const benchRounds = 3

// target is one endpoint under measurement.
type target struct {
	url string
	n   int // operations per round
}

// measureRounds runs the workload against every target, round by round,
// and returns each target's median round.
func measureRounds(b *testing.B, targets []target, clients int, op func(c *sqs.Client, q string) error, fill bool) []measurement {
	b.Helper()
	queues := make([]string, len(targets))
	rounds := make([][]measurement, len(targets))
	for range benchRounds {
		for i, tg := range targets {
			fillN := 0
			if fill {
				fillN = tg.n
			}
			queues[i] = prepareQueue(b, tg.url, "bench", fillN)
			rounds[i] = append(rounds[i], runLoad(b, tg.url, clients, tg.n, op, queues[i]))
		}
	}
	out := make([]measurement, len(targets))
	for i, r := range rounds {
		sort.Slice(r, func(a, c int) bool { return r[a].perSecond < r[c].perSecond })
		out[i] = r[len(r)/2]
	}
	return out
}

// BenchmarkThroughput measures SendMessage and ReceiveMessage+DeleteMessage
// over loopback with 1 and 32 concurrent aws-sdk-go-v2 clients against our
// endpoint in memory and, in the same run, a bare net/http handler with
// canned answers (the ceiling for any server with these clients), our
// endpoint with a data dir (bbolt, group commit) and moto_server. Targets
// are measured in interleaved rounds, each figure the median round. It
// reports msg/s and p50/p99 for each, and the ratios x_bare (target
// >= 0.5), x_moto (target >= 100) and x_durable (durable over in-memory,
// target >= 0.5). b.N is the operations per round for our endpoint and
// the bare handler; moto gets at most 100 a round.
//
//	go test -run '^$' -bench Throughput -benchtime 1000x ./internal/local/sqsendpoint/
func BenchmarkThroughput(b *testing.B) {
	workloads := []struct {
		name string
		op   func(c *sqs.Client, q string) error
		fill bool
	}{
		{"SendMessage", benchSend, false},
		{"ReceiveDelete", benchReceiveDelete, true},
	}
	for _, w := range workloads {
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/clients=%d", w.name, clients), func(b *testing.B) {
				n := max(b.N, clients)
				_, memURL := startServer(b, Options{})
				if n < 100 {
					// The framework's calibration run: just exercise the path.
					q := prepareQueue(b, memURL, "bench", map[bool]int{true: n}[w.fill])
					runLoad(b, memURL, clients, n, w.op, q)
					return
				}
				bare := httptest.NewServer(bareHandler())
				defer bare.Close()
				_, durableURL := startServer(b, Options{DataDir: b.TempDir()})
				targets := []target{{memURL, n}, {bare.URL, n}, {durableURL, n}}
				_, withMoto := testpeer.Optional(b, "moto_server")
				if withMoto {
					targets = append(targets, target{testpeer.StartMoto(b).URL, min(n, 100)})
				}
				b.ResetTimer()
				m := measureRounds(b, targets, clients, w.op, w.fill)
				b.StopTimer()
				ours, ceiling, durable := m[0], m[1], m[2]
				b.ReportMetric(ours.perSecond, "msg/s")
				b.ReportMetric(float64(ours.p50.Microseconds())/1000, "p50_ms")
				b.ReportMetric(float64(ours.p99.Microseconds())/1000, "p99_ms")
				b.ReportMetric(ceiling.perSecond, "bare_msg/s")
				b.ReportMetric(ours.perSecond/ceiling.perSecond, "x_bare")
				b.ReportMetric(durable.perSecond, "durable_msg/s")
				b.ReportMetric(float64(durable.p50.Microseconds())/1000, "durable_p50_ms")
				b.ReportMetric(float64(durable.p99.Microseconds())/1000, "durable_p99_ms")
				b.ReportMetric(durable.perSecond/ours.perSecond, "x_durable")
				if withMoto {
					b.ReportMetric(m[3].perSecond, "moto_msg/s")
					b.ReportMetric(ours.perSecond/m[3].perSecond, "x_moto")
				}
			})
		}
	}
}

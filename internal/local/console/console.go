package console

import (
	"context"
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sqsgate/sqsgate/internal/local/eventsource"
	"github.com/sqsgate/sqsgate/internal/local/sqsendpoint"
)

// Prefix is where the console is served on the HTTP API's listener.
const Prefix = "/_sqsgate/"

//go:embed static
var static embed.FS

// SQS is what the console asks of the SQS endpoint in use.
type SQS interface {
	ListQueues(context.Context, *sqs.ListQueuesInput, ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error)
	GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	StartMessageMoveTask(context.Context, *sqs.StartMessageMoveTaskInput, ...func(*sqs.Options)) (*sqs.StartMessageMoveTaskOutput, error)
}

var _ SQS = (*sqs.Client)(nil)

// Delivery is a signed test delivery a provider's button sends.
type Delivery struct {
	Path    string
	Headers http.Header
	Body    []byte
}

// Options configures a Console.
type Options struct {
	SQS SQS
	// Peek reads a queue's messages without receiving them; nil when the
	// queues live in an external endpoint.
	Peek func(queue string, max int) ([]sqsendpoint.PeekedMessage, bool)
	// APIURL is the HTTP API's base URL, where test deliveries go.
	APIURL string
	// Authorizers maps a route key ("POST /v1/messages") to its
	// authorizer's name, for the request log's decision column.
	Authorizers map[string]string
	// EventSources returns the SQS event source mappings' state and
	// counters; nil when the template has none.
	EventSources func() []eventsource.Status
	// Deliveries builds a signed test delivery per provider, signed at now.
	Deliveries func(now time.Time) map[string]Delivery
	// SampleEvery is the depth chart's resolution; History how many
	// samples it keeps (default 5 s and 120: ten minutes).
	SampleEvery time.Duration
	History     int
	// RequestLog is how many requests the log keeps (default 200).
	RequestLog int
	Now        func() time.Time
	Logger     *slog.Logger
	// Client sends test deliveries; default a client with a 30 s timeout.
	Client *http.Client
}

// Console serves the console and records the API's requests.
type Console struct {
	opts   Options
	static http.Handler

	mu       sync.Mutex
	history  map[string][]sample // queue URL → depth samples, oldest first
	requests []Request
	nextID   int64
	access   map[string]accessLine // API request id → its access log line
}

type sample struct {
	At      time.Time `json:"t"`
	Visible int       `json:"v"`
}

// New returns a Console; Run samples the queues' depth.
func New(opts Options) *Console {
	if opts.SampleEvery == 0 {
		opts.SampleEvery = 5 * time.Second
	}
	if opts.History == 0 {
		opts.History = 120
	}
	if opts.RequestLog == 0 {
		opts.RequestLog = 200
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Second}
	}
	sub, _ := fs.Sub(static, "static")
	return &Console{
		opts:    opts,
		static:  http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.FileServer(http.FS(sub))),
		history: map[string][]sample{},
		access:  map[string]accessLine{},
	}
}

// Run samples every queue's depth until ctx is done.
func (c *Console) Run(ctx context.Context) {
	t := time.NewTicker(c.opts.SampleEvery)
	defer t.Stop()
	c.sample(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.sample(ctx)
		}
	}
}

func (c *Console) sample(ctx context.Context) {
	qs, err := c.queues(ctx)
	if err != nil {
		c.opts.Logger.Debug("console: sampling queue depth failed", "error", err.Error())
		return
	}
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, q := range qs {
		h := append(c.history[q.URL], sample{At: now, Visible: q.Visible})
		if len(h) > c.opts.History {
			h = h[len(h)-c.opts.History:]
		}
		c.history[q.URL] = h
	}
}

// Queue is one queue as the console lists it.
type Queue struct {
	Name     string   `json:"name"`
	URL      string   `json:"url"`
	ARN      string   `json:"arn"`
	Visible  int      `json:"visible"`
	InFlight int      `json:"inFlight"`
	Delayed  int      `json:"delayed"`
	DLQ      bool     `json:"dlq"`                // another queue's RedrivePolicy names it
	DLQOf    []string `json:"dlqOf,omitempty"`    // those queues
	Target   string   `json:"deadLetterTarget"`   // this queue's DLQ, by name
	History  []sample `json:"history,omitempty"`  // depth over the last minutes
	Peekable bool     `json:"peekable,omitempty"` // its messages can be read here
}

// queues lists every queue with its counts, as the SQS API reports them.
func (c *Console) queues(ctx context.Context) ([]Queue, error) {
	var urls []string
	in := &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)}
	for {
		out, err := c.opts.SQS.ListQueues(ctx, in)
		if err != nil {
			return nil, err
		}
		urls = append(urls, out.QueueUrls...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	sort.Strings(urls)
	qs := make([]Queue, 0, len(urls))
	byARN := map[string]int{}
	for _, u := range urls {
		out, err := c.opts.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
		if err != nil {
			continue // deleted meanwhile
		}
		a := out.Attributes
		q := Queue{Name: u[strings.LastIndex(u, "/")+1:], URL: u, ARN: a["QueueArn"],
			Visible: atoi(a["ApproximateNumberOfMessages"]), InFlight: atoi(a["ApproximateNumberOfMessagesNotVisible"]),
			Delayed: atoi(a["ApproximateNumberOfMessagesDelayed"]), Peekable: c.opts.Peek != nil}
		if rp := a["RedrivePolicy"]; rp != "" {
			var p struct {
				DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			}
			if json.Unmarshal([]byte(rp), &p) == nil {
				q.Target = p.DeadLetterTargetArn
			}
		}
		byARN[q.ARN] = len(qs)
		qs = append(qs, q)
	}
	for _, q := range qs {
		if i, ok := byARN[q.Target]; ok {
			qs[i].DLQ = true
			qs[i].DLQOf = append(qs[i].DLQOf, q.Name)
		}
	}
	for i := range qs {
		if i2, ok := byARN[qs[i].Target]; ok {
			qs[i].Target = qs[i2].Name
		}
	}
	return qs, nil
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// Wrap serves the console under Prefix and every other request with api,
// recording those in the request log.
func (c *Console) Wrap(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, Prefix) || r.URL.Path == strings.TrimSuffix(Prefix, "/") {
			c.serveConsole(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/.sqsgate/") {
			api.ServeHTTP(w, r) // the platform's own calls (the dev issuer's JWKS), not the app's traffic
			return
		}
		start := c.opts.Now()
		rec := &capture{ResponseWriter: w}
		api.ServeHTTP(rec, r)
		c.record(r, rec, start)
	})
}

// AccessLog returns the writer the HTTP API's access log goes to: it keeps
// each line's route and authorizer error for the request log and passes
// the line on to next (nil drops it).
func (c *Console) AccessLog(next io.Writer) io.Writer {
	return &accessTee{c: c, next: next}
}

// serveConsole answers loopback clients only, and changes state only on a
// request a page of another origin cannot make (a custom header forces a
// CORS preflight, which is never granted).
func (c *Console) serveConsole(w http.ResponseWriter, r *http.Request) {
	if !loopback(r.RemoteAddr) || !loopbackHost(r.Host) {
		writeJSON(w, http.StatusForbidden, map[string]string{"code": "loopback_only", "message": "the console answers loopback clients only"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	path := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(Prefix, "/"))
	if !strings.HasPrefix(path, "/api/") {
		if path == "" {
			http.Redirect(w, r, Prefix, http.StatusFound)
			return
		}
		c.static.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodPost && r.Header.Get("X-Sqsgate-Console") != "1" {
		writeJSON(w, http.StatusForbidden, map[string]string{"code": "missing_console_header", "message": "state-changing console calls need the X-Sqsgate-Console: 1 header"})
		return
	}
	c.api(w, r, strings.TrimPrefix(path, "/api"))
}

func loopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackHost refuses a Host another name resolves to (DNS rebinding).
func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

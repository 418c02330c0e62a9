package console

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	smithy "github.com/aws/smithy-go"

	"github.com/sqsgate/sqsgate/internal/local/eventsource"
)

// api serves /_sqsgate/api/...
func (c *Console) api(w http.ResponseWriter, r *http.Request, path string) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "/queues":
		c.listQueues(w, r)
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "queues" && parts[2] == "messages":
		c.peek(w, r, parts[1])
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "queues" && parts[2] == "redrive":
		c.redrive(w, r, parts[1])
	case r.Method == http.MethodGet && path == "/requests":
		c.listRequests(w, r)
	case r.Method == http.MethodGet && path == "/event-sources":
		c.listEventSources(w)
	case r.Method == http.MethodGet && path == "/webhooks":
		c.listProviders(w)
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "webhooks" && parts[2] == "test":
		c.testDelivery(w, r, parts[1])
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"code": "not_found", "message": "no such console call"})
	}
}

func (c *Console) listQueues(w http.ResponseWriter, r *http.Request) {
	qs, err := c.queues(r.Context())
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"code": "sqs_unavailable", "message": "the SQS endpoint did not answer: " + err.Error()})
		return
	}
	c.mu.Lock()
	for i := range qs {
		qs[i].History = append([]sample(nil), c.history[qs[i].URL]...)
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"queues": qs})
}

func (c *Console) peek(w http.ResponseWriter, r *http.Request, name string) {
	if c.opts.Peek == nil {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"code": "peek_unavailable", "message": "messages can be read here only from the embedded SQS endpoint"})
		return
	}
	max := 50
	if v, err := strconv.Atoi(r.URL.Query().Get("max")); err == nil && v > 0 && v <= 1000 {
		max = v
	}
	msgs, ok := c.opts.Peek(name, max)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"code": "queue_not_found", "message": "no queue " + name})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"queue": name, "messages": msgs})
}

// redrive starts a move task from a dead-letter queue back to the queues
// its messages came from, as `aws sqs start-message-move-task` does.
func (c *Console) redrive(w http.ResponseWriter, r *http.Request, name string) {
	qs, err := c.queues(r.Context())
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"code": "sqs_unavailable", "message": err.Error()})
		return
	}
	for _, q := range qs {
		if q.Name != name {
			continue
		}
		out, err := c.opts.SQS.StartMessageMoveTask(r.Context(), &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(q.ARN)})
		if err != nil {
			code, msg := "redrive_failed", err.Error()
			var ae smithy.APIError
			if errors.As(err, &ae) {
				code, msg = ae.ErrorCode(), ae.ErrorMessage()
			}
			writeJSON(w, http.StatusBadRequest, map[string]string{"code": code, "message": msg})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"taskHandle": aws.ToString(out.TaskHandle)})
		return
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"code": "queue_not_found", "message": "no queue " + name})
}

func (c *Console) listRequests(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	c.mu.Lock()
	out := make([]Request, 0, len(c.requests))
	for _, req := range c.requests {
		if req.ID > after {
			out = append(out, req)
		}
	}
	c.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"requests": out})
}

func (c *Console) listEventSources(w http.ResponseWriter) {
	out := []eventsource.Status{}
	if c.opts.EventSources != nil {
		out = append(out, c.opts.EventSources()...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"mappings": out})
}

func (c *Console) listProviders(w http.ResponseWriter) {
	var names []string
	if c.opts.Deliveries != nil {
		for p := range c.opts.Deliveries(c.opts.Now()) {
			names = append(names, p)
		}
	}
	sort.Strings(names)
	writeJSON(w, http.StatusOK, map[string]any{"providers": names})
}

// testDelivery sends the provider's signed sample delivery to the HTTP
// API, where it shows in the request log like any other.
func (c *Console) testDelivery(w http.ResponseWriter, r *http.Request, provider string) {
	var d Delivery
	ok := false
	if c.opts.Deliveries != nil {
		d, ok = c.opts.Deliveries(c.opts.Now())[provider]
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"code": "provider_not_found", "message": "no test delivery for " + provider})
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, strings.TrimSuffix(c.opts.APIURL, "/")+d.Path, bytes.NewReader(d.Body))
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"code": "request_failed", "message": err.Error()})
		return
	}
	req.Header = d.Headers.Clone()
	resp, err := c.opts.Client.Do(req)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"code": "api_unavailable", "message": err.Error()})
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	writeJSON(w, http.StatusOK, map[string]any{"provider": provider, "status": resp.StatusCode, "body": string(body)})
}

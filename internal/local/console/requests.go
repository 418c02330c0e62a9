package console

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one HTTP API request as the log shows it.
type Request struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Route     string    `json:"route"`
	Status    int       `json:"status"`
	LatencyMS float64   `json:"latencyMs"`
	// Authorizer is "allow", "deny" or "" (no authorizer on the route);
	// AuthorizerReason says why a request was denied.
	Authorizer       string `json:"authorizer,omitempty"`
	AuthorizerReason string `json:"authorizerReason,omitempty"`
	// Webhook is "verified" or "rejected" on a webhook route; WebhookCode
	// and WebhookMessage are the rejection's code and message.
	Webhook        string `json:"webhook,omitempty"`
	WebhookCode    string `json:"webhookCode,omitempty"`
	WebhookMessage string `json:"webhookMessage,omitempty"`
}

// capture keeps a response's status and the start of its body.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

const capturedBody = 4096

func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if room := capturedBody - c.body.Len(); room > 0 {
		c.body.Write(b[:min(room, len(b))])
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// accessLine is what the console reads from an access log line: the HTTP
// API's (routeKey) or the REST API's (httpMethod and resourcePath).
type accessLine struct {
	RequestID       string `json:"requestId"`
	RouteKey        string `json:"routeKey"`
	HTTPMethod      string `json:"httpMethod"`
	ResourcePath    string `json:"resourcePath"`
	AuthorizerError string `json:"authorizerError"`
}

// route is the line's route key; "-" when the request matched none.
func (l accessLine) route() string {
	if l.RouteKey != "" {
		return l.RouteKey
	}
	if l.HTTPMethod == "" || l.ResourcePath == "" || l.ResourcePath == "-" {
		return "-"
	}
	return l.HTTPMethod + " " + l.ResourcePath
}

// accessTee reads access log lines for the request log and passes them on.
type accessTee struct {
	c    *Console
	next io.Writer
	mu   sync.Mutex
}

func (t *accessTee) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		var l accessLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.RequestID != "" {
			t.c.mu.Lock()
			if len(t.c.access) > 4*t.c.opts.RequestLog {
				clear(t.c.access) // lines whose request never came back
			}
			t.c.access[l.RequestID] = l
			t.c.mu.Unlock()
		}
	}
	if t.next == nil {
		return len(p), nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.next.Write(p)
}

// record adds a finished API request to the log.
func (c *Console) record(r *http.Request, rec *capture, start time.Time) {
	req := Request{At: start.UTC(), Method: r.Method, Path: r.URL.Path, Status: rec.status, Route: "-",
		LatencyMS: float64(c.opts.Now().Sub(start).Microseconds()) / 1000}
	if req.Status == 0 {
		req.Status = http.StatusOK
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// HTTP APIs answer with Apigw-Requestid, REST APIs with x-amzn-RequestId.
	id := rec.Header().Get("Apigw-Requestid")
	if id == "" {
		id = rec.Header().Get("X-Amzn-Requestid")
	}
	line, ok := c.access[id]
	delete(c.access, id)
	authErr := ""
	if ok {
		req.Route = line.route()
		if line.AuthorizerError != "-" {
			authErr = line.AuthorizerError
		}
	}
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &body)
	switch {
	case authErr != "":
		req.Authorizer, req.AuthorizerReason = "deny", authErr
	case (req.Status == http.StatusUnauthorized || req.Status == http.StatusForbidden) && body.Code == "" &&
		(body.Message == "Unauthorized" || body.Message == "Forbidden"):
		// API Gateway's own answer: the authorizer refused.
		req.Authorizer, req.AuthorizerReason = "deny", body.Message
		if wa := rec.Header().Get("Www-Authenticate"); wa != "" {
			req.AuthorizerReason = wa
		}
	case c.opts.Authorizers[req.Route] != "":
		req.Authorizer = "allow"
	}
	if strings.HasPrefix(r.URL.Path, "/webhooks/") && req.Authorizer == "" {
		switch {
		case req.Status < 300:
			req.Webhook = "verified"
		default:
			// 4xx: refused (signature, payload); 5xx: not stored (SQS,
			// secrets), to be retried by the provider.
			req.Webhook = "rejected"
			if req.Status >= 500 {
				req.Webhook = "failed"
			}
			req.WebhookCode, req.WebhookMessage = body.Code, body.Message
			if req.WebhookCode == "" {
				req.WebhookCode = strconv.Itoa(req.Status)
			}
		}
	}
	c.nextID++
	req.ID = c.nextID
	c.requests = append(c.requests, req)
	if len(c.requests) > c.opts.RequestLog {
		c.requests = c.requests[len(c.requests)-c.opts.RequestLog:]
	}
}

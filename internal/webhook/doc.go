// Package webhook is the WebhookFunction's handler: it takes an API Gateway
// HTTP API (payload 2.0) request for POST /webhooks/github or
// POST /webhooks/paddle, verifies the provider's signature over the raw body
// (packages github and paddle), and puts exactly one message on the queue.
//
// What lands in SQS (DESIGN.md "What lands in SQS from a webhook"):
//   - Body: the JSON document exactly as delivered; for GitHub's
//     form-encoded deliveries, the decoded "payload" field (the signature
//     is still checked over the raw form bytes).
//   - Attributes: provider (github|paddle), event (X-GitHub-Event / Paddle
//     event_type), delivery_id (X-GitHub-Delivery / Paddle event_id, stable
//     across retries), received_at (RFC 3339, UTC) and content_type: the
//     Content-Type as delivered, or application/json for a form delivery
//     whose payload was extracted, since that is what the body now is.
//   - On a FIFO queue: MessageGroupId "github:<owner/repo>" when the event
//     names a repository, else the provider; MessageDeduplicationId the
//     delivery id, so a provider's retry inside SQS's 5-minute window is
//     stored once.
//
// The answer is 202 {"messageId":…} only after SQS returned a MessageId. SQS
// errors are retried by the SDK and then answered 503 queue_unavailable so
// the provider retries (Paddle does; GitHub does not, so a 2xx must mean
// stored). Secrets Manager and SQS calls end short of the Lambda deadline
// (internal/deadline), so a call that hangs is a 503 too, not a timeout. A body SQS cannot take is answered 413 or 400, never altered.
// Signature failures are 401; a missing secret (nothing configured, or
// Secrets Manager unreachable at cold start) is 503 secret_unavailable,
// never an acceptance. Error bodies are {"code","message"}; logs are JSON
// with provider, delivery id, event and outcome, never a secret or a
// signature.
package webhook

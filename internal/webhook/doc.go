// Package webhook is the WebhookFunction's handler: it takes an API Gateway
// HTTP API (payload 2.0) request for POST /webhooks/<provider> (github,
// paddle, stripe, standard, shopify, slack), verifies the provider's
// signature over the raw body (one package per scheme), and puts exactly
// one message on the queue.
//
// Every provider is one Provider value (provider.go): its route, its
// scheme, its replay window where the scheme signs a time, and how its
// deliveries are named (event, delivery id, FIFO group); the handler takes
// every request through the same steps. Secrets come from
// <NAME>_WEBHOOK_SECRET (literal, comma-separated) or
// <NAME>_WEBHOOK_SECRET_ARN, windows from <NAME>_TOLERANCE.
//
// What lands in SQS (DESIGN.md "What lands in SQS from a webhook"):
//   - Body: the JSON document exactly as delivered; for GitHub's
//     form-encoded deliveries, the decoded "payload" field (the signature
//     is still checked over the raw form bytes).
//   - Attributes: provider, event (X-GitHub-Event, Paddle event_type,
//     Stripe type, Standard Webhooks type, X-Shopify-Topic, Slack
//     event.type), delivery_id (X-GitHub-Delivery, Paddle event_id, Stripe
//     id, webhook-id, X-Shopify-Webhook-Id, Slack event_id: each stable
//     across the provider's retries), received_at (RFC 3339, UTC),
//     content_type (the Content-Type as delivered, or application/json for
//     a GitHub form delivery whose payload was extracted, since that is
//     what the body now is) and verified_by, the scheme that verified it
//     (github-sha256, paddle-h1, stripe-v1, standard-v1, standard-v1a,
//     shopify-sha256, slack-v0).
//   - Slack's url_verification is answered 200 with its challenge after
//     the signature check, and nothing is queued.
//   - On a FIFO queue: MessageGroupId "github:<owner/repo>" when the event
//     names a repository, else the provider; MessageDeduplicationId the
//     delivery id, so a provider's retry inside SQS's 5-minute window is
//     stored once.
//
// The answer is 202 {"messageId":…} only after SQS returned a MessageId. SQS
// errors are retried by the SDK and then answered 503 queue_unavailable so
// the provider retries (Paddle does; GitHub does not, so a 2xx must mean
// stored). Secrets Manager and SQS calls end short of the Lambda deadline
// (internal/deadline), so a call that hangs is a 503 too, not a timeout. A
// body SQS cannot take is answered 413 or 400, never altered.
// Signature failures are 401; a missing secret (nothing configured, or
// Secrets Manager unreachable at cold start) is 503 secret_unavailable,
// never an acceptance. Error bodies are {"code","message"}; logs are JSON
// with provider, delivery id, event and outcome, never a secret or a
// signature.
package webhook

// Package transform is the TransformerFunction's work: it validates events
// against a bundled JSON Schema, wraps each in a CloudEvents 1.0 envelope,
// and writes them to SQS, one with SendMessage or many with packed,
// concurrent SendMessageBatch calls.
//
// # Routes and input
//
// POST /v1/events: the body is the event's data, any JSON value the schema
// accepts (Content-Type application/json or absent). The Ce-Type header sets
// the CloudEvents type; Idempotency-Key sets the event id (and, on a FIFO
// queue, the deduplication id). Each may be sent once: HTTP API joins a
// repeated header's values with commas, so a value with a comma is a repeat
// and is refused (400 repeated_header) rather than read as one id.
//
// POST /v1/events/batch: a JSON array (application/json) or NDJSON
// (application/x-ndjson; blank lines ignored) of items
//
//	{"data": …, "type": "com.example.order.created", "id": "order-42"}
//
// where only "data" is required; field names match exactly, and unknown or
// repeated fields are refused. Ce-Type sets
// the type of items without one; Idempotency-Key is refused here, since each
// item carries its own "id". Ids and types are printable ASCII without spaces
// (ids ≤ 128, types ≤ 256 characters), so an id can serve as a FIFO
// deduplication id unchanged; ids repeated within a batch are refused.
// At most MAX_BATCH_ITEMS items (default 500).
//
// # Validation: all or nothing
//
// Every item is checked before anything is written (items of large batches
// in parallel, one share per CPU), and the first failing check decides: the
// request's shape (400 invalid_json, invalid_item, invalid_request,
// repeated_header, empty_batch; 413 too_many_items, body_too_large; 415
// unsupported_media_type), then each enveloped message against SQS's rules
// (413 item_too_large when one item would exceed 1 MiB, naming its index;
// 400 invalid_characters), then the schema (422 validation_failed, listing
// every failing item — up to 100 errors — with its index, the JSON pointer
// of the failing field within the item's data, and the keyword it breaks).
// One failing item rejects the whole request and nothing is enqueued:
//
//	{"code":"validation_failed","message":"…","errors":[{"index":3,"pointer":"/amount","rule":"minimum","message":"…"}]}
//
// The schema is named by EVENT_SCHEMA: a file in schemas/ compiled into the
// binary ("default" accepts any JSON object; "strict-order" is a sample
// strict schema). It is compiled once at cold start; "format" is asserted
// and $ref may only point at other bundled files.
//
// # Envelope and message
//
// Each message body is a structured-mode CloudEvent: specversion "1.0", id
// (the producer's id, else a random UUID v4), source (EVENT_SOURCE, default
// "sqsgate"), type (default "sqsgate.event"), time (RFC 3339, the same for
// every item of a request), subject (the authorizer context's "sub"),
// datacontenttype "application/json", the extensions requestid, sourceip and
// useragent, and data: the producer's JSON byte for byte, as sent (only
// surrounding whitespace trimmed). Message attributes "type" and "source"
// (String) allow filtering without parsing the body. On a FIFO queue (QUEUE_URL ends in
// ".fifo") MessageGroupId is the subject, MessageDeduplicationId the event
// id, and batches are sent one at a time to keep their order. The first call
// that leaves an item unstored (the call failed, or SQS failed an entry)
// ends the request: no later item is sent, and each is answered
// sqs_unavailable, so resending every failed item keeps the order. An entry
// SQS fails inside a call and we resend may still land after entries of the
// same call that followed it: SQS stored those before we could know.
//
// # Sending: per item
//
// Batches are packed greedily in order into calls of at most 10 entries and
// 1 MiB (which is the fewest calls for that order) and sent with at most 8
// calls in flight. Entries SQS fails with SenderFault false are sent again
// with exponential backoff (3 attempts in all); the others are reported.
// The response lists every item:
//
//	202 {"results":[{"index":0,"id":"…","messageId":"…"}, …]}          every item enqueued
//	207 {"results":[{"index":0,"id":"…","messageId":"…"},
//	                {"index":1,"id":"…","error":{"code":"sqs_unavailable","message":"…"}}]}
//
// 207 means at least one item, possibly every one, is not in the queue
// (code sqs_rejected: SQS refused it and resending will not help;
// sqs_unavailable: resend it, with the same id). The single route answers
// 202 with one result, or 503 sqs_unavailable. SQS calls end short of the
// Lambda deadline (internal/deadline), so a queue that does not answer still
// leaves time to send these answers.
//
// # Dry run
//
// ?VALIDATE_ONLY=true (name matched without case, given once) validates
// and envelopes as usual, sends nothing, and answers 200
// {"validateOnly":true,"calls":[…]} with each planned call's entries:
// index, id, size, attributes, FIFO ids and the envelope.
//
// Logs are one JSON line per request (route, counts, status, code, duration);
// bodies and schema messages, which may echo data, are never logged.
package transform

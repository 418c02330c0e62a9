// Package consumer is the batch helper for Lambda functions that consume
// sqsgate's queue through an SQS event source mapping.
//
// It routes each record to a handler by what sqsgate put in it: webhook
// messages by their provider and event message attributes, transformer
// messages by the CloudEvents type in their envelope body. It unwraps the
// envelope (a handler sees the webhook document or the CloudEvent's data),
// and answers Lambda with a partial batch response (events.SQSEventResponse,
// for FunctionResponseTypes: [ReportBatchItemFailures]) naming only the
// records that failed, so only those come back after the visibility timeout.
//
// The rules it keeps, from the Lambda Developer Guide ("Handling errors for
// an SQS event source in Lambda"):
//   - A record's handler error, a panic in it, a record that cannot be
//     decoded and a record no handler is registered for are that record's
//     failure; the other records of the batch still succeed.
//   - On a FIFO queue the first failure in a message group fails every later
//     record of that group without running it, so the group's order holds
//     when Lambda delivers them again. (AWS's guide says to stop the whole
//     batch; other groups are independent, so only the failed group stops.)
//   - An idempotency hook, keyed by the webhook delivery_id or the
//     CloudEvents id, skips records already processed: SQS delivers at
//     least once and providers redeliver with the same id.
//
// The helper never fails the invocation itself: a batch whose every record
// failed is reported record by record, which Lambda treats the same way.
package consumer

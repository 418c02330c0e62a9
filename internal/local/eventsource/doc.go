// Package eventsource runs a template's SQS event source mappings locally,
// as Lambda's pollers do (Lambda Developer Guide, "Using Lambda with Amazon
// SQS", https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html):
//
//   - Each mapping has as many pollers as its MaximumConcurrency (5, the
//     batches Lambda starts with, when unset); each long-polls the queue
//     (WaitTimeSeconds 20), gathers up to BatchSize records within the
//     batching window, and has at most one invocation in flight, so at most
//     MaximumConcurrency invocations run at once.
//   - The event is events.SQSEvent exactly as Lambda sends it (see record).
//   - Success deletes the batch. With ReportBatchItemFailures, the listed
//     itemIdentifiers stay and the rest is deleted; a response that is not
//     JSON, or names an empty, null or unknown itemIdentifier, fails the
//     whole batch; an empty or null list, {} or null is full success
//     ("Handling errors for an SQS event source in Lambda").
//   - A function error or timeout deletes nothing: the batch reappears after
//     the queue's visibility timeout and the queue's redrive policy moves it
//     to the dead-letter queue after maxReceiveCount receives.
//   - FIFO: the queue itself hands out one group's messages only while none
//     of that group is in flight, so each batch keeps its groups' order and
//     a failed group waits for its retry.
//   - FilterCriteria (filter.go): records that match no filter are deleted
//     without an invocation, as Lambda does ("Lambda event filtering").
//   - Enabled: false mappings are listed but never poll.
//
// Not emulated: the 6 MB invocation payload cap (a batch is bounded by
// BatchSize only), pollers scaling up over time (all MaximumConcurrency
// pollers start at once), Lambda's backoff after throttles, and the
// batching window's sub-second precision (SQS waits in whole seconds).
package eventsource

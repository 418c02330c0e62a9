// Package sqsendpoint is an SQS-compatible endpoint for local runs and
// tests: real SQS clients (aws-sdk-go-v2, the AWS CLIs, boto3) talk to it
// over HTTP as they would to Amazon SQS, with SQS's semantics, limits and
// error codes as AWS documents them.
//
//	s, err := sqsendpoint.New(sqsendpoint.Options{DataDir: dir}) // "" = in memory
//	arn, err := s.EnsureQueue("IngestQueue", map[string]string{"VisibilityTimeout": "60"}, nil)
//	http.ListenAndServe("127.0.0.1:9324", s)
//	defer s.Close()
//
// To stop, call Drain before shutting the HTTP server down: waiting long
// polls answer at once (empty) instead of holding the shutdown for up to
// 20 s; then Close.
//
// # Safety
//
// The endpoint has no authentication: signatures are accepted unchecked,
// as every local SQS emulator does. Bind it to loopback (the sqsgate CLI's
// default, 127.0.0.1:9324). Request bodies are capped at MaxRequestBytes;
// malformed input gets an SQS error, and a panic in a handler becomes
// InternalFailure for that request only.
//
// # Protocols
//
// Both wire protocols on any path: AWS JSON 1.0 (X-Amz-Target:
// AmazonSQS.<Op>; errors {"__type":"com.amazonaws.sqs#<Code>","message"}
// with x-amzn-query-error: <legacy code>;Sender) and the query protocol
// (Action=<Op> as a form body or URL query, GET or POST, also posted to
// the queue's own path; XML responses in the 2012-11-05 namespace;
// <ErrorResponse> errors; with Accept: application/json, as API Gateway's
// AWS-service integrations send it, the same responses in SQS's JSON
// rendering, {"<Op>Response":{"<Op>Result":{...},"ResponseMetadata":{...}}}
// with every member present and absent ones null, and errors
// {"Error":{"Code","Message","Type"},"RequestId"}). Queue URLs are
// http://<Host the client called>/<account>/<name>; ARNs
// arn:aws:sqs:<region>:<account>:<name>.
// A QueueUrl may be any URL ending in /<account>/<name>, that path, or
// the queue's name. POST /_sqsgate/reset deletes every queue (a clean
// slate between tests).
//
// # Regions
//
// The region of a request is the one its SigV4 credential scope names
// (signatures are not checked), else Options.Region. Each region keeps
// its own queues, ARNs and dead-letter queues, as AWS regions do.
//
// # Operations
//
// CreateQueue, GetQueueUrl, ListQueues (QueueNamePrefix, MaxResults,
// NextToken), GetQueueAttributes, SetQueueAttributes, DeleteQueue,
// PurgeQueue, SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage,
// DeleteMessageBatch, ChangeMessageVisibility, ChangeMessageVisibilityBatch,
// ListDeadLetterSourceQueues, TagQueue, UntagQueue, ListQueueTags,
// StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask,
// AddPermission, RemovePermission (which edit the Policy attribute as AWS
// does). Parameters are validated before the queue is resolved, as AWS
// does, and errors carry AWS's codes and words.
//
// # Queue attributes
//
// Settable, validated with SQS's ranges (InvalidAttributeValue /
// InvalidAttributeName): DelaySeconds 0-900, MaximumMessageSize
// 1024-1048576, MessageRetentionPeriod 60-1209600, ReceiveMessageWaitTimeSeconds
// 0-20, VisibilityTimeout 0-43200, RedrivePolicy (deadLetterTargetArn,
// maxReceiveCount 1-1000; the DLQ must exist, be the same type and admit
// the source), RedriveAllowPolicy (allowAll, denyAll, byQueue with 1-10
// sourceQueueArns), Policy (stored, not enforced), KmsMasterKeyId and
// KmsDataKeyReusePeriodSeconds (stored; no encryption), SqsManagedSseEnabled;
// FIFO only: FifoQueue (at creation), ContentBasedDeduplication,
// DeduplicationScope (queue, messageGroup), FifoThroughputLimit (perQueue,
// perMessageGroupId). Read-only: ApproximateNumberOfMessages,
// ApproximateNumberOfMessagesNotVisible, ApproximateNumberOfMessagesDelayed,
// CreatedTimestamp, LastModifiedTimestamp, QueueArn. "All" returns them all.
//
// # Message semantics
//
//   - Bodies: at least 1 character from SQS's allowed set
//     (InvalidMessageContents), body plus attributes at most the queue's
//     MaximumMessageSize (1 MiB default).
//   - Message attributes: String, Number, Binary and custom types
//     (String.x), at most 10, SQS's naming rules; MD5OfMessageBody and
//     MD5OfMessageAttributes as AWS computes them (internal/sqsmsg).
//     System attribute AWSTraceHeader, with MD5OfMessageSystemAttributes.
//   - ReceiveMessage: MaxNumberOfMessages 1-10, VisibilityTimeout override,
//     WaitTimeSeconds 0-20 (queue default ReceiveMessageWaitTimeSeconds)
//     long polling that returns as soon as a message becomes receivable;
//     MessageSystemAttributeNames/AttributeNames ("All" or names) and
//     MessageAttributeNames ("All", ".*", "*", "prefix.*" for names
//     starting with prefix, names); MD5OfMessageAttributes is the digest
//     of the attributes returned.
//   - System attributes: SenderId (the account id), SentTimestamp,
//     ApproximateReceiveCount, ApproximateFirstReceiveTimestamp,
//     MessageGroupId, MessageDeduplicationId, SequenceNumber (FIFO),
//     AWSTraceHeader, DeadLetterQueueSourceArn (after a dead-letter move).
//   - Receipt handles are new on every receive, and every handle of a
//     message stays usable while it exists, as AWS is observed to treat
//     them: DeleteMessage with an earlier handle deletes the message and
//     ChangeMessageVisibility with one changes its visibility, also after
//     the timeout ran out. On FIFO queues a handle whose message became
//     visible again is expired for DeleteMessage. Deleting a message
//     already gone succeeds (changing its visibility does not); a
//     malformed or foreign handle is ReceiptHandleIsInvalid. Visibility
//     stays under 12 hours from the receive.
//   - DelaySeconds per queue and per message (on FIFO only an explicit 0,
//     and the queue's delay applies),
//     retention expiry, PurgeQueue (once per 60 s, PurgeQueueInProgress),
//     re-creating a deleted queue's name within 60 s (QueueDeletedRecently).
//   - Dead-letter queues: a receive that would exceed maxReceiveCount moves
//     the message to the DLQ instead (same message id and receive count).
//     StartMessageMoveTask moves a DLQ's visible messages to
//     DestinationArn or back to the queue each came from, with a fresh
//     receive count.
//   - FIFO: order per message group; a group with a message in flight
//     yields nothing until it is deleted or visible again; deduplication
//     for 5 minutes by MessageDeduplicationId or SHA-256 of the body,
//     per queue or per group; SequenceNumber increases per queue;
//     MessageGroupId required (MissingParameter; in a batch the whole
//     request fails, as without a deduplication id); ReceiveRequestAttemptId
//     returns the same messages and receipt handles on a retry while none
//     of them was deleted or had its visibility changed.
//   - Batches: 1-10 entries (EmptyBatchRequest,
//     TooManyEntriesInBatchRequest), distinct ids of [A-Za-z0-9_-]{1,80}
//     (BatchEntryIdsNotDistinct, InvalidBatchEntryId), at most 1 MiB in all
//     (BatchRequestTooLong); each entry then succeeds or fails on its own.
//
// # Durability
//
// With Options.DataDir the state lives in an append-only log in that
// directory (package internal/wal: segment files, CRC-framed records).
// Every acknowledged change (create, set attributes, tag, send, delete,
// purge, move) is written and fdatasynced before the response; writers
// that arrive while a sync runs share the next one (group commit), and a
// lone writer syncs in its own goroutine, so one client pays one
// fdatasync per acknowledged write and 32 clients a fraction of one.
// The changes of one request (a batch, a dead-letter move's delete and
// put) are one record: after a crash the log has all of them or none.
// Receive state (receive count, first receive time) is journalled lazily,
// with the next commit or at most 100 ms later, so a crash can lose a few
// receive counts, never a message. After a restart, queues, messages,
// receive counts and FIFO deduplication records are back; messages that
// were in flight are visible again, as after their visibility timeout,
// and receipt handles issued before the restart are stale. A torn record
// at the end of the log (a write the crash cut short, never acknowledged)
// is cut off at open; damage anywhere else stops the start-up.
//
// # Known deviations from Amazon SQS
//
//   - No authentication, IAM policies or KMS; Policy and Kms* are stored only.
//   - Message attribute list values (reserved by SQS) are refused.
//     ReceiveRequestAttemptId (FIFO) replays within 5 minutes but is not
//     persisted across restarts.
//   - StartMessageMoveTask runs to completion at once, ignoring
//     MaxNumberOfMessagesPerSecond; tasks are always COMPLETED, so
//     CancelMessageMoveTask answers ResourceNotFoundException. Tasks are
//     not persisted.
//   - Approximate counts are exact. SenderId is the account id.
//   - MessageGroupId is accepted on standard queues (as SQS fair queues do)
//     but does not change delivery order; MessageDeduplicationId is
//     refused there, as on AWS.
//   - Message attribute names are checked against [A-Za-z0-9_.-]; AWS also
//     takes other Unicode letters.
package sqsendpoint

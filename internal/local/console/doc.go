// Package console is the local platform's web console, served by `sqsgate
// run` at http://127.0.0.1:3000/_sqsgate/ to loopback clients only: the
// queues with their depth, in-flight and delayed counts and a chart of
// depth over the last minutes; a queue's messages, read without receiving
// them (sqsendpoint.Server.Peek); a dead-letter queue's redrive button
// (StartMessageMoveTask); the live request log of the HTTP API (route,
// status, authorizer decision and reason, webhook verification result,
// latency); and a button per webhook provider that sends a signed test
// delivery. The page is plain HTML and JavaScript embedded in the binary:
// no build step.
package console

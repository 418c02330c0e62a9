// Package sqsmsg holds the rules Amazon SQS applies to a message before it
// accepts it: size limits, the characters a body may contain, the shape of
// attribute names, batch entry ids and FIFO group and deduplication ids, and
// the MD5 digests SQS returns.
//
// Both wings use it: the production functions check a message before they
// send it, so a body SQS would refuse is answered 413/400 instead of being
// retried, and the local SQS endpoint enforces the same rules, so what passes
// locally passes in AWS.
package sqsmsg

// Package deadline gives the AWS calls of a Lambda invocation a deadline of
// their own that leaves the function time to answer.
//
// Lambda hands a handler a context that ends at the function's timeout.
// Passed to the SDK unchanged, its retries may run until that moment, and
// then Lambda kills the invocation and API Gateway answers a bare 500: for a
// batch, after some items were stored, so the per-item results are lost.
// WithMargin ends the calls earlier — at the earlier of the deadline minus
// Reserve and Share of the time that remains — so the handler can still
// answer 503 or 207 with what it knows.
package deadline

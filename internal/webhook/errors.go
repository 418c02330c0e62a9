package webhook

import (
	"errors"
	"net/http"

	"github.com/sqsgate/sqsgate/internal/apigw"
	"github.com/sqsgate/sqsgate/internal/webhook/github"
	"github.com/sqsgate/sqsgate/internal/webhook/internal/sigcheck"
)

// The webhook function's answers, one per stable code. Handlers return them
// (or a Detail of them, with a more precise message and the cause for the
// logs); apigw.ErrorResponse turns them into the response.
var (
	ErrNotFound           = apigw.NewError(http.StatusNotFound, "not_found", "no webhook route at this path")
	ErrMethodNotAllowed   = apigw.NewError(http.StatusMethodNotAllowed, "method_not_allowed", "webhooks are delivered with POST")
	ErrMissingSignature   = apigw.NewError(http.StatusUnauthorized, "missing_signature", "the request carries no signature")
	ErrSHA256Required     = apigw.NewError(http.StatusUnauthorized, "sha256_signature_required", "an X-Hub-Signature-256 signature is required; sha1 alone is not accepted")
	ErrMalformedSignature = apigw.NewError(http.StatusUnauthorized, "malformed_signature", "the signature header is malformed")
	ErrStaleTimestamp     = apigw.NewError(http.StatusUnauthorized, "stale_timestamp", "the signature timestamp is outside the allowed window")
	ErrInvalidSignature   = apigw.NewError(http.StatusUnauthorized, "invalid_signature", "the signature does not match")
	ErrRepeatedHeader     = apigw.NewError(http.StatusBadRequest, "repeated_header", "a header that must appear once was repeated")
	ErrConflictingHeaders = apigw.NewError(http.StatusBadRequest, "conflicting_headers", "two spellings of a header carry different values")
	ErrMalformedRequest   = apigw.NewError(http.StatusBadRequest, "malformed_request", "the request body could not be decoded")
	ErrMissingHeader      = apigw.NewError(http.StatusBadRequest, "missing_header", "a required header is missing")
	ErrMalformedPayload   = apigw.NewError(http.StatusBadRequest, "malformed_payload", "the payload is malformed")
	ErrInvalidPayload     = apigw.NewError(http.StatusBadRequest, "invalid_payload", "the payload is empty or contains characters SQS does not accept")
	ErrInvalidMetadata    = apigw.NewError(http.StatusBadRequest, "invalid_metadata", "the event name, delivery id or content type contains characters SQS does not accept")
	ErrPayloadTooLarge    = apigw.NewError(http.StatusRequestEntityTooLarge, "payload_too_large", "the request body is larger than this endpoint accepts")
	ErrSecretUnavailable  = apigw.NewError(http.StatusServiceUnavailable, "secret_unavailable", "the webhook secret is not available; try again later")
	ErrQueueUnavailable   = apigw.NewError(http.StatusServiceUnavailable, "queue_unavailable", "the queue is unavailable; retry later")
)

// verificationError gives a kind of verification failure (package
// sigcheck; every provider's sentinels carry one) its answer, the same for
// every provider. The verifier's error stays in the chain for the log; it
// never holds the signature. A header the provider could not read is
// already an answer.
func verificationError(err error) error {
	var kind *apigw.Error
	switch {
	case errors.Is(err, sigcheck.ErrNoSecret):
		kind = ErrSecretUnavailable
	case errors.Is(err, github.ErrSHA1Only):
		kind = ErrSHA256Required
	case errors.Is(err, sigcheck.ErrMissingSignature):
		kind = ErrMissingSignature
	case errors.Is(err, sigcheck.ErrMalformedSignature):
		kind = ErrMalformedSignature
	case errors.Is(err, sigcheck.ErrStaleTimestamp):
		kind = ErrStaleTimestamp
	case errors.Is(err, sigcheck.ErrSignatureMismatch):
		kind = ErrInvalidSignature
	case errors.As(err, &kind):
		return err
	default:
		kind = apigw.ErrInternal
	}
	return kind.Detail("", err)
}

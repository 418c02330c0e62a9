// Package httpapi emulates an Amazon API Gateway HTTP API (the v2 API) on a
// laptop: it routes requests the way HTTP API selects routes, builds
// payload format 2.0 (and 1.0) events for Lambda proxy integrations and
// reads their responses back, runs Lambda and JWT authorizers with result
// caching, performs the native SQS integrations (SQS-SendMessage,
// SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue) with API Gateway's
// parameter mapping expressions, answers CORS preflights, and writes one
// JSON access-log line per request.
//
// It is driven by a Config the template reader derives from template.yaml;
// anything the emulator cannot honour is rejected by New with the route and
// the reason, never emulated halfway.
//
// Choices where AWS documents nothing, written down here:
//   - Native SQS routes answer with the query-protocol JSON shape API
//     Gateway's execution logs show ({"SendMessageResponse":{...}}), keys in
//     alphabetical order as AWS serialises them; SQS errors come back as
//     {"Error":{"Code","Message","Type"},"RequestId"} with SQS's status
//     (400 for sender faults, 500 for receiver faults).
//   - A required SQS parameter whose mapping evaluates to an empty value, or a
//     numeric parameter that is not a number, is answered with 400
//     {"message":"Bad Request"} without calling SQS.
//   - An integration that does not answer within its timeout (default and
//     maximum 30 s) is answered with 503 {"message":"Service Unavailable"},
//     as HTTP APIs do; a function error or a malformed response with 500
//     {"message":"Internal Server Error"}.
//   - Lambda authorizers time out after 10 s; an authorizer that fails or
//     returns a malformed response yields 500 {"message":"Internal Server Error"}.
//     Their answers, allow or deny, are cached per identity for the
//     authorizer's TTL whatever the token's exp, as API Gateway does; each
//     authorizer keeps at most 10,000 and evicts the least recently used.
//   - A structured Lambda response without a content-type header gets
//     "application/json", as the inferred (no statusCode) response does.
//   - JWT authorizers follow the documented checks (RSA signature with a
//     kid from the JWKS, iss, aud or else client_id, exp required, nbf, iat,
//     scope/scp against the route's scopes). A failed check is 401 with a
//     www-authenticate header naming the reason; a valid token without any
//     of the route's scopes is 403, as AWS documents for JWT authorizers.
//     Keys are cached for 5 minutes (AWS: up to 2 hours) so local key
//     changes show quickly; an unreachable JWKS is a 500.
//   - requestContext.authorizer.lambda carries the authorizer's context;
//     for IAM policy responses principalId is available to mappings as
//     $context.authorizer.principalId (and in payload 1.0's authorizer map).
//   - Requests over 10 MB, or whose request line and header values exceed
//     10240 bytes (HTTP API's quotas), get 413 {"message":"Request Entity
//     Too Large"} without reaching the integration.
//   - A preflight from an origin, method or header the CorsConfiguration
//     does not allow gets 204 with no Access-Control-* headers, so the
//     browser refuses the actual request.
//   - Stage variables are not part of the Config, so $stageVariables.x
//     evaluates to an empty value.
//   - Lambda proxy routes take no parameter mapping, and Lambda authorizers
//     only payload format 2.0; New rejects either rather than ignore it.
package httpapi

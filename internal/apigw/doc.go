// Package apigw adapts API Gateway HTTP API (payload format 2.0) events for
// the functions: it reads headers the way API Gateway delivers them
// (lowercased names, repeated values comma-joined), decodes base64 bodies
// within a size cap, and is the one place where errors become answers.
//
// A function declares each kind of failure once, as an *Error sentinel
// (status, stable snake_case code, safe default message), returns it or a
// Detail of it (a more precise safe message, and the cause for the logs),
// and calls Answer or ErrorResponse at the edge. Only this package maps
// errors to HTTP status codes; anything without a kind is a 500 whose
// detail stays in the logs.
package apigw

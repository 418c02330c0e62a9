// Package apigw adapts API Gateway Lambda proxy events for the functions.
// Event decodes both payload formats (HTTP API 2.0, REST API 1.0, told
// apart by the raw event's "version") into the 2.0 shape the functions
// read, and Adapt answers in the shape the event came in. It reads headers the way API Gateway delivers them
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

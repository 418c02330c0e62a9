// Package apigw adapts API Gateway HTTP API (payload format 2.0) events for
// the functions: it reads headers the way API Gateway delivers them
// (lowercased names, repeated values comma-joined), decodes base64 bodies
// within a size cap, and turns errors into JSON responses with a stable
// code and a safe message. Only this edge knows about HTTP status codes.
package apigw

// Package lambdaproxy is what both local API emulators (httpapi, restapi)
// share about Lambda proxy integrations: invoking a function within the
// integration's timeout, and reading its response (payload format 1.0 or
// 2.0) back into an HTTP status, headers and body as API Gateway does.
package lambdaproxy

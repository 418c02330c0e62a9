// Package platform assembles the local platform from template.yaml: it
// resolves the template, creates its queues in the embedded SQS endpoint
// (or an external one), runs every function's real bootstrap under the
// local Lambda runtime, and serves the HTTP API, the Lambda Invoke API and
// the dev issuer's JWKS.
//
// Function environments are built in this order, later entries winning:
// the template (Globals, then the function), then the env-vars file (its
// "Parameters" entries that are not template Parameters apply to every
// function, as `sam local --env-vars` does; then the entry under the
// function's logical ID), then what the platform itself must set:
// AWS_ENDPOINT_URL_SQS, credentials (dummy ones for local endpoints) and,
// for functions configured with the dev issuer, COGNITO_JWKS_URL pointing
// at the JWKS this platform serves. "Parameters" entries that name a
// template Parameter override it instead, so one SAM-format file carries
// both.
//
// Every listener is loopback-only and lets only the OS user that started
// the platform connect (internal/local/peercred; the Runtime APIs through
// lambdaruntime), unless Config.AllowOtherUsers; every server bounds its
// clients with internal/local/httplimit (Config.Limits).
package platform

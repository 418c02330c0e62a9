// Package authorizer is the HTTP API Lambda authorizer (payload format 2.0,
// simple responses) in front of the /v1 routes: it takes the Cognito token
// from the Authorization header, with or without "Bearer ", verifies it with
// internal/cognito, applies the route's rule from COGNITO_ROUTE_RULES, and
// answers {"isAuthorized":true,"context":{...}} or {"isAuthorized":false}.
//
// The shape is the functions' one: ConfigFromEnv(os.Getenv) reads the
// environment, New(cfg, Deps{...}, logger) builds the handler (and the
// Cognito verifier, fetching the key set during Lambda's init), and main
// only wires. Every error becomes an answer in one place (deny): the
// reason goes to the log (JSON, snake_case keys, a stable code from Code,
// never the token); the response never says why.
//
// A key set outage is a denial, not an error. An error would make API
// Gateway answer 500 rather than 403 and would not be cached, but it would
// also put every outage on the caller's path as a server failure; a denial
// keeps the contract simple (401 no token, 403 anything else) and the log
// line, at ERROR level with code jwks_unavailable, is what alerts. The cost:
// API Gateway caches a denial for the route's ReauthorizeEvery like any
// other answer. The verifier only reports an outage when it has never
// fetched the key set; once it has keys it keeps using them.
//
// API Gateway caches an allow, too, for ReauthorizeEvery
// (AuthorizerCacheTtlSeconds, default 60 s) without looking at the token's
// exp, so an expired token keeps working for at most that TTL plus the
// verifier's leeway after exp. That is why the template's default is short.
//
// Route rules (COGNITO_ROUTE_RULES) are JSON keyed by API Gateway's
// routeKey:
//
//	{"POST /v1/messages": {"scopes": ["sqsgate/write"], "groups": ["writers"]},
//	 "GET /v1/messages":  {"scopes": ["sqsgate/read"]}}
//
// A token passes a rule if it carries at least one of the listed scopes
// (when scopes are listed) and belongs to at least one of the listed groups
// (when groups are listed), the way API Gateway's own JWT authorizer reads a
// route's authorization scopes. A route without a rule needs only a valid
// token. Unknown fields in the JSON are an error at cold start.
//
// Context values are strings, as API Gateway requires for
// $context.authorizer.<key>: sub, username, client_id, scope (space
// separated, as in the token) and groups (space separated; Cognito group
// names cannot contain white space).
//
// A REST API's REQUEST authorizer event (a methodArn, no version 2.0;
// Invoke tells the shapes apart) is answered by HandleREST with an IAM
// policy: principalId is sub, the context as above. API Gateway caches the
// policy and applies it to every method it matches, so the policy does not
// depend on the method asked for: Allow on the whole stage, an explicit
// Deny on each route whose rule the caller fails. A token that does not
// verify gets no policy but the "Unauthorized" error (API Gateway's 401).
package authorizer

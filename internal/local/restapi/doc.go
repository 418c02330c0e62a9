// Package restapi emulates an Amazon API Gateway REST API (the v1 API) on a
// laptop, from the template reader's template.RestAPI: resource routing
// ({param}, {proxy+}, ANY), REQUEST Lambda authorizers answering IAM
// policies (evaluated on the method ARN with API Gateway's result cache),
// API keys with usage-plan quota and throttle, request validators (JSON
// Schema draft 4 models), gateway responses, and the integrations sqsgate
// uses: aws_proxy to Lambda (payload format 1.0), AWS-service integrations
// to SQS sent over HTTP to the SQS endpoint with requestParameters,
// mapping templates and passthrough behavior, and mock.
//
// Paths are served at the root without the stage prefix, as `sam local
// start-api` does; $context.stage and the method ARN carry the stage.
//
// A request goes through, in order: the 10 MB body and 10240-byte header
// limits (413), routing (403 Missing Authentication Token for an unknown
// resource or method, OPTIONS included, as REST APIs answer rather than
// 404/405), the REQUEST authorizer, the API key and its usage plan
// (quota, then throttle), the request validator, the integration. Every
// answer of API Gateway's own goes through the API's gateway responses
// (the type's entry, else DEFAULT_4XX/DEFAULT_5XX, else AWS's default
// body), with $context.error.message, messageString, responseType and
// validationErrorString.
//
// Choices where AWS documents nothing, written down here:
//   - The API key is checked after the authorizer (the order the
//     AUTHORIZER key source implies).
//   - Behind an Authorization header, AWS answers an unknown path with an
//     IncompleteSignatureException message that quotes the header; the
//     emulator keeps {"message":"Missing Authentication Token"} so a token
//     never appears in a response.
//   - Go's HTTP server canonicalises header names, so events carry
//     "Content-Type" where AWS keeps the client's own case.
//   - A backend that cannot be reached is 504 {"message":"Internal server
//     error"} (INTEGRATION_FAILURE); one that does not answer within the
//     integration timeout (default and maximum 29 s) is 504
//     {"message":"Endpoint request timed out"}.
//   - Quota periods start at 00:00 UTC: the day, the week from Sunday, the
//     month from its first day; the offset is taken from the limit of the
//     first period the emulator sees.
//   - An AWS-service integration request carries a Content-Type only when
//     a requestParameters mapping sets one, or when the client's body is
//     passed through unmapped (it keeps the client's type).
//   - Stage variables are not part of the model: stageVariables.x is absent.
//   - Resource policies (x-amazon-apigateway-policy) and AWS WAF have no
//     local effect.
package restapi

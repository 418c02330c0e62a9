// Package template reads the SAM template that deploys sqsgate and turns it
// into what the local platform runs: queues, functions and one API, an HTTP
// API or a REST API.
//
// It parses YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...),
// resolves the intrinsic functions, Conditions, pseudo parameters and
// Parameters the template uses, applies SAM's Globals, and reads
// AWS::Serverless::Function, AWS::Serverless::HttpApi, AWS::Serverless::Api
// and AWS::SQS::Queue.
//
// A REST API (restapi.go) is read from its inline OpenAPI 3 (or Swagger 2)
// DefinitionBody after intrinsics and conditions are resolved: methods with
// their security (a Lambda authorizer, the API key), parameters, request
// models and validator; x-amazon-apigateway-integration (aws to SQS with a
// queue path or action, aws_proxy to a function, mock) with its parameter
// mapping, templates and responses ("default" last); security schemes,
// validators, models, gateway responses, the API key source and the
// resource policy; and the AWS::ApiGateway::UsagePlan, ApiKey and
// UsagePlanKey resources on its stage. A key without Value gets
// LocalAPIKeyValue. Unknown x-amazon-apigateway-* keys and integrations the
// emulator cannot run are refused by path; stage settings with no local
// meaning (MethodSettings, AccessLogSetting, TracingEnabled) become Notes,
// a WAF association is listed as not emulated.
//
// Anything it cannot honour stops start-up with an *Error naming the
// resource, the property path and the reason: the local platform never runs
// a silent half-emulation. Resources with no local meaning (IAM, log groups,
// alarms, secrets...) are listed in App.NotEmulated; properties that are
// accepted but have no local effect (encryption, throttling, tracing) are
// listed in App.Notes so the platform can say so in its log.
package template

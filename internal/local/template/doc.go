// Package template reads the SAM template that deploys sqsgate and turns it
// into what the local platform runs: queues, functions and one HTTP API.
//
// It parses YAML with CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...),
// resolves the intrinsic functions, Conditions, pseudo parameters and
// Parameters the template uses, applies SAM's Globals, and reads
// AWS::Serverless::Function, AWS::Serverless::HttpApi and AWS::SQS::Queue.
//
// Anything it cannot honour stops start-up with an *Error naming the
// resource, the property path and the reason: the local platform never runs
// a silent half-emulation. Resources with no local meaning (IAM, log groups,
// alarms, secrets...) are listed in App.NotEmulated; properties that are
// accepted but have no local effect (encryption, throttling, tracing) are
// listed in App.Notes so the platform can say so in its log.
package template

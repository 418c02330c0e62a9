// Package sqsendpoint is an SQS-compatible endpoint for local runs and
// tests: real SQS clients (aws-sdk-go-v2, the AWS CLIs, boto3) talk to it
// over HTTP as they would to Amazon SQS.
//
// (full operation and attribute list below; see the README)
package sqsendpoint

// Package lambdalog builds the functions' logger: structured JSON always,
// with Lambda's key names, the request id when Lambda's JSON log format is
// on, and the application log level from AWS_LAMBDA_LOG_LEVEL.
package lambdalog

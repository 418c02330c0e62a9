// Package cli is the sqsgate command line: run, sqs, invoke, token and
// events. cmd/sqsgate only hands its arguments to Main.
//
// Every flag can also be set by an environment variable SQSGATE_<FLAG>
// (upper case, dashes as underscores: --api-addr is SQSGATE_API_ADDR); a
// flag on the command line wins over the variable.
package cli

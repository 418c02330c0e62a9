// Package testpeer starts the independent AWS implementations the tests
// check sqsgate against (moto_server, cfn-lint, the AWS CLIs) and decides
// what happens when one is missing: the test skips with the reason, unless
// SQSGATE_REQUIRE_PEERS=1 (set by CI), in which case it fails.
package testpeer

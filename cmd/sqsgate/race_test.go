//go:build race

package main

// Under `go test -race` the sqsgate binary is built with the race detector
// too, so the platform's own concurrency is checked end to end.
func init() { raceBuild = true }

// Package build builds the functions' bootstrap binaries for this machine
// before the local platform runs them, as `make build-local` does (CGO off,
// -tags lambda.norpc), and only when they are missing or stale: a stamp
// beside each binary holds a hash of the Go sources it was built from (the
// function's package and every package of the module it imports) and of
// go.mod and go.sum.
package build

// Package benchcmp reports how a benchmark compares with a baseline
// measured in the same run, as a ratio metric, so results read "1.02
// x-hmac" instead of two absolute numbers from different moments.
package benchcmp

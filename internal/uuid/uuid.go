// Package uuid makes random (version 4) UUIDs, the shape of SQS message
// ids, Lambda request ids, Cognito jti claims and CloudEvents ids.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random version 4 UUID from crypto/rand, in lowercase
// 8-4-4-4-12 form.
func New() string {
	var b [16]byte
	// crypto/rand.Read never fails (Go 1.24+): it crashes the program rather
	// than return predictable bytes.
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

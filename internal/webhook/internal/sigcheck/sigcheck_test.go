package sigcheck

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestNewMatchesItsKind(t *testing.T) {
	a := New("p: missing", ErrMissingSignature)
	b := New("p: missing", ErrMissingSignature)
	assert.ErrorIs(t, a, ErrMissingSignature)
	assert.NotErrorIs(t, a, ErrSignatureMismatch)
	assert.NotErrorIs(t, a, b, "each sentinel is its own error")
	assert.Equal(t, "p: missing", a.Error())
	assert.Equal(t, ErrMissingSignature, errors.Unwrap(a))
}

func TestAnySecret(t *testing.T) {
	assert.False(t, AnySecret(nil))
	assert.False(t, AnySecret([]string{"", ""}))
	assert.True(t, AnySecret([]string{"", "k"}))
}

func mac(key, msg string) MAC {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	var out MAC
	copy(out[:], m.Sum(nil))
	return out
}

func TestComputeAndMatch(t *testing.T) {
	want := mac("k", "ts.body")
	assert.Equal(t, want, Compute([]byte("k"), []byte("ts."), []byte("body")))
	other := mac("x", "y")
	tests := []struct {
		name    string
		secrets []string
		want    []MAC
		ok      bool
	}{
		{"no secrets", nil, []MAC{want}, false},
		{"empty secret skipped", []string{""}, []MAC{mac("", "ts.body")}, false},
		{"no signatures", []string{"k"}, nil, false},
		{"wrong secret", []string{"j"}, []MAC{want}, false},
		{"first secret", []string{"k", "j"}, []MAC{want}, true},
		{"second secret, second signature", []string{"j", "k"}, []MAC{other, want}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.ok, Match(tt.secrets, []byte("ts."), []byte("body"), tt.want))
			keys := make([][]byte, len(tt.secrets))
			for i, s := range tt.secrets {
				keys[i] = []byte(s)
			}
			assert.Equal(t, tt.ok, MatchKeys(keys, []byte("ts."), []byte("body"), tt.want))
		})
	}
}

func TestDecodeHex(t *testing.T) {
	want := mac("k", "m")
	lower := hex.EncodeToString(want[:])
	upper := strings.ToUpper(lower)
	for _, tt := range []struct {
		name      string
		in        string
		lowerOnly bool
		ok        bool
	}{
		{"lower", lower, true, true},
		{"upper allowed", upper, false, true},
		{"upper refused", upper, true, false},
		{"one upper digit refused", lower[:63] + "F", true, false},
		{"an A refused", lower[:63] + "A", true, false},
		{"an A allowed", lower[:63] + "A", false, true},
		{"short", lower[:62], false, false},
		{"long", lower + "00", false, false},
		{"not hex", lower[:62] + "zg", false, false},
		{"empty", "", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DecodeHex(tt.in, tt.lowerOnly)
			assert.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, want[:31], got[:31])
			}
		})
	}
}

func TestDecodeBase64(t *testing.T) {
	want := mac("k", "m")
	good := base64.StdEncoding.EncodeToString(want[:])
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	loose := good[:42] + string(alphabet[strings.IndexByte(alphabet, good[42])|1]) + "="
	for _, tt := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"canonical", good, true},
		{"unpadded", good[:43], false},
		{"padding bits set", loose, false},
		{"line break inside", good[:10] + "\n" + good[10:43], false},
		{"URL alphabet", strings.NewReplacer("+", "-", "/", "_").Replace(good), !strings.ContainsAny(good, "+/")},
		{"31 bytes", base64.StdEncoding.EncodeToString(want[:31]), false},
		{"empty", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DecodeBase64(tt.in)
			assert.Equal(t, tt.ok, ok)
			if ok {
				assert.Equal(t, want, got)
			}
		})
	}
	var sig [64]byte
	assert.True(t, DecodeBase64To(sig[:], base64.StdEncoding.EncodeToString(make([]byte, 64))))
	assert.False(t, DecodeBase64To(sig[:], good), "a 32-byte value into a 64-byte destination")
	big := make([]byte, 65)
	assert.False(t, DecodeBase64To(big, base64.StdEncoding.EncodeToString(big)), "larger than a signature")
}

func TestParseUnix(t *testing.T) {
	for _, tt := range []struct {
		in        string
		canonical bool
		want      int64
		ok        bool
	}{
		{"1700000000", true, 1700000000, true},
		{"0", true, 0, true},
		{"0170", false, 170, true},
		{"0170", true, 0, false},
		{"9223372036854775807", true, 9223372036854775807, true},
		{"9223372036854775808", false, 0, false},
		{"12345678901234567890", false, 0, false},
		{"", false, 0, false},
		{"+1", false, 0, false},
		{"-1", false, 0, false},
		{" 1", false, 0, false},
		{"1.5", false, 0, false},
		{"1e3", false, 0, false},
	} {
		got, ok := ParseUnix(tt.in, tt.canonical)
		assert.Equal(t, tt.ok, ok, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestWithin(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for _, tt := range []struct {
		name      string
		unix      int64
		now       time.Time
		tolerance time.Duration
		ok        bool
	}{
		{"same second", 1700000000, now, 5 * time.Second, true},
		{"edge, past", 1699999995, now, 5 * time.Second, true},
		{"edge, future", 1700000005, now, 5 * time.Second, true},
		{"past", 1699999994, now, 5 * time.Second, false},
		{"future", 1700000006, now, 5 * time.Second, false},
		{"a nanosecond past the edge", 1699999995, now.Add(1), 5 * time.Second, false},
		{"a nanosecond inside the future edge", 1700000005, now.Add(1), 5 * time.Second, true},
		{"fractional tolerance", 1699999995, now.Add(500 * time.Millisecond), 5500 * time.Millisecond, true},
		{"fractional tolerance, a nanosecond past", 1699999995, now.Add(500*time.Millisecond + 1), 5500 * time.Millisecond, false},
		{"fractional tolerance, future edge", 1700000006, now.Add(500 * time.Millisecond), 5500 * time.Millisecond, true},
		{"fractional tolerance, a nanosecond past the future edge", 1700000006, now.Add(500*time.Millisecond - 1), 5500 * time.Millisecond, false},
		{"whole tolerance, a nanosecond inside the future edge", 1700000006, now.Add(time.Second - 1), 5 * time.Second, false},
		{"whole tolerance, future edge exactly", 1700000006, now.Add(time.Second), 5 * time.Second, true},
		{"zero tolerance, same instant", 1700000000, now, 0, true},
		{"zero tolerance, a nanosecond later", 1700000000, now.Add(1), 0, false},
		{"far future, 19 digits", 9223372036854775807, now, 5 * time.Second, false},
		{"epoch", 0, now, 5 * time.Second, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.ok, Within(tt.unix, tt.now, tt.tolerance))
		})
	}
}

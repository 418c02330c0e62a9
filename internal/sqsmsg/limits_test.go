package sqsmsg

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidateBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty", "", ErrEmptyBody},
		{"NUL", "a\x00b", ErrInvalidBodyChars},
		{"vertical tab", "\v", ErrInvalidBodyChars},
		{"invalid UTF-8", "\xff", ErrInvalidBodyChars},
		{"U+FFFE", "\uFFFE", ErrInvalidBodyChars},
		{"lone surrogate encoded", "\xed\xa0\x80", ErrInvalidBodyChars},
		{"JSON", `{"a":1}`, nil},
		{"tab LF CR", "\t\n\r", nil},
		{"BMP and astral", "ü€\U0001F600", nil},
		{"private use", "\uE000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateBody(tt.body)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.True(t, errors.Is(err, tt.want), "got %v, want %v", err, tt.want)
		})
	}
}

func TestValidateAttributeName(t *testing.T) {
	bad := []string{"", "AWS.x", "amazon.x", ".a", "a.", "a..b", "a b", "ü", strings.Repeat("a", 257)}
	for _, name := range bad {
		assert.ErrorIs(t, ValidateAttributeName(name), ErrInvalidAttribute, "name %q", name)
	}
	good := []string{"provider", "delivery_id", "a.b-c", strings.Repeat("a", 256), "AWSx"}
	for _, name := range good {
		assert.NoError(t, ValidateAttributeName(name), "name %q", name)
	}
}

func TestValidateBatchEntryID(t *testing.T) {
	assert.ErrorIs(t, ValidateBatchEntryID(""), ErrInvalidBatchID)
	assert.ErrorIs(t, ValidateBatchEntryID("a.b"), ErrInvalidBatchID)
	assert.ErrorIs(t, ValidateBatchEntryID(strings.Repeat("a", 81)), ErrInvalidBatchID)
	assert.NoError(t, ValidateBatchEntryID("entry_0-A"))
	assert.NoError(t, ValidateBatchEntryID(strings.Repeat("a", 80)))
}

func TestValidateFIFOID(t *testing.T) {
	bad := []string{"", "a b", "a\tb", "a\x7fb", "ü", strings.Repeat("a", 129)}
	for _, id := range bad {
		assert.ErrorIs(t, ValidateFIFOID(id), ErrInvalidFIFOID, "id %q", id)
	}
	good := []string{"github:owner/repo", "!~", strings.Repeat("a", 128)}
	for _, id := range good {
		assert.NoError(t, ValidateFIFOID(id), "id %q", id)
	}
}

func TestValidateAttributes(t *testing.T) {
	tooMany := map[string]Attribute{}
	for i := range 11 {
		tooMany[string(rune('a'+i))] = Attribute{DataType: "String", StringValue: "v"}
	}
	assert.ErrorIs(t, ValidateAttributes(tooMany), ErrInvalidAttribute)
	assert.ErrorIs(t, ValidateAttributes(map[string]Attribute{"a": {DataType: "Date", StringValue: "v"}}), ErrInvalidAttribute)
	assert.ErrorIs(t, ValidateAttributes(map[string]Attribute{"a": {DataType: "String"}}), ErrInvalidAttribute)
	assert.ErrorIs(t, ValidateAttributes(map[string]Attribute{"a": {DataType: "Binary"}}), ErrInvalidAttribute)
	assert.NoError(t, ValidateAttributes(map[string]Attribute{
		"s": {DataType: "String.custom", StringValue: "v"},
		"n": {DataType: "Number", StringValue: "1"},
		"b": {DataType: "Binary", BinaryValue: []byte{0, 1}},
	}))
}

func TestMessageSize(t *testing.T) {
	size := MessageSize("body", map[string]Attribute{"k": {DataType: "String", StringValue: "vv"}})
	assert.Equal(t, 4+1+6+2, size)
}

func TestMD5OfBody(t *testing.T) {
	// md5("Hello, World!") is a widely published digest.
	assert.Equal(t, "65a8e27d8879283831b664bd8b7f0ad4", MD5OfBody("Hello, World!"))
}

func FuzzInvalidCharIndex(f *testing.F) {
	f.Add("ok")
	f.Add("\x00")
	f.Add("\xed\xa0\x80")
	f.Fuzz(func(t *testing.T, s string) {
		i := InvalidCharIndex(s)
		if i < 0 {
			// Every rune must be allowed.
			for _, r := range s {
				if r == 0xFFFD && !strings.ContainsRune(s, 0xFFFD) {
					t.Fatal("invalid UTF-8 accepted")
				}
				if !allowedRune(r) {
					t.Fatalf("rune %U accepted", r)
				}
			}
			return
		}
		if i >= len(s) {
			t.Fatalf("index %d out of range", i)
		}
	})
}

package sqsmsg

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits AWS documents for SendMessage and SendMessageBatch.
const (
	// MaxMessageBytes is the largest message SQS accepts: body plus
	// attribute names, types and values (1 MiB since August 2025).
	MaxMessageBytes = 1 << 20
	// MaxBatchEntries is the most entries one SendMessageBatch may carry.
	MaxBatchEntries = 10
	// MaxBatchBytes is the most a whole SendMessageBatch may carry.
	MaxBatchBytes = 1 << 20
	// MaxAttributes is the most message attributes one message may carry.
	MaxAttributes = 10
	// MaxAttributeNameLength bounds an attribute name.
	MaxAttributeNameLength = 256
	// MaxBatchEntryIDLength bounds a batch entry id.
	MaxBatchEntryIDLength = 80
	// MaxFIFOIDLength bounds MessageGroupId and MessageDeduplicationId.
	MaxFIFOIDLength = 128
)

// Sentinel errors, one per rule, so callers can map each to a status.
var (
	ErrEmptyBody        = errors.New("message body must contain at least one character")
	ErrBodyTooLarge     = errors.New("message is larger than SQS accepts")
	ErrInvalidBodyChars = errors.New("message body contains characters SQS does not accept")
	ErrInvalidAttribute = errors.New("invalid message attribute")
	ErrInvalidBatchID   = errors.New("invalid batch entry id")
	ErrInvalidFIFOID    = errors.New("invalid message group or deduplication id")
)

// ValidateBody reports whether SQS would accept body as a message body:
// at least one character, valid UTF-8, and only the characters
// #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF.
// Size is checked separately by MessageSize because attributes count too.
func ValidateBody(body string) error {
	if body == "" {
		return ErrEmptyBody
	}
	if i := InvalidCharIndex(body); i >= 0 {
		return fmt.Errorf("%w: first at byte offset %d", ErrInvalidBodyChars, i)
	}
	return nil
}

// InvalidCharIndex returns the byte offset of the first character SQS does
// not accept in s, or -1 when every character is allowed. Invalid UTF-8 is
// reported as not allowed.
func InvalidCharIndex(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		// ASCII fast path: printable bytes and tab, LF, CR.
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		if !allowedRune(r) {
			return i
		}
		i += size
	}
	return -1
}

func allowedRune(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

// ValidateAttributeName applies SQS's rules for message attribute names:
// 1-256 characters from [A-Za-z0-9_.-], not starting with "AWS." or
// "Amazon." (any case), no leading, trailing or consecutive periods.
func ValidateAttributeName(name string) error {
	if name == "" || len(name) > MaxAttributeNameLength {
		return fmt.Errorf("%w: name must be 1-%d characters", ErrInvalidAttribute, MaxAttributeNameLength)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("%w: name %q contains a character outside [A-Za-z0-9_.-]", ErrInvalidAttribute, name)
		}
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return fmt.Errorf("%w: name %q uses a reserved prefix", ErrInvalidAttribute, name)
	}
	if name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return fmt.Errorf("%w: name %q has a leading, trailing or double period", ErrInvalidAttribute, name)
	}
	return nil
}

// ValidateBatchEntryID applies SQS's rule for batch entry ids: 1-80
// characters from [A-Za-z0-9_-].
func ValidateBatchEntryID(id string) error {
	if id == "" || len(id) > MaxBatchEntryIDLength {
		return fmt.Errorf("%w: id must be 1-%d characters", ErrInvalidBatchID, MaxBatchEntryIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("%w: id %q contains a character outside [A-Za-z0-9_-]", ErrInvalidBatchID, id)
		}
	}
	return nil
}

// ValidateFIFOID applies SQS's rule for MessageGroupId and
// MessageDeduplicationId: 1-128 characters, alphanumeric or punctuation
// (printable ASCII without space).
func ValidateFIFOID(id string) error {
	if id == "" || len(id) > MaxFIFOIDLength {
		return fmt.Errorf("%w: id must be 1-%d characters", ErrInvalidFIFOID, MaxFIFOIDLength)
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return fmt.Errorf("%w: id contains a character other than alphanumeric or punctuation", ErrInvalidFIFOID)
		}
	}
	return nil
}

package sqsendpoint

import (
	"unicode/utf8"
)

// checkJSONText refuses a JSON request whose text would decode to other
// characters than the client sent. encoding/json silently replaces bytes
// that are not UTF-8, and \u escapes of lone surrogates, with U+FFFD, so
// such a message would be stored altered. SQS rejects characters outside
// its allowed set with InvalidMessageContents rather than replacing them
// (API Reference, SendMessage, MessageBody:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html).
// The query protocol needs no such check: its form values keep their bytes
// and the body and attribute checks see them as sent.
func checkJSONText(body []byte) *Error {
	if !utf8.Valid(body) || hasLoneSurrogateEscape(body) {
		return errInvalidMessageContents("Invalid characters found. Valid values are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
	}
	return nil
}

// hasLoneSurrogateEscape reports a \uD800-\uDFFF escape that is not a high
// surrogate immediately followed by a low one.
func hasLoneSurrogateEscape(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] != 'u' {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		r, ok := hex4(b, i+2)
		if !ok {
			continue // malformed: the decoder refuses it
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return true // a low surrogate with no high one before it
		case r >= 0xD800 && r <= 0xDBFF:
			lo, ok := hex4(b, i+8)
			if i+7 >= len(b) || b[i+6] != '\\' || b[i+7] != 'u' || !ok || lo < 0xDC00 || lo > 0xDFFF {
				return true
			}
			i += 11 // the pair
		default:
			i += 5
		}
	}
	return false
}

// hex4 reads four hex digits at b[i:].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

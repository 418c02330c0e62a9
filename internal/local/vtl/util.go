package vtl

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The $util functions. Each builds its result under limit bytes, since an
// escaping can multiply a body's size several times over.

// escapeJavaScript is Apache Commons Lang 2's StringEscapeUtils.escapeJavaScript,
// which API Gateway documents ("turns any regular single quotes (') into
// escaped ones (\')"): ' " \ and / get a backslash, \b \t \n \f \r their
// short escapes, other control characters and every non-ASCII UTF-16 unit
// \uXXXX in upper-case hex.
func escapeJavaScript(s string, limit int) (string, error) {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+len(s)/8)
	unit := func(u uint16) {
		b = append(b, '\\', 'u', hex[u>>12], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
	}
	for _, r := range s { // invalid UTF-8 reads as U+FFFD, as Java decodes it
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			unit(uint16(r1))
			unit(uint16(r2))
		} else if r > 0x7f {
			unit(uint16(r))
		} else if e := jsShort[r]; e != 0 {
			b = append(b, '\\', e)
		} else if r < ' ' {
			unit(uint16(r))
		} else {
			b = append(b, byte(r))
		}
		if len(b) > limit {
			return "", ErrOutputTooLarge
		}
	}
	return string(b), nil
}

// jsShort maps the ASCII characters escapeJavaScript writes as \x to x.
var jsShort = [128]byte{'\b': 'b', '\n': 'n', '\t': 't', '\f': 'f', '\r': 'r', '\'': '\'', '"': '"', '\\': '\\', '/': '/'}

// urlEncode is java.net.URLEncoder.encode(s, "UTF-8"), the
// application/x-www-form-urlencoded form API Gateway documents: letters,
// digits and . - * _ stay, a space becomes +, every other byte of the UTF-8
// encoding becomes %XX. (Go's url.QueryEscape differs on * and ~.)
func urlEncode(s string, limit int) (string, error) {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+len(s)/4)
	var enc [utf8.UTFMax]byte
	for _, r := range s {
		if r < utf8.RuneSelf && urlSafe[r] {
			b = append(b, byte(r))
		} else if r == ' ' {
			b = append(b, '+')
		} else {
			n := utf8.EncodeRune(enc[:], r)
			for _, c := range enc[:n] {
				b = append(b, '%', hex[c>>4], hex[c&0xf])
			}
		}
		if len(b) > limit {
			return "", ErrOutputTooLarge
		}
	}
	return string(b), nil
}

// urlSafe marks the ASCII characters urlEncode keeps as they are.
var urlSafe = func() (safe [utf8.RuneSelf]bool) {
	for c := range safe {
		safe[c] = isLetter(byte(c)) || isDigit(byte(c)) || strings.IndexByte(".-*_", byte(c)) != -1
	}
	return safe
}()

// urlDecode is java.net.URLDecoder.decode(s, "UTF-8"): + is a space, %XX a
// byte; a % without two hex digits is an error, as Java throws.
func urlDecode(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", fmt.Errorf("incomplete escape at byte %d", i)
			}
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func unhex(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	if c >= 'a' && c <= 'f' {
		return int(c-'a') + 10
	}
	if c >= 'A' && c <= 'F' {
		return int(c-'A') + 10
	}
	return -1
}

func base64Encode(s string, limit int) (string, error) {
	if base64.StdEncoding.EncodedLen(len(s)) > limit {
		return "", ErrOutputTooLarge
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// base64Decode takes standard base64 with padding; anything else is an
// error rather than a guess.
func base64Decode(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", errors.New("not standard base64")
	}
	return string(b), nil
}

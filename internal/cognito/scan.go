package cognito

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small, strict reader for the two JSON objects of a token. It exists for
// speed: encoding/json spends longer on a Cognito token's header and claims
// than the rest of verification apart from RSA itself. It accepts a subset
// of what encoding/json accepts and, for what it accepts, yields the same
// values (FuzzScanClaims and FuzzScanHeader check both against
// encoding/json). Stricter on purpose: duplicate known names, keys that
// match a known name only up to case (encoding/json would take them), null
// or wrongly typed known values, and nesting deeper than maxDepth are all
// refused.

var errSyntax = errors.New("invalid JSON")

const maxDepth = 32

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	s.ws()
	if s.peek() != c {
		return errSyntax
	}
	s.i++
	return nil
}

// object reads one top-level object, calling field for each member with the
// scanner positioned at the value; field must consume the value.
func (s *scanner) object(field func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	s.ws()
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			s.ws()
			key, err := s.bytes()
			if err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
			s.ws()
			if err := field(key); err != nil {
				return err
			}
			s.ws()
			if s.peek() == ',' {
				s.i++
				continue
			}
			if err := s.expect('}'); err != nil {
				return err
			}
			break
		}
	}
	s.ws()
	if s.i != len(s.b) {
		return errSyntax
	}
	return nil
}

// str reads a string. Plain ASCII without escapes is sliced directly; any
// other string is left to encoding/json, so escapes and invalid UTF-8 are
// handled exactly as it handles them.
func (s *scanner) str() (string, error) {
	b, err := s.bytes()
	return string(b), err
}

// bytes is str without the copy for plain strings; the result may alias the
// input.
func (s *scanner) bytes() ([]byte, error) {
	if s.peek() != '"' {
		return nil, errSyntax
	}
	start := s.i
	s.i++
	simple := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if simple {
				return s.b[start+1 : s.i-1], nil
			}
			var v string
			if err := json.Unmarshal(s.b[start:s.i], &v); err != nil {
				return nil, errSyntax
			}
			return []byte(v), nil
		case c == '\\':
			simple = false
			s.i += 2
		case c < 0x20:
			return nil, errSyntax
		case c >= utf8.RuneSelf:
			simple = false
			s.i++
		default:
			s.i++
		}
	}
	return nil, errSyntax
}

// num reads a number with JSON's grammar.
func (s *scanner) num() (float64, error) {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return 0, errSyntax
	}
	if s.peek() == '.' {
		s.i++
		if !s.digits() {
			return 0, errSyntax
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if !s.digits() {
			return 0, errSyntax
		}
	}
	f, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	if err != nil {
		return 0, errSyntax
	}
	return f, nil
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// strs reads an array of strings.
func (s *scanner) strs() ([]string, error) {
	if s.peek() != '[' {
		return nil, errSyntax
	}
	s.i++
	s.ws()
	out := []string{}
	if s.peek() == ']' {
		s.i++
		return out, nil
	}
	for {
		s.ws()
		v, err := s.str()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		s.ws()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return out, nil
		default:
			return nil, errSyntax
		}
	}
}

// skip reads and discards any value.
func (s *scanner) skip(depth int) error {
	if depth > maxDepth {
		return errSyntax
	}
	switch c := s.peek(); {
	case c == '"':
		_, err := s.bytes()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := s.num()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '[' || c == '{':
		end := byte(']')
		if c == '{' {
			end = '}'
		}
		s.i++
		s.ws()
		if s.peek() == end {
			s.i++
			return nil
		}
		for {
			s.ws()
			if c == '{' {
				if _, err := s.bytes(); err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
				s.ws()
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			s.ws()
			switch s.peek() {
			case ',':
				s.i++
			case end:
				s.i++
				return nil
			default:
				return errSyntax
			}
		}
	}
	return errSyntax
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
		return errSyntax
	}
	s.i += len(lit)
	return nil
}

// fieldSet tracks which known names were seen, to refuse duplicates.
type fieldSet uint32

func (f *fieldSet) first(bit int) bool {
	if *f&(1<<bit) != 0 {
		return false
	}
	*f |= 1 << bit
	return true
}

// known returns the index of key among names, -1 if it matches none, and
// an error if it matches one only up to case.
func known(names []string, key []byte) (int, error) {
	for i, n := range names {
		if n == string(key) {
			return i, nil
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, string(key)) {
			return -1, errSyntax
		}
	}
	return -1, nil
}

// Header names: what is read, and what is refused whatever its value.
var headerNames = []string{"alg", "kid", "crit", "jku", "jwk", "x5u", "x5c", "b64"}

const (
	hAlg = iota
	hKid
	hFirstRefused
)

// scanHeader reads the JOSE header into h. Refused parameters are reported
// through refused (the name), not as a syntax error.
func scanHeader(b []byte, h *header) (refused string, err error) {
	var seen fieldSet
	s := scanner{b: b}
	err = s.object(func(key []byte) error {
		i, err := known(headerNames, key)
		if err != nil {
			return err
		}
		if i >= 0 && !seen.first(i) {
			return errSyntax
		}
		switch {
		case i == hAlg:
			h.Alg, err = s.str()
		case i == hKid:
			h.Kid, err = s.str()
		case i >= hFirstRefused:
			if refused == "" {
				refused = headerNames[i]
			}
			err = s.skip(0)
		default:
			err = s.skip(0)
		}
		return err
	})
	return refused, err
}

// Claim names, in claimSet's order.
var claimNames = []string{
	"iss", "sub", "token_use", "client_id", "aud", "exp", "nbf", "iat", "auth_time",
	"scope", "cognito:groups", "username", "cognito:username", "email", "jti",
}

// scanClaims reads a token's payload into cs.
func scanClaims(b []byte, cs *claimSet) error {
	var seen fieldSet
	s := scanner{b: b}
	return s.object(func(key []byte) error {
		i, err := known(claimNames, key)
		if err != nil {
			return err
		}
		if i >= 0 && !seen.first(i) {
			return errSyntax
		}
		switch i {
		case 0:
			cs.Issuer, err = s.str()
		case 1:
			cs.Subject, err = s.str()
		case 2:
			cs.TokenUse, err = s.str()
		case 3:
			cs.ClientID, err = s.str()
		case 4:
			if s.peek() == '"' {
				var a string
				a, err = s.str()
				cs.Audience = audience{a}
			} else {
				cs.Audience, err = s.strs()
			}
		case 5:
			cs.Expires, err = s.num()
		case 6:
			cs.NotBefore, err = s.num()
		case 7:
			cs.IssuedAt, err = s.num()
		case 8:
			cs.AuthTime, err = s.num()
		case 9:
			cs.Scope, err = s.str()
		case 10:
			cs.Groups, err = s.strs()
		case 11:
			cs.Username, err = s.str()
		case 12:
			cs.CognitoUsername, err = s.str()
		case 13:
			cs.Email, err = s.str()
		case 14:
			cs.JTI, err = s.str()
		default:
			err = s.skip(0)
		}
		return err
	})
}

package sqsmsg

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// Attribute is one message attribute as SQS models it. DataType is
// "String", "Number" or "Binary", optionally followed by ".custom".
type Attribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

// IsBinary reports whether the attribute's base type is Binary.
func (a Attribute) IsBinary() bool {
	return BaseType(a.DataType) == "Binary"
}

// BaseType returns the part of a data type before any custom suffix.
func BaseType(dataType string) string {
	if i := strings.IndexByte(dataType, '.'); i >= 0 {
		return dataType[:i]
	}
	return dataType
}

// ValidateAttributes checks count, names, types and values the way SQS does.
func ValidateAttributes(attrs map[string]Attribute) error {
	if len(attrs) > MaxAttributes {
		return fmt.Errorf("%w: %d attributes, at most %d allowed", ErrInvalidAttribute, len(attrs), MaxAttributes)
	}
	for name, a := range attrs {
		if err := ValidateAttributeName(name); err != nil {
			return err
		}
		switch BaseType(a.DataType) {
		case "String", "Number":
			if a.StringValue == "" {
				return fmt.Errorf("%w: attribute %q has an empty value", ErrInvalidAttribute, name)
			}
			if InvalidCharIndex(a.StringValue) >= 0 {
				return fmt.Errorf("%w: attribute %q contains characters SQS does not accept", ErrInvalidAttribute, name)
			}
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return fmt.Errorf("%w: attribute %q has an empty value", ErrInvalidAttribute, name)
			}
		default:
			return fmt.Errorf("%w: attribute %q has data type %q; use String, Number or Binary", ErrInvalidAttribute, name, a.DataType)
		}
		if len(a.DataType) > MaxAttributeNameLength {
			return fmt.Errorf("%w: attribute %q data type is longer than %d characters", ErrInvalidAttribute, name, MaxAttributeNameLength)
		}
	}
	return nil
}

// MessageSize is the size SQS counts against MaxMessageBytes: the body plus
// every attribute's name, data type and value.
func MessageSize(body string, attrs map[string]Attribute) int {
	n := len(body)
	for name, a := range attrs {
		n += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

// MD5OfBody is the hex MD5 of the UTF-8 body, as SQS returns it in
// MD5OfMessageBody.
func MD5OfBody(body string) string {
	sum := md5.Sum([]byte(body))
	return hex.EncodeToString(sum[:])
}

// MD5OfAttributes is the digest SQS returns in MD5OfMessageAttributes (and
// MD5OfMessageSystemAttributes): attributes sorted by name; for each, the
// 4-byte big-endian length and bytes of the name, of the data type, one
// transport byte (1 for String and Number, 2 for Binary), then the 4-byte
// length and bytes of the value. It returns "" for no attributes, as SQS
// omits the field.
func MD5OfAttributes(attrs map[string]Attribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	h := md5.New()
	var length [4]byte
	writeField := func(b []byte) {
		binary.BigEndian.PutUint32(length[:], uint32(len(b)))
		h.Write(length[:])
		h.Write(b)
	}
	for _, name := range names {
		a := attrs[name]
		writeField([]byte(name))
		writeField([]byte(a.DataType))
		if a.IsBinary() {
			h.Write([]byte{2})
			writeField(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			writeField([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

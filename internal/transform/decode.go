package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Item is one event as the producer sent it.
type Item struct {
	// Type is the CloudEvents type the producer asked for ("" = default).
	Type string
	// ID is the producer's idempotency key ("" = a fresh UUID is used).
	ID string
	// Data is the event itself, any JSON value.
	Data json.RawMessage
}

const itemShape = `each item must be an object {"data": …, "type"?: string, "id"?: string}`

// DecodeBatch splits a batch body into items: a JSON array, or NDJSON (one
// item per line, blank lines ignored) when ndjson is set. It stops at the
// first malformed item, and refuses more than maxItems items before decoding
// any. The handler does the same, with the items decoded in parallel.
func DecodeBatch(body []byte, ndjson bool, maxItems int) ([]Item, error) {
	raws, err := SplitBatch(body, ndjson, maxItems)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(raws))
	for i, r := range raws {
		if items[i], err = r.Decode(i); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// RawItem is one batch item's bytes, not yet decoded.
type RawItem struct {
	Bytes []byte
	// Line is the item's line in an NDJSON body (0 for an array).
	Line int
}

// SplitBatch finds the items of a batch body without decoding them: the
// elements of a JSON array, or the non-blank lines of NDJSON. For an array
// it tracks only strings and nesting; each item is fully parsed by Decode,
// so together they accept exactly the valid JSON arrays.
func SplitBatch(body []byte, ndjson bool, maxItems int) ([]RawItem, error) {
	var raws []RawItem
	var err error
	if ndjson {
		raws, err = splitNDJSON(body, maxItems)
	} else {
		raws, err = splitArray(body, maxItems)
	}
	if err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, ErrEmptyBatch
	}
	return raws, nil
}

func splitArray(body []byte, maxItems int) ([]RawItem, error) {
	i := skipSpace(body, 0)
	if i == len(body) {
		return nil, &ItemError{Index: 0, Message: "the body is empty; send a JSON array of items", Err: ErrInvalidJSON}
	}
	if body[i] != '[' {
		return nil, &ItemError{Index: 0, Message: "the body must be a JSON array of items (or NDJSON with Content-Type application/x-ndjson)", Err: ErrInvalidJSON}
	}
	var raws []RawItem
	if i = skipSpace(body, i+1); i < len(body) && body[i] == ']' {
		return raws, trailing(body, i+1, 0)
	}
	for {
		index := len(raws)
		start := i
		depth, inString := 0, false
	scan:
		for ; i < len(body); i++ {
			c := body[i]
			if inString {
				if c == '\\' {
					i++
				} else if c == '"' {
					inString = false
				}
				continue
			}
			switch c {
			case '"':
				inString = true
			case '[', '{':
				depth++
			case ']', '}':
				if depth == 0 {
					break scan
				}
				depth--
			case ',':
				if depth == 0 {
					break scan
				}
			}
		}
		if i >= len(body) {
			return nil, &ItemError{Index: index, Message: "the JSON array is not closed", Err: ErrInvalidJSON}
		}
		item := trimSpace(body[start:i])
		if len(item) == 0 || body[i] == '}' {
			return nil, &ItemError{Index: index, Message: "the item is not valid JSON", Err: ErrInvalidJSON}
		}
		if index == maxItems {
			return nil, fmt.Errorf("%w: at most %d", ErrTooManyItems, maxItems)
		}
		raws = append(raws, RawItem{Bytes: item})
		if body[i] == ']' {
			return raws, trailing(body, i+1, len(raws))
		}
		i++ // the comma
	}
}

func trailing(body []byte, i, index int) error {
	if skipSpace(body, i) != len(body) {
		return &ItemError{Index: index, Message: "unexpected content after the JSON array", Err: ErrInvalidJSON}
	}
	return nil
}

// trimSpace trims JSON whitespace (not bytes.TrimSpace's wider set).
func trimSpace(b []byte) []byte {
	b = b[skipSpace(b, 0):]
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipSpace skips JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func splitNDJSON(body []byte, maxItems int) ([]RawItem, error) {
	var raws []RawItem
	for line, rest := 1, body; len(rest) > 0; line++ {
		var text []byte
		text, rest, _ = bytes.Cut(rest, []byte{'\n'})
		text = trimSpace(text)
		if len(text) == 0 {
			continue
		}
		if len(raws) == maxItems {
			return nil, fmt.Errorf("%w: at most %d", ErrTooManyItems, maxItems)
		}
		raws = append(raws, RawItem{Bytes: text, Line: line})
	}
	return raws, nil
}

// Decode parses the item, the index-th of its batch.
func (r RawItem) Decode(index int) (Item, error) {
	item, _, err := r.decode(index)
	return item, err
}

// decode parses the item in one pass: it walks the wrapper's members with
// the decoder's token API, parses "data" for the validator (numbers kept as
// json.Number), and keeps the data's bytes exactly as sent, from the
// decoder's offsets. Field names match exactly; repeats are refused.
func (r RawItem) decode(index int) (Item, any, error) {
	fail := func(sentinel error, pointer, msg string) (Item, any, error) {
		if r.Line > 0 {
			msg = fmt.Sprintf("line %d: %s", r.Line, msg)
		}
		return Item{}, nil, &ItemError{Index: index, Pointer: pointer, Message: msg, Err: sentinel}
	}
	malformed := func(err error) (Item, any, error) {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fail(ErrInvalidItem, "", itemShape)
		}
		return fail(ErrInvalidJSON, "", "the item is not valid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(r.Bytes))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		if !json.Valid(r.Bytes) {
			return fail(ErrInvalidJSON, "", "the item is not valid JSON")
		}
		return fail(ErrInvalidItem, "", itemShape)
	}
	var item Item
	var doc any
	var seenData, seenType, seenID bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return malformed(err)
		}
		key, _ := tok.(string)
		pointer := "/" + escapePointerToken(key)
		switch key {
		case "data":
			if seenData {
				return fail(ErrInvalidItem, pointer, `"data" appears twice`)
			}
			seenData = true
			start := dec.InputOffset()
			if err := dec.Decode(&doc); err != nil {
				return malformed(err)
			}
			// The bytes between the key and the value's end are ":", the
			// value, and whitespace around them.
			item.Data = trimSpace(trimSpace(r.Bytes[start:dec.InputOffset()])[1:])
		case "type", "id":
			if key == "type" && seenType || key == "id" && seenID {
				return fail(ErrInvalidItem, pointer, fmt.Sprintf("%q appears twice", key))
			}
			var v string
			if err := dec.Decode(&v); err != nil {
				var typeErr *json.UnmarshalTypeError
				if errors.As(err, &typeErr) {
					return fail(ErrInvalidItem, pointer, fmt.Sprintf("%q must be a string; %s", key, itemShape))
				}
				return malformed(err)
			}
			limit := maxIDLength
			if key == "type" {
				seenType, limit, item.Type = true, maxTypeLength, v
			} else {
				seenID, item.ID = true, v
			}
			if err := checkToken(v, limit); err != nil {
				return fail(ErrInvalidItem, pointer, key+" "+err.Error())
			}
		default:
			return fail(ErrInvalidItem, pointer, "unknown field; "+itemShape)
		}
	}
	if _, err := dec.Token(); err != nil {
		return malformed(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(ErrInvalidJSON, "", "one JSON item at a time")
	}
	if !seenData {
		return fail(ErrInvalidItem, "/data", `"data" is required; `+itemShape)
	}
	return item, doc, nil
}

const (
	// maxIDLength is SQS's limit for MessageDeduplicationId, which a
	// producer's id becomes on a FIFO queue.
	maxIDLength = 128
	// maxTypeLength matches the message attribute name limit; types are
	// short reverse-DNS names in practice.
	maxTypeLength = 256
)

// checkToken applies the rule SQS has for deduplication ids (printable
// ASCII, no spaces) to producer-set ids and types, so either can go into an
// attribute or a FIFO field unchanged.
func checkToken(s string, maxLen int) error {
	if s == "" || len(s) > maxLen {
		return fmt.Errorf("must be 1-%d characters", maxLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return errors.New("must be printable ASCII without spaces")
		}
	}
	return nil
}

package vtl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
)

// maxJSONDepth bounds the nesting of a body or a $util.parseJson argument.
const maxJSONDepth = 256

// omap is a JSON object that remembers its keys' order, so keySet() and
// #foreach walk a body's object in the order the client wrote it.
type omap struct {
	keys []string
	m    map[string]any
}

func newOmap(n int) *omap { return &omap{keys: make([]string, 0, n), m: make(map[string]any, n)} }

func (o *omap) get(k string) (any, bool) {
	v, ok := o.m[k]
	return v, ok
}

// set stores v under k; a repeated key keeps its first place and its last value.
func (o *omap) set(k string, v any) {
	if _, ok := o.m[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.m[k] = v
}

func (o *omap) values() []any {
	out := make([]any, len(o.keys))
	for i, k := range o.keys {
		out[i] = o.m[k]
	}
	return out
}

// sortedOmap builds an omap from a Go map, keys sorted (Go maps have no order).
func sortedOmap[V any](m map[string]V) *omap {
	o := newOmap(len(m))
	for k := range m {
		o.keys = append(o.keys, k)
	}
	sort.Strings(o.keys)
	for _, k := range o.keys {
		o.m[k] = toValue(m[k])
	}
	return o
}

// toValue turns the Go values a caller puts in Input.Context into the
// renderer's values: *omap, []any, string, int64, float64, bool, nil.
func toValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, json.Number:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case map[string]any:
		return sortedOmap(x)
	case map[string]string:
		return sortedOmap(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toValue(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	default:
		return fmt.Sprint(x)
	}
}

// decodeJSON parses one JSON value, objects into *omap, numbers kept as
// json.Number so they render exactly as the client wrote them.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	if depth >= maxJSONDepth {
		return nil, fmt.Errorf("JSON nested deeper than %d levels", maxJSONDepth)
	}
	switch d {
	case '{':
		o := newOmap(0)
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			o.set(kt.(string), v)
		}
		_, err := dec.Token()
		return o, err
	default: // '[': the decoder hands out no other opening delimiter
		l := []any{}
		for dec.More() {
			v, err := decodeValue(dec, depth+1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := dec.Token()
		return l, err
	}
}

// appendJSON writes v, a value decoded by decodeJSON, as compact JSON,
// object keys in their order.
func appendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return appendJSONString(b, x)
	case json.Number:
		return append(b, x...)
	case bool:
		return strconv.AppendBool(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i != 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case *omap:
		b = append(b, '{')
		for i, k := range x.keys {
			if i != 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, x.m[k])
		}
		return append(b, '}')
	default: // nil
		return append(b, "null"...)
	}
}

// appendJSONString quotes s, valid UTF-8 from the JSON decoder, for JSON:
// " and \ and control characters escaped, everything else (/, <,
// non-ASCII) as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			if c < ' ' {
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

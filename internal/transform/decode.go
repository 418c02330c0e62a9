package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Sentinel errors for whole-request rejections. The handler maps each to an
// HTTP status and a stable code; see doc.go.
var (
	ErrInvalidJSON       = errors.New("invalid JSON")
	ErrInvalidItem       = errors.New("invalid batch item")
	ErrEmptyBatch        = errors.New("batch has no items")
	ErrTooManyItems      = errors.New("batch has more items than allowed")
	ErrValidation        = errors.New("event data does not match the schema")
	ErrItemTooLarge      = errors.New("message is larger than SQS accepts")
	ErrInvalidCharacters = errors.New("message contains characters SQS does not accept")
	ErrUnsupportedMedia  = errors.New("unsupported content type")
	ErrBodyTooLarge      = errors.New("request body is larger than allowed")
	ErrMissingIdentity   = errors.New("no caller identity in the authorizer context")
	ErrInvalidRequest    = errors.New("invalid request")
	ErrRouteNotFound     = errors.New("route not found")
	ErrMethodNotAllowed  = errors.New("method not allowed")
	ErrNothingEnqueued   = errors.New("SQS did not accept the message")
)

// ItemError locates a problem in one item of a request: its index, and for
// schema violations the JSON pointer of the failing field within the item's
// data and the schema keyword it breaks.
type ItemError struct {
	Index   int    `json:"index"`
	Pointer string `json:"pointer,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
	// Err is the sentinel the handler maps to a status and code.
	Err error `json:"-"`
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("item %d: %v: %s", e.Index, e.Err, e.Message)
}

func (e *ItemError) Unwrap() error { return e.Err }

// Item is one event as the producer sent it.
type Item struct {
	// Type is the CloudEvents type the producer asked for ("" = default).
	Type string
	// ID is the producer's idempotency key ("" = a fresh UUID is used).
	ID string
	// Data is the event itself, any JSON value.
	Data json.RawMessage
}

// wireItem is a batch item on the wire. Pointers tell "absent" from "".
type wireItem struct {
	Type *string         `json:"type"`
	ID   *string         `json:"id"`
	Data json.RawMessage `json:"data"`
}

const itemShape = `each item must be an object {"data": …, "type"?: string, "id"?: string}`

// DecodeBatch splits a batch body into items: a JSON array, or NDJSON (one
// item per line, blank lines ignored) when ndjson is set. It stops at the
// first malformed item, and refuses more than maxItems items before decoding
// the rest.
func DecodeBatch(body []byte, ndjson bool, maxItems int) ([]Item, error) {
	var items []Item
	var err error
	if ndjson {
		items, err = decodeNDJSON(body, maxItems)
	} else {
		items, err = decodeArray(body, maxItems)
	}
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, ErrEmptyBatch
	}
	return items, nil
}

func decodeArray(body []byte, maxItems int) ([]Item, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, &ItemError{Index: 0, Message: "the body is empty; send a JSON array of items", Err: ErrInvalidJSON}
	}
	if err != nil {
		return nil, &ItemError{Index: 0, Message: "the body is not JSON", Err: ErrInvalidJSON}
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &ItemError{Index: 0, Message: "the body must be a JSON array of items (or NDJSON with Content-Type application/x-ndjson)", Err: ErrInvalidJSON}
	}
	var items []Item
	for dec.More() {
		i := len(items)
		if i == maxItems {
			return nil, fmt.Errorf("%w: at most %d", ErrTooManyItems, maxItems)
		}
		var w wireItem
		if err := dec.Decode(&w); err != nil {
			return nil, wireError(i, err)
		}
		item, err := w.item(i)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	if _, err := dec.Token(); err != nil {
		return nil, &ItemError{Index: len(items), Message: "the JSON array is not closed", Err: ErrInvalidJSON}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ItemError{Index: len(items), Message: "unexpected content after the JSON array", Err: ErrInvalidJSON}
	}
	return items, nil
}

func decodeNDJSON(body []byte, maxItems int) ([]Item, error) {
	var items []Item
	for line, rest := 1, body; len(rest) > 0; line++ {
		var text []byte
		text, rest, _ = bytes.Cut(rest, []byte{'\n'})
		text = bytes.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		i := len(items)
		if i == maxItems {
			return nil, fmt.Errorf("%w: at most %d", ErrTooManyItems, maxItems)
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		var w wireItem
		if err := dec.Decode(&w); err != nil {
			e := wireError(i, err)
			e.Message = fmt.Sprintf("line %d: %s", line, e.Message)
			return nil, e
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, &ItemError{Index: i, Message: fmt.Sprintf("line %d: one JSON item per line", line), Err: ErrInvalidJSON}
		}
		item, err := w.item(i)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, nil
}

// wireError turns a decoder error into a message that names the rule broken
// without echoing Go types or the client's data.
func wireError(index int, err error) *ItemError {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &ItemError{Index: index, Message: "the item is not valid JSON", Err: ErrInvalidJSON}
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return &ItemError{Index: index, Pointer: "/" + typeErr.Field, Message: fmt.Sprintf("%q must be a string; %s", typeErr.Field, itemShape), Err: ErrInvalidItem}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &ItemError{Index: index, Pointer: "/" + escapePointerToken(field), Message: "unknown field; " + itemShape, Err: ErrInvalidItem}
	default:
		return &ItemError{Index: index, Message: itemShape, Err: ErrInvalidItem}
	}
}

func (w wireItem) item(index int) (Item, error) {
	if w.Data == nil {
		return Item{}, &ItemError{Index: index, Pointer: "/data", Message: `"data" is required; ` + itemShape, Err: ErrInvalidItem}
	}
	item := Item{Data: w.Data}
	if w.Type != nil {
		if err := checkToken(*w.Type, maxTypeLength); err != nil {
			return Item{}, &ItemError{Index: index, Pointer: "/type", Message: "type " + err.Error(), Err: ErrInvalidItem}
		}
		item.Type = *w.Type
	}
	if w.ID != nil {
		if err := checkToken(*w.ID, maxIDLength); err != nil {
			return Item{}, &ItemError{Index: index, Pointer: "/id", Message: "id " + err.Error(), Err: ErrInvalidItem}
		}
		item.ID = *w.ID
	}
	return item, nil
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

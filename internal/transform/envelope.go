package transform

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// CloudEvents 1.0 values every envelope carries.
const (
	SpecVersion     = "1.0"
	DataContentType = "application/json"
	// DefaultSource is the CloudEvents source when EVENT_SOURCE is unset.
	DefaultSource = "sqsgate"
	// DefaultType is the CloudEvents type when the producer sets none.
	DefaultType = "sqsgate.event"
)

// Message attribute names set on every message, for subscription filters
// and consumers that route without parsing the body.
const (
	AttributeType   = "type"
	AttributeSource = "source"
)

// CloudEvent is the JSON envelope (CloudEvents 1.0, structured mode) each
// message body holds. RequestID, SourceIP and UserAgent are extension
// attributes; CloudEvents requires their names to be lowercase alphanumeric.
type CloudEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            string          `json:"time"`
	Subject         string          `json:"subject,omitempty"`
	DataContentType string          `json:"datacontenttype"`
	RequestID       string          `json:"requestid,omitempty"`
	SourceIP        string          `json:"sourceip,omitempty"`
	UserAgent       string          `json:"useragent,omitempty"`
	Data            json.RawMessage `json:"data"`
}

// Caller is what the request says about who sent it and from where; it is
// the same for every item of a request.
type Caller struct {
	// Subject is the authorizer's "sub": the CloudEvents subject, and the
	// FIFO message group.
	Subject   string
	RequestID string
	SourceIP  string
	UserAgent string
}

// Message is one SQS message ready to send: the encoded envelope, its
// attributes, its FIFO fields, and the size SQS counts against its limits.
type Message struct {
	// Index is the item's position in the request.
	Index           int
	ID              string
	Body            string
	Attributes      map[string]sqsmsg.Attribute
	GroupID         string
	DeduplicationID string
	Size            int
}

// encodeEnvelope writes ev as JSON without HTML escaping: "<" in data stays
// "<", so the body is the producer's JSON, compacted, and no bigger.
func encodeEnvelope(ev *CloudEvent) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return "", fmt.Errorf("encode envelope: %w", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})), nil
}

// NewUUID returns a random (version 4) UUID from crypto/rand.
func NewUUID() string {
	var b [16]byte
	// crypto/rand.Read never fails (Go 1.24+): it crashes the program rather
	// than return predictable bytes.
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

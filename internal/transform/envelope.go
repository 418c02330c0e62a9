package transform

import (
	"bytes"
	"encoding/json"

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

// envelopeWriter writes the CloudEvent JSON of one request's items. What
// every item shares is encoded once; each item adds its id, type and data,
// the data copied byte for byte as the producer sent it. It writes what
// json.Marshal of a CloudEvent would, minus HTML escaping, at a fraction of
// the cost (BenchmarkPerItem).
type envelopeWriter struct {
	// afterID runs from the source up to the type's value; afterType from
	// the time up to the data.
	afterID, afterType []byte
}

func newEnvelopeWriter(source, time string, c Caller) *envelopeWriter {
	w := &envelopeWriter{}
	w.afterID = append(w.afterID, `,"source":`...)
	w.afterID = appendJSONString(w.afterID, source)
	w.afterID = append(w.afterID, `,"type":`...)
	w.afterType = append(w.afterType, `,"time":`...)
	w.afterType = appendJSONString(w.afterType, time)
	optional := func(name, v string) {
		if v != "" {
			w.afterType = append(w.afterType, `,"`+name+`":`...)
			w.afterType = appendJSONString(w.afterType, v)
		}
	}
	optional("subject", c.Subject)
	w.afterType = append(w.afterType, `,"datacontenttype":"`+DataContentType+`"`...)
	optional("requestid", c.RequestID)
	optional("sourceip", c.SourceIP)
	optional("useragent", c.UserAgent)
	w.afterType = append(w.afterType, `,"data":`...)
	return w
}

// write returns the envelope of one item; data must be one JSON value.
func (w *envelopeWriter) write(id, typ string, data []byte) string {
	buf := make([]byte, 0, 32+len(id)+len(w.afterID)+len(typ)+len(w.afterType)+len(data))
	buf = append(buf, `{"specversion":"`+SpecVersion+`","id":`...)
	buf = appendJSONString(buf, id)
	buf = append(buf, w.afterID...)
	buf = appendJSONString(buf, typ)
	buf = append(buf, w.afterType...)
	buf = append(buf, data...)
	buf = append(buf, '}')
	return string(buf)
}

// appendJSONString appends s as a JSON string. Ids, types and most header
// values are plain ASCII and are copied; anything else goes through
// encoding/json, which also replaces invalid UTF-8.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(buf, bytes.TrimSuffix(b.Bytes(), []byte{'\n'})...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

package eventsource

import (
	"bytes"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// record is one events.SQSMessage as Lambda writes it, in Lambda's field
// order (the example events in "Using Lambda with Amazon SQS").
type record struct {
	MessageID              string                      `json:"messageId"`
	ReceiptHandle          string                      `json:"receiptHandle"`
	Body                   string                      `json:"body"`
	Attributes             map[string]string           `json:"attributes"`
	MessageAttributes      map[string]messageAttribute `json:"messageAttributes"`
	MD5OfMessageAttributes *string                     `json:"md5OfMessageAttributes"`
	MD5OfBody              string                      `json:"md5OfBody"`
	EventSource            string                      `json:"eventSource"`
	EventSourceARN         string                      `json:"eventSourceARN"`
	AWSRegion              string                      `json:"awsRegion"`
}

// messageAttribute: Lambda always writes both list fields, empty.
type messageAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

func newRecord(m types.Message, queueARN, region string) record {
	r := record{
		MessageID:         deref(m.MessageId),
		ReceiptHandle:     deref(m.ReceiptHandle),
		Body:              deref(m.Body),
		Attributes:        map[string]string{},
		MessageAttributes: map[string]messageAttribute{},
		MD5OfBody:         deref(m.MD5OfBody),
		EventSource:       "aws:sqs",
		EventSourceARN:    queueARN,
		AWSRegion:         region,
	}
	for k, v := range m.Attributes {
		r.Attributes[k] = v
	}
	for k, a := range m.MessageAttributes {
		ma := messageAttribute{StringValue: a.StringValue, BinaryValue: a.BinaryValue, StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: deref(a.DataType)}
		r.MessageAttributes[k] = ma
	}
	if len(m.MessageAttributes) > 0 {
		r.MD5OfMessageAttributes = m.MD5OfMessageAttributes
	}
	return r
}

// filterInput is the record as the filters see it: JSON, with the body
// parsed when it is JSON (patterns on body apply only then).
func (r record) filterInput() map[string]any {
	raw, _ := json.Marshal(r)
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	_ = dec.Decode(&out)
	if json.Valid([]byte(r.Body)) {
		var body any
		dec := json.NewDecoder(bytes.NewReader([]byte(r.Body)))
		dec.UseNumber()
		if dec.Decode(&body) == nil {
			out["body"] = body
		}
	} else {
		delete(out, "body") // a plain-text body never matches a body pattern
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

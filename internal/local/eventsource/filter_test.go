package eventsource

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Operators from "Lambda event filtering"
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html,
// "Filter rule syntax") applied to an SQS record.
func TestFilterMatch(t *testing.T) {
	const rec = `{"messageId":"m","body":{"kind":"order","amount":150,"tags":["a","b"],"note":null,"empty":""},
		"attributes":{"ApproximateReceiveCount":"1"},
		"messageAttributes":{"provider":{"stringValue":"github","dataType":"String"},"event":{"stringValue":"pull_request.opened","dataType":"String"}}}`
	tests := []struct {
		name, pattern string
		want          bool
	}{
		{"exact string", `{"body":{"kind":["order"]}}`, true},
		{"exact string mismatch", `{"body":{"kind":["refund"]}}`, false},
		{"one of several values", `{"body":{"kind":["refund","order"]}}`, true},
		{"exact number compares by value", `{"body":{"amount":[150.0]}}`, true},
		{"array field: any element", `{"body":{"tags":["b"]}}`, true},
		{"null", `{"body":{"note":[null]}}`, true},
		{"empty string", `{"body":{"empty":[""]}}`, true},
		{"prefix", `{"messageAttributes":{"event":{"stringValue":[{"prefix":"pull_request."}]}}}`, true},
		{"prefix mismatch", `{"messageAttributes":{"event":{"stringValue":[{"prefix":"push"}]}}}`, false},
		{"suffix", `{"messageAttributes":{"event":{"stringValue":[{"suffix":".opened"}]}}}`, true},
		{"equals-ignore-case", `{"messageAttributes":{"provider":{"stringValue":[{"equals-ignore-case":"GitHub"}]}}}`, true},
		{"numeric range", `{"body":{"amount":[{"numeric":[">",100,"<=",150]}]}}`, true},
		{"numeric out of range", `{"body":{"amount":[{"numeric":["<",100]}]}}`, false},
		{"numeric equals", `{"body":{"amount":[{"numeric":["=",150]}]}}`, true},
		{"numeric on a string fails", `{"body":{"kind":[{"numeric":[">",0]}]}}`, false},
		{"exists true", `{"messageAttributes":{"provider":{"stringValue":[{"exists":true}]}}}`, true},
		{"exists true, absent", `{"messageAttributes":{"type":{"stringValue":[{"exists":true}]}}}`, false},
		{"exists false, absent", `{"body":{"missing":[{"exists":false}]}}`, true},
		{"exists false, present", `{"body":{"kind":[{"exists":false}]}}`, false},
		{"anything-but value", `{"body":{"kind":[{"anything-but":"refund"}]}}`, true},
		{"anything-but list containing the value", `{"body":{"kind":[{"anything-but":["refund","order"]}]}}`, false},
		{"anything-but prefix", `{"messageAttributes":{"event":{"stringValue":[{"anything-but":{"prefix":"pull_request"}}]}}}`, false},
		{"anything-but needs the field", `{"body":{"missing":[{"anything-but":"x"}]}}`, false},
		{"fields are ANDed", `{"body":{"kind":["order"],"amount":[1]}}`, false},
		{"$or", `{"body":{"$or":[{"kind":["refund"]},{"amount":[150]}]}}`, true},
		{"$or none", `{"body":{"$or":[{"kind":["refund"]},{"amount":[1]}]}}`, false},
		{"top-level metadata", `{"attributes":{"ApproximateReceiveCount":["1"]}}`, true},
		{"object pattern on a scalar", `{"body":{"kind":{"x":["y"]}}}`, false},
	}
	var in map[string]any
	dec := json.NewDecoder(strings.NewReader(rec))
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFilter(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(in); got != tt.want {
				t.Fatalf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseFilterRefuses(t *testing.T) {
	for _, p := range []string{
		`not json`, `[]`, `{"body":"x"}`, `{"body":{"a":[]}}`, `{"body":{"a":[{"prefix":1}]}}`,
		`{"body":{"a":[{"numeric":[">"]}]}}`, `{"body":{"a":[{"numeric":["~",1]}]}}`, `{"body":{"a":[{"numeric":[">","1"]}]}}`,
		`{"body":{"a":[{"exists":"yes"}]}}`, `{"body":{"a":[{"bogus":1}]}}`, `{"body":{"a":[{"prefix":"a","suffix":"b"}]}}`,
		`{"body":{"a":[{"anything-but":[true]}]}}`, `{"$or":[{"a":["x"]}]}`, `{"$or":["x","y"]}`, `{"body":{"a":[["x"]]}}`,
	} {
		if _, err := ParseFilter(p); !errors.Is(err, ErrPattern) {
			t.Errorf("ParseFilter(%s) = %v, want ErrPattern", p, err)
		}
	}
}

// A plain-text body never matches a body pattern, but patterns on other
// fields still apply ("Filtering Amazon SQS messages": body patterns apply
// only to JSON bodies).
func TestFilterInputPlainBody(t *testing.T) {
	r := record{MessageID: "m", Body: "plain text", EventSource: "aws:sqs", Attributes: map[string]string{}, MessageAttributes: map[string]messageAttribute{}}
	in := r.filterInput()
	body, _ := ParseFilter(`{"body":{"a":[{"exists":false}]}}`)
	meta, _ := ParseFilter(`{"eventSource":["aws:sqs"]}`)
	if body.Match(in) {
		t.Fatal("a body pattern matched a plain-text body")
	}
	if !meta.Match(in) {
		t.Fatal("a metadata pattern did not match")
	}
}

package transform

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzEnvelope checks the hand-written envelope against encoding/json: for
// any strings in the caller's fields, it is valid JSON that decodes to the
// same CloudEvent json.Marshal would write.
func FuzzEnvelope(f *testing.F) {
	f.Add("id-1", "t.x", "sub", "ua/1 \"quoted\" \\", "\xff<&>\u2028", `{"a":[1,2]}`)
	f.Add("", "", "", "", "", `null`)
	f.Fuzz(func(t *testing.T, id, typ, subject, userAgent, requestID, data string) {
		if !json.Valid([]byte(data)) {
			return
		}
		c := Caller{Subject: subject, RequestID: requestID, SourceIP: "203.0.113.1", UserAgent: userAgent}
		got := newEnvelopeWriter("src", "2026-11-22T01:02:03Z", c).write(id, typ, []byte(data))
		if !json.Valid([]byte(got)) {
			t.Fatalf("not JSON: %q", got)
		}
		want := CloudEvent{SpecVersion: SpecVersion, ID: id, Source: "src", Type: typ, Time: "2026-11-22T01:02:03Z",
			Subject: subject, DataContentType: DataContentType, RequestID: requestID, SourceIP: "203.0.113.1", UserAgent: userAgent,
			Data: json.RawMessage(data)}
		wantJSON, err := json.Marshal(want)
		require.NoError(t, err)
		assert.JSONEq(t, string(wantJSON), got)
	})
}

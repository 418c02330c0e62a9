package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeBatch(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		ndjson  bool
		wantErr error
		index   int
		want    []Item
	}{
		{name: "empty body", body: "", wantErr: ErrInvalidJSON, index: 0},
		{name: "object, not array", body: `{"data":1}`, wantErr: ErrInvalidJSON, index: 0},
		{name: "unclosed array", body: `[{"data":1}`, wantErr: ErrInvalidJSON, index: 0},
		{name: "mismatched brackets", body: `[{"data":1]}]`, wantErr: ErrInvalidJSON, index: 0},
		{name: "missing item", body: `[{"data":1},,{"data":1}]`, wantErr: ErrInvalidJSON, index: 1},
		{name: "trailing comma", body: `[{"data":1},]`, wantErr: ErrInvalidJSON, index: 1},
		{name: "escaped quote in string", body: `[{"data":"a\"],{"}]`, want: []Item{{Data: json.RawMessage(`"a\"],{"`)}}},
		{name: "escaped backslash ends string", body: `[{"data":"a\\"},{"data":"]"}]`, want: []Item{{Data: json.RawMessage(`"a\\"`)}, {Data: json.RawMessage(`"]"`)}}},
		{name: "trailing content", body: `[{"data":1}] x`, wantErr: ErrInvalidJSON, index: 1},
		{name: "second array", body: `[{"data":1}][]`, wantErr: ErrInvalidJSON, index: 1},
		{name: "bad item JSON", body: `[{"data":1},{"data":}]`, wantErr: ErrInvalidJSON, index: 1},
		{name: "item is a string", body: `["x"]`, wantErr: ErrInvalidItem, index: 0},
		{name: "null data", body: `[{"type":"t"}]`, wantErr: ErrInvalidItem, index: 0},
		{name: "empty id", body: `[{"data":1,"id":""}]`, wantErr: ErrInvalidItem, index: 0},
		{name: "id of 129", body: `[{"data":1,"id":"` + strings.Repeat("a", 129) + `"}]`, wantErr: ErrInvalidItem, index: 0},
		{name: "non-ASCII type", body: `[{"data":1,"type":"é"}]`, wantErr: ErrInvalidItem, index: 0},
		{name: "too many", body: `[{"data":1},{"data":2},{"data":3},{"data":4}]`, wantErr: ErrTooManyItems},
		{name: "NDJSON too many", body: "{\"data\":1}\n{\"data\":2}\n{\"data\":3}\n{\"data\":4}\n", ndjson: true, wantErr: ErrTooManyItems},
		{name: "NDJSON array line", body: `[{"data":1}]`, ndjson: true, wantErr: ErrInvalidItem, index: 0},
		{name: "NDJSON bad third item", body: "{\"data\":1}\n\n{\"data\":2}\n{\"data\"\n", ndjson: true, wantErr: ErrInvalidJSON, index: 2},
		{name: "empty array", body: ` [ ] `, wantErr: ErrEmptyBatch},
		{name: "array", body: ` [{"data": {"a": 1}}, {"data":null,"type":"t.x","id":"k-1"}] `, want: []Item{
			{Data: json.RawMessage(`{"a": 1}`)}, {Type: "t.x", ID: "k-1", Data: json.RawMessage(`null`)}}},
		{name: "NDJSON with CRLF and blank lines", body: "\r\n{\"data\":[1]}\r\n\n  \n{\"data\":\"s\",\"id\":\"k\"}", ndjson: true, want: []Item{
			{Data: json.RawMessage(`[1]`)}, {ID: "k", Data: json.RawMessage(`"s"`)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBatch([]byte(tt.body), tt.ndjson, 3)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				var ie *ItemError
				if errors.As(err, &ie) {
					assert.Equal(t, tt.index, ie.Index)
					assert.NotEmpty(t, ie.Message)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	// The error for the NDJSON line says which line.
	_, err := DecodeBatch([]byte("{\"data\":1}\n\n{\"data\":2}\n{\"data\"\n"), true, 10)
	var ie *ItemError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, ie.Message, "line 4")
}

// FuzzDecodeBatch feeds arbitrary bodies to both decoders: they never panic,
// fail only with the documented sentinels, and what they accept is within
// bounds, valid JSON, and the same whether sent as an array or as NDJSON.
func FuzzDecodeBatch(f *testing.F) {
	for _, seed := range []string{
		`[{"data":{"a":1},"type":"t","id":"i"}]`,
		"{\"data\":1}\n{\"data\":[2]}\n",
		`[{"data":"x"},{"data":null}]`,
		`[`, `]`, `[{"data":1},]`, `{"data":1} {"data":2}`, "\xff", `[{"data":1,"id":"a b"}]`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	const maxItems = 20
	f.Fuzz(func(t *testing.T, body []byte, ndjson bool) {
		items, err := DecodeBatch(body, ndjson, maxItems)
		if err != nil && !ndjson {
			// A valid array of valid items, within the limit, is never refused.
			var ref []json.RawMessage
			if json.Unmarshal(body, &ref) == nil && len(ref) > 0 && len(ref) <= maxItems {
				valid := true
				for i, r := range ref {
					if _, derr := (RawItem{Bytes: r}).Decode(i); derr != nil {
						valid = false
					}
				}
				if valid {
					t.Fatalf("valid batch refused: %v", err)
				}
			}
		}
		if err != nil {
			known := errors.Is(err, ErrInvalidJSON) || errors.Is(err, ErrInvalidItem) || errors.Is(err, ErrEmptyBatch) || errors.Is(err, ErrTooManyItems)
			if !known {
				t.Fatalf("undocumented error %v", err)
			}
			var ie *ItemError
			if errors.As(err, &ie) && (ie.Index < 0 || ie.Index > maxItems) {
				t.Fatalf("index %d out of range", ie.Index)
			}
			return
		}
		// In array form, what is accepted is valid JSON: the splitter finds
		// the same elements encoding/json does.
		if !ndjson && !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if !ndjson {
			var ref []json.RawMessage
			if err := json.Unmarshal(body, &ref); err != nil || len(ref) != len(items) {
				t.Fatalf("encoding/json sees %d elements (%v), we see %d", len(ref), err, len(items))
			}
		}
		if len(items) == 0 || len(items) > maxItems {
			t.Fatalf("%d items", len(items))
		}
		var nd bytes.Buffer
		for i, it := range items {
			if !json.Valid(it.Data) {
				t.Fatalf("item %d data %q is not JSON", i, it.Data)
			}
			if it.ID != "" && checkToken(it.ID, maxIDLength) != nil || it.Type != "" && checkToken(it.Type, maxTypeLength) != nil {
				t.Fatalf("item %d: id %q or type %q should have been refused", i, it.ID, it.Type)
			}
			wire := map[string]any{"data": it.Data}
			if it.Type != "" {
				wire["type"] = it.Type
			}
			if it.ID != "" {
				wire["id"] = it.ID
			}
			line, err := json.Marshal(wire)
			if err != nil {
				t.Fatalf("re-encode item %d: %v", i, err)
			}
			nd.Write(line)
			nd.WriteByte('\n')
		}
		again, err := DecodeBatch(nd.Bytes(), true, maxItems)
		if err != nil {
			t.Fatalf("NDJSON of accepted items refused: %v", err)
		}
		if len(again) != len(items) {
			t.Fatalf("%d items became %d", len(items), len(again))
		}
		for i := range items {
			if items[i].ID != again[i].ID || items[i].Type != again[i].Type || !jsonEqual(items[i].Data, again[i].Data) {
				t.Fatalf("item %d changed: %+v vs %+v", i, items[i], again[i])
			}
		}
	})
}

func jsonEqual(a, b []byte) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes())
}

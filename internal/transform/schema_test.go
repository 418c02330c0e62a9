package transform

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSchemaNames(t *testing.T) {
	assert.Equal(t, []string{"default", "strict-order"}, SchemaNames())
	_, err := LoadSchema("../default")
	assert.ErrorIs(t, err, ErrUnknownSchema)
	s, err := LoadSchema("")
	require.NoError(t, err)
	assert.Equal(t, DefaultSchema, s.Name())
}

func TestDefaultSchema(t *testing.T) {
	s, err := LoadSchema(DefaultSchema)
	require.NoError(t, err)
	// The messages are the validator's own wording for a "type" failure,
	// with JSON Schema's type names; written out, so a change shows here.
	for _, tt := range []struct{ doc, message string }{
		{`[1]`, "got array, want object"},
		{`"text"`, "got string, want object"},
		{`1`, "got number, want object"},
		{`null`, "got null, want object"},
		{`true`, "got boolean, want object"},
	} {
		t.Run("rejects "+tt.doc, func(t *testing.T) {
			assert.Equal(t, []Violation{{Pointer: "", Rule: "type", Message: tt.message}}, validate(t, s, tt.doc))
		})
	}
	for _, doc := range []string{`{}`, `{"anything":[1,{"x":null}],"n":1e400}`, validOrder} {
		t.Run("accepts "+doc, func(t *testing.T) {
			assert.Empty(t, validate(t, s, doc))
		})
	}
}

func TestStrictOrderSchema(t *testing.T) {
	s, err := LoadSchema("strict-order")
	require.NoError(t, err)
	tests := []struct {
		name    string
		doc     string
		pointer string
		rule    string
	}{
		{"missing field", `{"amount":1,"currency":"EUR","items":[{"sku":"A","quantity":1}]}`, "/orderId", "required"},
		{"unknown field", `{"orderId":"ord_abc123","amount":1,"currency":"EUR","items":[{"sku":"A","quantity":1}],"note":"x"}`, "/note", "additionalProperties"},
		{"unknown field with a slash", `{"orderId":"ord_abc123","amount":1,"currency":"EUR","items":[{"sku":"A","quantity":1}],"a/b~c":1}`, "/a~1b~0c", "additionalProperties"},
		{"negative amount", `{"orderId":"ord_abc123","amount":-0.01,"currency":"EUR","items":[{"sku":"A","quantity":1}]}`, "/amount", "minimum"},
		{"amount as string", `{"orderId":"ord_abc123","amount":"1","currency":"EUR","items":[{"sku":"A","quantity":1}]}`, "/amount", "type"},
		{"unknown currency", `{"orderId":"ord_abc123","amount":1,"currency":"eur","items":[{"sku":"A","quantity":1}]}`, "/currency", "enum"},
		{"order id pattern", `{"orderId":"order-1","amount":1,"currency":"EUR","items":[{"sku":"A","quantity":1}]}`, "/orderId", "pattern"},
		{"no items", `{"orderId":"ord_abc123","amount":1,"currency":"EUR","items":[]}`, "/items", "minItems"},
		{"fractional quantity", `{"orderId":"ord_abc123","amount":1,"currency":"EUR","items":[{"sku":"A","quantity":1},{"sku":"B","quantity":1.5}]}`, "/items/1/quantity", "type"},
		{"bad email", `{"orderId":"ord_abc123","amount":1,"currency":"EUR","customer":{"email":"not an email"},"items":[{"sku":"A","quantity":1}]}`, "/customer/email", "format"},
		{"not an object", `[]`, "", "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := validate(t, s, tt.doc)
			require.Len(t, got, 1, "%+v", got)
			assert.Equal(t, tt.pointer, got[0].Pointer)
			assert.Equal(t, tt.rule, got[0].Rule)
			assert.NotEmpty(t, got[0].Message)
		})
	}
	assert.Empty(t, validate(t, s, validOrder))
	assert.Empty(t, validate(t, s, `{"orderId":"ord_abc123","amount":0,"currency":"USD","customer":{"email":"a@example.com","name":"A"},"items":[{"sku":"A","quantity":100}]}`))
}

func TestSchemaRefusesRemoteReferences(t *testing.T) {
	_, err := bundleOnly{}.Load("https://example.com/schema.json")
	assert.ErrorContains(t, err, "not bundled")
}

func TestPointer(t *testing.T) {
	assert.Equal(t, "", Pointer(nil))
	assert.Equal(t, "/a/0/b~1c/d~0e", Pointer([]string{"a", "0", "b/c", "d~e"}))
}

func validate(t *testing.T, s *Schema, doc string) []Violation {
	t.Helper()
	v, err := DecodeData([]byte(doc))
	require.NoError(t, err)
	return s.Validate(v)
}

func ExampleSchema_Validate() {
	s, err := LoadSchema("strict-order")
	if err != nil {
		panic(err)
	}
	doc, err := DecodeData([]byte(`{"orderId":"ord_abc123","amount":-5,"currency":"EUR","items":[{"sku":"A","quantity":1}]}`))
	if err != nil {
		panic(err)
	}
	for _, v := range s.Validate(doc) {
		fmt.Println(v.Pointer, v.Rule)
	}
	// Output: /amount minimum
}

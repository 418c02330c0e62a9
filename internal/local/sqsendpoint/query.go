package sqsendpoint

import (
	"encoding/base64"
	"reflect"
	"strconv"
	"strings"

	"github.com/sqsgate/sqsgate/internal/sqsmsg"
)

// maxQueryEntries bounds the members decoded for a list or map SQS sets no
// count limit on (attribute names, tag keys, queue attributes); batch
// entries and message attributes stop at SQS's own limits.
const maxQueryEntries = 100

var (
	typeString     = reflect.TypeFor[string]()
	typeIntPtr     = reflect.TypeFor[*int]()
	typeBytes      = reflect.TypeFor[[]byte]()
	typeStrings    = reflect.TypeFor[[]string]()
	typeBytesList  = reflect.TypeFor[[][]byte]()
	typeStringMap  = reflect.TypeFor[map[string]string]()
	typeAttrValues = reflect.TypeFor[map[string]attributeValue]()
)

// decodeQuery fills the input struct v from query-protocol parameters:
// scalars by name, lists as Name.N, maps as Name.N.<Key>/<Value> and
// lists of structures as Name.N.<Field>, following the `query` tags.
// It stops where SQS's limits decide the answer: more than 10 batch
// entries is TooManyEntriesInBatchRequest at once (SQS API Reference,
// SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch:
// "the maximum number of entries ... is 10"), and of a message's
// attributes (at most 10, Developer Guide, "Amazon SQS message
// attributes") one past the limit is decoded, enough for the validation
// that follows to refuse them as it refuses them over JSON.
func decodeQuery(form queryNode, v any) error {
	return decodeQueryNode(form, "", reflect.ValueOf(v).Elem())
}

func decodeQueryNode(node queryNode, path string, rv reflect.Value) error {
	t := rv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			// An embedded struct's members are the outer shape's own.
			if err := decodeQueryNode(node, path, rv.Field(i)); err != nil {
				return err
			}
			continue
		}
		name, keyName, valueName := f.Name, "Name", "Value"
		if tag := f.Tag.Get("query"); tag != "" {
			parts := strings.Split(tag, ",")
			name = parts[0]
			if len(parts) == 3 {
				keyName, valueName = parts[1], parts[2]
			}
		}
		c := node.child(name)
		if !c.ok() {
			continue
		}
		fv := rv.Field(i)
		at := path + name
		switch f.Type {
		case typeString:
			if c.given() {
				fv.SetString(c.text())
			}
		case typeIntPtr:
			if c.given() {
				n, err := strconv.Atoi(strings.TrimSpace(c.text()))
				if err != nil {
					return errInvalidParameterValue("Value %s for parameter %s is invalid. Reason: must be an integer.", truncate(c.text(), 32), name)
				}
				fv.Set(reflect.ValueOf(&n))
			}
		case typeBytes:
			if c.given() {
				b, err := decodeBase64(c.text(), name)
				if err != nil {
					return err
				}
				fv.SetBytes(b)
			}
		case typeStrings:
			ms, _ := c.members(maxQueryEntries)
			var out []string
			for _, m := range ms {
				if m.node.given() {
					out = append(out, m.node.text())
				}
			}
			fv.Set(reflect.ValueOf(out))
		case typeBytesList:
			ms, _ := c.members(maxQueryEntries)
			var out [][]byte
			for _, m := range ms {
				if !m.node.given() {
					continue
				}
				b, err := decodeBase64(m.node.text(), name)
				if err != nil {
					return err
				}
				out = append(out, b)
			}
			fv.Set(reflect.ValueOf(out))
		case typeStringMap:
			ms, _ := c.members(maxQueryEntries)
			out := make(map[string]string, len(ms))
			for _, m := range ms {
				k, err := mapKey(m, at, keyName)
				if err != nil {
					return err
				}
				out[k] = m.node.child(valueName).text()
			}
			fv.Set(reflect.ValueOf(out))
		case typeAttrValues:
			ms, _ := c.members(sqsmsg.MaxAttributes + 1)
			out := make(map[string]attributeValue, len(ms))
			for _, m := range ms {
				k, err := mapKey(m, at, keyName)
				if err != nil {
					return err
				}
				var a attributeValue
				prefix := at + "." + strconv.Itoa(m.n) + "." + valueName + "."
				if err := decodeQueryNode(m.node.child(valueName), prefix, reflect.ValueOf(&a).Elem()); err != nil {
					return err
				}
				out[k] = a
			}
			fv.Set(reflect.ValueOf(out))
		default:
			if f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
				continue
			}
			// Lists of structures are the batch requests' entries.
			ms, total := c.members(sqsmsg.MaxBatchEntries)
			if total > sqsmsg.MaxBatchEntries {
				return errTooManyEntries(total)
			}
			out := reflect.MakeSlice(f.Type, 0, len(ms))
			for _, m := range ms {
				e := reflect.New(f.Type.Elem()).Elem()
				if err := decodeQueryNode(m.node, at+"."+strconv.Itoa(m.n)+".", e); err != nil {
					return err
				}
				out = reflect.Append(out, e)
			}
			fv.Set(out)
		}
	}
	return nil
}

// decodeBase64 decodes a blob member, refusing it as SQS does.
func decodeBase64(v, name string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, errInvalidParameterValue("Value for parameter %s is not valid base64.", name)
	}
	return b, nil
}

// mapKey is the key of map member m (at.N.<keyName>), which must be given.
func mapKey(m member, at, keyName string) (string, error) {
	k := m.node.child(keyName).text()
	if k == "" {
		return "", errInvalidParameterValue("Parameter %s is missing.", truncate(at+"."+strconv.Itoa(m.n)+"."+keyName, 128+len(keyName)))
	}
	return k, nil
}

package sqsendpoint

import (
	"encoding/base64"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// maxQueryEntries bounds how many list, map or batch members the query
// decoder collects; anything past SQS's own limits is refused later.
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
func decodeQuery(form url.Values, v any) error {
	return decodeQueryStruct(form, "", reflect.ValueOf(v).Elem())
}

func decodeQueryStruct(form url.Values, prefix string, rv reflect.Value) error {
	t := rv.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			// An embedded struct's members are the outer shape's own.
			if err := decodeQueryStruct(form, prefix, rv.Field(i)); err != nil {
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
		key := prefix + name
		fv := rv.Field(i)
		switch f.Type {
		case typeString:
			if vs, ok := form[key]; ok && len(vs) > 0 {
				fv.SetString(vs[0])
			}
		case typeIntPtr:
			if vs, ok := form[key]; ok && len(vs) > 0 {
				n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
				if err != nil {
					return errInvalidParameterValue("Value %s for parameter %s is invalid. Reason: must be an integer.", truncate(vs[0], 32), name)
				}
				fv.Set(reflect.ValueOf(&n))
			}
		case typeBytes:
			if vs, ok := form[key]; ok && len(vs) > 0 {
				b, err := decodeBase64(vs[0], name)
				if err != nil {
					return err
				}
				fv.SetBytes(b)
			}
		case typeStrings:
			fv.Set(reflect.ValueOf(memberValues(form, key)))
		case typeBytesList:
			var out [][]byte
			for _, v := range memberValues(form, key) {
				b, err := decodeBase64(v, name)
				if err != nil {
					return err
				}
				out = append(out, b)
			}
			fv.Set(reflect.ValueOf(out))
		case typeStringMap:
			out := map[string]string{}
			for _, m := range members(form, key) {
				k, err := mapKey(form, m, keyName)
				if err != nil {
					return err
				}
				out[k] = form.Get(m + "." + valueName)
			}
			fv.Set(reflect.ValueOf(out))
		case typeAttrValues:
			out := map[string]attributeValue{}
			for _, m := range members(form, key) {
				k, err := mapKey(form, m, keyName)
				if err != nil {
					return err
				}
				var a attributeValue
				if err := decodeQueryStruct(form, m+"."+valueName+".", reflect.ValueOf(&a).Elem()); err != nil {
					return err
				}
				out[k] = a
			}
			fv.Set(reflect.ValueOf(out))
		default:
			if f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
				continue
			}
			ms := members(form, key)
			out := reflect.MakeSlice(f.Type, 0, len(ms))
			for _, m := range ms {
				e := reflect.New(f.Type.Elem()).Elem()
				if err := decodeQueryStruct(form, m+".", e); err != nil {
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

// memberValues is the value of every list member key.N, in order.
func memberValues(form url.Values, key string) []string {
	var out []string
	for _, m := range members(form, key) {
		if vs := form[m]; len(vs) > 0 {
			out = append(out, vs[0])
		}
	}
	return out
}

// mapKey is the key of map member m (m.<keyName>), which must be given.
func mapKey(form url.Values, m, keyName string) (string, error) {
	p := m + "."
	k := form.Get(p + keyName)
	if k == "" {
		return "", errInvalidParameterValue("Parameter %s%s is missing.", truncate(p, 128), keyName)
	}
	return k, nil
}

// members names every member key.N given as a parameter key.N or key.N.*,
// in order of N, at most maxQueryEntries of them.
func members(form url.Values, key string) []string {
	seen := map[int]bool{}
	p := key + "."
	for k := range form {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		digits, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(digits)
		if err != nil || n < 1 || strconv.Itoa(n) != digits {
			continue
		}
		seen[n] = true
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	if len(out) > maxQueryEntries {
		out = out[:maxQueryEntries]
	}
	names := make([]string, len(out))
	for i, n := range out {
		names[i] = p + strconv.Itoa(n)
	}
	return names
}

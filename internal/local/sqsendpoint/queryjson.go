package sqsendpoint

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"reflect"
	"strconv"
	"strings"
)

// The query protocol's JSON rendering. A query request (Action=...) that
// asks for it with Accept: application/json gets the XML response's
// content as JSON, as API Gateway's "AWS service" integrations receive it
// (they send that header). AWS documents no grammar for it; the shape
// below is what AWS is observed to answer, with the sources in
// queryjson_test.go:
//
//	{"<Action>Response":{"<Action>Result":{...},"ResponseMetadata":{"RequestId":"..."}}}
//	{"Error":{"Code":"<query code>","Message":"...","Type":"Sender"},"RequestId":"..."}
//
//   - Every member of the output shape is present, an absent one null
//     ("MD5OfMessageAttributes":null); lists are arrays and an empty list
//     is null ("messages":null when nothing was received); maps are
//     objects; blobs base64.
//   - Keys are in byte order at every level (ResponseMetadata before
//     SendMessageResult, ReceiveMessageResult before ResponseMetadata,
//     MD5OfMessageAttributes before MessageId), which encoding/json gives
//     maps.
//   - Members are named as in the SQS model (the `json` tags), except
//     where AWS is seen to use its internal name (`queryjson` tags, e.g.
//     ReceiveMessageResult's "messages").
//   - Content-Type application/json; errors keep the XML's HTTP status.

// queryJSONContentType is what SQS answers query-JSON with.
const queryJSONContentType = "application/json"

// wantsQueryJSON reports whether a query request's Accept header asks for
// JSON: application/json among its media ranges with a non-zero q. A
// wildcard (*/*, curl's and most clients' default) keeps XML, as on AWS
// (LocalStack's AWS-validated test_get_list_queues_with_query_auth: a GET
// without the header is answered in XML).
func wantsQueryJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mediaType != "application/json" {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		return true
	}
	return false
}

// queryJSONResponse renders a successful query response: out is the value
// the XML encoder would write as <Action>Result (nil for an operation
// without output, which then has only ResponseMetadata).
func queryJSONResponse(action, requestID string, out any) ([]byte, error) {
	body := map[string]any{"ResponseMetadata": map[string]any{"RequestId": requestID}}
	if out != nil {
		body[action+"Result"] = queryJSONValue(reflect.ValueOf(out))
	}
	return json.Marshal(map[string]any{action + "Response": body})
}

// queryJSONError renders an error as SQS's query-JSON error document.
func queryJSONError(code, message, fault, requestID string) []byte {
	b, _ := json.Marshal(map[string]any{
		"Error":     map[string]any{"Code": code, "Message": message, "Type": fault},
		"RequestId": requestID,
	})
	return b
}

// queryJSONValue converts one output value: structures to objects with
// every member, absent members (zero strings, nil pointers, empty lists
// and maps) to nil.
func queryJSONValue(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return queryJSONValue(v.Elem())
	case reflect.Struct:
		obj := map[string]any{}
		queryJSONMembers(v, obj)
		return obj
	case reflect.String:
		if v.Len() == 0 {
			return nil
		}
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int64:
		return v.Int()
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		list := make([]any, v.Len())
		for i := range list {
			list[i] = queryJSONValue(v.Index(i))
		}
		return list
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		obj := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			obj[it.Key().String()] = queryJSONValue(it.Value())
		}
		return obj
	}
	// The output shapes hold nothing else; a new kind must be added here
	// rather than silently dropped.
	panic("sqsendpoint: no query-JSON rendering for " + v.Type().String())
}

// queryJSONMembers adds a structure's members to obj; an embedded
// structure's members are the outer one's own, as in the XML.
func queryJSONMembers(v reflect.Value, obj map[string]any) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			queryJSONMembers(v.Field(i), obj)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, pairs := queryJSONName(f)
		if pairs {
			obj[name] = queryJSONPairs(v.Field(i))
			continue
		}
		obj[name] = queryJSONValue(v.Field(i))
	}
}

// queryJSONPairs renders a string map as a list of {"Name","Value"}
// objects in name order, as GetQueueAttributes' Attributes are observed
// (LocalStack's AWS-validated test_get_queue_attributes_json_format reads
// GetQueueAttributesResult.Attributes[i].Name and .Value); an empty map is
// null like any empty list.
func queryJSONPairs(v reflect.Value) any {
	if v.Len() == 0 {
		return nil
	}
	m := v.Convert(reflect.TypeFor[map[string]string]()).Interface().(map[string]string)
	list := make([]any, 0, len(m))
	for _, k := range sortedKeys(m) {
		list = append(list, map[string]any{"Name": k, "Value": m[k]})
	}
	return list
}

// queryJSONName is a member's name: its `queryjson` tag's name, else its
// `json` tag's (the SQS model's), else the field's. `queryjson:",pairs"`
// renders a string map as a list of Name/Value objects.
func queryJSONName(f reflect.StructField) (name string, pairs bool) {
	name, opts, _ := strings.Cut(f.Tag.Get("queryjson"), ",")
	pairs = opts == "pairs"
	if name != "" {
		return name, pairs
	}
	if name, _, _ = strings.Cut(f.Tag.Get("json"), ","); name != "" {
		return name, pairs
	}
	return f.Name, pairs
}

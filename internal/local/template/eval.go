package template

import (
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// noValue is what !Ref AWS::NoValue evaluates to: the enclosing key or list
// element disappears, as in CloudFormation.
type noValueT struct{}

var noValue = noValueT{}

// evaluator resolves intrinsic functions against parameters, conditions,
// pseudo parameters and resources.
type evaluator struct {
	doc       *Document
	pseudo    map[string]any
	params    map[string]any // string, or []any of strings for list types
	conds     map[string]bool
	condBusy  map[string]bool
	resources func(id, attr, path string) (any, error) // attr "" means Ref
}

// supported lists the intrinsic functions the evaluator resolves; any other
// Fn:: key is refused by name.
var supported = map[string]bool{
	"Ref": true, "Fn::GetAtt": true, "Fn::Sub": true, "Fn::If": true,
	"Fn::Join": true, "Fn::Select": true, "Fn::Split": true,
	"Fn::FindInMap": true, "Fn::Base64": true,
	"Fn::Equals": true, "Fn::Not": true, "Fn::And": true, "Fn::Or": true,
}

// intrinsic reports whether m is a one-key intrinsic function call.
func intrinsic(m map[string]any) (string, any, bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, v, true
		}
	}
	return "", nil, false
}

// eval resolves every intrinsic in v. path names v for error messages.
func (e *evaluator) eval(v any, path string) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		if fn, arg, ok := intrinsic(t); ok {
			return e.call(fn, arg, path)
		}
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			r, err := e.eval(t[k], join(path, k))
			if err != nil {
				return nil, err
			}
			if r != noValue {
				out[k] = r
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for i, item := range t {
			r, err := e.eval(item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if r != noValue {
				out = append(out, r)
			}
		}
		return out, nil
	}
	return v, nil
}

func (e *evaluator) call(fn string, arg any, path string) (any, error) {
	at := join(path, fn)
	if !supported[fn] {
		return nil, unsupported(at, "intrinsic function %s is not supported by the local template reader", fn)
	}
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, invalid(at, "Ref takes a name")
		}
		return e.ref(name, at)
	case "Fn::GetAtt":
		args, err := e.list(arg, 2, at)
		if err != nil {
			return nil, err
		}
		id, ok1 := args[0].(string)
		attrV, err := e.eval(args[1], at)
		if err != nil {
			return nil, err
		}
		attr, ok2 := attrV.(string)
		if !ok1 || !ok2 {
			return nil, invalid(at, "Fn::GetAtt takes [LogicalId, Attribute]")
		}
		if _, ok := e.doc.Resources[id]; !ok && !implicitResource(e.doc, id) {
			return nil, invalid(at, "Fn::GetAtt names unknown resource %s", id)
		}
		return e.resources(id, attr, at)
	case "Fn::Sub":
		return e.sub(arg, at)
	case "Fn::If":
		args, err := e.list(arg, 3, at)
		if err != nil {
			return nil, err
		}
		name, ok := args[0].(string)
		if !ok {
			return nil, invalid(at, "Fn::If takes a condition name first")
		}
		c, err := e.condition(name, at)
		if err != nil {
			return nil, err
		}
		if c {
			return e.eval(args[1], at+"[1]")
		}
		return e.eval(args[2], at+"[2]")
	case "Fn::Join":
		args, err := e.list(arg, 2, at)
		if err != nil {
			return nil, err
		}
		delim, ok := args[0].(string)
		if !ok {
			return nil, invalid(at, "Fn::Join delimiter is not a string")
		}
		items, err := e.stringList(args[1], at)
		if err != nil {
			return nil, err
		}
		return strings.Join(items, delim), nil
	case "Fn::Select":
		args, err := e.list(arg, 2, at)
		if err != nil {
			return nil, err
		}
		idxV, err := e.eval(args[0], at)
		if err != nil {
			return nil, err
		}
		idx, err := strconv.Atoi(str(idxV))
		if err != nil {
			return nil, invalid(at, "Fn::Select index %v is not an integer", idxV)
		}
		listV, err := e.eval(args[1], at)
		if err != nil {
			return nil, err
		}
		items, ok := listV.([]any)
		if !ok {
			return nil, invalid(at, "Fn::Select needs a list")
		}
		if idx < 0 || idx >= len(items) {
			return nil, invalid(at, "Fn::Select index %d out of range (%d items)", idx, len(items))
		}
		return items[idx], nil
	case "Fn::Split":
		args, err := e.list(arg, 2, at)
		if err != nil {
			return nil, err
		}
		delim, ok := args[0].(string)
		if !ok || delim == "" {
			return nil, invalid(at, "Fn::Split delimiter is not a non-empty string")
		}
		sv, err := e.eval(args[1], at)
		if err != nil {
			return nil, err
		}
		s, ok := sv.(string)
		if !ok {
			return nil, invalid(at, "Fn::Split source is not a string")
		}
		var out []any
		for _, part := range strings.Split(s, delim) {
			out = append(out, part)
		}
		return out, nil
	case "Fn::FindInMap":
		args, err := e.list(arg, 3, at)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 3)
		for i, a := range args {
			r, err := e.eval(a, at)
			if err != nil {
				return nil, err
			}
			keys[i] = str(r)
		}
		top, _ := e.doc.Mappings[keys[0]].(map[string]any)
		second, _ := top[keys[1]].(map[string]any)
		v, ok := second[keys[2]]
		if !ok {
			return nil, invalid(at, "Fn::FindInMap: no %s.%s.%s in Mappings", keys[0], keys[1], keys[2])
		}
		return e.eval(v, at)
	case "Fn::Base64":
		r, err := e.eval(arg, at)
		if err != nil {
			return nil, err
		}
		s, ok := r.(string)
		if !ok {
			return nil, invalid(at, "Fn::Base64 takes a string")
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return e.condExpr(map[string]any{fn: arg}, path)
	}
	return nil, unsupported(at, "intrinsic function %s is not supported", fn)
}

// list checks that arg is a list of n elements.
func (e *evaluator) list(arg any, n int, at string) ([]any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != n {
		return nil, invalid(at, "takes a list of %d elements", n)
	}
	return l, nil
}

// stringList evaluates v to a list of strings (a literal list, or an
// intrinsic returning one, such as a CommaDelimitedList parameter).
func (e *evaluator) stringList(v any, at string) ([]string, error) {
	r, err := e.eval(v, at)
	if err != nil {
		return nil, err
	}
	l, ok := r.([]any)
	if !ok {
		return nil, invalid(at, "expects a list, got %T", r)
	}
	out := make([]string, 0, len(l))
	for _, item := range l {
		if _, isList := item.([]any); isList {
			return nil, invalid(at, "expects a list of strings")
		}
		out = append(out, str(item))
	}
	return out, nil
}

func (e *evaluator) ref(name, at string) (any, error) {
	if v, ok := e.pseudo[name]; ok {
		return v, nil
	}
	if strings.HasPrefix(name, "AWS::") {
		return nil, unsupported(at, "pseudo parameter %s is not supported", name)
	}
	if v, ok := e.params[name]; ok {
		return v, nil
	}
	if _, ok := e.doc.Resources[name]; ok || implicitResource(e.doc, name) {
		return e.resources(name, "", at)
	}
	return nil, invalid(at, "Ref to %s, which is neither a parameter nor a resource", name)
}

// subPattern finds ${...} in a Fn::Sub string; ${!...} is a literal.
var subPattern = regexp.MustCompile(`\$\{([^}]*)\}`)

func (e *evaluator) sub(arg any, at string) (any, error) {
	var text string
	vars := map[string]any{}
	switch t := arg.(type) {
	case string:
		text = t
	case []any:
		if len(t) != 2 {
			return nil, invalid(at, "Fn::Sub takes a string or [string, variables]")
		}
		s, ok := t[0].(string)
		m, ok2 := t[1].(map[string]any)
		if !ok || !ok2 {
			return nil, invalid(at, "Fn::Sub takes a string or [string, variables]")
		}
		text = s
		for _, k := range sortedKeys(m) {
			r, err := e.eval(m[k], join(at, k))
			if err != nil {
				return nil, err
			}
			vars[k] = r
		}
	default:
		return nil, invalid(at, "Fn::Sub takes a string or [string, variables]")
	}
	var firstErr error
	out := subPattern.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		if firstErr != nil {
			return ""
		}
		var (
			v   any
			err error
		)
		if val, ok := vars[name]; ok {
			v = val
		} else if id, attr, dotted := strings.Cut(name, "."); dotted && !strings.HasPrefix(name, "AWS::") {
			v, err = e.call("Fn::GetAtt", []any{id, attr}, at)
		} else {
			v, err = e.ref(name, at)
		}
		if err == nil {
			if _, isList := v.([]any); isList || v == noValue {
				err = invalid(at, "Fn::Sub variable ${%s} is not a string", name)
			}
		}
		if err != nil {
			firstErr = err
			return ""
		}
		return str(v)
	})
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// condition evaluates a named condition from the Conditions section once.
func (e *evaluator) condition(name, at string) (bool, error) {
	if c, ok := e.conds[name]; ok {
		return c, nil
	}
	def, ok := e.doc.Conditions[name]
	if !ok {
		return false, invalid(at, "unknown condition %s", name)
	}
	if e.condBusy[name] {
		return false, invalid(at, "condition %s refers to itself", name)
	}
	e.condBusy[name] = true
	c, err := e.condExpr(def, "Conditions."+name)
	delete(e.condBusy, name)
	if err != nil {
		return false, err
	}
	e.conds[name] = c
	return c, nil
}

// condExpr evaluates a condition function: Fn::Equals, Fn::Not, Fn::And,
// Fn::Or or {"Condition": name}.
func (e *evaluator) condExpr(v any, path string) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, invalid(path, "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition")
	}
	if name, ok := m["Condition"]; ok {
		s, ok := name.(string)
		if !ok {
			return false, invalid(path, "Condition takes a name")
		}
		return e.condition(s, join(path, "Condition"))
	}
	fn, arg, _ := intrinsic(m)
	at := join(path, fn)
	switch fn {
	case "Fn::Equals":
		args, err := e.list(arg, 2, at)
		if err != nil {
			return false, err
		}
		a, err := e.eval(args[0], at+"[0]")
		if err != nil {
			return false, err
		}
		b, err := e.eval(args[1], at+"[1]")
		if err != nil {
			return false, err
		}
		return str(a) == str(b), nil
	case "Fn::Not":
		args, err := e.list(arg, 1, at)
		if err != nil {
			return false, err
		}
		c, err := e.condExpr(args[0], at+"[0]")
		return !c, err
	case "Fn::And", "Fn::Or":
		args, ok := arg.([]any)
		if !ok || len(args) < 2 || len(args) > 10 {
			return false, invalid(at, "%s takes 2 to 10 conditions", fn)
		}
		result := fn == "Fn::And"
		for i, a := range args {
			c, err := e.condExpr(a, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return false, err
			}
			if fn == "Fn::And" {
				result = result && c
			} else {
				result = result || c
			}
		}
		return result, nil
	}
	if fn != "" && !supported[fn] {
		return false, unsupported(at, "intrinsic function %s is not supported by the local template reader", fn)
	}
	return false, invalid(path, "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition")
}

// str renders a scalar the way CloudFormation passes it to a property.
func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case uint64:
		return strconv.FormatUint(t, 10)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	case nil:
		return ""
	case []any:
		parts := make([]string, len(t))
		for i, p := range t {
			parts[i] = str(p)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package vtl

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Values while rendering: nil, string, bool, json.Number (from JSON),
// int64, float64, []any, *omap and *loopState.

// toString prints v as Java's toString would: maps {k=v, …}, lists [a, b].
// A null prints as nothing at the top (inner is false) and as "null" inside
// a collection.
func toString(v any, inner bool) string {
	switch x := v.(type) {
	case nil:
		if inner {
			return "null"
		}
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if name, ok := javaSpecial[strconv.FormatFloat(x, 'f', -1, 64)]; ok {
			return name
		}
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	case bool:
		return strconv.FormatBool(x)
	case []any:
		var b strings.Builder
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(toString(e, true))
		}
		b.WriteByte(']')
		return b.String()
	case *omap:
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(toString(x.m[k], true))
		}
		b.WriteByte('}')
		return b.String()
	default: // *loopState
		return ""
	}
}

// javaSpecial is how Java prints the doubles Go prints as +Inf, -Inf and NaN.
var javaSpecial = map[string]string{"+Inf": "Infinity", "-Inf": "-Infinity", "NaN": "NaN"}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, int64, float64:
		return "number"
	case []any:
		return "list"
	case *omap:
		return "map"
	default:
		return "$foreach"
	}
}

// truthy is Velocity 1.7's #if: null and false are false, everything else
// (the empty string, 0, an empty list) is true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}

// num is a number as arithmetic and comparison see it.
type num struct {
	i       int64
	f       float64
	isFloat bool
}

func toNum(v any) (num, bool) {
	switch x := v.(type) {
	case int64:
		return num{i: x}, true
	case float64:
		return num{f: x, isFloat: true}, true
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return num{i: i}, true
		}
		if f, err := x.Float64(); err == nil {
			return num{f: f, isFloat: true}, true
		}
	}
	return num{}, false
}

func (n num) float() float64 {
	if n.isFloat {
		return n.f
	}
	return float64(n.i)
}

func toInt(v any) (int64, bool) {
	n, ok := toNum(v)
	if !ok || n.isFloat {
		return 0, false
	}
	return n.i, true
}

// equal is Velocity 1.7's ==: numbers by value, null only equal to null,
// anything else by its printed form.
func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	na, aok := toNum(a)
	nb, bok := toNum(b)
	if aok && bok {
		if !na.isFloat && !nb.isFloat {
			return na.i == nb.i
		}
		return na.float() == nb.float()
	}
	return toString(a, true) == toString(b, true)
}

// compare is <, <=, > and >= on numbers; Velocity 1.7 answers false for
// anything else.
func compare(op string, a, b any) bool {
	na, aok := toNum(a)
	nb, bok := toNum(b)
	if !aok || !bok {
		return false
	}
	c := 0
	if !na.isFloat && !nb.isFloat {
		c = cmpInt(na.i, nb.i)
	} else if x, y := na.float(), nb.float(); x < y {
		c = -1
	} else if x > y {
		c = 1
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// arith is + - * / % on numbers; like Velocity 1.7 anything else, and a
// division by zero, gives null.
func arith(op string, a, b any) any {
	na, aok := toNum(a)
	nb, bok := toNum(b)
	if !aok || !bok {
		return nil
	}
	if !na.isFloat && !nb.isFloat {
		x, y := na.i, nb.i
		switch op {
		case "+":
			return x + y
		case "-":
			return x - y
		case "*":
			return x * y
		}
		if y == 0 || (x == math.MinInt64 && y == -1) {
			return nil
		}
		if op == "/" {
			return x / y
		}
		return x % y
	}
	x, y := na.float(), nb.float()
	switch op {
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	}
	if y == 0 {
		return nil
	}
	if op == "/" {
		return x / y
	}
	return math.Mod(x, y)
}

// call runs a method of the subset on v. A method on null is null, as
// Velocity leaves such a reference unresolved.
func call(v any, name string, args []any) (any, error) {
	if v == nil {
		return nil, nil
	}
	want := func(n int) error {
		if len(args) != n {
			return fmt.Errorf(".%s() takes %d argument(s), not %d", name, n, len(args))
		}
		for _, a := range args {
			if a == nil {
				return fmt.Errorf(".%s() got a null argument", name)
			}
		}
		return nil
	}
	if name == "toString" {
		if err := want(0); err != nil {
			return nil, err
		}
		return toString(v, true), nil
	}
	switch x := v.(type) {
	case string:
		return stringMethod(x, name, args, want)
	case *omap:
		switch name {
		case "size", "isEmpty", "keySet", "values":
			if err := want(0); err != nil {
				return nil, err
			}
			switch name {
			case "size":
				return int64(len(x.keys)), nil
			case "isEmpty":
				return len(x.keys) == 0, nil
			case "keySet":
				keys := make([]any, len(x.keys))
				for i, k := range x.keys {
					keys[i] = k
				}
				return keys, nil
			default:
				return x.values(), nil
			}
		case "get", "containsKey":
			if err := want(1); err != nil {
				return nil, err
			}
			e, ok := x.get(toString(args[0], false))
			if name == "get" {
				return e, nil
			}
			return ok, nil
		}
	case []any:
		switch name {
		case "size", "isEmpty":
			if err := want(0); err != nil {
				return nil, err
			}
			if name == "size" {
				return int64(len(x)), nil
			}
			return len(x) == 0, nil
		case "get":
			if err := want(1); err != nil {
				return nil, err
			}
			i, ok := toInt(args[0])
			if !ok || i < 0 || i >= int64(len(x)) {
				return nil, fmt.Errorf(".get(%s) out of the list's %d items", toString(args[0], true), len(x))
			}
			return x[i], nil
		case "contains":
			if err := want(1); err != nil {
				return nil, err
			}
			for _, e := range x {
				if equal(e, args[0]) {
					return true, nil
				}
			}
			return false, nil
		}
	case *loopState:
		if name == "hasNext" {
			if err := want(0); err != nil {
				return nil, err
			}
			return x.index < x.size-1, nil
		}
	default: // numbers and booleans
		if name == "equals" {
			if err := want(1); err != nil {
				return nil, err
			}
			return typeName(x) == typeName(args[0]) && equal(x, args[0]), nil
		}
	}
	return nil, fmt.Errorf("a %s has no method .%s()", typeName(v), name)
}

// stringMethod is java.lang.String's methods of the subset. Lengths and
// indexes count UTF-16 units, as Java does.
func stringMethod(s, name string, args []any, want func(int) error) (any, error) {
	arity := map[string]int{
		"length": 0, "isEmpty": 0, "toLowerCase": 0, "toUpperCase": 0, "trim": 0,
		"contains": 1, "startsWith": 1, "endsWith": 1, "indexOf": 1, "equals": 1, "matches": 1,
		"replace": 2, "replaceAll": 2,
	}
	n, ok := arity[name]
	if name == "substring" {
		n, ok = len(args), len(args) == 1 || len(args) == 2
	}
	if !ok {
		return nil, fmt.Errorf("a string has no method .%s()", name)
	}
	if err := want(n); err != nil {
		return nil, err
	}
	str := func(i int) string { return toString(args[i], false) }
	switch name {
	case "length":
		return int64(len(utf16.Encode([]rune(s)))), nil
	case "isEmpty":
		return s == "", nil
	case "toLowerCase":
		return strings.ToLower(s), nil
	case "toUpperCase":
		return strings.ToUpper(s), nil
	case "trim": // Java trims every character <= ' '
		return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' }), nil
	case "contains":
		return strings.Contains(s, str(0)), nil
	case "startsWith":
		return strings.HasPrefix(s, str(0)), nil
	case "endsWith":
		return strings.HasSuffix(s, str(0)), nil
	case "equals":
		o, ok := args[0].(string)
		return ok && o == s, nil
	case "indexOf":
		i := strings.Index(s, str(0))
		if i < 0 {
			return int64(-1), nil
		}
		return int64(len(utf16.Encode([]rune(s[:i])))), nil
	case "substring":
		u := utf16.Encode([]rune(s))
		b, ok := toInt(args[0])
		e := int64(len(u))
		if len(args) == 2 {
			var ok2 bool
			e, ok2 = toInt(args[1])
			ok = ok && ok2
		}
		if !ok || b < 0 || e > int64(len(u)) || b > e {
			return nil, fmt.Errorf(".substring(%s) out of the string's %d characters", toString(args, true), len(u))
		}
		return string(utf16.Decode(u[b:e])), nil
	case "matches":
		re, err := regexp.Compile(`^(?:` + str(0) + `)$`)
		if err != nil {
			return nil, fmt.Errorf(".matches(): %v", err)
		}
		return re.MatchString(s), nil
	case "replace":
		old, repl := str(0), str(1)
		count := strings.Count(s, old)
		if len(s)+count*(len(repl)-len(old)) > MaxOutput {
			return nil, fmt.Errorf(".replace() result larger than %d bytes: %w", MaxOutput, ErrOutputTooLarge)
		}
		return strings.ReplaceAll(s, old, repl), nil
	default: // replaceAll
		return replaceAll(s, str(0), str(1))
	}
}

// maxMatches caps the matches of one .replaceAll().
const maxMatches = MaxIterations

// replaceAll is Java's String.replaceAll on Go's RE2 (the common subset of
// the two syntaxes): in the replacement $n is group n and \x is x; a
// trailing \ or $, or $ before a non-digit, is an error, as Java throws.
func replaceAll(s, pattern, repl string) (any, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf(".replaceAll(): %v", err)
	}
	// The matches are listed before the result is built: bound their number.
	ms := re.FindAllStringSubmatchIndex(s, maxMatches+1)
	if len(ms) > maxMatches {
		return nil, fmt.Errorf(".replaceAll() matches more than %d times: %w", maxMatches, ErrTooManyIterations)
	}
	var b []byte
	last := 0
	for _, m := range ms {
		b = append(b, s[last:m[0]]...)
		for i := 0; i < len(repl); i++ {
			c := repl[i]
			if c == '\\' || c == '$' {
				i++
				if i == len(repl) {
					return nil, fmt.Errorf(".replaceAll(): the replacement ends in %c", c)
				}
			}
			if c == '\\' {
				b = append(b, repl[i])
			} else if c == '$' {
				if !isDigit(repl[i]) {
					return nil, fmt.Errorf(".replaceAll(): illegal group reference $%c", repl[i])
				}
				g := int(repl[i] - '0')
				if g >= len(m)/2 {
					return nil, fmt.Errorf(".replaceAll(): no group %d", g)
				}
				if m[2*g] >= 0 {
					b = append(b, s[m[2*g]:m[2*g+1]]...)
				}
			} else {
				b = append(b, c)
			}
		}
		if len(b) > MaxOutput {
			return nil, fmt.Errorf(".replaceAll() result larger than %d bytes: %w", MaxOutput, ErrOutputTooLarge)
		}
		last = m[1]
	}
	b = append(b, s[last:]...)
	if len(b) > MaxOutput {
		return nil, fmt.Errorf(".replaceAll() result larger than %d bytes: %w", MaxOutput, ErrOutputTooLarge)
	}
	return string(b), nil
}

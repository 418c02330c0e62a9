package template

import (
	"regexp"
	"strconv"
	"strings"
)

// resolveParameters gives every declared parameter its value: the override
// if there is one, else its Default, validated as CloudFormation validates
// it. List types evaluate to []any of strings.
func resolveParameters(doc *Document, overrides map[string]string) (map[string]any, error) {
	for name := range overrides {
		if _, ok := doc.Parameters[name]; !ok {
			return nil, &Error{Resource: "Parameters", Path: name, Reason: "override for a parameter the template does not declare", Err: ErrInvalid}
		}
	}
	out := make(map[string]any, len(doc.Parameters))
	for _, name := range sortedKeys(doc.Parameters) {
		def, _ := doc.Parameters[name].(map[string]any)
		v, err := resolveParameter(name, def, overrides)
		if err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

func resolveParameter(name string, def map[string]any, overrides map[string]string) (any, error) {
	fail := func(format string, args ...any) error {
		e := invalid(name, format, args...)
		e.Resource = "Parameters"
		return e
	}
	typ := str(def["Type"])
	value, ok := overrides[name]
	if !ok {
		d, has := def["Default"]
		if !has {
			return nil, fail("no value: the parameter has no Default and no override was given")
		}
		if l, isList := d.([]any); isList {
			value = str(l)
		} else {
			value = str(d)
		}
	}
	list := typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")
	switch {
	case typ == "String", typ == "Number", list:
	case strings.HasPrefix(typ, "AWS::SSM::Parameter::"):
		e := unsupported(name, "parameter type %s reads SSM Parameter Store, which is not emulated; pass an override of type String instead", typ)
		e.Resource = "Parameters"
		return nil, e
	case strings.HasPrefix(typ, "AWS::"):
		// AWS-specific types (AWS::EC2::VPC::Id...) are strings that
		// CloudFormation checks against the account; locally any string is
		// taken as given.
	default:
		return nil, fail("unknown parameter type %q", typ)
	}
	items := []string{value}
	if list {
		items = splitList(value)
	}
	numeric := typ == "Number" || typ == "List<Number>"
	for _, item := range items {
		if err := validateParameter(def, item, numeric, fail); err != nil {
			return nil, err
		}
	}
	if !list {
		return value, nil
	}
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return out, nil
}

// splitList splits a CommaDelimitedList value; an empty value is a list of
// one empty string, as in CloudFormation.
func splitList(v string) []string {
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func validateParameter(def map[string]any, value string, numeric bool, fail func(string, ...any) error) error {
	if allowed, ok := def["AllowedValues"].([]any); ok {
		found := false
		for _, a := range allowed {
			if str(a) == value {
				found = true
				break
			}
		}
		if !found {
			return fail("value %q is not one of AllowedValues %s", value, str(allowed))
		}
	}
	if p, ok := def["AllowedPattern"].(string); ok {
		// CloudFormation requires the whole value to match.
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return fail("AllowedPattern does not compile: %v", err)
		}
		if !re.MatchString(value) {
			return fail("value %q does not match AllowedPattern %s", value, p)
		}
	}
	if numeric {
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fail("value %q is not a number", value)
		}
		if m, ok := number(def["MinValue"]); ok && n < m {
			return fail("value %s is below MinValue %s", value, str(def["MinValue"]))
		}
		if m, ok := number(def["MaxValue"]); ok && n > m {
			return fail("value %s is above MaxValue %s", value, str(def["MaxValue"]))
		}
	}
	if m, ok := number(def["MinLength"]); ok && float64(len(value)) < m {
		return fail("value is shorter than MinLength %s", str(def["MinLength"]))
	}
	if m, ok := number(def["MaxLength"]); ok && float64(len(value)) > m {
		return fail("value is longer than MaxLength %s", str(def["MaxLength"]))
	}
	return nil
}

func number(v any) (float64, bool) {
	if v == nil {
		return 0, false
	}
	n, err := strconv.ParseFloat(str(v), 64)
	return n, err == nil
}

package template

import (
	"fmt"
	"slices"
)

// rules checks the template's Rules as CloudFormation does before it
// creates anything: for each rule whose RuleCondition holds (or that has
// none), every Assert must hold, else the parameters are refused with the
// AssertDescription. The local platform refuses the same parameter sets a
// deployment would.
func (e *evaluator) rules() error {
	for _, name := range sortedKeys(e.doc.Rules) {
		at := "Rules." + name
		r, ok := e.doc.Rules[name].(map[string]any)
		if !ok {
			return &Error{Resource: "Rules", Path: name, Reason: "a rule is a mapping", Err: ErrInvalid}
		}
		if c, ok := r["RuleCondition"]; ok {
			on, err := e.ruleExpr(c, at+".RuleCondition")
			if err != nil {
				return inResource(err, "Rules")
			}
			if !on {
				continue
			}
		}
		for i, a := range listOf(r["Assertions"]) {
			aat := fmt.Sprintf("%s.Assertions[%d]", at, i)
			am, _ := a.(map[string]any)
			ok, err := e.ruleExpr(am["Assert"], aat+".Assert")
			if err != nil {
				return inResource(err, "Rules")
			}
			if !ok {
				desc := str(am["AssertDescription"])
				if desc == "" {
					desc = "the assertion does not hold for these parameters"
				}
				return &Error{Resource: "Rules", Path: name, Reason: desc, Err: ErrInvalid}
			}
		}
	}
	return nil
}

// ruleExpr evaluates a rule condition or assertion: Fn::Equals, Fn::Not,
// Fn::And, Fn::Or, and the rule-only Fn::Contains, Fn::EachMemberEquals and
// Fn::EachMemberIn over parameter values.
func (e *evaluator) ruleExpr(v any, path string) (bool, error) {
	m, _ := v.(map[string]any)
	fn, arg, ok := intrinsic(m)
	if !ok {
		return false, invalid(path, "a rule condition is a rule function (Fn::Equals, Fn::And, Fn::Contains, ...)")
	}
	at := join(path, fn)
	switch fn {
	case "Fn::Equals":
		return e.condExpr(v, path)
	case "Fn::Not":
		args, err := e.list(arg, 1, at)
		if err != nil {
			return false, err
		}
		c, err := e.ruleExpr(args[0], at+"[0]")
		return !c, err
	case "Fn::And", "Fn::Or":
		args, ok := arg.([]any)
		if !ok || len(args) < 2 || len(args) > 10 {
			return false, invalid(at, "%s takes 2 to 10 conditions", fn)
		}
		result := fn == "Fn::And"
		for i, a := range args {
			c, err := e.ruleExpr(a, fmt.Sprintf("%s[%d]", at, i))
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
	case "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn":
		args, err := e.list(arg, 2, at)
		if err != nil {
			return false, err
		}
		list, err := e.stringList(args[0], at+"[0]")
		if err != nil {
			return false, err
		}
		if fn == "Fn::EachMemberIn" {
			in, err := e.stringList(args[1], at+"[1]")
			if err != nil {
				return false, err
			}
			for _, x := range list {
				if !slices.Contains(in, x) {
					return false, nil
				}
			}
			return true, nil
		}
		s, err := e.eval(args[1], at+"[1]")
		if err != nil {
			return false, err
		}
		if fn == "Fn::Contains" {
			return slices.Contains(list, str(s)), nil
		}
		for _, x := range list {
			if x != str(s) {
				return false, nil
			}
		}
		return true, nil
	}
	return false, unsupported(at, "rule function %s is not supported by the local template reader", fn)
}

package template

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Document is a parsed template: the YAML tree with every short-form
// intrinsic rewritten to its long form ({"Fn::GetAtt": [...]}, {"Ref": ...}),
// so that evaluation deals with one shape only.
type Document struct {
	Transform   any
	Parameters  map[string]any
	Mappings    map[string]any
	Conditions  map[string]any
	Rules       map[string]any
	Globals     map[string]any
	Resources   map[string]any
	Outputs     map[string]any
	Description string
}

// shortTags maps CloudFormation's YAML short tags to their long names.
var shortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!GetAtt":       "Fn::GetAtt",
	"!Sub":          "Fn::Sub",
	"!If":           "Fn::If",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!Equals":       "Fn::Equals",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAZs":       "Fn::GetAZs",
	"!Base64":       "Fn::Base64",
	"!ImportValue":  "Fn::ImportValue",
	"!Cidr":         "Fn::Cidr",
	"!Transform":    "Fn::Transform",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

// Parse reads a template in YAML (JSON is YAML too).
func Parse(data []byte) (*Document, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("parse template: empty document")
	}
	tree, err := convert(root.Content[0])
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse template: top level is not a mapping")
	}
	doc := &Document{Transform: top["Transform"]}
	sections := []struct {
		name string
		dst  *map[string]any
	}{
		{"Parameters", &doc.Parameters},
		{"Mappings", &doc.Mappings},
		{"Conditions", &doc.Conditions},
		{"Rules", &doc.Rules},
		{"Globals", &doc.Globals},
		{"Resources", &doc.Resources},
		{"Outputs", &doc.Outputs},
	}
	for _, s := range sections {
		v, present := top[s.name]
		if !present || v == nil {
			*s.dst = map[string]any{}
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("parse template: section %s is not a mapping", s.name)
		}
		*s.dst = m
	}
	if d, ok := top["Description"].(string); ok {
		doc.Description = d
	}
	if len(doc.Resources) == 0 {
		return nil, fmt.Errorf("parse template: no Resources")
	}
	return doc, nil
}

// convert turns a YAML node into plain Go values (map[string]any, []any,
// string, int, float64, bool, nil), rewriting short tags to long forms.
func convert(n *yaml.Node) (any, error) {
	if n.Kind == yaml.AliasNode {
		return convert(n.Alias)
	}
	if long, ok := shortTags[n.Tag]; ok {
		inner := *n
		inner.Tag = ""
		if n.Kind == yaml.ScalarNode {
			inner.Tag = "!!str"
		}
		v, err := convert(&inner)
		if err != nil {
			return nil, err
		}
		if long == "Fn::GetAtt" {
			if s, ok := v.(string); ok {
				res, attr, found := strings.Cut(s, ".")
				if !found {
					return nil, fmt.Errorf("line %d: !GetAtt %q has no attribute", n.Line, s)
				}
				v = []any{res, attr}
			}
		}
		return map[string]any{long: v}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convert(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
			}
			if k.Value == "<<" {
				return nil, fmt.Errorf("line %d: YAML merge keys are not supported", k.Line)
			}
			v, err := convert(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

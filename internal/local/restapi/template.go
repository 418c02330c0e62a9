package restapi

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// TemplateInput is what a mapping template sees: the shape of package
// vtl's Input, so the emulator switches to vtl without changing callers.
type TemplateInput struct {
	Body           []byte
	Path           map[string]string
	QueryString    map[string]string
	Header         map[string]string
	Context        map[string]any
	StageVariables map[string]string
}

// Template is a parsed mapping template.
type Template interface {
	Render(in *TemplateInput) (string, error)
}

// TemplateParser parses a mapping template; name says where it comes from
// and is part of every error.
type TemplateParser func(name, src string) (Template, error)

// ErrTemplate wraps what the built-in stand-in parser refuses.
var ErrTemplate = errors.New("unsupported mapping template")

// standinRef is every reference the stand-in renders; anything else that
// starts with $ or # is refused at parse time, never rendered wrongly.
var standinRef = regexp.MustCompile(`\$util\.urlEncode\(\$input\.body\)|\$input\.body|\$context\.[A-Za-z][A-Za-z0-9_.]*|\$input\.params\('([^']*)'\)`)

// parseStandin is the small Velocity stand-in used until package vtl is
// merged: literal text, $input.body, $util.urlEncode($input.body),
// $input.params('x') and $context.a.b. Templates with directives or other
// references are refused with their location.
func parseStandin(name, src string) (Template, error) {
	var t standinTemplate
	rest := src
	for rest != "" {
		loc := standinRef.FindStringSubmatchIndex(rest)
		lit := rest
		if loc != nil {
			lit = rest[:loc[0]]
		}
		if i := strings.IndexAny(lit, "$#"); i >= 0 {
			line := 1 + strings.Count(src[:len(src)-len(rest)+i], "\n")
			return nil, fmt.Errorf("%w: %s: line %d: %q", ErrTemplate, name, line, firstLine(lit[i:]))
		}
		if lit != "" {
			t = append(t, standinPart{lit: lit})
		}
		if loc == nil {
			break
		}
		ref := rest[loc[0]:loc[1]]
		p := standinPart{ref: ref}
		if loc[2] >= 0 {
			p.ref, p.arg = "$input.params", rest[loc[2]:loc[3]]
		}
		t = append(t, p)
		rest = rest[loc[1]:]
	}
	return t, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

type standinPart struct{ lit, ref, arg string }

type standinTemplate []standinPart

func (t standinTemplate) Render(in *TemplateInput) (string, error) {
	var b strings.Builder
	for _, p := range t {
		switch {
		case p.ref == "":
			b.WriteString(p.lit)
		case p.ref == "$input.body":
			b.Write(in.Body)
		case p.ref == "$util.urlEncode($input.body)":
			b.WriteString(url.QueryEscape(string(in.Body)))
		case p.ref == "$input.params":
			b.WriteString(paramLookup(in, p.arg))
		default:
			b.WriteString(contextString(in.Context, strings.TrimPrefix(p.ref, "$context.")))
		}
	}
	return b.String(), nil
}

// paramLookup is $input.params(name): path, then query string, then
// header (case-insensitively), as API Gateway searches them.
func paramLookup(in *TemplateInput, name string) string {
	if v, ok := in.Path[name]; ok {
		return v
	}
	if v, ok := in.QueryString[name]; ok {
		return v
	}
	for k, v := range in.Header {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

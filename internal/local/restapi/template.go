package restapi

import "github.com/sqsgate/sqsgate/internal/local/vtl"

// Template is a parsed mapping template (*vtl.Template).
type Template interface {
	Render(in *vtl.Input) (string, error)
}

// TemplateParser parses a mapping template; name says where it comes from
// and is part of every error.
type TemplateParser func(name, src string) (Template, error)

// parseVTL is the default TemplateParser: package vtl, which refuses at
// start, with the line, anything outside the Velocity subset it renders.
func parseVTL(name, src string) (Template, error) {
	t, err := vtl.Parse(name, src)
	if err != nil {
		return nil, err
	}
	return t, nil
}

package transform

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// DefaultSchema names the permissive schema used when EVENT_SCHEMA is empty.
const DefaultSchema = "default"

// maxViolationsPerItem keeps an error response readable when an item is
// wrong in many places; the first few are enough to fix it.
const maxViolationsPerItem = 10

// schemaFiles is read-only data compiled into the function, so the schema a
// deployment names is always the one it was tested with.
//
//go:embed schemas/*.json
var schemaFiles embed.FS

// ErrUnknownSchema is returned by LoadSchema for a name no bundled file has.
var ErrUnknownSchema = errors.New("unknown event schema")

// Schema validates event data against one bundled JSON Schema.
type Schema struct {
	name     string
	compiled *jsonschema.Schema
	printer  *message.Printer
}

// Violation is one rule a document breaks: the JSON pointer of the failing
// field within the data, the schema keyword, and a readable message.
type Violation struct {
	Pointer string
	Rule    string
	Message string
}

// SchemaNames lists the bundled schemas, sorted.
func SchemaNames() []string {
	entries, err := fs.ReadDir(schemaFiles, "schemas")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(names)
	return names
}

// LoadSchema compiles the bundled schema called name ("" means
// DefaultSchema). Compiling is the slow part, so do it once at cold start.
// References to anything outside the bundle are refused, so a schema can
// never make the function fetch a URL.
func LoadSchema(name string) (*Schema, error) {
	if name == "" {
		name = DefaultSchema
	}
	names := SchemaNames()
	if !slices.Contains(names, name) {
		return nil, fmt.Errorf("%w %q; bundled: %s", ErrUnknownSchema, name, strings.Join(names, ", "))
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(bundleOnly{})
	c.AssertFormat()
	for _, n := range names {
		raw, err := schemaFiles.ReadFile(path.Join("schemas", n+".json"))
		if err != nil {
			return nil, fmt.Errorf("read bundled schema %q: %w", n, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("parse bundled schema %q: %w", n, err)
		}
		if err := c.AddResource(schemaURL(n), doc); err != nil {
			return nil, fmt.Errorf("add bundled schema %q: %w", n, err)
		}
	}
	compiled, err := c.Compile(schemaURL(name))
	if err != nil {
		return nil, fmt.Errorf("compile schema %q: %w", name, err)
	}
	return &Schema{name: name, compiled: compiled, printer: message.NewPrinter(language.English)}, nil
}

// schemaURL gives each bundled file a stable base URL, so one bundled schema
// may $ref another by file name.
func schemaURL(name string) string { return "https://schemas.sqsgate.invalid/" + name + ".json" }

type bundleOnly struct{}

func (bundleOnly) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not bundled with the function", url)
}

// Name is the schema's bundled name.
func (s *Schema) Name() string { return s.name }

// Validate checks doc, a value decoded by DecodeData, and returns what it
// breaks (nil when valid).
func (s *Schema) Validate(doc any) []Violation {
	err := s.compiled.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Violation{{Pointer: "", Rule: "schema", Message: "the document could not be validated"}}
	}
	var out []Violation
	s.leaves(ve, &out)
	if len(out) == 0 {
		out = append(out, Violation{Pointer: "", Rule: "schema", Message: "the document does not match the schema"})
	}
	return out
}

// leaves collects the innermost errors: the ones that name a field and a
// keyword, rather than "allOf failed" around them.
func (s *Schema) leaves(e *jsonschema.ValidationError, out *[]Violation) {
	if len(*out) >= maxViolationsPerItem {
		return
	}
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			s.leaves(c, out)
		}
		return
	}
	at := Pointer(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		// The failing field is the missing one, not the object holding it.
		for _, name := range k.Missing {
			*out = append(*out, Violation{Pointer: at + "/" + escapePointerToken(name), Rule: "required", Message: "required property is missing"})
		}
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			*out = append(*out, Violation{Pointer: at + "/" + escapePointerToken(name), Rule: "additionalProperties", Message: "property is not allowed by the schema"})
		}
	default:
		rule := "false"
		if kp := e.ErrorKind.KeywordPath(); len(kp) > 0 {
			rule = kp[0]
		}
		*out = append(*out, Violation{Pointer: at, Rule: rule, Message: e.ErrorKind.LocalizedString(s.printer)})
	}
	// One error may name several fields (required, additionalProperties).
	*out = (*out)[:min(len(*out), maxViolationsPerItem)]
}

// Pointer renders a path of object keys and array indexes as an RFC 6901
// JSON pointer ("" is the whole document).
func Pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointerToken(t))
	}
	return b.String()
}

func escapePointerToken(t string) string {
	if !strings.ContainsAny(t, "~/") {
		return t
	}
	// "~" first, so the "~1" written for "/" is not escaped again.
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

// DecodeData parses one item's data the way the validator expects (numbers
// kept exact as json.Number) and refuses trailing content.
func DecodeData(data []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

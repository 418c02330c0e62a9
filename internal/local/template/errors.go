package template

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrUnsupported marks something valid in CloudFormation or SAM that the
	// local platform cannot emulate faithfully.
	ErrUnsupported = errors.New("not supported locally")
	// ErrInvalid marks a template or parameter value CloudFormation itself
	// would reject.
	ErrInvalid = errors.New("invalid template")
)

// Error says which resource and property stopped the template from being
// read, and why.
type Error struct {
	Resource string // logical ID, or a section name such as "Parameters"
	Path     string // property path inside the resource, e.g. Properties.Environment.Variables.QUEUE_URL
	Reason   string
	Err      error // ErrUnsupported or ErrInvalid
}

func (e *Error) Error() string {
	where := e.Resource
	if e.Path != "" {
		where += " " + e.Path
	}
	kind := "invalid"
	if errors.Is(e.Err, ErrUnsupported) {
		kind = "not supported locally"
	}
	return fmt.Sprintf("template: %s: %s (%s)", where, e.Reason, kind)
}

func (e *Error) Unwrap() error { return e.Err }

func unsupported(path, format string, args ...any) *Error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

func invalid(path, format string, args ...any) *Error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

// unsupportedProperty is the error for property prop, a path below
// Properties, of resource id.
func unsupportedProperty(id, prop, format string, args ...any) error {
	e := unsupported("Properties."+prop, format, args...)
	e.Resource = id
	return e
}

// invalidProperty is the error for property prop, a path below Properties,
// of resource id.
func invalidProperty(id, prop, format string, args ...any) error {
	e := invalid("Properties."+prop, format, args...)
	e.Resource = id
	return e
}

// inResource fills in the resource of an *Error that does not name one yet.
func inResource(err error, resource string) error {
	var e *Error
	if errors.As(err, &e) && e.Resource == "" {
		e.Resource = resource
	}
	return err
}

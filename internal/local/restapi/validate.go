package restapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// compileModels compiles the API's models as JSON Schema draft 4, the
// draft API Gateway models use. A model may $ref another by
// "#/definitions/<name>" or the full models URL; both resolve locally.
func compileModels(models map[string][]byte) (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	for name, raw := range models {
		where := "model " + name
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, configErr(where, "not JSON: %v", err)
		}
		if err := c.AddResource(modelURL(name), doc); err != nil {
			return nil, configErr(where, "%v", err)
		}
	}
	out := make(map[string]*jsonschema.Schema, len(models))
	for name := range models {
		sch, err := c.Compile(modelURL(name))
		if err != nil {
			return nil, configErr("model "+name, "not a draft-4 JSON Schema: %v", err)
		}
		out[name] = sch
	}
	return out, nil
}

// printer renders validation messages in English.
var printer = message.NewPrinter(language.English)

func modelURL(name string) string { return "https://apigateway.local/models/" + name }

func errBadParameters(missing []string) *apiError {
	return &apiError{kind: "BAD_REQUEST_PARAMETERS", status: http.StatusBadRequest,
		message:   "Missing required request parameters: [" + strings.Join(missing, ", ") + "]",
		errorType: "BadRequestException"}
}

func errBadBody(validation string) *apiError {
	return &apiError{kind: "BAD_REQUEST_BODY", status: http.StatusBadRequest, message: "Invalid request body",
		errorType: "BadRequestException", validation: validation}
}

// validate applies the method's request validator: required parameters
// first, then the body against the model for its content type.
func (s *Server) validate(req *request) error {
	m := req.method
	if m.cfg.Validator == "" {
		return nil
	}
	v := s.valids[m.cfg.Validator]
	if v.Parameters {
		var missing []string
		for _, p := range m.required {
			if val, ok := p.eval(req, req.context); !ok || val == "" {
				missing = append(missing, p.name)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			return errBadParameters(missing)
		}
	}
	if v.Body {
		sch := m.models[mediaType(req.contentType())]
		if sch == nil {
			sch = m.models["$default"]
		}
		if sch == nil {
			return nil
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(req.body))
		if err != nil {
			return errBadBody("[Invalid JSON: " + firstLine(err.Error()) + "]")
		}
		if err := sch.Validate(doc); err != nil {
			var ve *jsonschema.ValidationError
			if errors.As(err, &ve) {
				return errBadBody(validationString(ve))
			}
			return errBadBody(fmt.Sprintf("[%v]", err))
		}
	}
	return nil
}

// validationString lists the leaf failures, in the bracketed form of
// $context.error.validationErrorString.
func validationString(ve *jsonschema.ValidationError) string {
	var leaves []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			leaves = append(leaves, loc+": "+e.ErrorKind.LocalizedString(printer))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return "[" + strings.Join(leaves, ", ") + "]"
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// mediaType is the lower-case media type of a Content-Type, application/json
// when there is none (API Gateway's default for mapping and models).
func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "" {
		return "application/json"
	}
	return mt
}

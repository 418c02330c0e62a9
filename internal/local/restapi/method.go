package restapi

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sqsgate/sqsgate/internal/local/template"
)

// method is one compiled method of a resource.
type method struct {
	cfg        *template.RestMethod
	key        string // "POST /v1/messages"
	httpMethod string
	auth       *authorizer
	required   []source // parameters a params validator requires
	models     map[string]*jsonschema.Schema
	integ      *integration
}

// integration is a compiled x-amazon-apigateway-integration.
type integration struct {
	kind        string // aws, aws_proxy, mock
	function    string // aws_proxy
	path        string // aws: the service path, <account>/<queue>
	httpMethod  string
	params      []integParam
	templates   map[string]Template // by media type
	passthrough string
	timeout     time.Duration
	responses   []*integResponse
}

// integParam maps one integration.request.<loc>.<name> from a source.
type integParam struct {
	loc, name string // querystring, header or path
	src       source
}

type integResponse struct {
	pattern   *regexp.Regexp // nil = default
	status    int
	headers   map[string]respSource
	templates map[string]Template
}

// respSource is a response parameter source: a 'literal',
// integration.response.header.<name> or integration.response.body.
type respSource struct {
	kind, name string // literal, header, body
}

func (s *Server) compileMethod(rm *template.RestMethod, models map[string]*jsonschema.Schema) (*method, error) {
	m := &method{cfg: rm, httpMethod: strings.ToUpper(rm.Method)}
	m.key = m.httpMethod + " " + rm.Path
	where := "method " + m.key
	if rm.Authorizer != "" {
		if m.auth = s.auths[rm.Authorizer]; m.auth == nil {
			return nil, configErr(where, "authorizer %q is not defined", rm.Authorizer)
		}
	}
	if rm.APIKeyRequired && len(s.keys) == 0 {
		return nil, configErr(where, "the method requires an API key but no usage plan has keys")
	}
	if rm.Validator != "" {
		if _, ok := s.valids[rm.Validator]; !ok {
			return nil, configErr(where, "request validator %q is not defined", rm.Validator)
		}
	}
	for _, name := range sortedKeys(rm.RequestParameters) {
		src, err := parseSource(name)
		if err != nil || src.kind == "context" || src.kind == "literal" || src.kind == "stageVariables" {
			return nil, configErr(where, "request parameter %q is not method.request.header|querystring|path.<name>", name)
		}
		if rm.RequestParameters[name] {
			m.required = append(m.required, src)
		}
	}
	m.models = map[string]*jsonschema.Schema{}
	for ct, name := range rm.RequestModels {
		sch, ok := models[name]
		if !ok {
			if name == "Empty" {
				continue // API Gateway's built-in empty model accepts anything
			}
			return nil, configErr(where, "model %q is not defined", name)
		}
		m.models[strings.ToLower(ct)] = sch
	}
	in, err := s.compileIntegration(rm, where)
	if err != nil {
		return nil, err
	}
	m.integ = in
	return m, nil
}

func (s *Server) compileIntegration(rm *template.RestMethod, where string) (*integration, error) {
	ri := rm.Integration
	in := &integration{kind: strings.ToLower(ri.Type), httpMethod: strings.ToUpper(ri.HTTPMethod), timeout: defaultIntegrationTimeout}
	if ri.Timeout != 0 {
		if ri.Timeout < 50*time.Millisecond || ri.Timeout > defaultIntegrationTimeout {
			return nil, configErr(where, "integration timeout %s is outside 50ms..29s", ri.Timeout)
		}
		in.timeout = ri.Timeout
	}
	switch in.kind {
	case "aws_proxy":
		if ri.Function == "" {
			return nil, configErr(where, "an aws_proxy integration needs a Lambda function URI")
		}
		if s.opts.Invoker == nil {
			return nil, configErr(where, "Options.Invoker is nil")
		}
		in.function = ri.Function
		return in, nil // proxy integrations take no mapping
	case "aws":
		if ri.Service != "sqs" || ri.Path == "" {
			return nil, configErr(where, "only AWS-service integrations with SQS by path are emulated (got service %q, path %q, action %q)", ri.Service, ri.Path, ri.Action)
		}
		if s.opts.SQSEndpoint == "" {
			return nil, configErr(where, "Options.SQSEndpoint is empty")
		}
		if in.httpMethod == "" {
			return nil, configErr(where, "an aws integration needs httpMethod")
		}
		in.path = ri.Path
	case "mock":
	default:
		return nil, configErr(where, "integration type %q is not emulated (aws, aws_proxy, mock)", ri.Type)
	}
	for _, target := range sortedKeys(ri.RequestParameters) {
		rest, ok := strings.CutPrefix(target, "integration.request.")
		loc, name, ok2 := strings.Cut(rest, ".")
		if !ok || !ok2 || name == "" || (loc != "querystring" && loc != "header" && loc != "path") {
			return nil, configErr(where, "request parameter target %q is not integration.request.querystring|header|path.<name>", target)
		}
		src, err := parseSource(ri.RequestParameters[target])
		if err != nil {
			return nil, configErr(where, "%s: %v", target, err)
		}
		if src.kind == "header" || src.kind == "querystring" || src.kind == "path" {
			// API Gateway requires a mapped method parameter to be declared.
			if _, declared := rm.RequestParameters[src.String()]; !declared {
				return nil, configErr(where, "%s maps %s, which the method does not declare", target, src)
			}
		}
		in.params = append(in.params, integParam{loc: loc, name: name, src: src})
	}
	in.templates = map[string]Template{}
	for _, ct := range sortedKeys(ri.RequestTemplates) {
		t, err := s.opts.ParseTemplate(where+" request template "+ct, ri.RequestTemplates[ct])
		if err != nil {
			return nil, configErr(where, "%v", err)
		}
		in.templates[strings.ToLower(ct)] = t
	}
	switch ri.PassthroughBehavior {
	case "", "WHEN_NO_MATCH":
		in.passthrough = "WHEN_NO_MATCH"
	case "WHEN_NO_TEMPLATES", "NEVER":
		in.passthrough = ri.PassthroughBehavior
	default:
		return nil, configErr(where, "passthroughBehavior %q", ri.PassthroughBehavior)
	}
	hasDefault := false
	for i, r := range ri.Responses {
		ir := &integResponse{status: r.StatusCode, headers: map[string]respSource{}, templates: map[string]Template{}}
		rw := fmt.Sprintf("%s response %d", where, i)
		if r.StatusCode < 100 || r.StatusCode > 599 {
			return nil, configErr(rw, "status code %d", r.StatusCode)
		}
		if p := r.SelectionPattern; p != "" && p != "default" {
			re, err := regexp.Compile("^(?:" + p + ")$")
			if err != nil {
				return nil, configErr(rw, "selectionPattern %q: %v", p, err)
			}
			ir.pattern = re
		} else {
			if hasDefault {
				return nil, configErr(rw, "two default responses")
			}
			hasDefault = true
		}
		for _, k := range sortedKeys(r.ResponseParameters) {
			name, ok := strings.CutPrefix(k, "method.response.header.")
			if !ok || name == "" {
				return nil, configErr(rw, "response parameter %q is not method.response.header.<name>", k)
			}
			rs, err := parseRespSource(r.ResponseParameters[k])
			if err != nil {
				return nil, configErr(rw, "%s: %v", k, err)
			}
			ir.headers[name] = rs
		}
		for _, ct := range sortedKeys(r.ResponseTemplates) {
			t, err := s.opts.ParseTemplate(rw+" template "+ct, r.ResponseTemplates[ct])
			if err != nil {
				return nil, configErr(rw, "%v", err)
			}
			ir.templates[strings.ToLower(ct)] = t
		}
		in.responses = append(in.responses, ir)
	}
	// The default response is chosen only when no pattern matches,
	// wherever it is declared.
	slices.SortStableFunc(in.responses, func(a, b *integResponse) int {
		return isDefault(a) - isDefault(b)
	})
	return in, nil
}

// isDefault is 1 for the default integration response, 0 otherwise.
func isDefault(r *integResponse) int {
	if r.pattern == nil {
		return 1
	}
	return 0
}

func parseRespSource(v string) (respSource, error) {
	if lit, ok := literal(v); ok {
		return respSource{kind: "literal", name: lit}, nil
	}
	if v == "integration.response.body" {
		return respSource{kind: "body"}, nil
	}
	if name, ok := strings.CutPrefix(v, "integration.response.header."); ok && name != "" {
		return respSource{kind: "header", name: name}, nil
	}
	return respSource{}, fmt.Errorf("source %q is not emulated ('literal', integration.response.header.<name>, integration.response.body)", v)
}

// sortedKeys returns m's keys in order, where output must be stable.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

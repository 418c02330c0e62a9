package restapi

import (
	"net/http"
	"strings"

	"github.com/sqsgate/sqsgate/internal/local/template"
	"github.com/sqsgate/sqsgate/internal/local/vtl"
)

// gatewayResponse is a compiled x-amazon-apigateway-gateway-responses
// entry.
type gatewayResponse struct {
	kind     string
	cfg      template.GatewayResponse
	headers  map[string]source // header name -> source
	template Template          // application/json, else the only one; nil = default body
}

var gatewayTypes = map[string]bool{
	"ACCESS_DENIED": true, "API_CONFIGURATION_ERROR": true, "AUTHORIZER_CONFIGURATION_ERROR": true,
	"AUTHORIZER_FAILURE": true, "BAD_REQUEST_PARAMETERS": true, "BAD_REQUEST_BODY": true, "DEFAULT_4XX": true,
	"DEFAULT_5XX": true, "EXPIRED_TOKEN": true, "INTEGRATION_FAILURE": true, "INTEGRATION_TIMEOUT": true,
	"INVALID_API_KEY": true, "INVALID_SIGNATURE": true, "MISSING_AUTHENTICATION_TOKEN": true,
	"QUOTA_EXCEEDED": true, "REQUEST_TOO_LARGE": true, "RESOURCE_NOT_FOUND": true, "THROTTLED": true,
	"UNAUTHORIZED": true, "UNSUPPORTED_MEDIA_TYPE": true, "WAF_FILTERED": true,
}

func (s *Server) compileGatewayResponses() (map[string]*gatewayResponse, error) {
	out := map[string]*gatewayResponse{}
	for kind, cfg := range s.api.GatewayResponses {
		where := "gateway response " + kind
		if !gatewayTypes[kind] {
			return nil, configErr(where, "unknown gateway response type")
		}
		if cfg.StatusCode != 0 && (cfg.StatusCode < 100 || cfg.StatusCode > 599) {
			return nil, configErr(where, "status code %d", cfg.StatusCode)
		}
		gr := &gatewayResponse{kind: kind, cfg: cfg, headers: map[string]source{}}
		for k, v := range cfg.ResponseParameters {
			name, ok := strings.CutPrefix(k, "gatewayresponse.header.")
			if !ok || name == "" {
				return nil, configErr(where, "response parameter %q is not gatewayresponse.header.<name>", k)
			}
			src, err := parseSource(v)
			if err != nil {
				return nil, configErr(where, "%s: %v", k, err)
			}
			gr.headers[name] = src
		}
		if len(cfg.ResponseTemplates) > 0 {
			src, ok := cfg.ResponseTemplates["application/json"]
			if !ok {
				for _, v := range cfg.ResponseTemplates {
					src = v
					break
				}
			}
			t, err := s.opts.ParseTemplate("gateway response "+kind, src)
			if err != nil {
				return nil, configErr(where, "%v", err)
			}
			gr.template = t
		}
		out[kind] = gr
	}
	return out, nil
}

// gatewayFor picks the gateway response for e: its own type, else
// DEFAULT_4XX or DEFAULT_5XX by status class.
func (s *Server) gatewayFor(e *apiError) *gatewayResponse {
	if gr := s.gateway[e.kind]; gr != nil {
		return gr
	}
	if e.status >= 500 {
		return s.gateway["DEFAULT_5XX"]
	}
	return s.gateway["DEFAULT_4XX"]
}

// render answers e through gr: its status (or the type's), headers and
// body template, with $context.error.* set.
func (gr *gatewayResponse) render(s *Server, req *request, e *apiError) (int, string, http.Header) {
	status := e.status
	if gr.cfg.StatusCode != 0 {
		status = gr.cfg.StatusCode
	}
	ctx := map[string]any{}
	var in *vtl.Input
	if req != nil {
		ctx = req.context()
	}
	msg := e.message
	ctx["error"] = map[string]any{
		"message":               msg,
		"messageString":         e.messageString(),
		"responseType":          e.kind,
		"validationErrorString": e.validation,
	}
	if req != nil {
		in = req.templateInput(req.body, ctx)
	} else {
		in = &vtl.Input{Context: ctx}
	}
	h := http.Header{}
	for name, src := range gr.headers {
		var v string
		var ok bool
		if req != nil {
			v, ok = src.eval(req, func() map[string]any { return ctx })
		} else if src.kind == "literal" {
			v, ok = src.name, true
		}
		if ok {
			h.Set(name, v)
		}
	}
	body := e.defaultBody()
	if gr.template != nil {
		out, err := gr.template.Render(in)
		if err != nil {
			s.logger.Error("gateway response template failed", "request_id", idOf(req), "type", gr.kind, "err", err)
		} else {
			body = out
		}
	}
	return status, body, h
}

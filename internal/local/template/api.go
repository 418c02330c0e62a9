package template

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

var apiProperties = map[string]bool{
	"DefinitionBody": true, "Auth": true, "CorsConfiguration": true,
	"StageName": true, "FailOnWarnings": true, "Domain": true,
	"DisableExecuteApiEndpoint": true, "StageVariables": true,
}

var apiNoop = map[string]string{
	"Description":          "",
	"Name":                 "",
	"Tags":                 "",
	"PropagateTags":        "",
	"AccessLogSettings":    "the local access log is always JSON on the terminal",
	"DefaultRouteSettings": "throttling and detailed metrics are not emulated",
	"RouteSettings":        "throttling and detailed metrics are not emulated",
}

var eventProperties = map[string]bool{
	"ApiId": true, "Path": true, "Method": true, "Auth": true,
	"TimeoutInMillis": true, "PayloadFormatVersion": true,
}

var eventNoop = map[string]string{
	"RouteSettings": "throttling and detailed metrics are not emulated",
}

// httpAPI reads the template's HTTP API: the explicit one, or SAM's
// implicit ServerlessHttpApi when function events name none.
func (l *loader) httpAPI() error {
	implicit := false
	for _, fe := range l.events {
		for _, name := range sortedKeys(fe.events) {
			ev, _ := fe.events[name].(map[string]any)
			typ := str(ev["Type"])
			if typ == "SQS" {
				continue // an event source mapping (eventsource.go)
			}
			if typ == "Api" {
				return &Error{Resource: fe.function, Path: "Properties.Events." + name + ".Type", Reason: "function Api events are not read: declare the REST method in the AWS::Serverless::Api's DefinitionBody (x-amazon-apigateway-integration aws_proxy to this function)", Err: ErrUnsupported}
			}
			if typ != "HttpApi" {
				return &Error{Resource: fe.function, Path: "Properties.Events." + name + ".Type", Reason: "event type " + typ + " is not emulated (only HttpApi and SQS)", Err: ErrUnsupported}
			}
			props, _ := ev["Properties"].(map[string]any)
			if _, ok := props["ApiId"]; !ok {
				implicit = true
			}
		}
	}
	apis := l.apis
	if implicit {
		apis = append(apis, "ServerlessHttpApi")
	}
	switch len(apis) {
	case 0:
		return nil
	case 1:
	default:
		return &Error{Resource: strings.Join(apis, ", "), Reason: "the local platform serves one HTTP API per template", Err: ErrUnsupported}
	}
	id := apis[0]
	var raw map[string]any
	if r, ok := l.doc.Resources[id].(map[string]any); ok {
		var err error
		if raw, err = properties(id, r); err != nil {
			return err
		}
	}
	if g, ok := l.doc.Globals["HttpApi"].(map[string]any); ok {
		raw = mergeGlobals(g, raw).(map[string]any)
	}
	props, err := l.resourceProperties(id, raw, apiProperties, apiNoop)
	if err != nil {
		return err
	}
	if d, ok := props["Domain"]; ok && d != nil {
		name := ""
		if m, ok := d.(map[string]any); ok {
			name = str(m["DomainName"])
		}
		return unsupportedProperty(id, "Domain", "custom domain %q cannot be served locally: it needs DNS, a TLS certificate and API Gateway's domain mapping, and the local API answers only on its own address; run locally with the parameters that enable the domain left empty", name)
	}
	if v, ok := props["DisableExecuteApiEndpoint"]; ok && str(v) == "true" {
		return unsupportedProperty(id, "DisableExecuteApiEndpoint", "the API would answer only on a custom domain, which cannot be served locally")
	}
	if v, ok := props["StageVariables"].(map[string]any); ok && len(v) > 0 {
		return unsupportedProperty(id, "StageVariables", "stage variables are not emulated")
	}
	api := &HTTPAPI{
		LogicalID:   id,
		ID:          l.opts.APIID,
		StageName:   "$default",
		Authorizers: map[string]Authorizer{},
	}
	if v, ok := props["StageName"]; ok {
		api.StageName = str(v)
	}
	if v, ok := props["FailOnWarnings"]; ok {
		api.FailOnWarnings = str(v) == "true"
	}
	if err := l.auth(api, props["Auth"]); err != nil {
		return err
	}
	if v, ok := props["CorsConfiguration"]; ok {
		cors, err := corsConfig(v)
		if err != nil {
			return invalidProperty(id, "CorsConfiguration", "%v", err)
		}
		api.Cors = cors
	}
	if body, ok := props["DefinitionBody"]; ok {
		if err := l.definitionBody(api, body); err != nil {
			return inResource(err, id)
		}
	}
	for _, fe := range l.events {
		if err := l.functionRoutes(api, fe); err != nil {
			return err
		}
	}
	sort.SliceStable(api.Routes, func(i, j int) bool {
		if api.Routes[i].Path != api.Routes[j].Path {
			return api.Routes[i].Path < api.Routes[j].Path
		}
		return api.Routes[i].Method < api.Routes[j].Method
	})
	l.app.API = api
	return nil
}

// auth reads Auth.Authorizers and Auth.DefaultAuthorizer.
func (l *loader) auth(api *HTTPAPI, v any) error {
	if v == nil {
		return nil
	}
	fail := func(path, format string, args ...any) error {
		return invalidProperty(api.LogicalID, "Auth."+path, format, args...)
	}
	auth, ok := v.(map[string]any)
	if !ok {
		return fail("", "Auth is not a mapping")
	}
	for _, k := range sortedKeys(auth) {
		switch k {
		case "Authorizers", "DefaultAuthorizer":
		case "EnableIamAuthorizer":
			if str(auth[k]) == "true" {
				return unsupportedProperty(api.LogicalID, "Auth.EnableIamAuthorizer", "IAM (SigV4) authorization is not emulated")
			}
		default:
			return unsupportedProperty(api.LogicalID, "Auth."+k, "Auth property %s is not emulated", k)
		}
	}
	authorizers, _ := auth["Authorizers"].(map[string]any)
	for _, name := range sortedKeys(authorizers) {
		a, ok := authorizers[name].(map[string]any)
		if !ok {
			return fail("Authorizers."+name, "authorizer is not a mapping")
		}
		path := "Authorizers." + name
		z := Authorizer{Name: name}
		if arn, ok := a["FunctionArn"]; ok {
			z.Type = "lambda"
			fn, ok := l.functionFromARN(str(arn))
			if !ok {
				return fail(path+".FunctionArn", "%q is not the ARN of a function in this template", str(arn))
			}
			z.Function = fn
			z.PayloadFormatVersion = str(a["AuthorizerPayloadFormatVersion"])
			if z.PayloadFormatVersion != "1.0" && z.PayloadFormatVersion != "2.0" {
				return fail(path+".AuthorizerPayloadFormatVersion", "must be 1.0 or 2.0")
			}
			z.EnableSimpleResponses = str(a["EnableSimpleResponses"]) == "true"
			if z.EnableSimpleResponses && z.PayloadFormatVersion != "2.0" {
				return fail(path+".EnableSimpleResponses", "simple responses need payload format 2.0")
			}
			if id, ok := a["Identity"].(map[string]any); ok {
				for _, src := range []struct{ key, prefix string }{
					{"Headers", "$request.header."},
					{"QueryStrings", "$request.querystring."},
					{"Context", "$context."},
					{"StageVariables", "$stageVariables."},
				} {
					items, _ := id[src.key].([]any)
					for _, item := range items {
						z.IdentitySource = append(z.IdentitySource, src.prefix+str(item))
					}
				}
				if len(z.IdentitySource) > 0 {
					// API Gateway's default when identity sources are set.
					z.ResultTTL = 300 * time.Second
				}
				if v, ok := id["ReauthorizeEvery"]; ok {
					n, err := strconv.Atoi(str(v))
					if err != nil || n < 0 || n > 3600 {
						return fail(path+".Identity.ReauthorizeEvery", "must be 0..3600 seconds")
					}
					z.ResultTTL = time.Duration(n) * time.Second
				}
			}
			if z.ResultTTL > 0 && len(z.IdentitySource) == 0 {
				return fail(path+".Identity", "caching needs at least one identity source")
			}
		} else if jc, ok := a["JwtConfiguration"].(map[string]any); ok {
			z.Type = "jwt"
			z.JWTIssuer = str(jc["issuer"])
			switch aud := jc["audience"].(type) {
			case []any:
				for _, x := range aud {
					z.JWTAudience = append(z.JWTAudience, str(x))
				}
			case string:
				z.JWTAudience = []string{aud}
			}
			if z.JWTIssuer == "" || len(z.JWTAudience) == 0 {
				return fail(path+".JwtConfiguration", "issuer and audience are required")
			}
			src := str(a["IdentitySource"])
			if src == "" {
				src = "$request.header.Authorization"
			}
			z.IdentitySource = []string{src}
		} else {
			return fail(path, "authorizer has neither FunctionArn (Lambda) nor JwtConfiguration (JWT)")
		}
		if scopes, ok := a["AuthorizationScopes"].([]any); ok {
			for _, s := range scopes {
				z.AuthorizationScopes = append(z.AuthorizationScopes, str(s))
			}
		}
		api.Authorizers[name] = z
	}
	if d, ok := auth["DefaultAuthorizer"]; ok {
		api.DefaultAuthorizer = str(d)
		if _, ok := api.Authorizers[api.DefaultAuthorizer]; !ok {
			return fail("DefaultAuthorizer", "names no authorizer in Auth.Authorizers: %s", api.DefaultAuthorizer)
		}
	}
	return nil
}

// functionARN matches a Lambda function ARN, alone or inside an API
// Gateway integration URI.
var functionARN = regexp.MustCompile(`:function:([A-Za-z0-9_-]+)`)

func (l *loader) functionFromARN(arn string) (string, bool) {
	m := functionARN.FindStringSubmatch(arn)
	if m == nil {
		return "", false
	}
	for _, f := range l.app.Functions {
		if f.LogicalID == m[1] {
			return m[1], true
		}
	}
	return "", false
}

func corsConfig(v any) (*Cors, error) {
	if b, ok := v.(bool); ok {
		if !b {
			return nil, nil
		}
		return &Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("CorsConfiguration is neither a boolean nor a mapping")
	}
	c := &Cors{}
	lists := map[string]*[]string{
		"AllowOrigins": &c.AllowOrigins, "AllowMethods": &c.AllowMethods,
		"AllowHeaders": &c.AllowHeaders, "ExposeHeaders": &c.ExposeHeaders,
	}
	for _, k := range sortedKeys(m) {
		if dst, ok := lists[k]; ok {
			items, ok := m[k].([]any)
			if !ok {
				return nil, fmt.Errorf("%s is not a list", k)
			}
			for _, item := range items {
				if s := str(item); s != "" {
					*dst = append(*dst, s)
				}
			}
			continue
		}
		switch k {
		case "AllowCredentials":
			c.AllowCredentials = str(m[k]) == "true"
		case "MaxAge":
			n, err := strconv.Atoi(str(m[k]))
			if err != nil {
				return nil, fmt.Errorf("MaxAge %q is not an integer", str(m[k]))
			}
			c.MaxAge = n
		default:
			return nil, fmt.Errorf("unknown CORS property %s", k)
		}
	}
	if c.AllowCredentials {
		for _, o := range c.AllowOrigins {
			if strings.Contains(o, "*") {
				return nil, fmt.Errorf("AllowCredentials with a wildcard origin %q is refused by API Gateway", o)
			}
		}
	}
	return c, nil
}

var openAPIMethods = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE",
	"patch": "PATCH", "head": "HEAD", "options": "OPTIONS",
	"x-amazon-apigateway-any-method": "ANY",
}

var sqsSubtypes = map[string]bool{
	"SQS-SendMessage": true, "SQS-ReceiveMessage": true,
	"SQS-DeleteMessage": true, "SQS-PurgeQueue": true,
}

// definitionBody reads the routes of an OpenAPI 3 DefinitionBody.
func (l *loader) definitionBody(api *HTTPAPI, v any) error {
	body, ok := v.(map[string]any)
	if !ok {
		return invalid("Properties.DefinitionBody", "DefinitionBody is not a mapping")
	}
	if !strings.HasPrefix(str(body["openapi"]), "3.") {
		return unsupported("Properties.DefinitionBody.openapi", "only OpenAPI 3 definitions are read (HTTP APIs use OpenAPI 3)")
	}
	paths, _ := body["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		ops, ok := paths[p].(map[string]any)
		if !ok {
			return invalid("Properties.DefinitionBody.paths."+p, "path item is not a mapping")
		}
		for _, m := range sortedKeys(ops) {
			method, ok := openAPIMethods[m]
			if !ok {
				continue // summary, parameters, servers...
			}
			at := "Properties.DefinitionBody.paths." + p + "." + m
			op, _ := ops[m].(map[string]any)
			integ, ok := op["x-amazon-apigateway-integration"].(map[string]any)
			if !ok {
				// SAM adds the integration from a function's HttpApi event.
				continue
			}
			route := Route{Method: method, Path: p, Source: "DefinitionBody " + method + " " + p}
			in, err := l.integration(integ, at+".x-amazon-apigateway-integration")
			if err != nil {
				return err
			}
			route.Integration = in
			if err := l.routeSecurity(api, &route, op["security"], at+".security"); err != nil {
				return err
			}
			if err := addRoute(api, route); err != nil {
				return invalid(at, "%v", err)
			}
		}
	}
	return nil
}

func (l *loader) integration(m map[string]any, at string) (Integration, error) {
	typ := strings.ToLower(str(m["type"]))
	in := Integration{
		PayloadFormatVersion: str(m["payloadFormatVersion"]),
		CredentialsARN:       str(m["credentials"]),
	}
	if v, ok := m["timeoutInMillis"]; ok {
		if in.Timeout, ok = integrationTimeout(v); !ok {
			return in, invalid(at+".timeoutInMillis", "must be 50..30000")
		}
	}
	if typ != "aws_proxy" {
		return in, unsupported(at+".type", "integration type %q is not emulated (only aws_proxy to Lambda or SQS)", str(m["type"]))
	}
	if sub := str(m["integrationSubtype"]); sub != "" {
		if !sqsSubtypes[sub] {
			return in, unsupported(at+".integrationSubtype", "integration subtype %s is not emulated (SQS-SendMessage, SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue are)", sub)
		}
		if in.PayloadFormatVersion != "1.0" {
			return in, invalid(at+".payloadFormatVersion", "AWS service integrations take payload format 1.0")
		}
		in.Type = "sqs"
		in.Subtype = sub
		params, _ := m["requestParameters"].(map[string]any)
		in.RequestParameters = map[string]string{}
		for k, v := range params {
			if _, nested := v.(map[string]any); nested {
				return in, invalid(at+".requestParameters."+k, "value is not a string")
			}
			in.RequestParameters[k] = str(v)
		}
		if in.RequestParameters["QueueUrl"] == "" {
			return in, invalid(at+".requestParameters.QueueUrl", "QueueUrl is required")
		}
		return in, nil
	}
	fn, ok := l.functionFromARN(str(m["uri"]))
	if !ok {
		return in, unsupported(at+".uri", "integration uri %q is not a function of this template", str(m["uri"]))
	}
	in.Type = "lambda"
	in.Function = fn
	if in.PayloadFormatVersion == "" {
		in.PayloadFormatVersion = "2.0"
	}
	return in, nil
}

// integrationTimeout reads an integration's timeout in milliseconds,
// which HTTP API bounds to 50..30000.
func integrationTimeout(v any) (time.Duration, bool) {
	n, err := strconv.Atoi(str(v))
	if err != nil || n < 50 || n > 30000 {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// routeSecurity reads an OpenAPI security requirement naming one of the
// API's authorizers; none means the DefaultAuthorizer.
func (l *loader) routeSecurity(api *HTTPAPI, r *Route, v any, at string) error {
	reqs, _ := v.([]any)
	for _, req := range reqs {
		m, _ := req.(map[string]any)
		for _, name := range sortedKeys(m) {
			if _, ok := api.Authorizers[name]; !ok {
				return invalid(at, "security names %s, which is not in Auth.Authorizers", name)
			}
			if r.Authorizer != "" && r.Authorizer != name {
				return unsupported(at, "several authorizers on one route (%s, %s)", r.Authorizer, name)
			}
			r.Authorizer = name
			scopes, _ := m[name].([]any)
			for _, s := range scopes {
				r.AuthorizationScopes = append(r.AuthorizationScopes, str(s))
			}
		}
	}
	if r.Authorizer == "" {
		r.Authorizer = api.DefaultAuthorizer
	}
	r.AuthorizationScopes = defaultScopes(api, r)
	return nil
}

func defaultScopes(api *HTTPAPI, r *Route) []string {
	if len(r.AuthorizationScopes) > 0 || r.Authorizer == "" {
		return r.AuthorizationScopes
	}
	return api.Authorizers[r.Authorizer].AuthorizationScopes
}

// functionRoutes adds the routes of a function's HttpApi events.
func (l *loader) functionRoutes(api *HTTPAPI, fe functionEvents) error {
	for _, name := range sortedKeys(fe.events) {
		ev, _ := fe.events[name].(map[string]any)
		if str(ev["Type"]) == "SQS" {
			continue
		}
		at := "Events." + name + ".Properties"
		props, _ := ev["Properties"].(map[string]any)
		fail := func(prop, format string, args ...any) error {
			return invalidProperty(fe.function, join(at, prop), format, args...)
		}
		for _, k := range sortedKeys(props) {
			if eventProperties[k] {
				continue
			}
			if _, ok := eventNoop[k]; ok {
				l.note(fe.function, "event "+name+": "+k+": "+eventNoop[k])
				continue
			}
			return unsupportedProperty(fe.function, join(at, k), "HttpApi event property %s is not emulated", k)
		}
		apiID := "ServerlessHttpApi"
		if v, ok := props["ApiId"]; ok {
			// Resolved already: the local API id; the event can only name
			// the template's one HTTP API.
			if str(v) != l.opts.APIID {
				return fail("ApiId", "is not a Ref to the template's HttpApi")
			}
			apiID = api.LogicalID
		}
		if apiID != api.LogicalID {
			return fail("ApiId", "names %s, not %s", apiID, api.LogicalID)
		}
		path, method := str(props["Path"]), strings.ToUpper(str(props["Method"]))
		if path == "" || method == "" {
			return unsupportedProperty(fe.function, at, "the $default route (no Path and Method) is not emulated")
		}
		if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
			method = "ANY"
		}
		r := Route{
			Method: method,
			Path:   path,
			Source: fe.function + " event " + name,
			Integration: Integration{
				Type:                 "lambda",
				Function:             fe.function,
				PayloadFormatVersion: "2.0",
			},
		}
		if v, ok := props["PayloadFormatVersion"]; ok {
			r.Integration.PayloadFormatVersion = str(v)
		}
		if v, ok := props["TimeoutInMillis"]; ok {
			if r.Integration.Timeout, ok = integrationTimeout(v); !ok {
				return fail("TimeoutInMillis", "must be 50..30000")
			}
		}
		r.Authorizer = api.DefaultAuthorizer
		if auth, ok := props["Auth"].(map[string]any); ok {
			if a, ok := auth["Authorizer"]; ok {
				switch name := str(a); name {
				case "NONE":
					r.Authorizer = ""
				default:
					if _, ok := api.Authorizers[name]; !ok {
						return fail("Auth.Authorizer", "names %s, which is not in %s's Auth.Authorizers", name, api.LogicalID)
					}
					r.Authorizer = name
				}
			}
			if scopes, ok := auth["AuthorizationScopes"].([]any); ok {
				for _, s := range scopes {
					r.AuthorizationScopes = append(r.AuthorizationScopes, str(s))
				}
			}
		}
		r.AuthorizationScopes = defaultScopes(api, &r)
		if err := addRoute(api, r); err != nil {
			return invalidProperty(fe.function, at, "%v", err)
		}
	}
	return nil
}

func addRoute(api *HTTPAPI, r Route) error {
	for _, existing := range api.Routes {
		if existing.Key() == r.Key() {
			return fmt.Errorf("route %s is declared twice (%s and %s)", r.Key(), existing.Source, r.Source)
		}
	}
	api.Routes = append(api.Routes, r)
	return nil
}

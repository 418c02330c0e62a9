package template

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var restAPIProperties = map[string]bool{
	"DefinitionBody": true, "StageName": true, "BinaryMediaTypes": true,
	"ApiKeySourceType": true, "GatewayResponses": true, "Models": true,
	"Domain": true, "DisableExecuteApiEndpoint": true, "Variables": true,
	"Auth": true, "Cors": true, "DefinitionUri": true,
}

var restAPINoop = map[string]string{
	"Name":                   "",
	"Description":            "",
	"Tags":                   "",
	"PropagateTags":          "",
	"OpenApiVersion":         "",
	"FailOnWarnings":         "",
	"Mode":                   "",
	"AlwaysDeploy":           "",
	"EndpointConfiguration":  "the local API answers on its own address whatever the endpoint type",
	"TracingEnabled":         "no X-Ray locally",
	"MethodSettings":         "stage throttling, metrics and caching are not emulated; usage plans are",
	"AccessLogSetting":       "the local access log is always JSON on the terminal",
	"CacheClusterEnabled":    "no API cache locally",
	"CacheClusterSize":       "no API cache locally",
	"MinimumCompressionSize": "responses are not compressed locally",
	"CanarySetting":          "no canary deployments locally",
}

// restAPI reads the template's AWS::Serverless::Api, if any, with the usage
// plans and API keys tied to it.
func (l *loader) restAPI() error {
	switch len(l.restAPIs) {
	case 0:
		if len(l.usagePlans) > 0 {
			return &Error{Resource: l.usagePlans[0], Path: "Properties.ApiStages", Reason: "usage plan for a REST API, and the template has no AWS::Serverless::Api on", Err: ErrInvalid}
		}
		return nil
	case 1:
	default:
		return &Error{Resource: strings.Join(l.restAPIs, ", "), Reason: "the local platform serves one REST API per template", Err: ErrUnsupported}
	}
	id := l.restAPIs[0]
	if l.app.API != nil {
		return &Error{Resource: l.app.API.LogicalID + ", " + id, Reason: "the local platform serves one API per template, an HTTP API or a REST API (make the two conditional on a parameter, as template.yaml's ApiType does)", Err: ErrUnsupported}
	}
	raw, err := properties(id, l.doc.Resources[id].(map[string]any))
	if err != nil {
		return err
	}
	if g, ok := l.doc.Globals["Api"].(map[string]any); ok {
		raw = mergeGlobals(g, raw).(map[string]any)
	}
	props, err := l.resourceProperties(id, raw, restAPIProperties, restAPINoop)
	if err != nil {
		return err
	}
	if err := l.restRefusals(id, props); err != nil {
		return err
	}
	api := &RestAPI{
		LogicalID:        id,
		ID:               l.opts.APIID,
		StageName:        str(props["StageName"]),
		Authorizers:      map[string]RestAuthorizer{},
		Validators:       map[string]RequestValidator{},
		Models:           map[string][]byte{},
		GatewayResponses: map[string]GatewayResponse{},
		APIKeySource:     "HEADER",
	}
	if api.StageName == "" {
		return invalidProperty(id, "StageName", "an AWS::Serverless::Api needs a StageName")
	}
	if v, ok := props["ApiKeySourceType"]; ok {
		if api.APIKeySource, err = apiKeySource(v); err != nil {
			return invalidProperty(id, "ApiKeySourceType", "%v", err)
		}
	}
	if v, ok := props["BinaryMediaTypes"]; ok {
		items, _ := v.([]any)
		for _, item := range items {
			// SAM escapes "/" as "~1" in this property.
			api.BinaryMediaTypes = append(api.BinaryMediaTypes, strings.ReplaceAll(str(item), "~1", "/"))
		}
	}
	body, ok := props["DefinitionBody"].(map[string]any)
	if !ok {
		return unsupportedProperty(id, "DefinitionBody", "the local platform reads a REST API's methods from an inline OpenAPI DefinitionBody (function Api events are not read)")
	}
	d := &restDoc{l: l, api: api, body: body, at: "Properties.DefinitionBody"}
	if err := d.read(); err != nil {
		return inResource(err, id)
	}
	if err := l.samModels(api, props["Models"]); err != nil {
		return err
	}
	if err := l.samGatewayResponses(api, props["GatewayResponses"]); err != nil {
		return err
	}
	slices.SortFunc(api.Methods, func(a, b RestMethod) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Method, b.Method))
	})
	l.app.RestAPI = api
	return l.usagePlansOf(api)
}

// restRefusals refuses the AWS::Serverless::Api properties whose absence
// would change what the API does.
func (l *loader) restRefusals(id string, props map[string]any) error {
	if d, ok := props["Domain"]; ok && d != nil {
		name := ""
		if m, ok := d.(map[string]any); ok {
			name = str(m["DomainName"])
		}
		return unsupportedProperty(id, "Domain", "custom domain %q cannot be served locally: it needs DNS, a TLS certificate and API Gateway's base path mapping, and the local API answers only on its own address; run locally with the parameters that enable the domain left empty", name)
	}
	if v, ok := props["DisableExecuteApiEndpoint"]; ok && str(v) == "true" {
		return unsupportedProperty(id, "DisableExecuteApiEndpoint", "the API would answer only on a custom domain, which cannot be served locally")
	}
	if v, ok := props["Variables"].(map[string]any); ok && len(v) > 0 {
		return unsupportedProperty(id, "Variables", "stage variables are not emulated")
	}
	if v, ok := props["Auth"].(map[string]any); ok && len(v) > 0 {
		return unsupportedProperty(id, "Auth", "SAM's Auth block is not read for REST APIs: declare authorizers and API keys as securitySchemes in the DefinitionBody (x-amazon-apigateway-authorizer) and usage plans as AWS::ApiGateway::UsagePlan resources")
	}
	if v, ok := props["Cors"]; ok && v != nil {
		return unsupportedProperty(id, "Cors", "SAM's Cors adds mock OPTIONS methods the local platform does not generate; declare the OPTIONS methods in the DefinitionBody")
	}
	if _, ok := props["DefinitionUri"]; ok {
		return unsupportedProperty(id, "DefinitionUri", "the local platform reads only an inline DefinitionBody")
	}
	return nil
}

func apiKeySource(v any) (string, error) {
	s := strings.ToUpper(str(v))
	if s != "HEADER" && s != "AUTHORIZER" {
		return "", fmt.Errorf("API key source %q is neither HEADER nor AUTHORIZER", str(v))
	}
	return s, nil
}

// restDoc reads one OpenAPI 3 (or Swagger 2) DefinitionBody of a REST API.
type restDoc struct {
	l    *loader
	api  *RestAPI
	body map[string]any
	at   string
	// swagger is true for a Swagger 2.0 body (definitions,
	// securityDefinitions, body parameters).
	swagger bool
	// apiKeySchemes are the security schemes that stand for API Gateway's
	// API key (type apiKey, no authorizer).
	apiKeySchemes map[string]bool
	// defaultValidator is the API-level x-amazon-apigateway-request-validator.
	defaultValidator string
	defaultSecurity  any
	hasDefaultSec    bool
	consumes         []string
}

// restTopLevel are the DefinitionBody's keys with no local effect beyond
// what read takes from them.
var restTopLevel = map[string]bool{
	"openapi": true, "swagger": true, "info": true, "paths": true,
	"components": true, "definitions": true, "securityDefinitions": true,
	"security": true, "servers": true, "host": true, "basePath": true,
	"schemes": true, "consumes": true, "produces": true, "tags": true,
	"externalDocs": true, "parameters": true, "responses": true,
}

// restExtensionNotes are API-level extensions accepted without local effect.
var restExtensionNotes = map[string]string{
	"x-amazon-apigateway-minimum-compression-size": "responses are not compressed locally",
	"x-amazon-apigateway-endpoint-configuration":   "the local API answers on its own address whatever the endpoint type",
	"x-amazon-apigateway-documentation":            "",
	"x-amazon-apigateway-tag-value":                "",
	"x-amazon-apigateway-importexport-version":     "",
	"x-amazon-apigateway-api-key-source":           "",
	"x-amazon-apigateway-request-validators":       "",
	"x-amazon-apigateway-request-validator":        "",
	"x-amazon-apigateway-gateway-responses":        "",
	"x-amazon-apigateway-policy":                   "",
	"x-amazon-apigateway-binary-media-types":       "",
}

func (d *restDoc) read() error {
	d.swagger = str(d.body["swagger"]) == "2.0"
	if !d.swagger && !strings.HasPrefix(str(d.body["openapi"]), "3.") {
		return unsupported(d.at, "a REST API's DefinitionBody must be OpenAPI 3 (openapi: 3.0.x) or Swagger 2.0")
	}
	for _, k := range sortedKeys(d.body) {
		if restTopLevel[k] {
			continue
		}
		if reason, ok := restExtensionNotes[k]; ok {
			if reason != "" {
				d.l.note(d.api.LogicalID, "no local effect: DefinitionBody "+k+" ("+reason+")")
			}
			continue
		}
		if strings.HasPrefix(k, "x-amazon-apigateway-") {
			return unsupported(join(d.at, k), "API Gateway extension %s is not emulated", k)
		}
	}
	if bp := str(d.body["basePath"]); bp != "" && bp != "/" {
		d.l.note(d.api.LogicalID, "no local effect: DefinitionBody basePath "+bp+" (ignored, as API Gateway's import does by default)")
	}
	if v, ok := d.body["x-amazon-apigateway-api-key-source"]; ok {
		s, err := apiKeySource(v)
		if err != nil {
			return invalid(join(d.at, "x-amazon-apigateway-api-key-source"), "%v", err)
		}
		d.api.APIKeySource = s
	}
	if v, ok := d.body["x-amazon-apigateway-binary-media-types"]; ok {
		items, ok := v.([]any)
		if !ok {
			return invalid(join(d.at, "x-amazon-apigateway-binary-media-types"), "not a list")
		}
		for _, item := range items {
			d.api.BinaryMediaTypes = append(d.api.BinaryMediaTypes, str(item))
		}
	}
	if v, ok := d.body["x-amazon-apigateway-policy"]; ok {
		m, ok := v.(map[string]any)
		if !ok || m["Statement"] == nil {
			return invalid(join(d.at, "x-amazon-apigateway-policy"), "a resource policy is an IAM policy document with a Statement")
		}
		d.api.Policy, _ = json.Marshal(m)
	}
	for _, c := range listOf(d.body["consumes"]) {
		d.consumes = append(d.consumes, str(c))
	}
	if err := d.validators(); err != nil {
		return err
	}
	if err := d.models(); err != nil {
		return err
	}
	if err := d.securitySchemes(); err != nil {
		return err
	}
	if err := d.gatewayResponses(); err != nil {
		return err
	}
	d.defaultSecurity, d.hasDefaultSec = d.body["security"]
	return d.paths()
}

func (d *restDoc) validators() error {
	at := join(d.at, "x-amazon-apigateway-request-validators")
	vs, ok := d.body["x-amazon-apigateway-request-validators"]
	if ok {
		m, ok := vs.(map[string]any)
		if !ok {
			return invalid(at, "not a mapping of validator names")
		}
		for _, name := range sortedKeys(m) {
			v, ok := m[name].(map[string]any)
			if !ok {
				return invalid(join(at, name), "a validator is a mapping")
			}
			for _, k := range sortedKeys(v) {
				if k != "validateRequestBody" && k != "validateRequestParameters" {
					return invalid(join(at, name+"."+k), "a validator has validateRequestBody and validateRequestParameters only")
				}
			}
			d.api.Validators[name] = RequestValidator{
				Body:       str(v["validateRequestBody"]) == "true",
				Parameters: str(v["validateRequestParameters"]) == "true",
			}
		}
	}
	if v, ok := d.body["x-amazon-apigateway-request-validator"]; ok {
		d.defaultValidator = str(v)
		if _, ok := d.api.Validators[d.defaultValidator]; !ok {
			return invalid(join(d.at, "x-amazon-apigateway-request-validator"), "names no validator of x-amazon-apigateway-request-validators: %s", d.defaultValidator)
		}
	}
	return nil
}

// modelRef is the prefix of a $ref to a model: components.schemas in
// OpenAPI 3, definitions in Swagger 2.
func (d *restDoc) modelRef() string {
	if d.swagger {
		return "#/definitions/"
	}
	return "#/components/schemas/"
}

func (d *restDoc) models() error {
	var schemas map[string]any
	at := "definitions"
	if d.swagger {
		schemas, _ = d.body["definitions"].(map[string]any)
	} else {
		comps, _ := d.body["components"].(map[string]any)
		schemas, _ = comps["schemas"].(map[string]any)
		at = "components.schemas"
	}
	for _, name := range sortedKeys(schemas) {
		if _, ok := schemas[name].(map[string]any); !ok {
			return invalid(join(d.at, at+"."+name), "a model is a JSON Schema object")
		}
		b, err := json.Marshal(schemas[name])
		if err != nil {
			return invalid(join(d.at, at+"."+name), "model is not JSON: %v", err)
		}
		d.api.Models[name] = b
	}
	return nil
}

// restAuthorizerKeys are the keys of x-amazon-apigateway-authorizer the
// local platform reads.
var restAuthorizerKeys = map[string]bool{
	"type": true, "authorizerUri": true, "identitySource": true,
	"authorizerResultTtlInSeconds": true, "authorizerCredentials": true,
}

func (d *restDoc) securitySchemes() error {
	var schemes map[string]any
	at := d.at
	if d.swagger {
		schemes, _ = d.body["securityDefinitions"].(map[string]any)
		at = join(at, "securityDefinitions")
	} else {
		comps, _ := d.body["components"].(map[string]any)
		schemes, _ = comps["securitySchemes"].(map[string]any)
		at = join(at, "components.securitySchemes")
	}
	d.apiKeySchemes = map[string]bool{}
	for _, name := range sortedKeys(schemes) {
		sat := join(at, name)
		s, ok := schemes[name].(map[string]any)
		if !ok {
			return invalid(sat, "a security scheme is a mapping")
		}
		if str(s["type"]) != "apiKey" {
			return unsupported(join(sat, "type"), "security scheme type %q is not emulated (API Gateway REST APIs take apiKey schemes: the API key, or a Lambda authorizer)", str(s["type"]))
		}
		authType := strings.ToLower(str(s["x-amazon-apigateway-authtype"]))
		for _, k := range sortedKeys(s) {
			switch k {
			case "type", "name", "in", "description", "x-amazon-apigateway-authtype", "x-amazon-apigateway-authorizer":
			default:
				if strings.HasPrefix(k, "x-amazon-apigateway-") {
					return unsupported(join(sat, k), "API Gateway extension %s is not emulated", k)
				}
			}
		}
		z, ok := s["x-amazon-apigateway-authorizer"].(map[string]any)
		if !ok {
			if authType == "awssigv4" {
				return unsupported(sat, "IAM (SigV4) authorization is not emulated")
			}
			if !strings.EqualFold(str(s["name"]), "x-api-key") || str(s["in"]) != "header" {
				return unsupported(sat, "an apiKey scheme without x-amazon-apigateway-authorizer must be API Gateway's API key (name: x-api-key, in: header)")
			}
			d.apiKeySchemes[name] = true
			continue
		}
		a, err := d.authorizer(name, s, z, join(sat, "x-amazon-apigateway-authorizer"))
		if err != nil {
			return err
		}
		d.api.Authorizers[name] = a
	}
	return nil
}

// identitySourcePattern is one identity source of a REQUEST authorizer.
var identitySourcePattern = regexp.MustCompile(`^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[^\s,]+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$`)

func (d *restDoc) authorizer(name string, scheme, z map[string]any, at string) (RestAuthorizer, error) {
	a := RestAuthorizer{Name: name, Type: strings.ToLower(str(z["type"])), ResultTTL: 300 * time.Second}
	for _, k := range sortedKeys(z) {
		if !restAuthorizerKeys[k] {
			return a, unsupported(join(at, k), "authorizer property %s is not emulated", k)
		}
	}
	switch a.Type {
	case "request", "token":
	case "cognito_user_pools":
		return a, unsupported(join(at, "type"), "Cognito user pool authorizers are not emulated; use a REQUEST Lambda authorizer (as template.yaml's CognitoRequestAuthorizer does)")
	default:
		return a, invalid(join(at, "type"), "authorizer type %q is not token, request or cognito_user_pools", str(z["type"]))
	}
	fn, ok := d.l.functionFromARN(str(z["authorizerUri"]))
	if !ok {
		return a, invalid(join(at, "authorizerUri"), "%q is not the invocation URI of a function in this template", str(z["authorizerUri"]))
	}
	a.Function = fn
	if v, ok := z["authorizerResultTtlInSeconds"]; ok {
		n, err := strconv.Atoi(str(v))
		if err != nil || n < 0 || n > 3600 {
			return a, invalid(join(at, "authorizerResultTtlInSeconds"), "must be 0..3600 seconds")
		}
		a.ResultTTL = time.Duration(n) * time.Second
	}
	src := str(z["identitySource"])
	if src == "" && a.Type == "token" {
		// A TOKEN authorizer reads the scheme's header.
		src = "method.request.header." + str(scheme["name"])
	}
	for _, s := range strings.Split(src, ",") {
		if s = strings.TrimSpace(s); s != "" {
			a.IdentitySource = append(a.IdentitySource, s)
		}
	}
	for _, s := range a.IdentitySource {
		if !identitySourcePattern.MatchString(s) {
			return a, invalid(join(at, "identitySource"), "%q is not an identity source (method.request.header.X, method.request.querystring.X, context.X, stageVariables.X)", s)
		}
	}
	if a.Type == "token" && (len(a.IdentitySource) != 1 || !strings.HasPrefix(a.IdentitySource[0], "method.request.header.")) {
		return a, invalid(join(at, "identitySource"), "a TOKEN authorizer reads exactly one header")
	}
	if a.Type == "request" && a.ResultTTL > 0 && len(a.IdentitySource) == 0 {
		return a, invalid(join(at, "identitySource"), "a REQUEST authorizer with caching needs at least one identity source")
	}
	return a, nil
}

var gatewayResponseTypes = map[string]bool{
	"ACCESS_DENIED": true, "API_CONFIGURATION_ERROR": true, "AUTHORIZER_CONFIGURATION_ERROR": true,
	"AUTHORIZER_FAILURE": true, "BAD_REQUEST_PARAMETERS": true, "BAD_REQUEST_BODY": true,
	"DEFAULT_4XX": true, "DEFAULT_5XX": true, "EXPIRED_TOKEN": true, "INTEGRATION_FAILURE": true,
	"INTEGRATION_TIMEOUT": true, "INVALID_API_KEY": true, "INVALID_SIGNATURE": true,
	"MISSING_AUTHENTICATION_TOKEN": true, "QUOTA_EXCEEDED": true, "REQUEST_TOO_LARGE": true,
	"RESOURCE_NOT_FOUND": true, "THROTTLED": true, "UNAUTHORIZED": true,
	"UNSUPPORTED_MEDIA_TYPE": true, "WAF_FILTERED": true,
}

func (d *restDoc) gatewayResponses() error {
	at := join(d.at, "x-amazon-apigateway-gateway-responses")
	v, ok := d.body["x-amazon-apigateway-gateway-responses"]
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalid(at, "not a mapping of response types")
	}
	for _, typ := range sortedKeys(m) {
		rat := join(at, typ)
		if !gatewayResponseTypes[typ] {
			return invalid(rat, "%s is not an API Gateway response type", typ)
		}
		r, ok := m[typ].(map[string]any)
		if !ok {
			return invalid(rat, "a gateway response is a mapping")
		}
		var g GatewayResponse
		for _, k := range sortedKeys(r) {
			var err error
			switch k {
			case "statusCode":
				if g.StatusCode, err = statusCode(r[k]); err != nil {
					return invalid(join(rat, k), "%v", err)
				}
			case "responseParameters":
				if g.ResponseParameters, err = stringMap(r[k]); err != nil {
					return invalid(join(rat, k), "%v", err)
				}
			case "responseTemplates":
				if g.ResponseTemplates, err = stringMap(r[k]); err != nil {
					return invalid(join(rat, k), "%v", err)
				}
			default:
				return invalid(join(rat, k), "a gateway response has statusCode, responseParameters and responseTemplates only")
			}
		}
		d.api.GatewayResponses[typ] = g
	}
	return nil
}

// restOperationKeys are the OpenAPI operation keys with no local effect.
var restOperationKeys = map[string]bool{
	"responses": true, "operationId": true, "summary": true, "description": true,
	"tags": true, "deprecated": true, "consumes": true, "produces": true,
	"externalDocs": true, "callbacks": true, "servers": true, "schemes": true,
	"parameters": true, "requestBody": true, "security": true,
	"x-amazon-apigateway-integration": true, "x-amazon-apigateway-request-validator": true,
	"x-amazon-apigateway-auth": true,
}

func (d *restDoc) paths() error {
	paths, _ := d.body["paths"].(map[string]any)
	at := join(d.at, "paths")
	for _, p := range sortedKeys(paths) {
		pat := join(at, p)
		if !strings.HasPrefix(p, "/") {
			return invalid(pat, "a resource path starts with /")
		}
		item, ok := paths[p].(map[string]any)
		if !ok {
			return invalid(pat, "path item is not a mapping")
		}
		for _, k := range sortedKeys(item) {
			if strings.HasPrefix(k, "x-amazon-apigateway-") && k != "x-amazon-apigateway-any-method" {
				return unsupported(join(pat, k), "API Gateway extension %s is not emulated", k)
			}
			if k == "$ref" {
				return unsupported(join(pat, k), "a path item $ref is not read")
			}
		}
		for _, m := range sortedKeys(item) {
			method, ok := openAPIMethods[m]
			if !ok {
				continue // summary, parameters, servers...
			}
			op, ok := item[m].(map[string]any)
			if !ok {
				return invalid(join(pat, m), "operation is not a mapping")
			}
			rm, err := d.method(method, p, item, op, join(pat, m))
			if err != nil {
				return err
			}
			d.api.Methods = append(d.api.Methods, rm)
		}
	}
	return nil
}

func (d *restDoc) method(method, path string, item, op map[string]any, at string) (RestMethod, error) {
	rm := RestMethod{
		Method:            method,
		Path:              path,
		RequestParameters: map[string]bool{},
		Source:            "DefinitionBody " + method + " " + path,
	}
	for _, k := range sortedKeys(op) {
		if !restOperationKeys[k] && strings.HasPrefix(k, "x-amazon-apigateway-") {
			return rm, unsupported(join(at, k), "API Gateway extension %s is not emulated", k)
		}
	}
	if auth, ok := op["x-amazon-apigateway-auth"].(map[string]any); ok {
		if t := strings.ToUpper(str(auth["type"])); t != "NONE" {
			return rm, unsupported(join(at, "x-amazon-apigateway-auth"), "authorization type %s is not emulated (IAM SigV4 is not)", t)
		}
	}
	if err := d.security(&rm, op, join(at, "security")); err != nil {
		return rm, err
	}
	rm.Validator = d.defaultValidator
	if v, ok := op["x-amazon-apigateway-request-validator"]; ok {
		rm.Validator = str(v)
		if _, ok := d.api.Validators[rm.Validator]; !ok {
			return rm, invalid(join(at, "x-amazon-apigateway-request-validator"), "names no validator of x-amazon-apigateway-request-validators: %s", rm.Validator)
		}
	}
	if err := d.parameters(&rm, item, op, at); err != nil {
		return rm, err
	}
	if err := d.requestBody(&rm, op, at); err != nil {
		return rm, err
	}
	integ, ok := op["x-amazon-apigateway-integration"].(map[string]any)
	if !ok {
		return rm, unsupported(at, "a method without x-amazon-apigateway-integration is not served (function Api events are not read: declare every method in the DefinitionBody)")
	}
	in, err := d.integration(&rm, integ, join(at, "x-amazon-apigateway-integration"))
	if err != nil {
		return rm, err
	}
	rm.Integration = in
	return rm, nil
}

// security reads the method's security requirements (or the API's
// default): each names the API key scheme or one Lambda authorizer.
// API Gateway applies every scheme listed, so the requirement objects are
// read together rather than as OpenAPI's alternatives.
func (d *restDoc) security(rm *RestMethod, op map[string]any, at string) error {
	v, ok := op["security"]
	if !ok {
		v = d.defaultSecurity
	}
	reqs, ok := v.([]any)
	if v != nil && !ok {
		return invalid(at, "security is a list of requirement objects")
	}
	for i, req := range reqs {
		m, ok := req.(map[string]any)
		if !ok {
			return invalid(fmt.Sprintf("%s[%d]", at, i), "a security requirement is a mapping")
		}
		for _, name := range sortedKeys(m) {
			if d.apiKeySchemes[name] {
				rm.APIKeyRequired = true
				continue
			}
			if _, ok := d.api.Authorizers[name]; !ok {
				return invalid(at, "security names %s, which is not a security scheme of this API", name)
			}
			if scopes := listOf(m[name]); len(scopes) > 0 {
				return unsupported(join(at, name), "authorization scopes apply to Cognito authorizers only, which are not emulated")
			}
			if rm.Authorizer != "" && rm.Authorizer != name {
				return unsupported(at, "several authorizers on one method (%s, %s)", rm.Authorizer, name)
			}
			rm.Authorizer = name
		}
	}
	return nil
}

// resolve follows a local $ref (#/components/..., #/definitions/...).
func (d *restDoc) resolve(v any, at string) (map[string]any, error) {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, invalid(at, "not a mapping")
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		rest, ok := strings.CutPrefix(ref, "#/")
		if !ok {
			return nil, unsupported(at, "$ref %q: only references inside the DefinitionBody are read", ref)
		}
		var cur any = d.body
		for _, part := range strings.Split(rest, "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cm, _ := cur.(map[string]any)
			if cur = cm[part]; cur == nil {
				return nil, invalid(at, "$ref %q names nothing in the DefinitionBody", ref)
			}
		}
		v = cur
	}
	return nil, invalid(at, "$ref chain too long")
}

var pathParam = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// parameters reads the path item's and the operation's parameters
// (the operation's win) into method.request.* names.
func (d *restDoc) parameters(rm *RestMethod, item, op map[string]any, at string) error {
	// A path parameter is always there and required.
	for _, m := range pathParam.FindAllStringSubmatch(rm.Path, -1) {
		rm.RequestParameters["method.request.path."+m[1]] = true
	}
	itemAt := at[:strings.LastIndex(at, ".")]
	for n, list := range [][]any{listOf(item["parameters"]), listOf(op["parameters"])} {
		for i, raw := range list {
			pat := fmt.Sprintf("%s.parameters[%d]", at, i)
			if n == 0 {
				pat = fmt.Sprintf("%s.parameters[%d]", itemAt, i)
			}
			p, err := d.resolve(raw, pat)
			if err != nil {
				return err
			}
			name, in := str(p["name"]), str(p["in"])
			required := str(p["required"]) == "true"
			switch in {
			case "query":
				rm.RequestParameters["method.request.querystring."+name] = required
			case "header":
				rm.RequestParameters["method.request.header."+name] = required
			case "path":
				rm.RequestParameters["method.request.path."+name] = true
			case "body":
				if !d.swagger {
					return invalid(pat, "body parameters exist in Swagger 2 only; OpenAPI 3 has requestBody")
				}
				if err := d.bodyModel(rm, p["schema"], d.contentTypes(op), pat); err != nil {
					return err
				}
			default:
				return unsupported(join(pat, "in"), "%q parameters are not emulated (query, header, path)", in)
			}
			if name == "" && in != "body" {
				return invalid(join(pat, "name"), "a parameter needs a name")
			}
		}
	}
	return nil
}

func (d *restDoc) contentTypes(op map[string]any) []string {
	var out []string
	for _, c := range listOf(op["consumes"]) {
		out = append(out, str(c))
	}
	if len(out) == 0 {
		out = d.consumes
	}
	if len(out) == 0 {
		out = []string{"application/json"}
	}
	return out
}

func (d *restDoc) requestBody(rm *RestMethod, op map[string]any, at string) error {
	raw, ok := op["requestBody"]
	if !ok {
		return nil
	}
	at = join(at, "requestBody")
	rb, err := d.resolve(raw, at)
	if err != nil {
		return err
	}
	content, _ := rb["content"].(map[string]any)
	for _, ct := range sortedKeys(content) {
		media, _ := content[ct].(map[string]any)
		if media["schema"] == nil {
			continue
		}
		if err := d.bodyModel(rm, media["schema"], []string{ct}, join(at, "content."+ct+".schema")); err != nil {
			return err
		}
	}
	return nil
}

// bodyModel records the model a method validates its body against: a
// named model, or an inline schema stored under a name of its own.
func (d *restDoc) bodyModel(rm *RestMethod, schema any, contentTypes []string, at string) error {
	m, ok := schema.(map[string]any)
	if !ok {
		return invalid(at, "a schema is a mapping")
	}
	name := ""
	if ref, ok := m["$ref"].(string); ok {
		name, ok = strings.CutPrefix(ref, d.modelRef())
		if !ok || d.api.Models[name] == nil {
			return invalid(at, "$ref %q names no model under %s", ref, d.modelRef())
		}
	} else {
		// API Gateway's import creates a model for an inline schema too.
		name = modelName(strings.ToLower(rm.Method)+rm.Path) + "Body"
		b, err := json.Marshal(m)
		if err != nil {
			return invalid(at, "schema is not JSON: %v", err)
		}
		d.api.Models[name] = b
	}
	if rm.RequestModels == nil {
		rm.RequestModels = map[string]string{}
	}
	for _, ct := range contentTypes {
		rm.RequestModels[ct] = name
	}
	return nil
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)

// modelName turns a resource path into letters and digits, as model names
// must be.
func modelName(path string) string {
	var b strings.Builder
	for _, part := range nonAlnum.Split(path, -1) {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// integrationURI is an API Gateway integration URI for an AWS service:
// arn:<partition>:apigateway:<region>:<subdomain.service>:path|action/<rest>.
var integrationURI = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):([A-Za-z0-9.-]+):(path|action)/(.+)$`)

// restIntegrationKeys are the integration keys the local platform reads;
// restIntegrationNoop those accepted with no local effect.
var restIntegrationKeys = map[string]bool{
	"type": true, "uri": true, "httpMethod": true, "credentials": true,
	"requestParameters": true, "requestTemplates": true, "passthroughBehavior": true,
	"contentHandling": true, "timeoutInMillis": true, "responses": true,
	"connectionType": true, "payloadFormatVersion": true,
}

var restIntegrationNoop = map[string]string{
	"cacheKeyParameters": "no API cache locally",
	"cacheNamespace":     "no API cache locally",
	"description":        "",
}

var passthroughBehaviors = map[string]bool{"WHEN_NO_MATCH": true, "WHEN_NO_TEMPLATES": true, "NEVER": true}

func (d *restDoc) integration(rm *RestMethod, m map[string]any, at string) (RestIntegration, error) {
	in := RestIntegration{
		Type:                strings.ToLower(str(m["type"])),
		HTTPMethod:          strings.ToUpper(str(m["httpMethod"])),
		URI:                 str(m["uri"]),
		CredentialsARN:      str(m["credentials"]),
		PassthroughBehavior: "WHEN_NO_MATCH",
	}
	for _, k := range sortedKeys(m) {
		if restIntegrationKeys[k] {
			continue
		}
		if reason, ok := restIntegrationNoop[k]; ok {
			if reason != "" {
				d.l.note(d.api.LogicalID, rm.Source+": no local effect: "+k+" ("+reason+")")
			}
			continue
		}
		return in, unsupported(join(at, k), "integration property %s is not emulated", k)
	}
	if ct := str(m["connectionType"]); ct != "" && ct != "INTERNET" {
		return in, unsupported(join(at, "connectionType"), "connection type %s (a VPC link) is not emulated", ct)
	}
	if v, ok := m["payloadFormatVersion"]; ok && str(v) != "1.0" {
		return in, invalid(join(at, "payloadFormatVersion"), "REST APIs send payload format 1.0 only")
	}
	switch in.Type {
	case "aws_proxy":
		fn, ok := d.l.functionFromARN(in.URI)
		if !ok || !strings.Contains(in.URI, ":lambda:path/") {
			return in, unsupported(join(at, "uri"), "an aws_proxy integration must invoke a function of this template (uri %q)", in.URI)
		}
		if in.HTTPMethod != "POST" {
			return in, invalid(join(at, "httpMethod"), "Lambda is invoked with POST, not %q", in.HTTPMethod)
		}
		in.Function = fn
	case "aws":
		mm := integrationURI.FindStringSubmatch(in.URI)
		if mm == nil {
			return in, invalid(join(at, "uri"), "%q is not an AWS service integration URI (arn:aws:apigateway:<region>:<service>:path/... or action/...)", in.URI)
		}
		service := mm[2]
		service = service[strings.LastIndex(service, ".")+1:] // without a subdomain
		if service != "sqs" {
			return in, unsupported(join(at, "uri"), "AWS service integrations with %s are not emulated (only sqs; Lambda goes through aws_proxy)", service)
		}
		in.Service = service
		if mm[3] == "action" {
			in.Action = mm[4]
		} else {
			in.Path = strings.TrimPrefix(mm[4], "/")
			if err := d.queuePath(in.Path, join(at, "uri")); err != nil {
				return in, err
			}
		}
		if in.HTTPMethod == "" {
			return in, invalid(join(at, "httpMethod"), "an AWS service integration needs its httpMethod")
		}
	case "mock":
	case "http", "http_proxy":
		return in, unsupported(join(at, "type"), "integration type %s is not emulated (aws to SQS, aws_proxy to Lambda and mock are)", in.Type)
	default:
		return in, invalid(join(at, "type"), "integration type %q is not aws, aws_proxy, http, http_proxy or mock", str(m["type"]))
	}
	if v, ok := m["passthroughBehavior"]; ok {
		in.PassthroughBehavior = strings.ToUpper(str(v))
		if !passthroughBehaviors[in.PassthroughBehavior] {
			return in, invalid(join(at, "passthroughBehavior"), "%q is not when_no_match, when_no_templates or never", str(v))
		}
	}
	if v, ok := m["contentHandling"]; ok {
		in.ContentHandling = strings.ToUpper(str(v))
		if in.ContentHandling != "CONVERT_TO_TEXT" && in.ContentHandling != "CONVERT_TO_BINARY" {
			return in, invalid(join(at, "contentHandling"), "%q is not CONVERT_TO_TEXT or CONVERT_TO_BINARY", str(v))
		}
	}
	if v, ok := m["timeoutInMillis"]; ok {
		n, err := strconv.Atoi(str(v))
		// 29 s is the default and, for most APIs, the maximum; Regional
		// APIs may raise it by quota request, which changes nothing here.
		if err != nil || n < 50 {
			return in, invalid(join(at, "timeoutInMillis"), "must be at least 50")
		}
		in.Timeout = time.Duration(n) * time.Millisecond
	}
	var err error
	if in.RequestParameters, err = d.requestParameters(rm, m["requestParameters"], join(at, "requestParameters")); err != nil {
		return in, err
	}
	if in.RequestTemplates, err = stringMap(m["requestTemplates"]); err != nil {
		return in, invalid(join(at, "requestTemplates"), "%v", err)
	}
	if in.Responses, err = integrationResponses(m["responses"], join(at, "responses")); err != nil {
		return in, err
	}
	return in, nil
}

// queuePath checks that an SQS integration path, <account>/<queue>,
// names a queue of this template: the only queues the platform serves.
func (d *restDoc) queuePath(path, at string) error {
	account, name, ok := strings.Cut(path, "/")
	if ok && account == d.l.opts.AccountID {
		for _, q := range d.l.app.Queues {
			if q.Name == name {
				return nil
			}
		}
	}
	return unsupported(at, "SQS path %q names no queue of this template (<account %s>/<queue name>)", path, d.l.opts.AccountID)
}

var (
	integrationTarget = regexp.MustCompile(`^integration\.request\.(querystring|header|path)\.[^\s]+$`)
	methodSource      = regexp.MustCompile(`^method\.request\.(querystring|header|path|multivaluequerystring|multivalueheader)\.([^\s]+)$`)
	otherSource       = regexp.MustCompile(`^(method\.request\.body(\..+)?|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+|'[^']*')$`)
)

// requestParameters reads an integration's parameter mapping; a method
// parameter it maps must be declared on the method, as API Gateway
// requires.
func (d *restDoc) requestParameters(rm *RestMethod, v any, at string) (map[string]string, error) {
	params, err := stringMap(v)
	if err != nil {
		return nil, invalid(at, "%v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		src := params[k]
		if !integrationTarget.MatchString(k) {
			return nil, invalid(join(at, k), "the target is not integration.request.{querystring|header|path}.<name>")
		}
		if mm := methodSource.FindStringSubmatch(src); mm != nil {
			loc := strings.TrimPrefix(mm[1], "multivalue")
			if _, declared := rm.RequestParameters["method.request."+loc+"."+mm[2]]; !declared {
				return nil, invalid(join(at, k), "maps %s, which the method does not declare as a parameter", src)
			}
			continue
		}
		if !otherSource.MatchString(src) {
			return nil, invalid(join(at, k), "%q is not a mapping source (method.request.*, context.*, stageVariables.* or a 'literal')", src)
		}
	}
	return params, nil
}

func integrationResponses(v any, at string) ([]IntegrationResponse, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalid(at, "responses is a mapping of selection patterns")
	}
	var out []IntegrationResponse
	var def *IntegrationResponse
	for _, pattern := range sortedKeys(m) {
		rat := join(at, pattern)
		r, ok := m[pattern].(map[string]any)
		if !ok {
			return nil, invalid(rat, "an integration response is a mapping")
		}
		ir := IntegrationResponse{}
		if pattern != "default" {
			if _, err := regexp.Compile(pattern); err != nil {
				return nil, invalid(rat, "selection pattern is not a regular expression: %v", err)
			}
			ir.SelectionPattern = pattern
		}
		for _, k := range sortedKeys(r) {
			var err error
			switch k {
			case "statusCode":
				ir.StatusCode, err = statusCode(r[k])
			case "responseParameters":
				ir.ResponseParameters, err = stringMap(r[k])
			case "responseTemplates":
				ir.ResponseTemplates, err = stringMap(r[k])
			case "contentHandling":
			default:
				return nil, unsupported(join(rat, k), "integration response property %s is not emulated", k)
			}
			if err != nil {
				return nil, invalid(join(rat, k), "%v", err)
			}
		}
		if ir.StatusCode == 0 {
			return nil, invalid(join(rat, "statusCode"), "an integration response needs a statusCode")
		}
		if pattern == "default" {
			def = &ir
			continue
		}
		out = append(out, ir)
	}
	if def != nil {
		out = append(out, *def)
	}
	return out, nil
}

func statusCode(v any) (int, error) {
	n, err := strconv.Atoi(str(v))
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("status code %q is not 100..599", str(v))
	}
	return n, nil
}

// stringMap reads a mapping of strings; nil is an empty result.
func stringMap(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a mapping")
	}
	out := make(map[string]string, len(m))
	for k, x := range m {
		switch x.(type) {
		case map[string]any, []any:
			return nil, fmt.Errorf("%s is not a string", k)
		}
		out[k] = str(x)
	}
	return out, nil
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// samModels reads SAM's Models property (name -> JSON Schema).
func (l *loader) samModels(api *RestAPI, v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalidProperty(api.LogicalID, "Models", "not a mapping of model names")
	}
	for _, name := range sortedKeys(m) {
		if _, dup := api.Models[name]; dup {
			return invalidProperty(api.LogicalID, "Models."+name, "model %s is also in the DefinitionBody", name)
		}
		b, err := json.Marshal(m[name])
		if err != nil {
			return invalidProperty(api.LogicalID, "Models."+name, "not JSON: %v", err)
		}
		api.Models[name] = b
	}
	return nil
}

// samGatewayResponses reads SAM's GatewayResponses property, which writes
// x-amazon-apigateway-gateway-responses with capitalised keys.
func (l *loader) samGatewayResponses(api *RestAPI, v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalidProperty(api.LogicalID, "GatewayResponses", "not a mapping of response types")
	}
	for _, typ := range sortedKeys(m) {
		at := "GatewayResponses." + typ
		if !gatewayResponseTypes[typ] {
			return invalidProperty(api.LogicalID, at, "%s is not an API Gateway response type", typ)
		}
		r, _ := m[typ].(map[string]any)
		var g GatewayResponse
		var err error
		if s, ok := r["StatusCode"]; ok {
			if g.StatusCode, err = statusCode(s); err != nil {
				return invalidProperty(api.LogicalID, at+".StatusCode", "%v", err)
			}
		}
		if g.ResponseTemplates, err = stringMap(r["ResponseTemplates"]); err != nil {
			return invalidProperty(api.LogicalID, at+".ResponseTemplates", "%v", err)
		}
		if rp, ok := r["ResponseParameters"].(map[string]any); ok {
			for _, kind := range sortedKeys(rp) {
				loc := map[string]string{"Headers": "header", "Paths": "path", "QueryStrings": "querystring"}[kind]
				vals, err := stringMap(rp[kind])
				if loc == "" || err != nil {
					return invalidProperty(api.LogicalID, at+".ResponseParameters."+kind, "ResponseParameters has Headers, Paths and QueryStrings mappings")
				}
				for name, val := range vals {
					if g.ResponseParameters == nil {
						g.ResponseParameters = map[string]string{}
					}
					g.ResponseParameters["gatewayresponse."+loc+"."+name] = val
				}
			}
		}
		api.GatewayResponses[typ] = g
	}
	return nil
}

var usagePlanProperties = map[string]bool{"ApiStages": true, "Quota": true, "Throttle": true}

var usagePlanNoop = map[string]string{"UsagePlanName": "", "Description": "", "Tags": ""}

var apiKeyProperties = map[string]bool{"Value": true, "Enabled": true, "StageKeys": true}

var apiKeyNoop = map[string]string{
	"Name": "", "Description": "", "Tags": "", "CustomerId": "", "GenerateDistinctId": "",
}

// usagePlansOf reads the usage plans, their keys and the usage plan keys
// that tie them together, for the REST API api.
func (l *loader) usagePlansOf(api *RestAPI) error {
	keys := map[string]APIKey{}
	for _, id := range l.apiKeys {
		k, err := l.apiKey(id, api)
		if err != nil {
			return err
		}
		keys[id] = k
	}
	plans := map[string]*UsagePlan{}
	for _, id := range l.usagePlans {
		p, err := l.usagePlan(id, api)
		if err != nil {
			return err
		}
		if p != nil {
			plans[id] = p
		}
	}
	inPlan := map[string]string{}
	for _, id := range l.usagePlanKeys {
		raw, err := properties(id, l.doc.Resources[id].(map[string]any))
		if err != nil {
			return err
		}
		props, err := l.resourceProperties(id, raw, map[string]bool{"KeyId": true, "KeyType": true, "UsagePlanId": true}, nil)
		if err != nil {
			return err
		}
		if t := str(props["KeyType"]); t != "API_KEY" {
			return invalidProperty(id, "KeyType", "KeyType is API_KEY, not %q", t)
		}
		keyID, planID := str(props["KeyId"]), str(props["UsagePlanId"])
		key, ok := keys[keyID]
		if !ok {
			return invalidProperty(id, "KeyId", "names no AWS::ApiGateway::ApiKey of this template: %s", keyID)
		}
		plan, ok := plans[planID]
		if !ok {
			if l.isResource(planID, "AWS::ApiGateway::UsagePlan") {
				continue // a plan on no stage of this API
			}
			return invalidProperty(id, "UsagePlanId", "names no AWS::ApiGateway::UsagePlan of this template: %s", planID)
		}
		// API Gateway lets a key into one plan per API stage only.
		if other, dup := inPlan[keyID]; dup {
			return invalidProperty(id, "KeyId", "key %s is already in usage plan %s for the same API stage", keyID, other)
		}
		inPlan[keyID] = planID
		plan.Keys = append(plan.Keys, key)
	}
	for _, id := range l.usagePlans {
		if p := plans[id]; p != nil {
			slices.SortFunc(p.Keys, func(a, b APIKey) int { return strings.Compare(a.LogicalID, b.LogicalID) })
			api.UsagePlans = append(api.UsagePlans, *p)
		}
	}
	return nil
}

func (l *loader) isResource(id, typ string) bool {
	r, _ := l.doc.Resources[id].(map[string]any)
	return str(r["Type"]) == typ
}

// LocalAPIKeyValue is the value a key without a Value gets locally: AWS
// would generate a random one; this one is stable and printed at start.
// API Gateway wants at least 20 characters.
func LocalAPIKeyValue(logicalID string) string {
	v := "sqsgate-local-" + logicalID
	for len(v) < 20 {
		v += "0"
	}
	return v
}

func (l *loader) apiKey(id string, api *RestAPI) (APIKey, error) {
	raw, err := properties(id, l.doc.Resources[id].(map[string]any))
	if err != nil {
		return APIKey{}, err
	}
	props, err := l.resourceProperties(id, raw, apiKeyProperties, apiKeyNoop)
	if err != nil {
		return APIKey{}, err
	}
	if _, ok := props["StageKeys"]; ok {
		return APIKey{}, unsupportedProperty(id, "StageKeys", "stage keys are not emulated; tie the key to the API with a usage plan")
	}
	// CloudFormation's default for Enabled is false.
	k := APIKey{LogicalID: id, Value: str(props["Value"]), Enabled: str(props["Enabled"]) == "true"}
	if k.Value == "" {
		k.Value = LocalAPIKeyValue(id)
	} else if len(k.Value) < 20 {
		return k, invalidProperty(id, "Value", "an API key value has at least 20 characters")
	}
	return k, nil
}

// usagePlan reads one usage plan; nil when it is on no stage of api.
func (l *loader) usagePlan(id string, api *RestAPI) (*UsagePlan, error) {
	raw, err := properties(id, l.doc.Resources[id].(map[string]any))
	if err != nil {
		return nil, err
	}
	props, err := l.resourceProperties(id, raw, usagePlanProperties, usagePlanNoop)
	if err != nil {
		return nil, err
	}
	onAPI := false
	for i, s := range listOf(props["ApiStages"]) {
		at := fmt.Sprintf("ApiStages[%d]", i)
		st, _ := s.(map[string]any)
		if str(st["ApiId"]) != api.ID {
			return nil, invalidProperty(id, at+".ApiId", "names no REST API of this template")
		}
		if str(st["Stage"]) != api.StageName {
			return nil, invalidProperty(id, at+".Stage", "stage %q is not %s's stage %s", str(st["Stage"]), api.LogicalID, api.StageName)
		}
		if _, ok := st["Throttle"]; ok {
			return nil, unsupportedProperty(id, at+".Throttle", "per-method throttling in a usage plan is not emulated")
		}
		onAPI = true
	}
	if !onAPI {
		l.note(id, "usage plan on no API stage: no local effect")
		return nil, nil
	}
	p := &UsagePlan{LogicalID: id}
	if q, ok := props["Quota"].(map[string]any); ok {
		if p.QuotaLimit, err = strconv.Atoi(str(q["Limit"])); err != nil || p.QuotaLimit < 0 {
			return nil, invalidProperty(id, "Quota.Limit", "not a non-negative integer")
		}
		p.QuotaPeriod = str(q["Period"])
		if p.QuotaPeriod != "DAY" && p.QuotaPeriod != "WEEK" && p.QuotaPeriod != "MONTH" {
			return nil, invalidProperty(id, "Quota.Period", "%q is not DAY, WEEK or MONTH", p.QuotaPeriod)
		}
		if o, ok := q["Offset"]; ok {
			if p.QuotaOffset, err = strconv.Atoi(str(o)); err != nil || p.QuotaOffset < 0 {
				return nil, invalidProperty(id, "Quota.Offset", "not a non-negative integer")
			}
		}
	}
	if t, ok := props["Throttle"].(map[string]any); ok {
		if v, ok := t["RateLimit"]; ok {
			if p.RateLimit, err = strconv.ParseFloat(str(v), 64); err != nil || p.RateLimit < 0 {
				return nil, invalidProperty(id, "Throttle.RateLimit", "not a non-negative number")
			}
		}
		if v, ok := t["BurstLimit"]; ok {
			if p.BurstLimit, err = strconv.Atoi(str(v)); err != nil || p.BurstLimit < 0 {
				return nil, invalidProperty(id, "Throttle.BurstLimit", "not a non-negative integer")
			}
		}
	}
	return p, nil
}

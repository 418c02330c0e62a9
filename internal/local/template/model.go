package template

import "time"

// App is everything the local platform runs for one template.
type App struct {
	Parameters map[string]any  // resolved parameter values (string or []any)
	Conditions map[string]bool // every condition of the template, evaluated
	Queues     []*Queue        // in creation order: a dead-letter queue before its source
	Functions  []*Function     // sorted by logical ID
	API        *HTTPAPI        // nil when the template has no HTTP API
	RestAPI    *RestAPI        // nil when the template has no REST API (at most one of API and RestAPI is set)
	// EventSources are the functions' SQS events, by function and name.
	EventSources []*EventSourceMapping
	NotEmulated  []Resource // resources with no local meaning, skipped
	Skipped      []Resource // resources whose Condition is false
	Notes        []Note     // accepted properties with no local effect
}

// Resource names a template resource.
type Resource struct {
	LogicalID string
	Type      string
	Reason    string // why it is not emulated or skipped
}

// Note says that a property is accepted but has no effect locally.
type Note struct {
	Resource string
	Message  string
}

// Queue is an AWS::SQS::Queue.
type Queue struct {
	LogicalID  string
	Name       string
	FIFO       bool
	Attributes map[string]string // in SQS API form, e.g. "RedrivePolicy": JSON
	Tags       map[string]string
	URL, ARN   string // as returned by Options.Queue
}

// Function is an AWS::Serverless::Function with Globals applied.
type Function struct {
	LogicalID     string
	CodeURI       string
	Handler       string
	Runtime       string
	Architectures []string
	MemoryMB      int
	Timeout       time.Duration
	Environment   map[string]string // Environment.Variables, resolved
	LogFormat     string            // LoggingConfig.LogFormat ("" when unset)
	LogLevel      string            // LoggingConfig.ApplicationLogLevel
	BuildMethod   string            // Metadata.BuildMethod
	// ReservedConcurrency is ReservedConcurrentExecutions, 0 when unset.
	ReservedConcurrency int
}

// HTTPAPI is an AWS::Serverless::HttpApi with its routes: those in its
// DefinitionBody and those added by functions' HttpApi events.
type HTTPAPI struct {
	LogicalID         string
	ID                string
	StageName         string
	Routes            []Route
	Authorizers       map[string]Authorizer
	DefaultAuthorizer string
	Cors              *Cors
	FailOnWarnings    bool
}

// Route is one method and path of the HTTP API.
type Route struct {
	Method              string // GET, POST, ..., ANY
	Path                string // OpenAPI style: {param}, {proxy+}
	Authorizer          string // "" = none
	AuthorizationScopes []string
	Integration         Integration
	Source              string // where the route is declared, for messages
}

// Key is the route key as API Gateway writes it, e.g. "POST /v1/messages".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Integration is what a route calls.
type Integration struct {
	Type                 string // "lambda" or "sqs"
	Function             string // logical ID, for lambda
	PayloadFormatVersion string
	Subtype              string            // SQS-SendMessage, SQS-ReceiveMessage, SQS-DeleteMessage, SQS-PurgeQueue
	RequestParameters    map[string]string // for sqs
	CredentialsARN       string
	Timeout              time.Duration // 0 = API Gateway's default
}

// Authorizer is an HTTP API authorizer from Auth.Authorizers.
type Authorizer struct {
	Name                  string
	Type                  string // "lambda" or "jwt"
	Function              string // logical ID, for lambda
	PayloadFormatVersion  string
	EnableSimpleResponses bool
	IdentitySource        []string // e.g. "$request.header.Authorization"
	ResultTTL             time.Duration
	JWTIssuer             string
	JWTAudience           []string
	AuthorizationScopes   []string // JWT default scopes
}

// Cors is an HTTP API CorsConfiguration.
type Cors struct {
	AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders []string
	AllowCredentials                                        bool
	MaxAge                                                  int
}

// RestAPI is an AWS::Serverless::Api (an API Gateway REST API), read from
// its OpenAPI DefinitionBody with the template's conditions applied.
type RestAPI struct {
	LogicalID string
	ID        string // Ref of the API, e.g. "local"
	StageName string
	Methods   []RestMethod // sorted by path, then method
	// Authorizers are the custom (Lambda) authorizers of the security
	// schemes, by scheme name.
	Authorizers map[string]RestAuthorizer
	// Validators are x-amazon-apigateway-request-validators, by name.
	Validators map[string]RequestValidator
	// Models are the JSON Schemas (draft 4) of components.schemas or
	// definitions, by name, as JSON.
	Models map[string][]byte
	// GatewayResponses are x-amazon-apigateway-gateway-responses, by
	// response type (BAD_REQUEST_BODY, DEFAULT_4XX, ...).
	GatewayResponses map[string]GatewayResponse
	APIKeySource     string // x-amazon-apigateway-api-key-source: HEADER (default)
	// Policy is the resource policy (x-amazon-apigateway-policy) as JSON,
	// nil when there is none.
	Policy           []byte
	BinaryMediaTypes []string
	UsagePlans       []UsagePlan // the AWS::ApiGateway::UsagePlan resources on this API
}

// RestMethod is one HTTP method of one resource path.
type RestMethod struct {
	Method string // GET, POST, ..., ANY
	Path   string // /v1/messages, /items/{id}, /{proxy+}
	// Authorizer is the security scheme name of the method's custom
	// authorizer; "" = no authorization.
	Authorizer     string
	APIKeyRequired bool
	Validator      string            // x-amazon-apigateway-request-validator; "" = none
	RequestModels  map[string]string // content type -> model name (requestBody)
	// RequestParameters are the method's declared parameters, as
	// method.request.{querystring|header|path}.<name> -> required.
	RequestParameters map[string]bool
	Integration       RestIntegration
	Source            string // where the method is declared, for messages
}

// RestIntegration is a method's x-amazon-apigateway-integration.
type RestIntegration struct {
	Type       string // aws, aws_proxy, mock, http, http_proxy (lowercase)
	HTTPMethod string // of the integration request
	URI        string // resolved
	// Function is the logical ID of the Lambda function an aws_proxy or
	// aws lambda URI names; "" otherwise.
	Function string
	// Service and Path are an AWS-service URI's parts:
	// arn:aws:apigateway:<region>:<service>:path/<Path> (Path has no
	// leading slash), or Action for ...:<service>:action/<Action>.
	Service, Path, Action string
	CredentialsARN        string
	// RequestParameters map integration.request.* to a source:
	// method.request.*, context.*, stageVariables.* or a 'literal'.
	RequestParameters   map[string]string
	RequestTemplates    map[string]string // content type -> Velocity template
	PassthroughBehavior string            // WHEN_NO_MATCH (default), WHEN_NO_TEMPLATES, NEVER
	ContentHandling     string
	Timeout             time.Duration // 0 = API Gateway's default (29 s)
	// Responses are the integration responses; the "default" one has an
	// empty SelectionPattern and comes last.
	Responses []IntegrationResponse
}

// IntegrationResponse maps a backend answer to the method's answer.
type IntegrationResponse struct {
	SelectionPattern   string // a regular expression on the backend's status (aws) or error message (lambda)
	StatusCode         int
	ResponseParameters map[string]string // method.response.header.X -> source
	ResponseTemplates  map[string]string // content type -> Velocity template
}

// RestAuthorizer is a custom authorizer (x-amazon-apigateway-authorizer).
type RestAuthorizer struct {
	Name           string
	Type           string   // "request" or "token"
	Function       string   // logical ID of the authorizer function
	IdentitySource []string // e.g. method.request.header.Authorization
	ResultTTL      time.Duration
}

// RequestValidator says what a validator checks.
type RequestValidator struct {
	Body, Parameters bool
}

// GatewayResponse overrides one of API Gateway's own answers.
type GatewayResponse struct {
	StatusCode         int               // 0 = the response type's default
	ResponseParameters map[string]string // gatewayresponse.header.X -> 'literal' or source
	ResponseTemplates  map[string]string // content type -> template
}

// UsagePlan is an AWS::ApiGateway::UsagePlan with its keys.
type UsagePlan struct {
	LogicalID   string
	QuotaLimit  int    // 0 = no quota
	QuotaPeriod string // DAY, WEEK or MONTH
	QuotaOffset int
	RateLimit   float64 // requests per second; 0 = no throttle
	BurstLimit  int
	Keys        []APIKey
}

// APIKey is an AWS::ApiGateway::ApiKey. Locally a key without a Value
// gets a fixed development value, printed at start.
type APIKey struct {
	LogicalID string
	Value     string
	Enabled   bool
}

package template

import "time"

// App is everything the local platform runs for one template.
type App struct {
	Parameters map[string]any  // resolved parameter values (string or []any)
	Conditions map[string]bool // every condition of the template, evaluated
	Queues     []*Queue        // in creation order: a dead-letter queue before its source
	Functions  []*Function     // sorted by logical ID
	API        *HTTPAPI        // nil when the template has no HTTP API
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

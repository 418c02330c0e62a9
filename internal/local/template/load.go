package template

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Options are the local facts a template is resolved against.
type Options struct {
	// Parameters override the template's parameter defaults.
	Parameters map[string]string
	Region     string // default us-east-1
	AccountID  string // default 000000000000
	StackName  string // default sqsgate
	// APIID and APIEndpoint are what Ref and Fn::GetAtt ApiEndpoint return
	// for the HTTP API. Defaults: "local" and http://127.0.0.1:3000.
	APIID       string
	APIEndpoint string
	// Queue creates (or finds) a queue once its properties are resolved and
	// returns its URL and ARN. It is called once per queue, before anything
	// refers to that queue, so a dead-letter queue is created before the
	// queue whose RedrivePolicy names it. Nil computes them for an endpoint
	// at http://127.0.0.1:9324 without creating anything.
	Queue func(q *Queue) (url, arn string, err error)
}

func (o *Options) defaults() {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "000000000000"
	}
	if o.StackName == "" {
		o.StackName = "sqsgate"
	}
	if o.APIID == "" {
		o.APIID = "local"
	}
	if o.APIEndpoint == "" {
		o.APIEndpoint = "http://127.0.0.1:3000"
	}
	if o.Queue == nil {
		region, account := o.Region, o.AccountID
		o.Queue = func(q *Queue) (string, string, error) {
			return "http://127.0.0.1:9324/" + account + "/" + q.Name,
				"arn:aws:sqs:" + region + ":" + account + ":" + q.Name, nil
		}
	}
}

// LoadFile reads and resolves the template at path.
func LoadFile(path string, opts Options) (*App, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	doc, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return Load(doc, opts)
}

// Load resolves a parsed template into what the local platform runs.
func Load(doc *Document, opts Options) (*App, error) {
	opts.defaults()
	if t := str(doc.Transform); !strings.Contains(t, "AWS::Serverless-2016-10-31") {
		if hasSAMTypes(doc) {
			return nil, &Error{Resource: "Transform", Reason: "SAM resource types need Transform: AWS::Serverless-2016-10-31", Err: ErrInvalid}
		}
	}
	params, err := resolveParameters(doc, opts.Parameters)
	if err != nil {
		return nil, err
	}
	l := &loader{
		doc:    doc,
		opts:   opts,
		app:    &App{Parameters: params, Conditions: map[string]bool{}},
		queues: map[string]*Queue{},
		busy:   map[string]bool{},
	}
	l.ev = &evaluator{
		doc: doc,
		pseudo: map[string]any{
			"AWS::Region":           opts.Region,
			"AWS::AccountId":        opts.AccountID,
			"AWS::StackName":        opts.StackName,
			"AWS::StackId":          "arn:aws:cloudformation:" + opts.Region + ":" + opts.AccountID + ":stack/" + opts.StackName + "/00000000-0000-0000-0000-000000000000",
			"AWS::Partition":        "aws",
			"AWS::URLSuffix":        "amazonaws.com",
			"AWS::NoValue":          noValue,
			"AWS::NotificationARNs": []any{},
		},
		params:    params,
		conds:     map[string]bool{},
		condBusy:  map[string]bool{},
		resources: l.resourceValue,
	}
	for _, name := range sortedKeys(doc.Conditions) {
		c, err := l.ev.condition(name, "Conditions."+name)
		if err != nil {
			return nil, inResource(err, "Conditions")
		}
		l.app.Conditions[name] = c
	}
	if err := l.ev.rules(); err != nil {
		return nil, err
	}
	if err := l.resources(); err != nil {
		return nil, err
	}
	return l.app, nil
}

type loader struct {
	doc    *Document
	opts   Options
	ev     *evaluator
	app    *App
	queues map[string]*Queue
	busy   map[string]bool
	apis   []string
	events []functionEvents
	// restAPIs, usagePlans, apiKeys and usagePlanKeys are the logical IDs
	// of the REST API's resources, read together once the functions are.
	restAPIs, usagePlans, apiKeys, usagePlanKeys []string
}

// functionEvents are a function's resolved Events, read with the HTTP API.
type functionEvents struct {
	function string
	events   map[string]any
}

func hasSAMTypes(doc *Document) bool {
	for _, r := range doc.Resources {
		m, _ := r.(map[string]any)
		if strings.HasPrefix(str(m["Type"]), "AWS::Serverless::") {
			return true
		}
	}
	return false
}

// notEmulated lists resource types that have no effect on what runs
// locally, with the reason shown to the user.
var notEmulated = map[string]string{
	"AWS::IAM::Role":                           "IAM is not enforced locally",
	"AWS::IAM::Policy":                         "IAM is not enforced locally",
	"AWS::IAM::ManagedPolicy":                  "IAM is not enforced locally",
	"AWS::SQS::QueuePolicy":                    "queue policies are not enforced locally (the local endpoint is plain HTTP on loopback)",
	"AWS::Logs::LogGroup":                      "logs go to the terminal",
	"AWS::Logs::MetricFilter":                  "no CloudWatch locally",
	"AWS::CloudWatch::Alarm":                   "no CloudWatch locally",
	"AWS::CloudWatch::CompositeAlarm":          "no CloudWatch locally",
	"AWS::CloudWatch::Dashboard":               "no CloudWatch locally",
	"AWS::SNS::Topic":                          "no SNS locally",
	"AWS::SNS::Subscription":                   "no SNS locally",
	"AWS::SNS::TopicPolicy":                    "no SNS locally",
	"AWS::Lambda::Permission":                  "invoke permissions are not enforced locally",
	"AWS::SecretsManager::Secret":              "functions read literal secrets from the env-vars file locally",
	"AWS::KMS::Key":                            "encryption is not emulated",
	"AWS::KMS::Alias":                          "encryption is not emulated",
	"AWS::CertificateManager::Certificate":     "no TLS locally",
	"AWS::Route53::RecordSet":                  "no DNS locally",
	"AWS::Route53::RecordSetGroup":             "no DNS locally",
	"AWS::XRay::Group":                         "no X-Ray locally",
	"AWS::XRay::SamplingRule":                  "no X-Ray locally",
	"AWS::CloudFormation::WaitConditionHandle": "no effect",
	"AWS::WAFv2::WebACLAssociation":            "no AWS WAF locally: requests reach the API unfiltered",
	"AWS::WAFv2::WebACL":                       "no AWS WAF locally: requests reach the API unfiltered",
	"AWS::ApiGateway::Account":                 "account-level API Gateway settings (the CloudWatch logging role) have no local effect",
}

// refused lists resource types whose absence would change behaviour.
var refused = map[string]string{
	"AWS::ApiGatewayV2::DomainName":     "a custom domain needs DNS, a certificate and API Gateway's domain mapping; the local API answers only on its own address",
	"AWS::ApiGatewayV2::ApiMapping":     "a custom domain needs DNS, a certificate and API Gateway's domain mapping; the local API answers only on its own address",
	"AWS::ApiGateway::DomainName":       "a custom domain cannot be served locally",
	"AWS::ApiGateway::BasePathMapping":  "a custom domain cannot be served locally",
	"AWS::ApiGatewayV2::Api":            "only AWS::Serverless::HttpApi is emulated",
	"AWS::ApiGatewayV2::Route":          "routes outside the HttpApi's DefinitionBody and function events are not read (and SAM may delete them on update)",
	"AWS::ApiGatewayV2::Integration":    "integrations outside the HttpApi's DefinitionBody are not read",
	"AWS::ApiGatewayV2::Authorizer":     "authorizers outside the HttpApi's Auth are not read",
	"AWS::ApiGateway::RestApi":          "only AWS::Serverless::Api is emulated for REST APIs (its DefinitionBody holds every method; a bare RestApi needs Deployment, Stage and Method resources the local platform does not read)",
	"AWS::ApiGateway::Stage":            "stages outside an AWS::Serverless::Api are not read",
	"AWS::ApiGateway::Deployment":       "deployments outside an AWS::Serverless::Api are not read",
	"AWS::ApiGateway::Resource":         "resources outside the Api's DefinitionBody are not read",
	"AWS::ApiGateway::Method":           "methods outside the Api's DefinitionBody are not read",
	"AWS::ApiGateway::Authorizer":       "authorizers outside the Api's DefinitionBody are not read",
	"AWS::ApiGateway::RequestValidator": "validators outside the Api's DefinitionBody are not read",
	"AWS::ApiGateway::Model":            "models outside the Api's DefinitionBody are not read",
	"AWS::ApiGateway::GatewayResponse":  "gateway responses outside the Api's DefinitionBody are not read",
	"AWS::Lambda::Function":             "only AWS::Serverless::Function is run locally",
	"AWS::Lambda::EventSourceMapping":   "event source mappings (queue consumers) are not emulated",
	"AWS::Lambda::Url":                  "function URLs are not emulated",
	"AWS::Serverless::StateMachine":     "state machines are not emulated",
	"AWS::Serverless::Application":      "nested applications are not emulated",
	"AWS::CloudFormation::Stack":        "nested stacks are not emulated",
}

func (l *loader) resources() error {
	ids := sortedKeys(l.doc.Resources)
	for _, id := range ids {
		r, ok := l.doc.Resources[id].(map[string]any)
		if !ok {
			return &Error{Resource: id, Reason: "resource is not a mapping", Err: ErrInvalid}
		}
		typ := str(r["Type"])
		on, err := l.included(id)
		if err != nil {
			return err
		}
		if !on {
			l.app.Skipped = append(l.app.Skipped, Resource{LogicalID: id, Type: typ, Reason: "Condition " + str(r["Condition"]) + " is false"})
			continue
		}
		switch typ {
		case "AWS::SQS::Queue":
			if _, err := l.queue(id); err != nil {
				return err
			}
		case "AWS::Serverless::Function", "AWS::Serverless::HttpApi", "AWS::Serverless::Api":
			// After the queues, below.
		case "AWS::ApiGateway::UsagePlan":
			l.usagePlans = append(l.usagePlans, id)
		case "AWS::ApiGateway::ApiKey":
			l.apiKeys = append(l.apiKeys, id)
		case "AWS::ApiGateway::UsagePlanKey":
			l.usagePlanKeys = append(l.usagePlanKeys, id)
		default:
			if reason, ok := refused[typ]; ok {
				return l.refuse(id, typ, reason)
			}
			reason, ok := notEmulated[typ]
			if !ok {
				return &Error{Resource: id, Path: "Type", Reason: "resource type " + typ + " is not known to the local platform", Err: ErrUnsupported}
			}
			l.app.NotEmulated = append(l.app.NotEmulated, Resource{LogicalID: id, Type: typ, Reason: reason})
			if typ == "AWS::WAFv2::WebACLAssociation" {
				// A protection the deployed API has and the local one lacks:
				// said at start, not only in the debug list.
				l.note(id, "no local effect: the WAF web ACL is not applied ("+reason+")")
			}
		}
	}
	for _, id := range ids {
		r := l.doc.Resources[id].(map[string]any)
		if on, _ := l.included(id); !on {
			continue
		}
		switch str(r["Type"]) {
		case "AWS::Serverless::Function":
			f, err := l.function(id, r)
			if err != nil {
				return err
			}
			l.app.Functions = append(l.app.Functions, f)
		case "AWS::Serverless::HttpApi":
			l.apis = append(l.apis, id)
		case "AWS::Serverless::Api":
			l.restAPIs = append(l.restAPIs, id)
		}
	}
	if err := l.httpAPI(); err != nil {
		return err
	}
	if err := l.restAPI(); err != nil {
		return err
	}
	return l.sqsEvents()
}

// refuse builds the error for a resource type that cannot be emulated,
// naming the custom domain when there is one.
func (l *loader) refuse(id, typ, reason string) error {
	r, _ := l.doc.Resources[id].(map[string]any)
	props, _ := r["Properties"].(map[string]any)
	if d, ok := props["DomainName"]; ok {
		if v, err := l.ev.eval(d, "Properties.DomainName"); err == nil {
			return &Error{Resource: id, Path: "Type", Reason: fmt.Sprintf("%s: custom domain %q cannot be served locally: %s; run locally with the parameters that enable it left empty", typ, str(v), reason), Err: ErrUnsupported}
		}
	}
	return &Error{Resource: id, Path: "Type", Reason: typ + ": " + reason, Err: ErrUnsupported}
}

// included evaluates a resource's Condition.
func (l *loader) included(id string) (bool, error) {
	r, _ := l.doc.Resources[id].(map[string]any)
	c, ok := r["Condition"]
	if !ok {
		return true, nil
	}
	name, ok := c.(string)
	if !ok {
		return false, &Error{Resource: id, Path: "Condition", Reason: "Condition is not a name", Err: ErrInvalid}
	}
	on, err := l.ev.condition(name, "Condition")
	return on, inResource(err, id)
}

// implicitResource reports logical IDs that SAM generates: a function's
// role and the implicit HTTP API.
func implicitResource(doc *Document, id string) bool {
	return implicitType(doc, id) != ""
}

func implicitType(doc *Document, id string) string {
	if id == "ServerlessHttpApi" {
		return "AWS::Serverless::HttpApi"
	}
	// SAM's <Api>.Stage and <Api>.Deployment name the resources it
	// generates for an AWS::Serverless::Api.
	if api, sub, ok := strings.Cut(id, "."); ok && (sub == "Stage" || sub == "Deployment") {
		r, _ := doc.Resources[api].(map[string]any)
		if str(r["Type"]) == "AWS::Serverless::Api" {
			return "AWS::ApiGateway::" + sub
		}
	}
	if fn, ok := strings.CutSuffix(id, "Role"); ok {
		r, _ := doc.Resources[fn].(map[string]any)
		if str(r["Type"]) == "AWS::Serverless::Function" {
			return "AWS::IAM::Role"
		}
	}
	return ""
}

// resourceValue is what Ref (attr "") and Fn::GetAtt return for a resource
// locally.
func (l *loader) resourceValue(id, attr, at string) (any, error) {
	typ := implicitType(l.doc, id)
	if r, ok := l.doc.Resources[id].(map[string]any); ok {
		typ = str(r["Type"])
		on, err := l.included(id)
		if err != nil {
			return nil, err
		}
		if !on {
			return nil, invalid(at, "refers to %s, whose Condition %s is false", id, str(r["Condition"]))
		}
	}
	o := l.opts
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":" + o.Region + ":" + o.AccountID + ":" + resource
	}
	bad := func() (any, error) {
		return nil, invalid(at, "%s has no attribute %s locally", typ, attr)
	}
	switch typ {
	case "AWS::SQS::Queue":
		q, err := l.queue(id)
		if err != nil {
			return nil, err
		}
		switch attr {
		case "", "QueueUrl":
			return q.URL, nil
		case "Arn":
			return q.ARN, nil
		case "QueueName":
			return q.Name, nil
		}
		return bad()
	case "AWS::Serverless::Function":
		switch attr {
		case "":
			return id, nil
		case "Arn":
			return arn("lambda", "function:"+id), nil
		}
		return bad()
	case "AWS::IAM::Role":
		switch attr {
		case "", "RoleId":
			return id, nil
		case "Arn":
			return "arn:aws:iam::" + o.AccountID + ":role/" + id, nil
		}
		return bad()
	case "AWS::Serverless::HttpApi":
		switch attr {
		case "", "ApiId":
			return o.APIID, nil
		case "ApiEndpoint":
			return o.APIEndpoint, nil
		}
		return bad()
	case "AWS::Serverless::Api":
		switch attr {
		case "":
			return o.APIID, nil
		case "RootResourceId":
			return "root", nil
		}
		return bad()
	case "AWS::ApiGateway::Stage":
		if attr != "" {
			return bad()
		}
		// Ref of <Api>.Stage is the stage name.
		api, _, _ := strings.Cut(id, ".")
		r, _ := l.doc.Resources[api].(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		return l.ev.eval(props["StageName"], at)
	case "AWS::SecretsManager::Secret":
		if attr == "" || attr == "Id" {
			return arn("secretsmanager", "secret:"+id), nil
		}
	case "AWS::SNS::Topic":
		if attr == "" || attr == "TopicArn" {
			return arn("sns", id), nil
		}
	case "AWS::CertificateManager::Certificate":
		if attr == "" {
			return arn("acm", "certificate/"+strings.ToLower(id)), nil
		}
	case "AWS::Logs::LogGroup":
		if attr == "" {
			return id, nil
		}
		if attr == "Arn" {
			return arn("logs", "log-group:"+id+":*"), nil
		}
	case "AWS::KMS::Key":
		if attr == "" || attr == "KeyId" {
			return strings.ToLower(id), nil
		}
		if attr == "Arn" {
			return arn("kms", "key/"+strings.ToLower(id)), nil
		}
	}
	if attr == "" {
		return id, nil
	}
	if attr == "Arn" {
		service := strings.ToLower(strings.Split(typ+"::x", "::")[1])
		return arn(service, id), nil
	}
	return bad()
}

// properties returns a resource's Properties, unevaluated.
func properties(id string, r map[string]any) (map[string]any, error) {
	p, ok := r["Properties"]
	if !ok || p == nil {
		return map[string]any{}, nil
	}
	m, ok := p.(map[string]any)
	if !ok {
		return nil, &Error{Resource: id, Path: "Properties", Reason: "Properties is not a mapping", Err: ErrInvalid}
	}
	return m, nil
}

// resourceProperties evaluates raw, a resource's Properties, and refuses
// the properties outside known (see checkKnown).
func (l *loader) resourceProperties(id string, raw map[string]any, known map[string]bool, noop map[string]string) (map[string]any, error) {
	pv, err := l.ev.eval(raw, "Properties")
	if err != nil {
		return nil, inResource(err, id)
	}
	props, ok := pv.(map[string]any)
	if !ok {
		return nil, &Error{Resource: id, Path: "Properties", Reason: "Properties do not evaluate to a mapping", Err: ErrInvalid}
	}
	if err := l.checkKnown(id, props, known, noop); err != nil {
		return nil, err
	}
	return props, nil
}

// checkKnown refuses properties outside known, and notes those in noop.
func (l *loader) checkKnown(id string, props map[string]any, known map[string]bool, noop map[string]string) error {
	var notes []string
	for _, k := range sortedKeys(props) {
		if known[k] {
			continue
		}
		if reason, ok := noop[k]; ok {
			if reason != "" {
				notes = append(notes, k+" ("+reason+")")
			}
			continue
		}
		return &Error{Resource: id, Path: "Properties." + k, Reason: "property " + k + " is not emulated", Err: ErrUnsupported}
	}
	if len(notes) > 0 {
		sort.Strings(notes)
		l.note(id, "no local effect: "+strings.Join(notes, ", "))
	}
	return nil
}

func (l *loader) note(resource, msg string) {
	l.app.Notes = append(l.app.Notes, Note{Resource: resource, Message: msg})
}

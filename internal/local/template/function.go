package template

import (
	"strconv"
	"time"
)

var functionProperties = map[string]bool{
	"CodeUri": true, "Handler": true, "Runtime": true, "Architectures": true,
	"MemorySize": true, "Timeout": true, "Environment": true, "Events": true,
	"LoggingConfig": true, "ReservedConcurrentExecutions": true,
}

// functionNoop are accepted function properties; an empty reason is not
// worth a log line.
var functionNoop = map[string]string{
	"Description":                  "",
	"Tags":                         "",
	"PropagateTags":                "",
	"Policies":                     "IAM is not enforced locally",
	"Role":                         "IAM is not enforced locally",
	"PermissionsBoundary":          "IAM is not enforced locally",
	"AssumeRolePolicyDocument":     "IAM is not enforced locally",
	"Tracing":                      "no X-Ray locally",
	"FunctionName":                 "functions are named by logical ID locally",
	"AutoPublishAlias":             "no versions locally",
	"DeploymentPreference":         "no deployments locally",
	"ProvisionedConcurrencyConfig": "every environment starts on demand locally",
	"VpcConfig":                    "no VPC locally",
	"KmsKeyArn":                    "encryption is not emulated",
	"EphemeralStorage":             "the process uses the host's disk",
	"RuntimeManagementConfig":      "",
	"RecursiveLoop":                "",
	"CodeSigningConfigArn":         "code signing is not checked locally",
	"DeadLetterQueue":              "no asynchronous invocations locally",
	"EventInvokeConfig":            "no asynchronous invocations locally",
}

// function resolves an AWS::Serverless::Function with Globals.Function.
func (l *loader) function(id string, r map[string]any) (*Function, error) {
	raw, err := properties(id, r)
	if err != nil {
		return nil, err
	}
	if g, ok := l.doc.Globals["Function"].(map[string]any); ok {
		raw = mergeGlobals(g, raw).(map[string]any)
	}
	props, err := l.resourceProperties(id, raw, functionProperties, functionNoop)
	if err != nil {
		return nil, err
	}
	meta, _ := r["Metadata"].(map[string]any)
	f := &Function{
		LogicalID:   id,
		CodeURI:     str(props["CodeUri"]),
		Handler:     str(props["Handler"]),
		Runtime:     str(props["Runtime"]),
		BuildMethod: str(meta["BuildMethod"]),
		MemoryMB:    128,
		Timeout:     3 * time.Second,
		Environment: map[string]string{},
	}
	if _, isMap := props["CodeUri"].(map[string]any); isMap {
		return nil, unsupportedProperty(id, "CodeUri", "CodeUri must be a local path")
	}
	if f.Runtime != "provided.al2023" && f.Runtime != "provided.al2" {
		return nil, unsupportedProperty(id, "Runtime", "runtime %s is not run locally; only custom runtimes (provided.al2023, provided.al2) running a bootstrap binary are", f.Runtime)
	}
	if archs, ok := props["Architectures"].([]any); ok {
		for _, a := range archs {
			f.Architectures = append(f.Architectures, str(a))
		}
	}
	if v, ok := props["MemorySize"]; ok {
		n, err := strconv.Atoi(str(v))
		if err != nil || n < 128 || n > 10240 {
			return nil, invalidProperty(id, "MemorySize", "MemorySize %q is not 128..10240", str(v))
		}
		f.MemoryMB = n
	}
	if v, ok := props["Timeout"]; ok {
		n, err := strconv.Atoi(str(v))
		if err != nil || n < 1 || n > 900 {
			return nil, invalidProperty(id, "Timeout", "Timeout %q is not 1..900 seconds", str(v))
		}
		f.Timeout = time.Duration(n) * time.Second
	}
	if v, ok := props["ReservedConcurrentExecutions"]; ok {
		n, err := strconv.Atoi(str(v))
		if err != nil || n < 0 {
			return nil, invalidProperty(id, "ReservedConcurrentExecutions", "not a non-negative integer")
		}
		f.ReservedConcurrency = n
	}
	if env, ok := props["Environment"].(map[string]any); ok {
		vars, _ := env["Variables"].(map[string]any)
		for k, v := range vars {
			if _, nested := v.(map[string]any); nested {
				return nil, invalidProperty(id, "Environment.Variables."+k, "value is not a scalar")
			}
			if _, nested := v.([]any); nested {
				return nil, invalidProperty(id, "Environment.Variables."+k, "value is not a scalar")
			}
			f.Environment[k] = str(v)
		}
	}
	if ev, ok := props["Events"].(map[string]any); ok {
		l.events = append(l.events, functionEvents{function: id, events: ev})
	}
	if lc, ok := props["LoggingConfig"].(map[string]any); ok {
		f.LogFormat = str(lc["LogFormat"])
		f.LogLevel = str(lc["ApplicationLogLevel"])
	}
	return f, nil
}

// mergeGlobals applies SAM's Globals rules: the resource's scalar wins,
// maps merge key by key, lists are concatenated (Globals first). An
// intrinsic function on either side is a scalar.
func mergeGlobals(global, local any) any {
	gm, gok := global.(map[string]any)
	lm, lok := local.(map[string]any)
	if gok && lok {
		if _, _, fn := intrinsic(gm); !fn {
			if _, _, fn := intrinsic(lm); !fn {
				out := make(map[string]any, len(gm)+len(lm))
				for k, v := range gm {
					out[k] = v
				}
				for k, v := range lm {
					if gv, ok := gm[k]; ok {
						out[k] = mergeGlobals(gv, v)
					} else {
						out[k] = v
					}
				}
				return out
			}
		}
	}
	gl, gok := global.([]any)
	ll, lok := local.([]any)
	if gok && lok {
		return append(append([]any{}, gl...), ll...)
	}
	return local
}

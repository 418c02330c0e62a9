package platform

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// EnvVars is a SAM-format env-vars file: {"Parameters": {...},
// "<LogicalId>": {"VAR": "value"}}.
type EnvVars struct {
	Parameters map[string]string
	Functions  map[string]map[string]string
}

// ReadEnvVars reads an env-vars file; an empty path is an empty file.
func ReadEnvVars(path string) (EnvVars, error) {
	ev := EnvVars{Parameters: map[string]string{}, Functions: map[string]map[string]string{}}
	if path == "" {
		return ev, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ev, fmt.Errorf("read env-vars file: %w", err)
	}
	var raw map[string]map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return ev, fmt.Errorf("env-vars file %s: want {\"LogicalId\": {\"VAR\": \"value\"}, \"Parameters\": {...}}: %w", path, err)
	}
	for section, vars := range raw {
		m := make(map[string]string, len(vars))
		for k, v := range vars {
			s, err := scalar(v)
			if err != nil {
				return ev, fmt.Errorf("env-vars file %s: %s.%s: %w", path, section, k, err)
			}
			m[k] = s
		}
		if section == "Parameters" {
			ev.Parameters = m
		} else {
			ev.Functions[section] = m
		}
	}
	return ev, nil
}

func scalar(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(t), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("value is not a string, number or boolean")
}

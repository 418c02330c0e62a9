package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
)

// command is one subcommand.
type command struct {
	name    string
	args    string // positional arguments, for the usage line
	summary string
	detail  string
	flags   func(fs *flag.FlagSet) func(ctx *runContext) int
}

// runContext is what a command's body gets after flags are parsed.
type runContext struct {
	ctx            context.Context
	args           []string
	stdout, stderr io.Writer
	fs             *flag.FlagSet
}

// envName is the environment variable that sets a flag.
func envName(flagName string) string {
	return "SQSGATE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse applies SQSGATE_* variables, then the command line. It returns
// false with an exit code when the command should stop (help or error).
func parse(fs *flag.FlagSet, args []string, lookup func(string) (string, bool)) (bool, int) {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := lookup(envName(f.Name)); ok && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		fmt.Fprintln(fs.Output(), "sqsgate:", envErr)
		return false, 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return false, 0
		}
		return false, 2
	}
	return true, 0
}

// usage prints a command's help: what it does, its flags with their
// variables and defaults.
func usage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: sqsgate %s [flags]%s\n\n%s\n", c.name, c.args, c.summary)
	if c.detail != "" {
		fmt.Fprintf(w, "\n%s\n", c.detail)
	}
	fmt.Fprintf(w, "\nFlags (each also read from the environment variable shown):\n")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	for _, n := range names {
		f := fs.Lookup(n)
		def := ""
		if f.DefValue != "" {
			def = fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s  $%s%s\n      %s\n", n, envName(n), def, f.Usage)
	}
}

// params collects --parameter-overrides in SAM's forms: "Key=Value" pairs
// separated by spaces, or "ParameterKey=Key,ParameterValue=Value"; the flag
// may be repeated.
type params map[string]string

func (p params) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, " ")
}

func (p params) Set(s string) error {
	for _, field := range strings.Fields(s) {
		if strings.HasPrefix(field, "ParameterKey=") {
			k, v, ok := strings.Cut(strings.TrimPrefix(field, "ParameterKey="), ",ParameterValue=")
			if !ok || k == "" {
				return fmt.Errorf("%q: want ParameterKey=Key,ParameterValue=Value", field)
			}
			p[k] = v
			continue
		}
		k, v, ok := strings.Cut(field, "=")
		if !ok || k == "" {
			return fmt.Errorf("%q: want Key=Value", field)
		}
		p[k] = v
	}
	return nil
}

// logger writes the platform's own log as JSON lines to w.
func logger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func lookupEnv(name string) (string, bool) { return os.LookupEnv(name) }

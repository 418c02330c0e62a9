package cli

import (
	"context"
	"io"
	"path/filepath"

	"github.com/sqsgate/sqsgate/internal/local/build"
	"github.com/sqsgate/sqsgate/internal/local/platform"
)

// builder is the platform's Build hook: the functions' bootstraps built
// from the Go module beside the template, with a progress line each on
// progress. A template outside a Go module runs what --functions-dir holds.
func builder(cfg *platform.Config, progress io.Writer) func(context.Context, []string) error {
	template := cfg.Template
	if template == "" {
		template = platform.DefaultTemplate
	}
	dir := filepath.Dir(template)
	if !build.HasModule(dir) {
		return nil
	}
	functionsDir := cfg.FunctionsDir
	if functionsDir == "" {
		functionsDir = platform.DefaultFunctionsDir
	}
	b := &build.Builder{Dir: dir, Out: progress}
	return func(ctx context.Context, names []string) error {
		return b.Ensure(ctx, buildFunctions(functionsDir, names))
	}
}

// buildFunctions names each function's package and bootstrap path.
func buildFunctions(functionsDir string, names []string) []build.Function {
	fns := make([]build.Function, len(names))
	for i, n := range names {
		fns[i] = build.Function{Name: n, Package: build.PackageFor(n), Out: filepath.Join(functionsDir, n, "bootstrap")}
	}
	return fns
}

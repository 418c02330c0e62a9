package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/sqsgate/sqsgate/internal/local/build"
	"github.com/sqsgate/sqsgate/internal/local/platform"
	"github.com/sqsgate/sqsgate/internal/local/watch"
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

// runWatching is `run --watch`: the platform, plus a watcher that rebuilds
// and swaps functions whose sources change, until ctx is done.
func runWatching(ctx context.Context, cfg platform.Config, stdout, stderr io.Writer) error {
	if cfg.Template == "" {
		cfg.Template = platform.DefaultTemplate
	}
	if cfg.FunctionsDir == "" {
		cfg.FunctionsDir = platform.DefaultFunctionsDir
	}
	dir := filepath.Dir(cfg.Template)
	if !build.HasModule(dir) {
		return fmt.Errorf("--watch rebuilds from the Go module beside the template, and %s has no go.mod", dir)
	}
	p, err := platform.Start(ctx, cfg)
	if err != nil {
		return err
	}
	names := make([]string, len(p.App.Functions))
	for i, f := range p.App.Functions {
		names[i] = f.LogicalID
	}
	w := &watch.Watcher{
		Dir:       dir,
		Template:  cfg.Template,
		Functions: buildFunctions(cfg.FunctionsDir, names),
		Builder:   &build.Builder{Dir: dir, Out: stderr},
		Replace:   p.ReplaceFunction,
		Out:       stderr,
	}
	if err := w.Open(); err != nil {
		return errors.Join(err, p.Close())
	}
	watchCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(watchCtx); close(done) }()
	fmt.Fprintf(stdout, "sqsgate: watching %s: a change to a function's Go sources rebuilds it and swaps it in\n", dir)
	p.WriteSummary(stdout)
	<-ctx.Done()
	stop()
	<-done
	return p.Close()
}

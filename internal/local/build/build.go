package build

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Flags are the go build flags of a local bootstrap, the Makefile's
// LAMBDA_FLAGS: the stamp covers them, so changing them rebuilds.
var Flags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w"}

// StampSuffix names the stamp file beside a binary.
const StampSuffix = ".stamp"

// Function is one bootstrap to build.
type Function struct {
	Name    string // logical ID, for the progress line
	Package string // import path relative to the module, e.g. ./functions/webhook
	Out     string // path of the bootstrap
}

// PackageFor is where a function's main lives, by the Makefile's rule:
// functions/<logical ID without "Function", lowercased>.
func PackageFor(logicalID string) string {
	return "./functions/" + strings.ToLower(strings.TrimSuffix(logicalID, "Function"))
}

// Builder builds bootstraps from the Go module in Dir.
type Builder struct {
	Dir string    // the module's root (holds go.mod)
	Go  string    // the go command; "" = "go" on PATH
	Out io.Writer // one progress line per function; nil discards
	// Now measures build times; nil = time.Now.
	Now func() time.Time
}

// Error is a failed build; Output is the compiler's.
type Error struct {
	Function string
	Output   string
	Err      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("build %s: %v\n%s", e.Function, e.Err, strings.TrimRight(e.Output, "\n"))
}

// HasModule reports whether dir is a Go module root the builder can use.
func HasModule(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// Ensure builds each function whose bootstrap is missing or whose stamp
// differs from its sources' hash, writing one line per function. It stops
// at the first failure.
func (b *Builder) Ensure(ctx context.Context, fns []Function) error {
	stamps, err := b.Stamps(ctx, fns)
	if err != nil {
		return err
	}
	for _, f := range fns {
		if current(f.Out, stamps[f.Package]) {
			b.printf("sqsgate: %s is up to date (%s)\n", f.Name, f.Out)
			continue
		}
		if err := b.build(ctx, f, stamps[f.Package]); err != nil {
			return err
		}
	}
	return nil
}

// Update builds every function of fns whose bootstrap is stale, going on
// past failures, and returns the ones it rebuilt; err joins the failures
// (each a *Error with the compiler's output). Failed ones keep their old
// binary.
func (b *Builder) Update(ctx context.Context, fns []Function) (rebuilt []Function, err error) {
	stamps, err := b.Stamps(ctx, fns)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, f := range fns {
		if current(f.Out, stamps[f.Package]) {
			continue
		}
		if err := b.build(ctx, f, stamps[f.Package]); err != nil {
			errs = append(errs, err)
			continue
		}
		rebuilt = append(rebuilt, f)
	}
	return rebuilt, errors.Join(errs...)
}

// Rebuild builds f when it is stale and reports whether it built; on
// failure the old binary stays in place.
func (b *Builder) Rebuild(ctx context.Context, f Function) (changed bool, err error) {
	stamps, err := b.Stamps(ctx, []Function{f})
	if err != nil {
		return false, &Error{Function: f.Name, Output: err.Error(), Err: errors.New("go list failed")}
	}
	if current(f.Out, stamps[f.Package]) {
		return false, nil
	}
	return true, b.build(ctx, f, stamps[f.Package])
}

func current(out, stamp string) bool {
	if _, err := os.Stat(out); err != nil {
		return false
	}
	got, err := os.ReadFile(out + StampSuffix)
	return err == nil && strings.TrimSpace(string(got)) == stamp
}

// build compiles f into a temporary file beside its bootstrap and renames
// it into place, so a running process keeps its binary and a failed build
// leaves the old one; the stamp follows the binary.
func (b *Builder) build(ctx context.Context, f Function, stamp string) error {
	start := b.now()
	// go build runs in the module's directory; f.Out is relative to ours.
	out, err := filepath.Abs(f.Out)
	if err != nil {
		return err
	}
	f.Out = out
	if err := os.MkdirAll(filepath.Dir(f.Out), 0o755); err != nil {
		return err
	}
	tmp := f.Out + ".building"
	args := append(append([]string{"build"}, Flags...), "-o", tmp, f.Package)
	cmd := exec.CommandContext(ctx, b.goCmd(), args...)
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	output, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.Remove(tmp)
		b.printf("sqsgate: %s failed to build (%s); the previous bootstrap, if any, stays\n", f.Name, f.Package)
		return &Error{Function: f.Name, Output: string(output), Err: err}
	}
	if err := os.Rename(tmp, f.Out); err != nil {
		return err
	}
	if err := os.WriteFile(f.Out+StampSuffix, []byte(stamp+"\n"), 0o644); err != nil {
		return err
	}
	b.printf("sqsgate: built %s (%s) in %s\n", f.Name, f.Package, b.now().Sub(start).Round(100*time.Millisecond))
	return nil
}

// Stamps returns, per function package, the hash of what its bootstrap is
// built from: the Go files of every package of the module it depends on
// (by `go list -deps` with the build's tags), go.mod, go.sum and Flags.
func (b *Builder) Stamps(ctx context.Context, fns []Function) (map[string]string, error) {
	pkgs := make([]string, 0, len(fns))
	for _, f := range fns {
		pkgs = append(pkgs, f.Package)
	}
	const sep = "\x1f"
	format := strings.Join([]string{"{{.ImportPath}}", "{{.Dir}}", "{{if .Module}}{{.Module.Main}}{{end}}",
		`{{join .GoFiles " "}} {{join .EmbedFiles " "}}`, `{{join .Deps " "}}`, "{{.DepOnly}}"}, sep)
	args := append([]string{"list", "-deps", "-tags", "lambda.norpc", "-f", format}, pkgs...)
	cmd := exec.CommandContext(ctx, b.goCmd(), args...)
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %v\n%s", strings.Join(pkgs, " "), err, stderr.String())
	}
	type pkg struct {
		dir   string
		main  bool
		files []string
		deps  []string
	}
	all := map[string]pkg{}
	var roots []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), sep)
		if len(fields) != 6 {
			continue
		}
		all[fields[0]] = pkg{dir: fields[1], main: fields[2] == "true", files: strings.Fields(fields[3]), deps: strings.Fields(fields[4])}
		if fields[5] == "false" {
			roots = append(roots, fields[0])
		}
	}
	mod, err := os.ReadFile(filepath.Join(b.Dir, "go.mod"))
	if err != nil {
		return nil, err
	}
	sum, _ := os.ReadFile(filepath.Join(b.Dir, "go.sum")) // a module without dependencies has none
	byDir := map[string]string{}                          // a root's real directory → its package argument
	for _, p := range pkgs {
		byDir[realDir(filepath.Join(b.Dir, p))] = p
	}
	stamps := map[string]string{}
	for _, root := range roots {
		h := sha256.New()
		fmt.Fprintf(h, "flags %q\ngo.mod %d\n%s\ngo.sum %d\n%s\n", Flags, len(mod), mod, len(sum), sum)
		names := append([]string{root}, all[root].deps...)
		sort.Strings(names)
		for _, name := range names {
			p, ok := all[name]
			if !ok || !p.main {
				continue // the standard library and other modules are pinned by go.sum
			}
			files := append([]string(nil), p.files...)
			sort.Strings(files)
			for _, f := range files {
				data, err := os.ReadFile(filepath.Join(p.dir, f))
				if err != nil {
					return nil, err
				}
				fmt.Fprintf(h, "%s/%s %d\n", name, f, len(data))
				h.Write(data)
			}
		}
		if p, ok := byDir[realDir(all[root].dir)]; ok {
			stamps[p] = hex.EncodeToString(h.Sum(nil))
		}
	}
	for _, p := range pkgs {
		if stamps[p] == "" {
			return nil, fmt.Errorf("go list %s: %s not listed", strings.Join(pkgs, " "), p)
		}
	}
	return stamps, nil
}

func (b *Builder) goCmd() string {
	if b.Go != "" {
		return b.Go
	}
	return "go"
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Builder) printf(format string, a ...any) {
	if b.Out != nil {
		fmt.Fprintf(b.Out, format, a...)
	}
}

// realDir is dir made absolute with its symbolic links resolved, so the
// directories go list prints compare with the ones asked for.
func realDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Clean(dir)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	return abs
}

package build_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sqsgate/sqsgate/internal/local/build"
	"github.com/sqsgate/sqsgate/internal/testpeer"
)

// tinyModule writes a module with one function that prints a greeting from
// a package of the module, and a package the function does not import.
func tinyModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/tiny\n\ngo 1.22\n")
	write(t, dir, "functions/echo/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/tiny/internal/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n")
	write(t, dir, "internal/greet/greet.go", "package greet\n\nfunc Hello() string { return \"hello\" }\n")
	write(t, dir, "internal/other/other.go", "package other\n\nconst X = 1\n")
	return dir
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runBinary(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command(path).Output()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

func TestEnsureBuildsMissingAndStaleOnly(t *testing.T) {
	testpeer.SkipShort(t, "go build of a test module")
	dir := tinyModule(t)
	var progress strings.Builder
	b := &build.Builder{Dir: dir, Out: &progress}
	fn := build.Function{Name: "EchoFunction", Package: build.PackageFor("EchoFunction"), Out: filepath.Join(t.TempDir(), "EchoFunction", "bootstrap")}
	ctx := context.Background()
	ensure := func(want string) {
		t.Helper()
		progress.Reset()
		if err := b.Ensure(ctx, []build.Function{fn}); err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(want).MatchString(progress.String()) {
			t.Fatalf("progress %q, want it to match %q", progress.String(), want)
		}
	}
	built := `^sqsgate: built EchoFunction \(\./functions/echo\) in [0-9.]+m?s\n$`
	upToDate := `^sqsgate: EchoFunction is up to date`

	ensure(built) // missing
	if got := runBinary(t, fn.Out); got != "hello" {
		t.Fatalf("binary prints %q", got)
	}
	ensure(upToDate)
	write(t, dir, "internal/other/other.go", "package other\n\nconst X = 2\n")
	ensure(upToDate) // a package the function does not import
	write(t, dir, "internal/greet/greet.go", "package greet\n\nfunc Hello() string { return \"bonjour\" }\n")
	ensure(built) // a package it imports
	if got := runBinary(t, fn.Out); got != "bonjour" {
		t.Fatalf("rebuilt binary prints %q", got)
	}
	write(t, dir, "go.mod", "module example.com/tiny\n\ngo 1.22\n\n// a change\n")
	ensure(built) // go.mod
	if err := os.Remove(fn.Out); err != nil {
		t.Fatal(err)
	}
	ensure(built) // binary gone, stamp left

	// A failing build names the compiler's error and keeps the old binary.
	write(t, dir, "internal/greet/greet.go", "package greet\n\nfunc Hello() string { return 42 }\n")
	changed, err := b.Rebuild(ctx, fn)
	var be *build.Error
	if !changed || !errors.As(err, &be) || !strings.Contains(be.Output, "greet.go:3") {
		t.Fatalf("Rebuild of broken code: changed %v, err %v; want a build.Error with the compiler's greet.go:3", changed, err)
	}
	if got := runBinary(t, fn.Out); got != "bonjour" {
		t.Fatalf("after a failed build the binary prints %q, want the old one's bonjour", got)
	}
	if _, err := os.Stat(fn.Out + ".building"); !os.IsNotExist(err) {
		t.Errorf("the failed build left %s.building: %v", fn.Out, err)
	}
}

func TestPackageFor(t *testing.T) {
	for id, want := range map[string]string{"WebhookFunction": "./functions/webhook", "AuthorizerFunction": "./functions/authorizer", "Echo": "./functions/echo"} {
		if got := build.PackageFor(id); got != want {
			t.Errorf("PackageFor(%s) = %s, want %s", id, got, want)
		}
	}
}

package watch

import "testing"

// What the watcher rebuilds on: a function's Go sources, go.mod and go.sum;
// not tests (no bootstrap changes), editors' hidden swap files or others.
// The end-to-end check of --watch is internal/local/cli's
// TestRunWatchSwapsAnEditedFunction.
func TestIsSource(t *testing.T) {
	for path, want := range map[string]bool{
		"functions/webhook/main.go":         true,
		"internal/webhook/provider.go":      true,
		"go.mod":                            true,
		"go.sum":                            true,
		"internal/webhook/handler_test.go":  false,
		"internal/webhook/.provider.go.swp": false,
		"internal/webhook/.#provider.go":    false,
		"template.yaml":                     false,
		"README.md":                         false,
	} {
		if got := isSource(path); got != want {
			t.Errorf("isSource(%s) = %v, want %v", path, got, want)
		}
	}
	for name, want := range map[string]bool{".git": true, "bin": true, "node_modules": true, "testdata": true, "internal": false, "functions": false} {
		if got := skipDir(name); got != want {
			t.Errorf("skipDir(%s) = %v, want %v", name, got, want)
		}
	}
}

package watch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/sqsgate/sqsgate/internal/local/build"
)

// DefaultQuiet is how long the tree must stay quiet after a change before
// the watcher rebuilds: an editor's save or a git checkout is a burst of
// events, and one rebuild should follow it.
const DefaultQuiet = 200 * time.Millisecond

// Watcher rebuilds and swaps the functions whose sources change.
type Watcher struct {
	Dir       string // the module's root
	Template  string // the template file; a change asks for a restart
	Functions []build.Function
	Builder   *build.Builder
	// Replace swaps a rebuilt function in (lambdaruntime.Runtime.Replace).
	Replace func(function string) error
	Out     io.Writer // what the developer reads
	Quiet   time.Duration

	fw *fsnotify.Watcher
}

// skipDir names directories that hold no sources of the functions.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "bin" || name == "node_modules" || name == "testdata"
}

// Open starts watching the module's directories and the template's, so
// that a change made once Open returns is seen; Run then acts on changes.
func (w *Watcher) Open() error {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	if err := w.addTree(fw, w.Dir); err != nil {
		fw.Close()
		return err
	}
	if err := fw.Add(filepath.Dir(w.Template)); err != nil {
		fw.Close()
		return fmt.Errorf("watch %s: %w", filepath.Dir(w.Template), err)
	}
	w.fw = fw
	return nil
}

// Run acts on changes until ctx is done, then stops watching. Open must
// have succeeded.
func (w *Watcher) Run(ctx context.Context) {
	fw := w.fw
	defer fw.Close()
	template, _ := filepath.Abs(w.Template)
	quiet := w.Quiet
	if quiet == 0 {
		quiet = DefaultQuiet
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var sources, templateChanged bool
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-fw.Errors:
			if !ok {
				return
			}
			w.printf("sqsgate: watch: %v\n", err)
		case ev, ok := <-fw.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() && !skipDir(info.Name()) {
					_ = w.addTree(fw, ev.Name) // a new package
				}
			}
			abs, _ := filepath.Abs(ev.Name)
			switch {
			case abs == template:
				templateChanged = true
			case isSource(ev.Name):
				sources = true
			default:
				continue
			}
			timer.Reset(quiet)
		case <-timer.C:
			if templateChanged {
				templateChanged = false
				w.printf("sqsgate: %s changed: restart to apply (routes, queues and settings are read at start)\n", w.Template)
			}
			if sources {
				sources = false
				w.update(ctx)
			}
		}
	}
}

// isSource reports whether a change to path can change a bootstrap.
func isSource(path string) bool {
	base := filepath.Base(path)
	if base == "go.mod" || base == "go.sum" {
		return true
	}
	return strings.HasSuffix(base, ".go") && !strings.HasSuffix(base, "_test.go") && !strings.HasPrefix(base, ".")
}

// update rebuilds what changed and swaps it in; a failing build is
// reported with the compiler's output and the old binary keeps running.
func (w *Watcher) update(ctx context.Context) {
	rebuilt, err := w.Builder.Update(ctx, w.Functions)
	for _, f := range rebuilt {
		if rerr := w.Replace(f.Name); rerr != nil {
			w.printf("sqsgate: %s rebuilt but not swapped in: %v\n", f.Name, rerr)
			continue
		}
		w.printf("sqsgate: swapped in the new %s: new invocations run it, those in flight finish on the old one\n", f.Name)
	}
	if err == nil {
		return
	}
	var be *build.Error
	for _, e := range unjoin(err) {
		if errors.As(e, &be) {
			w.printf("sqsgate: %s still runs its previous bootstrap; the compiler said:\n%s\n", be.Function, strings.TrimRight(be.Output, "\n"))
			continue
		}
		w.printf("sqsgate: watch: %v\n", e)
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// addTree watches dir and every directory under it that can hold sources.
func (w *Watcher) addTree(fw *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a directory that vanished meanwhile
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		if err := fw.Add(path); err != nil {
			return fmt.Errorf("watch %s: %w", path, err)
		}
		return nil
	})
}

func (w *Watcher) printf(format string, a ...any) {
	if w.Out != nil {
		fmt.Fprintf(w.Out, format, a...)
	}
}

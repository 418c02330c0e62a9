// Package watch is `sqsgate run --watch`: it watches the Go module the
// functions are built from and, when a function's sources change, rebuilds
// that function (internal/local/build) and swaps the new bootstrap in
// (lambdaruntime.Runtime.Replace); a failing build keeps the old binary and
// prints the compiler's error. A change to the template is reported, to be
// applied by a restart.
//
// It uses github.com/fsnotify/fsnotify, the library Go tools use to watch
// files, rather than hand-written inotify: it covers Linux, macOS and
// Windows, and handles the event queue overflow and the editors' rename
// dance that a hand-written watcher would have to get right again.
package watch

package lambdaruntime

import "fmt"

// Replace makes function's next invocations run its bootstrap anew, after
// the file at its Executable path was replaced (sqsgate run --watch renames
// a fresh build into place): idle execution environments stop now, and
// invocations in flight finish on the process that runs the old binary,
// which then stops instead of serving again.
func (rt *Runtime) Replace(function string) error {
	fn, ok := rt.functions[function]
	if !ok {
		return fmt.Errorf("%w: %s", ErrFunctionNotFound, function)
	}
	fn.pool.replace()
	rt.logger.Debug("function replaced: new invocations start its new bootstrap", "function", function)
	return nil
}

// Package wal is the append-only log under the SQS endpoint's durable
// store: records framed with a length and a CRC-32C, appended to segment
// files in a data directory, made durable with one fdatasync per group of
// concurrent appends (group commit), replayed at open, and compacted by
// copying the records still needed into a snapshot that replaces the
// segments it covers.
//
// # Why a log
//
// An acknowledged SQS write must be on disk before the answer. A B-tree
// such as bbolt syncs twice per commit (pages, then the meta page) and
// rewrites pages; an append-only log syncs once, writes only the new
// bytes, and lets every writer that arrives during a sync share the next
// one. Writers lead their own group: the first to wait writes and syncs
// what is pending, in its own goroutine, so one client pays one write and
// one fdatasync and no goroutine hand-off; the others wait on a condition
// and are released together when their group is on disk.
//
// # Files
//
//	LOCK                 flock'd while a process has the directory open
//	<id>.log             segments, ids increasing, each up to SegmentBytes
//	<id>.snap            a compacted snapshot replacing every file up to <id>
//	<id>.snap.tmp        a snapshot being written (removed at open)
//
// Segments are preallocated a mebibyte at a time (fallocate on Linux), so
// an fdatasync rarely has file-size metadata to commit. A record is
//
//	[4 bytes length n][4 bytes CRC-32C of length and payload][n bytes payload]
//
// and a zero length marks the end of the data in a preallocated segment.
// At open, a torn record at the end of the last segment (a crash in the
// middle of a write, never acknowledged) is cut off; a bad record anywhere
// else is corruption and Open fails rather than silently dropping data.
package wal

// Files that survive a crash or a full disk: fsync of a file or a directory, and replacing a
// whole file atomically. The checkpoint store and the dead-letter file's trim use them; each
// failure is an Error(Io) naming the path and the system's reason (ENOSPC, EROFS, ...).
#pragma once

#include <cstddef>
#include <string>

namespace streamml {

// fsync of a file, or of a directory (which makes the names created or removed in it durable).
void fsync_path(const std::string& path, bool directory);

// Creates (or truncates) `path` with `size` bytes of `data`, fsynced and closed. On failure
// the file is removed and Error(Io) says "<what> '<path>' failed: <reason>".
void write_file_synced(const std::string& path, const char* data, std::size_t size);

// Replaces `path` by `contents`: written to a temporary file beside it, fsynced, renamed over
// it, the directory fsynced; so a crash or a full disk leaves either the old file or the new
// one, never a mix (the temporary file is removed on failure).
void replace_file(const std::string& path, const std::string& contents);

}  // namespace streamml

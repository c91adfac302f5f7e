// Files that survive a crash or a full disk: writing a whole file durably, and replacing one
// atomically (fsync_path is in file_sync.h). The checkpoint store and the dead-letter file's
// trim use them; each failure is an Error(Io) naming the path and the system's reason (ENOSPC,
// EROFS, EFBIG, ...).
#pragma once

#include <cstddef>
#include <string>

namespace streamml {

// Creates (or truncates) `path` with `size` bytes of `data`, fsynced and closed. On failure
// the file is removed and Error(Io) says "<what> '<path>' failed: <reason>".
void write_file_synced(const std::string& path, const char* data, std::size_t size);

// Replaces `path` by `contents`: written to a temporary file beside it, fsynced, renamed over
// it, the directory fsynced; so a crash or a full disk leaves either the old file or the new
// one, never a mix (the temporary file is removed on failure).
void replace_file(const std::string& path, const std::string& contents);

}  // namespace streamml

// Durability of files and directory entries: what a crash may not take back once written.
#pragma once

#include <string>

namespace streamml {

// fsync of a file (or, with directory, of a directory, so that names created, renamed or
// removed in it survive a crash). Throws Error(Io) naming the path.
void fsync_path(const std::string& path, bool directory);

}  // namespace streamml

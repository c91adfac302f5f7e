#include "core/error.h"

#include <cstring>

namespace streamml::detail {

void throw_error(ErrorKind kind, const char* condition, const char* file, int line,
                 const std::string& message) {
  // Keep only the path below the repository root: "core/batch.cpp", not the build machine's.
  const char* shown = file;
  for (const char* top : {"/core/", "/streaming/", "/algorithms/", "/apps/", "/bindings/"}) {
    if (const char* at = std::strstr(file, top)) {
      shown = at + 1;
      break;
    }
  }
  std::ostringstream where;
  if (std::strcmp(condition, "false") != 0) where << "[check `" << condition << "` failed] ";
  where << "(" << shown << ":" << line << ")";
  throw Error(kind, message, where.str());
}

}  // namespace streamml::detail

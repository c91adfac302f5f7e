#include "streaming/source.h"

namespace streamml {

std::string display_name(const Source& source) {
  // Bad-record messages name the file ("data/x.csv:17:3: ..."), not the source kind.
  const std::string name = source.name();
  const auto colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

}  // namespace streamml

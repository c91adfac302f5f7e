// `streamml inspect PATH`: what a checkpoint file, or a directory of them, holds — without
// loading any learned state (only attributes and dataset shapes are read).
#pragma once

#include <ostream>
#include <string>

namespace streamml {

// A file: its root attributes and datasets. A checkpoint directory: every model's versions
// and the newest one's batch, position and metrics. as_json: the same as JSON. Throws
// streamml::Error for a damaged file or a path that is neither.
int run_inspect(const std::string& path, bool as_json, std::ostream& out);

}  // namespace streamml

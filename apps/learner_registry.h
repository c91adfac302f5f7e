// Learners by name, as the command line and the summary know them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "streaming/stage.h"

namespace streamml {

// Names accepted by `--learner`.
std::vector<std::string> learner_names();

// A pipeline stage that evaluates (test-then-train) and trains the named learner with the
// given settings ("key=value" each; eval_window and eval_auc_bins set the evaluation).
// curve_path: where to write the learning curve as CSV (empty: nowhere). Throws
// Error(InvalidInput) for an unknown name, listing the known ones, or a setting the learner
// does not have.
std::unique_ptr<Stage> make_learner_stage(const std::string& name,
                                          const std::vector<std::string>& params,
                                          const std::string& curve_path = {});

}  // namespace streamml

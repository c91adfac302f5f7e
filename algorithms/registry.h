// The learner types streamml knows, in one list (algorithms/registry.cpp): what the command
// line, the checkpoint loaders, `streamml inspect`, the Python module and the tests ask.
#pragma once

#include <memory>
#include <string>

#include "core/learner_registry.h"

namespace streamml {

const LearnerRegistry& learner_registry();

// A fresh object of the type a checkpoint file names, restored from it: the one loader that
// needs no type known in advance. Throws as load_checkpoint_file does, and Error(InvalidInput)
// naming the known types when the file's type is not one.
std::unique_ptr<Stateful> load_any_checkpoint(const std::string& path);
std::unique_ptr<Stateful> load_any_checkpoint_bytes(const void* data, std::size_t size,
                                                    const std::string& name = "<checkpoint bytes>");

}  // namespace streamml

// The registry of learner types: type name -> role, settings table and factory.
//
// The command line (`--learner NAME --param k=v`, `streamml learners`), the checkpoint loaders
// (C++ and Python), `streamml inspect` and the tests all ask it, so a type name is written once,
// in the learner's own class. The list of registered types is in algorithms/registry.cpp (core
// cannot see the learners); a new learner is one line there.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/learner.h"
#include "core/settings.h"

namespace streamml {

struct LearnerType {
  std::string name;                       // "logreg": --learner, checkpoints' learner_type
  LearnerRole role = LearnerRole::Classifier;
  std::string summary;                    // one line for `streamml learners`
  const SettingsTableBase* settings = nullptr;
  // A fresh object from `--param k=v` text or from settings JSON (a checkpoint's params);
  // both refuse unknown settings and validate. Evaluator types make a Stateful that is not a
  // Learner.
  std::unique_ptr<Stateful> (*from_text)(const std::map<std::string, std::string>& params) = nullptr;
  std::unique_ptr<Stateful> (*from_json)(std::string_view params) = nullptr;
};

class LearnerRegistry {
 public:
  // T: a Stateful with `static constexpr const char* kType`, `kRole`, `using Settings`,
  // `static const SettingsTable<Settings>& settings_table()`, and a constructor from Settings
  // (which validates).
  template <class T>
  LearnerRegistry& add(std::string summary) {
    LearnerType t;
    t.name = T::kType;
    t.role = T::kRole;
    t.summary = std::move(summary);
    t.settings = &T::settings_table();
    t.from_text = [](const std::map<std::string, std::string>& params) -> std::unique_ptr<Stateful> {
      return std::make_unique<T>(T::settings_table().from_text(params));
    };
    t.from_json = [](std::string_view params) -> std::unique_ptr<Stateful> {
      return std::make_unique<T>(T::settings_table().from_json(params));
    };
    return add(std::move(t));
  }
  LearnerRegistry& add(LearnerType type);

  // Throws Error(InvalidInput) "unknown learner 'x' (known: logreg, kmeans, ...)".
  const LearnerType& get(std::string_view name) const;
  const LearnerType* find(std::string_view name) const;
  // In registration order; with `stages_only`, the types a pipeline can run as a stage.
  std::vector<std::string> names(bool stages_only = false) const;
  const std::vector<LearnerType>& types() const { return types_; }

  // A fresh learner of a type that can be a stage; throws for evaluator types.
  std::unique_ptr<Learner> make_learner(std::string_view name,
                                        const std::map<std::string, std::string>& params) const;
  // A fresh object of the type a checkpoint's learner_type names, with its params.
  std::unique_ptr<Stateful> make_from_json(std::string_view name, std::string_view params) const;

 private:
  std::vector<LearnerType> types_;
};

// `streamml learners`: one line per type. `streamml learners NAME`: every setting with its
// type, default, range or choices and doc.
std::string describe_learners(const LearnerRegistry& registry);
std::string describe_learner(const LearnerType& type);

}  // namespace streamml

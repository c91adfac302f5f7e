#include "core/learner_registry.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"

namespace streamml {

const char* role_name(LearnerRole role) {
  switch (role) {
    case LearnerRole::Classifier: return "classifier";
    case LearnerRole::Clusterer: return "clusterer";
    case LearnerRole::Recommender: return "recommender";
    case LearnerRole::Decision: return "decision";
    case LearnerRole::Evaluator: return "evaluator";
  }
  return "?";
}

LearnerRegistry& LearnerRegistry::add(LearnerType type) {
  STREAMML_CHECK(find(type.name) == nullptr, Runtime, "learner type '" << type.name << "' is registered twice");
  STREAMML_CHECK(type.settings != nullptr && type.from_text && type.from_json, Runtime,
                 "learner type '" << type.name << "' is registered without its settings or factories");
  types_.push_back(std::move(type));
  return *this;
}

const LearnerType* LearnerRegistry::find(std::string_view name) const {
  for (const auto& t : types_)
    if (t.name == name) return &t;
  return nullptr;
}

std::vector<std::string> LearnerRegistry::names(bool stages_only) const {
  std::vector<std::string> out;
  for (const auto& t : types_)
    if (!stages_only || t.role != LearnerRole::Evaluator) out.push_back(t.name);
  return out;
}

const LearnerType& LearnerRegistry::get(std::string_view name) const {
  if (const LearnerType* t = find(name)) return *t;
  std::string known;
  for (const auto& n : names(true)) known += (known.empty() ? "" : ", ") + n;
  STREAMML_FAIL(InvalidInput, "unknown learner '" << name << "' (known: " << known << ")");
}

std::unique_ptr<Learner> LearnerRegistry::make_learner(std::string_view name,
                                                       const std::map<std::string, std::string>& params) const {
  const LearnerType& type = get(name);
  STREAMML_CHECK(type.role != LearnerRole::Evaluator, InvalidInput,
                 "'" << name << "' is an evaluator, not a learner a pipeline can run");
  std::unique_ptr<Stateful> made = type.from_text(params);
  return std::unique_ptr<Learner>(static_cast<Learner*>(made.release()));
}

std::unique_ptr<Stateful> LearnerRegistry::make_from_json(std::string_view name, std::string_view params) const {
  return get(name).from_json(params);
}

std::string describe_learners(const LearnerRegistry& registry) {
  std::ostringstream out;
  std::size_t width = 0;
  for (const auto& t : registry.types()) width = std::max(width, t.name.size());
  for (const auto& t : registry.types()) {
    if (t.role == LearnerRole::Evaluator) continue;
    out << "  " << t.name << std::string(width + 2 - t.name.size(), ' ') << t.summary << " ("
        << role_name(t.role) << ")\n";
  }
  out << "`streamml learners NAME` lists a learner's settings; give them as --param NAME=VALUE.\n";
  return out.str();
}

std::string describe_learner(const LearnerType& type) {
  std::ostringstream out;
  out << type.name << ": " << type.summary << " (" << role_name(type.role) << ")\n";
  std::size_t width = 0;
  for (const auto& s : type.settings->settings()) width = std::max(width, s.name.size());
  for (const auto& s : type.settings->settings()) {
    out << "  " << s.name << std::string(width + 2 - s.name.size(), ' ') << setting_type_name(s.type);
    if (!s.choices.empty()) {
      out << " {";
      for (std::size_t i = 0; i < s.choices.size(); ++i) out << (i ? ", " : "") << s.choices[i];
      out << "}";
    }
    if (!s.range.empty()) out << ", " << s.range;
    out << ", default " << (s.default_text.empty() ? "(none)" : s.default_text) << "\n"
        << "  " << std::string(width + 2, ' ') << s.doc << "\n";
  }
  return out.str();
}

}  // namespace streamml

#include "datasets/generator.h"

#include "core/error.h"
#include "datasets/clicks.h"
#include "datasets/sensors.h"
#include "datasets/transactions.h"
#include "datasets/weblog.h"

namespace streamml {

namespace {

struct GeneratorKind {
  const char* name;
  GenerateReport (*generate)(const GenerateOptions&);
};

// Every kind, in the order shown to users. Adding a kind is one line here (see generator.h).
constexpr GeneratorKind kKinds[] = {
    {"clicks", generate_clicks},
    {"sensors", generate_sensors},
    {"weblog", generate_weblog},
    {"transactions", generate_transactions},
};

const GeneratorKind* find_kind(const std::string& name) {
  for (const auto& k : kKinds)
    if (name == k.name) return &k;
  return nullptr;
}

std::string joined_kinds() {
  std::string s;
  for (const auto& k : kKinds) s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

}  // namespace

std::vector<std::string> generator_kinds() {
  std::vector<std::string> names;
  for (const auto& k : kKinds) names.push_back(k.name);
  return names;
}

GenerateReport generate_stream(const GenerateOptions& o) {
  const GeneratorKind* kind = find_kind(o.kind);
  STREAMML_CHECK(kind != nullptr, InvalidInput,
                 "unknown generator kind '" << o.kind << "', expected one of: " << joined_kinds());
  return kind->generate(o);
}

}  // namespace streamml

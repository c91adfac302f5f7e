#include "datasets/generator.h"

#include "core/error.h"
#include "core/settings.h"
#include "datasets/churn.h"
#include "datasets/clicks.h"
#include "datasets/monitoring.h"
#include "datasets/ratings.h"
#include "datasets/sensors.h"
#include "datasets/transactions.h"
#include "datasets/weblog.h"

namespace streamml {

namespace {

struct GeneratorKind {
  const char* name;
  const SettingsTableBase& (*settings)();
  GenerateReport (*generate)(const GenerateOptions&);  // the settings read from text
};

// A kind from its settings struct (name, default rate, table) and its generate function.
template <class Settings, GenerateReport (*Generate)(const StreamOptions&, const Settings&)>
GeneratorKind kind() {
  return {Settings::kKind, []() -> const SettingsTableBase& { return Settings::settings_table(); },
          [](const GenerateOptions& o) { return Generate(o, Settings::settings_table().from_text(o.settings)); }};
}

// Every kind, in the order shown to users. Adding a kind is one line here (see generator.h).
const std::vector<GeneratorKind>& kinds() {
  static const std::vector<GeneratorKind> list = {
      kind<ClicksSettings, generate_clicks>(),
      kind<SensorsSettings, generate_sensors>(),
      kind<WeblogSettings, generate_weblog>(),
      kind<TransactionsSettings, generate_transactions>(),
      kind<MonitoringSettings, generate_monitoring>(),
      kind<RatingsSettings, generate_ratings>(),
      kind<ChurnSettings, generate_churn>(),
  };
  return list;
}

const GeneratorKind* find_kind(const std::string& name) {
  for (const auto& k : kinds())
    if (name == k.name) return &k;
  return nullptr;
}

std::string joined_kinds() {
  std::string s;
  for (const auto& k : kinds()) s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

}  // namespace

std::vector<std::string> generator_kinds() {
  std::vector<std::string> names;
  for (const auto& k : kinds()) names.push_back(k.name);
  return names;
}

const SettingsTableBase* generator_settings(const std::string& name) {
  const GeneratorKind* k = find_kind(name);
  return k ? &k->settings() : nullptr;
}

GenerateReport generate_stream(const GenerateOptions& o) {
  const GeneratorKind* k = find_kind(o.kind);
  STREAMML_CHECK(k != nullptr, InvalidInput,
                 "unknown generator kind '" << o.kind << "', expected one of: " << joined_kinds());
  return k->generate(o);
}

}  // namespace streamml

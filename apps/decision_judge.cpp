#include "apps/decision_judge.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <simdjson.h>

#include "algorithms/evaluation/prequential.h"
#include "core/error.h"
#include "core/json.h"
#include "datasets/monitoring.h"

namespace streamml {

namespace fs = std::filesystem;

namespace {

// A CSV file with a header, read whole: RFC 4180 quoting (the sinks quote the position).
struct CsvFile {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    STREAMML_FAIL(InvalidInput, path << ": no column '" << name << "'");
  }
  std::vector<double> numbers(const std::string& name) const {
    const std::size_t c = column(name);
    std::vector<double> v;
    v.reserve(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      STREAMML_CHECK(c < rows[r].size(), InvalidInput, path << ":" << r + 2 << ": " << rows[r].size() << " fields, expected " << header.size());
      try {
        v.push_back(std::stod(rows[r][c]));
      } catch (const std::exception&) {
        STREAMML_FAIL(InvalidInput, path << ":" << r + 2 << ": column '" << name << "' is not a number: '" << rows[r][c] << "'");
      }
    }
    return v;
  }
};

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else out.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

CsvFile read_csv(const fs::path& path) {
  std::ifstream in(path);
  STREAMML_CHECK(in.good(), Io, "decision system: cannot read '" << path.string() << "'");
  CsvFile f;
  f.path = path.string();
  std::string line;
  STREAMML_CHECK(std::getline(in, line), InvalidInput, path.string() << ": empty, expected a header line");
  f.header = split_csv(line);
  while (std::getline(in, line))
    if (!line.empty()) f.rows.push_back(split_csv(line));
  return f;
}

simdjson::dom::element read_json(simdjson::dom::parser& parser, const fs::path& path) {
  simdjson::dom::element doc;
  const auto error = parser.load(path.string()).get(doc);
  STREAMML_CHECK(!error, Io, "decision system: cannot read '" << path.string() << "': " << simdjson::error_message(error));
  return doc;
}

double json_number(simdjson::dom::element doc, const char* key, const fs::path& path) {
  double v = 0;
  if (doc[key].get_double().get(v)) {
    std::int64_t i = 0;
    STREAMML_CHECK(!doc[key].get_int64().get(i), InvalidInput, path.string() << ": no number '" << key << "'");
    v = double(i);
  }
  return v;
}

void judge_clicks(const DecisionSystemSettings& s, SystemJudgement& j) {
  const fs::path data = fs::path(s.data_dir) / "clicks.csv";
  const CsvFile clicks = read_csv(data);
  const CsvFile scores = read_csv(fs::path(s.decisions_dir()) / "clicks_scores.csv");
  const auto labels = clicks.numbers("clicked");
  const auto p = scores.numbers("ctr.probability");
  STREAMML_CHECK(p.size() == labels.size(), InvalidInput,
                 scores.path << ": " << p.size() << " scores for the " << labels.size() << " impressions of " << clicks.path);
  j.impressions = std::int64_t(p.size());
  double clicked = 0;
  for (double y : labels) clicked += y;
  j.click_rate = labels.empty() ? 0 : clicked / double(labels.size());
  j.auc = PrequentialEvaluator::exact_auc(p.data(), labels.data(), p.size());
  simdjson::dom::parser parser;
  const fs::path model = data.string() + ".model.json";
  j.bayes_auc = json_number(read_json(parser, model), "bayes_auc", model);
}

void judge_monitoring(const DecisionSystemSettings& s, SystemJudgement& j) {
  const fs::path data = fs::path(s.data_dir) / "monitoring.csv";
  const CsvFile records = read_csv(data);
  const CsvFile truth = read_csv(data.string() + ".truth.csv");
  const CsvFile decisions = read_csv(fs::path(s.decisions_dir()) / "monitoring_decisions.csv");
  simdjson::dom::parser parser;
  const fs::path model_path = data.string() + ".model.json";
  const auto model = read_json(parser, model_path);
  MonitoringSettings prices;
  prices.min_instances = std::int64_t(json_number(model, "min_instances", model_path));
  prices.instance_cost = json_number(model, "instance_cost", model_path);
  prices.scale_change_cost = json_number(model, "scale_change_cost", model_path);
  const auto J = std::int64_t(json_number(model, "services", model_path));
  j.offline_cost = json_number(model, "offline_cost", model_path);

  const std::size_t n = records.rows.size();
  STREAMML_CHECK(truth.rows.size() == n && decisions.rows.size() == n && J > 0 && n % std::size_t(J) == 0, InvalidInput,
                 "monitoring: " << n << " records, " << truth.rows.size() << " truth rows and " << decisions.rows.size()
                                << " decisions, expected one each per service (" << J << ") and hour");
  const auto requests = records.numbers("requests"), rate = records.numbers("processing_rate");
  const auto service = records.numbers("service");
  const auto burst = truth.numbers("burst"), incident = truth.numbers("incident");
  const auto flag = decisions.numbers("monitor.anomaly"), instances = decisions.numbers("autoscale.instances");
  j.service_hours = std::int64_t(n);
  j.hours = std::int64_t(n) / J;
  std::vector<bool> in_episode(std::size_t(J), false), episode_found(std::size_t(J), false);
  for (std::size_t r = 0; r < n; ++r) {
    const auto k = std::size_t(r % std::size_t(J));
    STREAMML_CHECK(std::int64_t(service[r]) == std::int64_t(k), InvalidInput,
                   records.path << ":" << r + 2 << ": service " << service[r] << ", expected " << k << " (one record per service per hour, in order)");
    const bool anomalous = burst[r] > 0 || incident[r] > 0, flagged = flag[r] > 0;
    j.anomalous_hours += anomalous;
    j.flagged_hours += flagged;
    j.true_flags += anomalous && flagged;
    if (anomalous && !in_episode[k]) ++j.episodes, episode_found[k] = false;
    if (anomalous && flagged && !episode_found[k]) ++j.episodes_found, episode_found[k] = true;
    in_episode[k] = anomalous;
    j.incident_hours += incident[r] > 0;
  }
  // The count in effect during an hour is the one decided after the hour before (hour 0 runs
  // on min_instances, before any rate is known, and its demand is not judged).
  std::vector<std::int64_t> current(std::size_t(J), prices.min_instances), in_effect;
  in_effect.reserve(n);
  for (std::size_t r = 0; r < n; ++r) {
    const auto k = std::size_t(r % std::size_t(J));
    in_effect.push_back(current[k]);
    if (r >= std::size_t(J) && double(current[k]) * rate[r] < requests[r])
      ++(incident[r] > 0 ? j.unmet_in_incident : j.unmet_outside_incident);
    if (k == std::size_t(J) - 1)  // the hour is over: its decisions run the next one
      for (std::size_t q = r + 1 - std::size_t(J); q <= r; ++q) current[q % std::size_t(J)] = std::int64_t(instances[q]);
  }
  j.scaling_cost = plan_cost(prices, J, in_effect);
  j.precision = j.flagged_hours ? double(j.true_flags) / double(j.flagged_hours) : 0;
  j.recall = j.anomalous_hours ? double(j.true_flags) / double(j.anomalous_hours) : 0;
}

}  // namespace

std::string SystemJudgement::to_json() const {
  JsonWriter w(true);
  w.begin_object();
  w.key("clicks").begin_object();
  w.key("impressions").value(impressions).key("click_rate").value(click_rate);
  w.key("auc").value(auc).key("bayes_auc").value(bayes_auc);
  w.end_object();
  w.key("anomalies").begin_object();
  w.key("service_hours").value(service_hours).key("injected_hours").value(anomalous_hours);
  w.key("flagged_hours").value(flagged_hours).key("true_flags").value(true_flags);
  w.key("precision").value(precision).key("recall").value(recall);
  w.key("episodes").value(episodes).key("episodes_found").value(episodes_found);
  w.end_object();
  w.key("scaling").begin_object();
  w.key("hours").value(hours).key("cost").value(scaling_cost).key("offline_cost").value(offline_cost);
  w.key("cost_over_offline").value(cost_over_offline());
  w.key("unmet_hours_outside_incident").value(unmet_outside_incident);
  w.key("unmet_hours_in_incident").value(unmet_in_incident).key("incident_hours").value(incident_hours);
  w.end_object();
  w.end_object();
  return w.str();
}

std::string SystemJudgement::text() const {
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "clicks      %lld impressions scored before learning from them: AUC %.3f (the true model's %.3f), click rate %.1f %%\n"
                "anomalies   %lld of %lld injected episodes found; service-hours: precision %.3f, recall %.3f (%lld flagged, %lld injected)\n"
                "scaling     cost %.1f vs the offline optimum %.1f: %+.1f %%; demand unmet in %lld hours outside the incident, %lld of its %lld\n",
                (long long)impressions, auc, bayes_auc, 100 * click_rate, (long long)episodes_found, (long long)episodes,
                precision, recall, (long long)flagged_hours, (long long)anomalous_hours, scaling_cost, offline_cost,
                100 * cost_over_offline(), (long long)unmet_outside_incident, (long long)unmet_in_incident,
                (long long)incident_hours);
  return buf;
}

SystemJudgement judge_decision_system(const DecisionSystemSettings& settings) {
  SystemJudgement j;
  judge_clicks(settings, j);
  judge_monitoring(settings, j);
  return j;
}

}  // namespace streamml

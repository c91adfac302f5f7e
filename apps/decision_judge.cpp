#include "apps/decision_judge.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "algorithms/evaluation/prequential.h"
#include "algorithms/optimize/retention.h"
#include "core/error.h"
#include "core/event_time.h"
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

// The row order of (event time, key), stable: file order among equal pairs.
std::vector<std::size_t> time_key_order(const CsvFile& f, const std::string& time, const std::string& key,
                                        std::vector<std::pair<EventTime, std::string>>& at) {
  const std::size_t t = f.column(time), k = f.column(key);
  at.clear();
  for (std::size_t r = 0; r < f.rows.size(); ++r) {
    STREAMML_CHECK(std::max(t, k) < f.rows[r].size(), InvalidInput, f.path << ":" << r + 2 << ": " << f.rows[r].size() << " fields, expected " << f.header.size());
    const auto when = parse_event_time(f.rows[r][t]);
    STREAMML_CHECK(when.has_value(), InvalidInput, f.path << ":" << r + 2 << ": column '" << time << "' is not a time: '" << f.rows[r][t] << "'");
    at.emplace_back(*when, f.rows[r][k]);
  }
  std::vector<std::size_t> order(f.rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return at[a] < at[b]; });
  return order;
}

// The decisions' rows put in the order of the records they decide on, matched by event time and
// key: a lane that read its stream from partitions of a topic wrote them in its merge order
// (event time, partition, offset), which among equal event times is not the file's. Records of
// one key keep their order through a partition, so the matching is exact.
void align_to_records(CsvFile& decisions, const CsvFile& records, const std::string& record_key) {
  std::vector<std::pair<EventTime, std::string>> rt, dt;
  const auto ro = time_key_order(records, "event_time", record_key, rt);
  const auto d_order = time_key_order(decisions, "event_time", "key", dt);
  STREAMML_CHECK(ro.size() == d_order.size(), InvalidInput,
                 decisions.path << ": " << d_order.size() << " decisions for the " << ro.size() << " records of " << records.path);
  std::vector<std::vector<std::string>> rows(ro.size());
  for (std::size_t i = 0; i < ro.size(); ++i) {
    STREAMML_CHECK(rt[ro[i]] == dt[d_order[i]], InvalidInput,
                   decisions.path << ":" << d_order[i] + 2 << ": a decision for key '" << dt[d_order[i]].second << "' at "
                                  << format_event_time(dt[d_order[i]].first) << ", where " << records.path << ":" << ro[i] + 2
                                  << " has key '" << rt[ro[i]].second << "' at " << format_event_time(rt[ro[i]].first));
    rows[ro[i]] = std::move(decisions.rows[d_order[i]]);
  }
  decisions.rows = std::move(rows);
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
  CsvFile scores = read_csv(fs::path(s.decisions_dir()) / "clicks_scores.csv");
  align_to_records(scores, clicks, "user");
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
  CsvFile decisions = read_csv(fs::path(s.decisions_dir()) / "monitoring_decisions.csv");
  align_to_records(decisions, records, "service");
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

constexpr EventTime kDay = 86400 * kMicrosPerSecond;

// One day's rows of a churn table (churn_risks.csv, churn_offers.csv), by the day they decided.
struct DayRows {
  std::vector<std::string> customers;
  std::vector<double> risk, value;
  std::vector<std::int64_t> offer;
};

// The day (since the origin) whose end batch `batch` decided at.
std::int64_t decision_day(const DecisionSystemSettings& s, std::int64_t batch, const std::string& path) {
  const auto tick = std::int64_t(std::llround(s.batch_seconds * 1e6));
  const std::int64_t end = (batch + 1) * tick;
  STREAMML_CHECK(end % kDay == 0, InvalidInput, path << ": batch " << batch << " does not end a day, expected the churn "
                                                     "tables only at the end of each day");
  return end / kDay - 1;
}

std::map<std::int64_t, DayRows> read_days(const DecisionSystemSettings& s, const std::string& name, bool offers) {
  const CsvFile f = read_csv(fs::path(s.decisions_dir()) / name);
  const auto batch = f.numbers("batch"), risk = f.numbers("risk"), value = f.numbers("value");
  const std::size_t customer = f.column("customer");
  const auto offer = offers ? f.numbers("offer") : std::vector<double>(f.rows.size(), -1);
  std::map<std::int64_t, DayRows> days;
  for (std::size_t r = 0; r < f.rows.size(); ++r) {
    DayRows& d = days[decision_day(s, std::int64_t(batch[r]), f.path)];
    d.customers.push_back(f.rows[r][customer]);
    d.risk.push_back(risk[r]);
    d.value.push_back(value[r]);
    d.offer.push_back(std::int64_t(offer[r]));
  }
  return days;
}

struct DayTruth {
  double p30;
  int left30;  // -1: not known yet (the stream's last 30 days)
};

// (day since the origin, customer) -> the truth of that day's end.
std::map<std::int64_t, std::unordered_map<std::string, DayTruth>> read_daily_truth(const DecisionSystemSettings& s) {
  const CsvFile f = read_csv(fs::path(s.data_dir) / "transactions.csv.truth_daily.csv");
  const std::size_t day = f.column("day"), customer = f.column("customer"), left = f.column("left30");
  const auto p30 = f.numbers("p30");
  std::map<std::int64_t, std::unordered_map<std::string, DayTruth>> truth;
  for (std::size_t r = 0; r < f.rows.size(); ++r) {
    const auto t = parse_event_time(f.rows[r][day]);
    STREAMML_CHECK(t && (*t - s.origin) % kDay == 0, InvalidInput,
                   f.path << ":" << r + 2 << ": day '" << f.rows[r][day] << "' is not the start of a day of the clock");
    const std::string& l = f.rows[r][left];
    truth[(*t - s.origin) / kDay][f.rows[r][customer]] = {p30[r], l.empty() ? -1 : std::stoi(l)};
  }
  return truth;
}

double auc_of(const std::vector<double>& score, const std::vector<double>& label) {
  return PrequentialEvaluator::exact_auc(score.data(), label.data(), score.size());
}

// The naive campaign: the riskiest first (rows in rank order), each the offer of largest uplift,
// until the budget cannot pay for the next one. Returns the value under `p` and the offers made.
std::pair<double, std::int64_t> naive_campaign(const DayRows& day, const std::vector<double>& p, const RetentionSettings& r) {
  std::size_t best = 0;
  for (std::size_t j = 1; j < r.offer_uplift.size(); ++j)
    if (r.offer_uplift[j] > r.offer_uplift[best] || (r.offer_uplift[j] == r.offer_uplift[best] && r.offer_cost[j] < r.offer_cost[best]))
      best = j;
  double spent = 0, value = 0;
  std::int64_t offers = 0;
  for (std::size_t i = 0; i < day.customers.size() && spent + r.offer_cost[best] <= r.budget + 1e-9; ++i, ++offers) {
    spent += r.offer_cost[best];
    value += p[i] * r.offer_uplift[best] * day.value[i] - r.offer_cost[best];
  }
  return {value, offers};
}

void judge_churn(const DecisionSystemSettings& s, SystemJudgement& j) {
  const auto truth = read_daily_truth(s);
  const auto risks = read_days(s, "churn_risks.csv", false);
  const auto offers = read_days(s, "churn_offers.csv", true);
  j.retention = demo_retention();
  const RetentionSettings& r = j.retention;
  std::vector<double> score, oracle, label;  // after the warm-up
  std::map<std::int64_t, std::array<std::vector<double>, 3>> periods;
  for (const auto& [day, rows] : risks) {
    ++j.scored_days;
    const auto t = truth.find(day);
    std::vector<double> p(rows.customers.size(), 0.0);  // p30, 0 for a customer already gone
    for (std::size_t i = 0; i < rows.customers.size(); ++i) {
      if (t == truth.end()) continue;
      const auto c = t->second.find(rows.customers[i]);
      if (c == t->second.end()) continue;
      p[i] = c->second.p30;
      if (c->second.left30 < 0) continue;
      auto& period = periods[day / 30];
      period[0].push_back(rows.risk[i]), period[1].push_back(c->second.p30), period[2].push_back(c->second.left30);
      if (day < kChurnWarmupDays) continue;
      score.push_back(rows.risk[i]), oracle.push_back(c->second.p30), label.push_back(c->second.left30);
    }
    // The day's campaign, valued with the truth.
    ++j.campaign_days;
    const double captured = j.captured, optimum = j.optimum, naive_before = j.naive;
    std::unordered_map<std::string, double> p_of;
    for (std::size_t i = 0; i < rows.customers.size(); ++i) p_of[rows.customers[i]] = p[i];
    if (const auto o = offers.find(day); o != offers.end())
      for (std::size_t k = 0; k < o->second.customers.size(); ++k) {
        const auto jj = std::size_t(o->second.offer[k]);
        STREAMML_CHECK(jj < r.offer_cost.size() && p_of.count(o->second.customers[k]), InvalidInput,
                       "churn_offers.csv: day " << day << ": offer " << jj << " to '" << o->second.customers[k]
                                                << "', expected an offer of the campaign to a customer scored that day");
        ++j.offers;
        j.spent += r.offer_cost[jj];
        j.planned_value += o->second.risk[k] * r.offer_uplift[jj] * o->second.value[k] - r.offer_cost[jj];
        j.captured += p_of[o->second.customers[k]] * r.offer_uplift[jj] * o->second.value[k] - r.offer_cost[jj];
      }
    RetentionSettings every = r;
    every.candidates = std::int64_t(std::max<std::size_t>(1, rows.customers.size()));
    every.max_idle_days = 0;  // the optimum knows who is gone (p30 = 0) without a rule
    const RetentionPlan best = plan_retention(p, rows.value, every);
    STREAMML_CHECK(best.status == SolveStatus::Optimal, Runtime,
                   "churn: the offline retention optimum of day " << day << " is " << status_name(best.status));
    j.optimum += best.expected_saved - best.spent;
    const auto [naive, naive_offers] = naive_campaign(rows, p, r);
    j.naive += naive;
    j.naive_offers += naive_offers;
    j.daily_day.push_back(day);
    j.daily_captured.push_back(j.captured - captured);
    j.daily_optimum.push_back(j.optimum - optimum);
    j.daily_naive.push_back(j.naive - naive_before);
  }
  for (const auto& [k, v] : periods) {
    ChurnPeriod c;
    c.first_day = 30 * k, c.last_day = 30 * k + 29;
    c.customer_days = std::int64_t(v[2].size());
    for (double y : v[2]) c.left += std::int64_t(y);
    c.auc = auc_of(v[0], v[2]), c.oracle_auc = auc_of(v[1], v[2]);
    j.churn_periods.push_back(c);
  }
  j.customer_days = std::int64_t(label.size());
  for (double y : label) j.churned += std::int64_t(y);
  STREAMML_CHECK(j.customer_days > 0, InvalidInput,
                 "churn: no scored customer-day from day " << kChurnWarmupDays << " on with a known outcome");
  j.churn_auc = auc_of(score, label);
  j.oracle_auc = auc_of(oracle, label);
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
  w.key("churn").begin_object();
  w.key("scored_days").value(scored_days).key("warmup_days").value(kChurnWarmupDays);
  w.key("customer_days").value(customer_days).key("churned").value(churned);
  w.key("auc").value(churn_auc).key("oracle_auc").value(oracle_auc);
  w.key("periods").begin_array();
  for (const auto& p : churn_periods) {
    w.begin_object();
    w.key("first_day").value(p.first_day).key("last_day").value(p.last_day);
    w.key("customer_days").value(p.customer_days).key("left").value(p.left);
    w.key("auc").value(p.auc).key("oracle_auc").value(p.oracle_auc);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.key("retention").begin_object();
  w.key("offer_cost").begin_array();
  for (double c : retention.offer_cost) w.value(c);
  w.end_array();
  w.key("offer_uplift").begin_array();
  for (double u : retention.offer_uplift) w.value(u);
  w.end_array();
  w.key("budget").value(retention.budget).key("candidates").value(retention.candidates);
  w.key("max_idle_days").value(retention.max_idle_days);
  w.key("days").value(campaign_days).key("offers").value(offers).key("spent").value(spent);
  w.key("planned_value").value(planned_value).key("captured").value(captured);
  w.key("optimum").value(optimum).key("captured_share").value(captured_share());
  w.key("naive").value(naive).key("naive_offers").value(naive_offers);
  w.key("daily").begin_object();
  w.key("day").begin_array();
  for (auto d : daily_day) w.value(d);
  w.end_array();
  for (const auto& [name, v] : {std::pair{"captured", &daily_captured}, {"optimum", &daily_optimum}, {"naive", &daily_naive}}) {
    w.key(name).begin_array();
    for (double x : *v) w.value(x);
    w.end_array();
  }
  w.end_object();
  w.end_object();
  w.end_object();
  return w.str();
}

std::string SystemJudgement::text() const {
  char buf[2048];
  std::snprintf(buf, sizeof buf,
                "clicks      %lld impressions scored before learning from them: AUC %.3f (the true model's %.3f), click rate %.1f %%\n"
                "anomalies   %lld of %lld injected episodes found; service-hours: precision %.3f, recall %.3f (%lld flagged, %lld injected)\n"
                "scaling     cost %.1f vs the offline optimum %.1f: %+.1f %%; demand unmet in %lld hours outside the incident, %lld of its %lld\n"
                "churn       AUC %.3f from day %lld on (the true probabilities' %.3f) over %lld customer-days, %lld left within 30 days\n"
                "retention   %lld offers over %lld days, %.0f spent: value %.0f under the true probabilities, %.1f %% of the offline optimum %.0f (naive top-risk rule: %.0f)\n",
                (long long)impressions, auc, bayes_auc, 100 * click_rate, (long long)episodes_found, (long long)episodes,
                precision, recall, (long long)flagged_hours, (long long)anomalous_hours, scaling_cost, offline_cost,
                100 * cost_over_offline(), (long long)unmet_outside_incident, (long long)unmet_in_incident,
                (long long)incident_hours, churn_auc, (long long)kChurnWarmupDays, oracle_auc, (long long)customer_days,
                (long long)churned, (long long)offers, (long long)campaign_days, spent, captured, 100 * captured_share(),
                optimum, naive);
  return buf;
}

SystemJudgement judge_decision_system(const DecisionSystemSettings& settings) {
  SystemJudgement j;
  judge_clicks(settings, j);
  judge_monitoring(settings, j);
  judge_churn(settings, j);
  return j;
}

}  // namespace streamml

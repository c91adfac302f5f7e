// `streamml demo`: the decision system (decision_system.h) run on the bundled streams, its
// decisions judged against their truth (decision_judge.h), the short summary printed and
// written as <out>/summary.json for the report (scripts/demo_report.py).
#pragma once

#include <ostream>

#include "CLI/CLI.hpp"
#include "apps/decision_judge.h"
#include "apps/decision_system.h"

namespace streamml {

struct DemoArgs {
  DecisionSystemSettings system;
  bool quiet = false;
};

// Runs the system, judges it, writes <out>/summary.json and returns its text: {"run": {ticks,
// wall_seconds, resumed}, "figures": SystemJudgement}. What `streamml demo` and Python's
// streamml.demo.run_decision_system share.
struct DemoOutcome {
  DecisionSystemReport report;
  SystemJudgement figures;
  std::string summary_json;
};
DemoOutcome run_and_judge(const DecisionSystemSettings& settings);

// Adds the subcommand to the command line; its flags fill `args`.
CLI::App* add_demo(CLI::App& app, DemoArgs& args);
int run_demo(const DemoArgs& args, std::ostream& out);

}  // namespace streamml

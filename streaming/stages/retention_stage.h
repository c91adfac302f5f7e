// RetentionStage: the retention budget decided after churn scoring, every batch.
//
// Reads the churn model it follows (a ChurnModel stage earlier in the pipeline: its risks and
// values for every active customer after this batch) and solves the budget allocation
// (algorithms/optimize/retention.h: which of the riskiest customers get which offer,
// maximising the expected value saved). Each record gets "<name>.offer": the offer its customer
// is given (-1: none), and the batch carries the plan as the result table "<name>" for sinks
// (FileSink with table "<name>"): customer, offer, risk, value, expected_saved, cost, one row
// per offer made, riskiest first. The plan is a function of the churn model's state, which the
// churn stage checkpoints, so this stage keeps nothing of its own across batches (stateless()).
//
// TopRiskStage: the k riskiest active customers after each batch as the result table "<name>"
// (rank, customer, risk, value): the top-risk list a sink writes every batch.
#pragma once

#include <memory>
#include <string>

#include "algorithms/churn/churn_model.h"
#include "algorithms/optimize/retention.h"
#include "streaming/stage.h"

namespace streamml {

class RetentionStage : public Stage {
 public:
  RetentionStage(std::string name, std::shared_ptr<const ChurnModel> churn, RetentionSettings settings);

  std::string name() const override { return name_; }
  void process(Batch& batch) override;
  void write_summary(JsonWriter& out) const override;
  std::string progress() const override;
  bool stateless() const override { return true; }

  const RetentionPlan& last_plan() const { return plan_; }
  // The customer ids of the last plan, in its order.
  std::vector<std::string> planned_customers() const;

 private:
  std::string name_;
  std::shared_ptr<const ChurnModel> churn_;
  RetentionSettings settings_;
  RetentionPlan plan_;
  std::vector<std::string> customers_;  // the churn model's customers the plan indexes
};

class TopRiskStage : public Stage {
 public:
  TopRiskStage(std::string name, std::shared_ptr<const ChurnModel> churn, std::size_t k);

  std::string name() const override { return name_; }
  void process(Batch& batch) override;
  bool stateless() const override { return true; }

 private:
  std::string name_;
  std::shared_ptr<const ChurnModel> churn_;
  std::size_t k_;
};

}  // namespace streamml

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
// (rank, customer, risk, value, idle_days: days since the last purchase): the top-risk list a
// sink writes every batch.
//
// Both decide every batch by default. With `every` > 0 (microseconds of event time) they decide
// only at the batches whose event-time interval ends on a multiple of it (every = one day:
// after the last batch of each UTC day, so hourly batches give a daily campaign), even when that
// batch is empty (the risks are the churn model's latest); other batches carry no table and
// every record's offer is -1. With every = 0 an empty batch decides nothing. Which batches decide is a function of the
// batches alone, so the stages stay stateless. A batch cut by count (no interval) with
// `every` > 0 is an error.
#pragma once

#include <memory>
#include <string>

#include "algorithms/churn/churn_model.h"
#include "algorithms/optimize/retention.h"
#include "streaming/stage.h"

namespace streamml {

class RetentionStage : public Stage {
 public:
  RetentionStage(std::string name, std::shared_ptr<const ChurnModel> churn, RetentionSettings settings,
                 EventTime every = 0);

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
  EventTime every_;
  RetentionPlan plan_;
  std::vector<std::string> customers_;  // the churn model's customers the plan indexes
};

class TopRiskStage : public Stage {
 public:
  TopRiskStage(std::string name, std::shared_ptr<const ChurnModel> churn, std::size_t k, EventTime every = 0);

  std::string name() const override { return name_; }
  void process(Batch& batch) override;
  bool stateless() const override { return true; }

 private:
  std::string name_;
  std::shared_ptr<const ChurnModel> churn_;
  std::size_t k_;
  EventTime every_;
};

// Whether a stage deciding `every` microseconds of event time (0: every batch with records)
// decides at this batch: its interval ends on a multiple of `every`. Throws Error(InvalidInput) for a batch
// without an event-time interval when `every` > 0, naming the stage.
bool decides_at(const Batch& batch, EventTime every, const std::string& stage);

}  // namespace streamml

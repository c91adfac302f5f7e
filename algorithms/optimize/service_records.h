// How the decision stages (allocation.h, autoscale.h) read a monitoring stream's batch: one
// record per service and window, the service from the batch's "service" id column (or, when it
// has none, its key), an integer in [0, services); the rates from dense feature columns.
#pragma once

#include <cstdint>
#include <vector>

#include "core/batch.h"

namespace streamml {

// The service of each record. Throws Error(InvalidInput) naming the owner and the record when
// the batch has no integer service ids or one is out of range.
std::vector<std::int64_t> record_services(const Batch& batch, std::int64_t services, const char* owner);

// Dense feature `column` of each record, every value finite and >= 0 (Error(InvalidInput)
// naming the owner, the record and `what` otherwise).
std::vector<double> record_rates(const Batch& batch, std::int64_t column, const char* owner, const char* what);

}  // namespace streamml

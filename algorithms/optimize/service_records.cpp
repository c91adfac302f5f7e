#include "algorithms/optimize/service_records.h"

#include <cmath>
#include <variant>

#include "core/error.h"

namespace streamml {

std::vector<std::int64_t> record_services(const Batch& batch, std::int64_t services, const char* owner) {
  const KeyColumn* ids = batch.id("service");
  if (ids == nullptr) ids = batch.id("key");
  if (batch.rows == 0) return {};
  STREAMML_CHECK(ids != nullptr && std::holds_alternative<std::vector<std::int64_t>>(*ids), InvalidInput,
                 owner << ": records need integer service ids (a \"service\" id column or an integer key)");
  const auto& v = std::get<std::vector<std::int64_t>>(*ids);
  STREAMML_CHECK(v.size() == batch.rows, InvalidInput,
                 owner << ": " << v.size() << " service ids for " << batch.rows << " records");
  for (std::size_t r = 0; r < v.size(); ++r)
    STREAMML_CHECK(v[r] >= 0 && v[r] < services, InvalidInput,
                   owner << ": record " << r << " has service " << v[r] << ", expected 0 .. " << services - 1);
  return v;
}

std::vector<double> record_rates(const Batch& batch, std::int64_t column, const char* owner, const char* what) {
  if (batch.rows == 0) return {};
  STREAMML_CHECK(column >= 0 && std::size_t(column) < batch.cols, InvalidInput,
                 owner << ": " << what << " is feature " << column << ", the batch has " << batch.cols
                       << " features");
  std::vector<double> out(batch.rows);
  for (std::size_t r = 0; r < batch.rows; ++r) {
    const double x = batch.features[r * batch.cols + std::size_t(column)];
    STREAMML_CHECK(std::isfinite(x) && x >= 0, InvalidInput,
                   owner << ": record " << r << " has " << what << " " << x << ", expected a finite rate >= 0");
    out[r] = x;
  }
  return out;
}

}  // namespace streamml

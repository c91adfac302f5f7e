// RowView: n records as the learners' batch-first maths reads them, without copying:
// dense features (row r starts at dense + r * stride), optional hashed features, optional
// labels. Made from a Batch or from an Eigen row-major matrix (NumPy's C order).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/batch.h"

namespace streamml {

struct RowView {
  std::size_t n = 0;
  std::size_t d = 0;
  const double* dense = nullptr;
  std::ptrdiff_t stride = 0;
  const CsrMatrix* sparse = nullptr;  // null: no hashed features
  const double* labels = nullptr;     // null: no labels
  std::size_t label_count = 0;

  const double* row(std::size_t r) const { return dense + std::ptrdiff_t(r) * stride; }
  std::int64_t hashed() const { return sparse ? sparse->cols : 0; }

  static RowView of(const Batch& batch);
  static RowView of(const Eigen::Ref<const RowMatrix>& x);
};

}  // namespace streamml

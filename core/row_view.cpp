#include "core/row_view.h"

namespace streamml {

RowView RowView::of(const Batch& b) {
  RowView r;
  r.n = b.rows;
  r.d = b.cols;
  r.dense = b.features.data();
  r.stride = std::ptrdiff_t(b.cols);
  r.sparse = b.has_sparse() ? &b.sparse : nullptr;
  r.labels = b.has_labels() ? b.labels.data() : nullptr;
  r.label_count = b.labels.size();
  return r;
}

RowView RowView::of(const Eigen::Ref<const RowMatrix>& x) {
  RowView r;
  r.n = std::size_t(x.rows());
  r.d = std::size_t(x.cols());
  r.dense = x.data();
  r.stride = x.outerStride();
  return r;
}

}  // namespace streamml

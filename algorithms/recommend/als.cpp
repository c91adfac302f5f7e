#include "algorithms/recommend/als.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "algorithms/recommend/row_solver.h"
#include "core/error.h"
#include "core/json.h"

namespace streamml {

namespace {

// The store seen as the rows of one side to solve: all of them, or a given list.
class StoreRows : public RowSource {
 public:
  StoreRows(const InteractionStore& store, bool users, const std::vector<std::uint32_t>* rows, const IdMap& ids)
      : store_(store), users_(users), rows_(rows), ids_(ids) {}
  std::size_t count() const override { return rows_ ? rows_->size() : (users_ ? store_.users() : store_.items()); }
  std::uint32_t row(std::size_t i) const override { return rows_ ? (*rows_)[i] : std::uint32_t(i); }
  void gather(std::size_t i, std::vector<std::uint32_t>& other, std::vector<double>& values) const override {
    if (users_)
      store_.gather_user(row(i), other, values);
    else
      store_.gather_item(row(i), other, values);
  }
  std::string describe(std::size_t i) const override { return ids_.name(row(i)); }

 private:
  const InteractionStore& store_;
  bool users_;
  const std::vector<std::uint32_t>* rows_;
  const IdMap& ids_;
};

StorePolicy policy_of(const AlsSettings& s) {
  StorePolicy p;
  p.accumulate = s.implicit_prefs;
  p.max_per_user = s.max_per_user;
  p.horizon = EventTime(std::llround(s.horizon * double(kMicrosPerSecond)));
  p.half_life = s.half_life * double(kMicrosPerSecond);
  return p;
}

std::vector<std::uint32_t> sorted_unique(std::vector<std::uint32_t> rows) {
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

// Copies of the given factor rows, as a matrix.
RowMatrix rows_of(const FactorTable& f, const std::vector<std::uint32_t>& rows) {
  RowMatrix m(Eigen::Index(rows.size()), f.rank());
  for (std::size_t r = 0; r < rows.size(); ++r)
    m.row(Eigen::Index(r)) = Eigen::Map<const Eigen::RowVectorXd>(f.row(rows[r]), f.rank());
  return m;
}

std::size_t key_length(const KeyColumn& ids) {
  if (const auto* s = std::get_if<std::vector<std::string>>(&ids)) return s->size();
  if (const auto* v = std::get_if<std::vector<std::int64_t>>(&ids)) return v->size();
  return 0;
}

}  // namespace

AlternatingLeastSquares::AlternatingLeastSquares(AlsSettings settings)
    : settings_(std::move(settings)),
      users_f_(int(settings_.rank), std::uint64_t(settings_.seed), 0),
      items_f_(int(settings_.rank), std::uint64_t(settings_.seed), 1),
      store_(policy_of(settings_)) {
  settings_.validate();
  if (settings_.implicit_prefs) {
    user_gram_ = Eigen::MatrixXd::Zero(settings_.rank, settings_.rank);
    item_gram_ = Eigen::MatrixXd::Zero(settings_.rank, settings_.rank);
  }
}

std::string AlternatingLeastSquares::params_json() const { return settings_table().to_json(settings_); }

AlternatingLeastSquares AlternatingLeastSquares::from_factors(AlsSettings settings,
                                                              const Eigen::Ref<const RowMatrix>& user_factors,
                                                              const Eigen::Ref<const RowMatrix>& item_factors,
                                                              KeyColumn user_ids, KeyColumn item_ids) {
  AlternatingLeastSquares m(std::move(settings));
  const Eigen::Index k = m.settings_.rank;
  STREAMML_CHECK(user_factors.cols() == k && item_factors.cols() == k, InvalidInput,
                 "als: factors have " << user_factors.cols() << " and " << item_factors.cols()
                                      << " columns, rank is " << k);
  STREAMML_CHECK(user_factors.allFinite() && item_factors.allFinite(), InvalidInput,
                 "als: given factors hold NaN or Inf");
  auto assign_ids = [](IdMap& map, KeyColumn ids, Eigen::Index rows, const char* what) {
    if (std::holds_alternative<std::monostate>(ids)) {
      std::vector<std::int64_t> seq(static_cast<std::size_t>(rows));
      for (std::size_t r = 0; r < seq.size(); ++r) seq[r] = std::int64_t(r);
      ids = std::move(seq);
    }
    STREAMML_CHECK(key_length(ids) == std::size_t(rows), InvalidInput,
                   "als: " << key_length(ids) << " " << what << " ids for " << rows << " rows of factors");
    if (auto* s = std::get_if<std::vector<std::string>>(&ids))
      map.assign(std::move(*s));
    else
      map.assign(std::move(std::get<std::vector<std::int64_t>>(ids)));
  };
  assign_ids(m.user_ids_, std::move(user_ids), user_factors.rows(), "user");
  assign_ids(m.item_ids_, std::move(item_ids), item_factors.rows(), "item");
  const RowMatrix u = user_factors, i = item_factors;
  m.users_f_.assign(u.data(), std::size_t(u.rows()));
  m.items_f_.assign(i.data(), std::size_t(i.rows()));
  m.store_.grow(m.users_f_.rows(), m.items_f_.rows());
  m.refresh_grams();
  return m;
}

void AlternatingLeastSquares::check_ratings(const std::vector<double>& ratings, std::size_t n, const char* where) const {
  if (ratings.empty()) {
    STREAMML_CHECK(settings_.implicit_prefs || n == 0, InvalidInput,
                   "als: explicit feedback (implicit_prefs=false) needs a rating per record; " << where
                                                                                              << " has none");
    return;
  }
  STREAMML_CHECK(ratings.size() == n, InvalidInput,
                 "als: " << ratings.size() << " ratings for " << n << " records in " << where);
  const char* what = settings_.implicit_prefs ? "count" : "rating";
  for (std::size_t r = 0; r < n; ++r) {
    STREAMML_CHECK(std::isfinite(ratings[r]), InvalidInput,
                   "als: " << what << " of record " << r << " in " << where << " is " << ratings[r]
                           << "; NaN and Inf are rejected");
    STREAMML_CHECK(settings_.allow_negative || ratings[r] >= 0, InvalidInput,
                   "als: " << what << " of record " << r << " in " << where << " is " << ratings[r]
                           << "; negative values are refused (allow_negative=false)");
  }
}

void AlternatingLeastSquares::grow(std::size_t users, std::size_t items) {
  const std::size_t u0 = users_f_.rows(), i0 = items_f_.rows();
  users_f_.grow_to(users);
  items_f_.grow_to(items);
  store_.grow(users, items);
  if (!settings_.implicit_prefs) return;
  // New rows start with random factors, which Y^T Y must count.
  auto add_rows = [](Eigen::MatrixXd& g, const FactorTable& f, std::size_t from) {
    if (f.rows() == from) return;
    const ConstRowMatrixMap y(f.row(from), Eigen::Index(f.rows() - from), f.rank());
    g.noalias() += y.transpose() * y;
  };
  add_rows(user_gram_, users_f_, u0);
  add_rows(item_gram_, items_f_, i0);
}

void AlternatingLeastSquares::refresh_grams() {
  if (!settings_.implicit_prefs) return;
  user_gram_ = users_f_.gram();
  item_gram_ = items_f_.gram();
}

void AlternatingLeastSquares::solve_side(bool users, const std::vector<std::uint32_t>* rows) {
  const AlsMath math = AlsMath::of(settings_);
  FactorTable& f = users ? users_f_ : items_f_;
  const FactorTable& other = users ? items_f_ : users_f_;
  const Eigen::MatrixXd* other_gram = settings_.implicit_prefs ? (users ? &item_gram_ : &user_gram_) : nullptr;
  Eigen::MatrixXd& own_gram = users ? user_gram_ : item_gram_;
  const StoreRows source(store_, users, rows, users ? user_ids_ : item_ids_);
  if (!rows) {
    solve_rows(math, source, other.data(), other_gram, f.data());
    if (settings_.implicit_prefs) own_gram = f.gram();
    return;
  }
  RowMatrix before;
  if (settings_.implicit_prefs) before = rows_of(f, *rows);
  solve_rows(math, source, other.data(), other_gram, f.data());
  if (settings_.implicit_prefs) {
    const RowMatrix after = rows_of(f, *rows);
    own_gram.noalias() += after.transpose() * after;
    own_gram.noalias() -= before.transpose() * before;
  }
}

void AlternatingLeastSquares::solve_users(const std::vector<std::uint32_t>& rows) { solve_side(true, &rows); }
void AlternatingLeastSquares::solve_items(const std::vector<std::uint32_t>& rows) { solve_side(false, &rows); }

void AlternatingLeastSquares::sweep() {
  if (settings_.implicit_prefs) user_gram_ = users_f_.gram();
  solve_side(false, nullptr);
  solve_side(true, nullptr);
  ++sweeps_;
}

void AlternatingLeastSquares::fit(const CsrMatrix& ratings, const RowMatrix* user_init, const RowMatrix* item_init) {
  const std::size_t n_users = ratings.rows(), n_items = std::size_t(ratings.cols);
  STREAMML_CHECK(ratings.indptr.size() >= 1 && std::size_t(ratings.indptr.back()) == ratings.nnz() &&
                     ratings.indices.size() == ratings.nnz(),
                 InvalidInput, "als: fit: the ratings matrix is not valid CSR (indptr ends at "
                                   << ratings.indptr.back() << ", " << ratings.nnz() << " values)");
  check_ratings(ratings.values, ratings.nnz(), "the ratings matrix");
  for (std::size_t u = 0; u < n_users; ++u)
    for (auto p = ratings.indptr[u]; p < ratings.indptr[u + 1]; ++p)
      STREAMML_CHECK(ratings.indices[std::size_t(p)] >= 0 && ratings.indices[std::size_t(p)] < ratings.cols,
                     InvalidInput,
                     "als: fit: row " << u << " has column " << ratings.indices[std::size_t(p)] << ", the matrix has "
                                      << ratings.cols << " columns");
  const bool custom = settings_.init == AlsInit::Custom;
  STREAMML_CHECK(!custom || (user_init && item_init), InvalidInput,
                 "als: init 'custom' needs both user and item factors");
  STREAMML_CHECK(custom || (!user_init && !item_init), InvalidInput,
                 "als: factors were given but init is 'random'; use init 'custom'");
  if (custom) {
    STREAMML_CHECK(user_init->rows() == Eigen::Index(n_users) && user_init->cols() == settings_.rank, InvalidInput,
                   "als: user factors are (" << user_init->rows() << ", " << user_init->cols() << "), expected ("
                                             << n_users << ", " << settings_.rank << ")");
    STREAMML_CHECK(item_init->rows() == Eigen::Index(n_items) && item_init->cols() == settings_.rank, InvalidInput,
                   "als: item factors are (" << item_init->rows() << ", " << item_init->cols() << "), expected ("
                                             << n_items << ", " << settings_.rank << ")");
    STREAMML_CHECK(user_init->allFinite() && item_init->allFinite(), InvalidInput,
                   "als: given factors hold NaN or Inf");
  }
  *this = AlternatingLeastSquares(settings_);
  std::vector<std::int64_t> user_seq(n_users), item_seq(n_items);
  for (std::size_t r = 0; r < n_users; ++r) user_seq[r] = std::int64_t(r);
  for (std::size_t r = 0; r < n_items; ++r) item_seq[r] = std::int64_t(r);
  user_ids_.assign(std::move(user_seq));
  item_ids_.assign(std::move(item_seq));
  if (custom) {
    users_f_.assign(user_init->data(), n_users);
    items_f_.assign(item_init->data(), n_items);
  }
  grow(n_users, n_items);
  if (!store_.load_matrix(ratings, 0))
    for (std::size_t u = 0; u < n_users; ++u)
      for (auto p = ratings.indptr[u]; p < ratings.indptr[u + 1]; ++p)
        store_.add(std::uint32_t(u), std::uint32_t(ratings.indices[std::size_t(p)]), ratings.values[std::size_t(p)], 0);
  interactions_ = std::int64_t(ratings.nnz());
  refresh_grams();
  for (std::int64_t it = 0; it < settings_.max_iter; ++it) sweep();
}

void AlternatingLeastSquares::partial_fit(const Batch& batch) {
  const KeyColumn* items = batch.id("item");
  STREAMML_CHECK(items, InvalidInput, "als: the batch has no item id column (role 'item')");
  partial_fit(batch.keys, *items, batch.labels, batch.event_times);
}

void AlternatingLeastSquares::partial_fit(const KeyColumn& users, const KeyColumn& items,
                                          const std::vector<double>& ratings, const std::vector<EventTime>& times) {
  // Every check before anything changes: bad input leaves the model as it was.
  const std::size_t n = key_length(users);
  user_ids_.check(users, n);
  item_ids_.check(items, n);
  check_ratings(ratings, n, "the batch");
  STREAMML_CHECK(times.empty() || times.size() == n, InvalidInput,
                 "als: " << times.size() << " event times for " << n << " records");
  STREAMML_CHECK(!times.empty() || n == 0 || (settings_.horizon == 0 && settings_.half_life == 0), InvalidInput,
                 "als: horizon and half_life are in event time, and the batch has no event times");

  last_users_solved_ = last_items_solved_ = 0;
  if (n > 0) {
    const std::vector<std::uint32_t> u = user_ids_.add(users), i = item_ids_.add(items);
    grow(user_ids_.size(), item_ids_.size());
    for (std::size_t r = 0; r < n; ++r)
      store_.add(u[r], i[r], ratings.empty() ? 1.0 : ratings[r],
                 times.empty() ? EventTime(interactions_ + std::int64_t(r)) : times[r]);
    store_.expire();
    interactions_ += std::int64_t(n);
    auto touched_users = sorted_unique(u), touched_items = sorted_unique(i);
    if (settings_.max_fold_in_history > 0) {
      const auto limit = std::size_t(settings_.max_fold_in_history);
      const auto& store = store_;
      touched_users.erase(std::remove_if(touched_users.begin(), touched_users.end(),
                                         [&](std::uint32_t r) { return store.user_count(r) > limit; }),
                          touched_users.end());
      touched_items.erase(std::remove_if(touched_items.begin(), touched_items.end(),
                                         [&](std::uint32_t r) { return store.item_count(r) > limit; }),
                          touched_items.end());
    }
    solve_users(touched_users);
    solve_items(touched_items);
    last_users_solved_ = std::int64_t(touched_users.size());
    last_items_solved_ = std::int64_t(touched_items.size());
  }
  ++batches_;
  if (settings_.sweep_interval > 0 && batches_ % settings_.sweep_interval == 0) sweep();
}

Eigen::VectorXd AlternatingLeastSquares::predict(const KeyColumn& users, const KeyColumn& items,
                                                 std::vector<std::size_t>* kept) const {
  const std::size_t n = key_length(users);
  STREAMML_CHECK(key_length(items) == n, InvalidInput,
                 "als: predict: " << n << " users and " << key_length(items) << " items");
  const auto u = user_ids_.find(users), i = item_ids_.find(items);
  const bool drop = kept && settings_.cold_start_strategy == AlsColdStart::Drop;
  Eigen::VectorXd out(static_cast<Eigen::Index>(n));
  std::size_t m = 0;
  const auto k = Eigen::Index(settings_.rank);
  for (std::size_t r = 0; r < n; ++r) {
    if (u[r] < 0 || i[r] < 0) {
      if (!drop) out[Eigen::Index(m++)] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    out[Eigen::Index(m++)] = Eigen::Map<const Eigen::VectorXd>(users_f_.row(std::size_t(u[r])), k)
                                 .dot(Eigen::Map<const Eigen::VectorXd>(items_f_.row(std::size_t(i[r])), k));
    if (drop) kept->push_back(r);
  }
  if (kept && !drop)
    for (std::size_t r = 0; r < n; ++r) kept->push_back(r);
  out.conservativeResize(Eigen::Index(m));
  return out;
}

Eigen::VectorXd AlternatingLeastSquares::score(const Batch& batch) const {
  const KeyColumn* items = batch.id("item");
  STREAMML_CHECK(items, InvalidInput, "als: the batch has no item id column (role 'item')");
  return predict(batch.keys, *items);
}

TopK AlternatingLeastSquares::recommend_rows(const std::vector<std::int64_t>& user_rows, std::size_t k,
                                             bool filter_seen) const {
  const int rank = int(settings_.rank);
  // Known users' factors gathered; unknown users get no row and stay -1/NaN in the answer.
  std::vector<std::uint32_t> known;
  std::vector<std::size_t> where;
  for (std::size_t r = 0; r < user_rows.size(); ++r)
    if (user_rows[r] >= 0 && std::size_t(user_rows[r]) < users_f_.rows()) {
      known.push_back(std::uint32_t(user_rows[r]));
      where.push_back(r);
    }
  const RowMatrix q = rows_of(users_f_, known);
  ExcludeFn exclude;
  if (filter_seen)
    exclude = [&](std::size_t i, std::vector<std::uint32_t>& out) { store_.user_items(known[i], out); };
  const TopK found = top_k_products(q.data(), known.size(), items_f_.data(), items_f_.rows(), rank, k,
                                    std::size_t(settings_.block_size), exclude);
  TopK out;
  out.rows = user_rows.size();
  out.k = k;
  out.index.assign(out.rows * k, -1);
  out.score.assign(out.rows * k, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t j = 0; j < known.size(); ++j) {
    std::copy_n(found.index.begin() + std::ptrdiff_t(j * k), k, out.index.begin() + std::ptrdiff_t(where[j] * k));
    std::copy_n(found.score.begin() + std::ptrdiff_t(j * k), k, out.score.begin() + std::ptrdiff_t(where[j] * k));
  }
  return out;
}

TopK AlternatingLeastSquares::recommend(const KeyColumn& users, std::size_t k, bool filter_seen) const {
  return recommend_rows(user_ids_.find(users), k, filter_seen);
}

TopK AlternatingLeastSquares::recommend_for_all(std::size_t k, bool filter_seen) const {
  ExcludeFn exclude;
  if (filter_seen)
    exclude = [&](std::size_t u, std::vector<std::uint32_t>& out) { store_.user_items(std::uint32_t(u), out); };
  return top_k_products(users_f_.data(), users_f_.rows(), items_f_.data(), items_f_.rows(), int(settings_.rank), k,
                        std::size_t(settings_.block_size), exclude);
}

TopK AlternatingLeastSquares::similar_items(const KeyColumn& items, std::size_t k) const {
  // Unit rows (a zero row's norm taken as 1e-10, as implicit does), then top-k dot products.
  RowMatrix unit = items_f_.matrix();
  for (Eigen::Index r = 0; r < unit.rows(); ++r) {
    double norm = unit.row(r).norm();
    if (norm == 0.0) norm = 1e-10;
    unit.row(r) /= norm;
  }
  const auto rows = item_ids_.find(items);
  std::vector<std::size_t> where;
  RowMatrix q(Eigen::Index(rows.size()), unit.cols());
  Eigen::Index m = 0;
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (rows[r] >= 0) {
      q.row(m++) = unit.row(rows[r]);
      where.push_back(r);
    }
  const TopK found = top_k_products(q.data(), std::size_t(m), unit.data(), std::size_t(unit.rows()),
                                    int(settings_.rank), k, std::size_t(settings_.block_size));
  TopK out;
  out.rows = rows.size();
  out.k = k;
  out.index.assign(out.rows * k, -1);
  out.score.assign(out.rows * k, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t j = 0; j < where.size(); ++j) {
    std::copy_n(found.index.begin() + std::ptrdiff_t(j * k), k, out.index.begin() + std::ptrdiff_t(where[j] * k));
    std::copy_n(found.score.begin() + std::ptrdiff_t(j * k), k, out.score.begin() + std::ptrdiff_t(where[j] * k));
  }
  return out;
}

double AlternatingLeastSquares::objective() const {
  const auto k = Eigen::Index(settings_.rank);
  const bool implicit = settings_.implicit_prefs;
  const Eigen::MatrixXd item_gram = implicit ? items_f_.gram() : Eigen::MatrixXd();
  std::vector<std::uint32_t> other;
  std::vector<double> values;
  std::vector<std::int64_t> item_count(items_f_.rows(), 0);
  double loss = 0.0, penalty = 0.0;
  for (std::uint32_t u = 0; u < store_.users(); ++u) {
    const Eigen::Map<const Eigen::VectorXd> x(users_f_.row(u), k);
    store_.gather_user(u, other, values);
    std::int64_t n = 0;
    if (implicit) loss += x.dot(item_gram * x);  // every pair counted with c = 1, p = 0 first
    for (std::size_t j = 0; j < other.size(); ++j) {
      const double pred = x.dot(Eigen::Map<const Eigen::VectorXd>(items_f_.row(other[j]), k));
      const double r = values[j];
      if (implicit) {
        const double c = 1.0 + settings_.alpha * std::abs(r), p = r > 0 ? 1.0 : 0.0;
        loss += c * (p - pred) * (p - pred) - pred * pred;
        if (r > 0) ++n, ++item_count[other[j]];
      } else {
        loss += (r - pred) * (r - pred);
        ++n, ++item_count[other[j]];
      }
    }
    penalty += double(n) * x.squaredNorm();
  }
  for (std::size_t i = 0; i < items_f_.rows(); ++i)
    penalty += double(item_count[i]) * Eigen::Map<const Eigen::VectorXd>(items_f_.row(i), k).squaredNorm();
  return loss + settings_.reg_param * penalty;
}

void AlternatingLeastSquares::write_summary(JsonWriter& out) const {
  out.key("rank").value(settings_.rank);
  out.key("implicit_prefs").value(settings_.implicit_prefs);
  out.key("users").value(users_f_.rows());
  out.key("items").value(items_f_.rows());
  out.key("stored_interactions").value(store_.size());
  out.key("evicted_interactions").value(store_.evicted());
  out.key("interactions_seen").value(interactions_);
  out.key("batches_seen").value(batches_);
  out.key("sweeps").value(sweeps_);
  out.key("last_users_solved").value(last_users_solved_);
  out.key("last_items_solved").value(last_items_solved_);
}

std::string AlternatingLeastSquares::metrics_json() const {
  JsonWriter w;
  w.begin_object();
  write_summary(w);
  w.end_object();
  return w.str();
}

}  // namespace streamml

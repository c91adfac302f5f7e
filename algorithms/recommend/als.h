// Alternating least squares for recommendations: Spark ML's ALS (explicit and implicit
// feedback), updated every micro-batch by fold-in.
//
// The model (Spark's ALS.scala, ALS-WR regularisation; Hu, Koren, Volinsky 2008 for implicit
// feedback with Spark's extension to r < 0): user factors x_u and item factors y_i of `rank`
// values; explicit feedback minimises
//     sum_(u,i) (r_ui - x_u.y_i)^2 + reg_param (sum_u n_u |x_u|^2 + sum_i n_i |y_i|^2),
// implicit feedback, with c = 1 + alpha |r| and p = [r > 0] on observed pairs (c = 1, p = 0 on
// the others) and n+ the counts of r > 0,
//     sum_(all u,i) c_ui (p_ui - x_u.y_i)^2 + reg_param (sum_u n+_u |x_u|^2 + sum_i n+_i |y_i|^2).
// Each iteration solves every item against the user factors, then every user against the item
// factors (Spark's order); row_solver.h has the normal equations and the two solvers (exact
// Cholesky / Spark's NNLS, or implicit's conjugate gradient warm-started from the previous
// factors). Initial factors: random unit vectors (Spark's scheme; factor_table.h) or given.
//
// Streaming (what neither Spark nor implicit has): partial_fit adds a batch's interactions to a
// bounded store (interaction_store.h, its policy in the settings), then folds in:
//   1. every user of the batch is re-solved exactly against its whole stored history and the
//      current item factors;
//   2. then every item of the batch against its history and the new user factors;
//   3. every `sweep_interval` batches, a full iteration over every row.
// A fold-in is the exact solve of those rows (implicit's maintainers' advice: re-solve from the
// user's whole history), not an approximation of it. Its cost is the touched rows' histories:
// a popular item's is long, and 1,000 interactions drawn by popularity touch items holding
// about 40 % of a MovieLens-like store; max_fold_in_history leaves such rows to the sweep. Y^T Y (implicit feedback) is kept up to
// date by adding the changed rows' outer products in row order and recomputed exactly at each
// sweep. Rows whose cells the store evicted keep their factors until they are touched again or
// swept.
//
// Ids: strings or int64 (one kind per side), mapped to rows in order of first appearance.
// fit() takes a users x items matrix whose row and column indices are the ids.
//
// Divergences from Spark, on purpose: factors are float64 (Spark keeps float32); the random
// initial factors are counter-based draws, not Spark's XORShiftRandom stream; a row with no
// stored interactions gets zeros (Spark never sees one); "drop" cold start drops pairs from
// predict() and gives NaN in score(), which keeps one value per record.
//
// Determinism: every row is solved on its own from aligned copies of its inputs, Y^T Y is summed
// in fixed blocks in order, and top-k breaks ties by row, so 1 thread or many give the same bits,
// and a checkpoint resumes bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "algorithms/recommend/als_settings.h"
#include "algorithms/recommend/factor_table.h"
#include "algorithms/recommend/id_map.h"
#include "algorithms/recommend/interaction_store.h"
#include "algorithms/recommend/top_k.h"
#include "core/batch.h"
#include "core/learner.h"

namespace streamml {

class AlternatingLeastSquares : public Learner {
 public:
  using Settings = AlsSettings;
  static constexpr const char* kType = "als";
  static constexpr LearnerRole kRole = LearnerRole::Recommender;
  static const SettingsTable<AlsSettings>& settings_table() { return als_settings_table(); }
  static constexpr std::int64_t kStateVersion = 1;

  // Validates the settings (throws Error(InvalidInput)).
  explicit AlternatingLeastSquares(AlsSettings settings = {});

  // A model from given factors (rows x rank each); ids default to 0 .. rows - 1. The store is
  // empty: later partial_fit batches fold in against these factors.
  static AlternatingLeastSquares from_factors(AlsSettings settings, const Eigen::Ref<const RowMatrix>& user_factors,
                                              const Eigen::Ref<const RowMatrix>& item_factors,
                                              KeyColumn user_ids = {}, KeyColumn item_ids = {});

  const AlsSettings& settings() const { return settings_; }

  // Batch training on a whole users x items matrix (ids: the row and column indices): forgets
  // everything, stores the entries (under the store's policy), starts from random factors or,
  // with init "custom", from the given ones (then both are required), and runs max_iter
  // iterations.
  void fit(const CsrMatrix& ratings, const RowMatrix* user_init = nullptr, const RowMatrix* item_init = nullptr);
  // One ALS iteration over every row: items from users, then users from items.
  void sweep();

  // Learner. A batch is (user, item, rating or count, time): users from batch.keys, items from
  // the "item" id column, ratings from the labels (implicit feedback without labels: a count
  // of 1 each), times from the event times.
  std::string type() const override { return kType; }
  LearnerRole role() const override { return kRole; }
  std::string params_json() const override;
  void partial_fit(const Batch& batch) override;
  // The predicted rating x_u.y_i per record; NaN for an unknown user or item.
  Eigen::VectorXd score(const Batch& batch) const override;
  void write_summary(JsonWriter& out) const override;
  std::string metrics_json() const override;
  void save_state(StateWriter& out) const override;
  void load_state(const std::string& params, const StateReader& in) override;

  // The same as partial_fit(Batch): ratings empty for counts of 1, times empty when the stream
  // has none (arrival order stands in for time).
  void partial_fit(const KeyColumn& users, const KeyColumn& items, const std::vector<double>& ratings,
                   const std::vector<EventTime>& times);

  // x_u.y_i per pair. Unknown users or items: NaN under cold_start_strategy "nan"; under
  // "drop" the pair is left out, and `kept` (if given) lists the positions of the pairs kept.
  Eigen::VectorXd predict(const KeyColumn& users, const KeyColumn& items, std::vector<std::size_t>* kept = nullptr) const;
  // The k best items per user (item rows, best first; an unknown user's row is all -1/NaN),
  // without the items in the user's stored history when filter_seen.
  TopK recommend(const KeyColumn& users, std::size_t k, bool filter_seen) const;
  TopK recommend_rows(const std::vector<std::int64_t>& user_rows, std::size_t k, bool filter_seen) const;
  // Every user's k best items (Spark's recommendForAllUsers: blocks of block_size users).
  TopK recommend_for_all(std::size_t k, bool filter_seen = false) const;
  // The k items most similar to each given item by cosine of their factors, the item itself
  // included (implicit's similar_items); an unknown item's row is all -1/NaN.
  TopK similar_items(const KeyColumn& items, std::size_t k) const;

  // The objective above on the stored interactions (what the solvers minimise).
  double objective() const;

  ConstRowMatrixMap user_factors() const { return users_f_.matrix(); }
  ConstRowMatrixMap item_factors() const { return items_f_.matrix(); }
  const IdMap& user_ids() const { return user_ids_; }
  const IdMap& item_ids() const { return item_ids_; }
  const InteractionStore& store() const { return store_; }
  std::int64_t batches_seen() const { return batches_; }
  std::int64_t sweeps() const { return sweeps_; }
  // Rows re-solved by the last partial_fit (fold-in, before any sweep).
  std::int64_t last_users_solved() const { return last_users_solved_; }
  std::int64_t last_items_solved() const { return last_items_solved_; }
  // Y^T Y of each side as kept between sweeps (implicit feedback; empty otherwise).
  const Eigen::MatrixXd& user_gram() const { return user_gram_; }
  const Eigen::MatrixXd& item_gram() const { return item_gram_; }

  // Re-solves the given rows of one side against the other's current factors (what a fold-in
  // does; public so tests can compare it with an exact solve).
  void solve_users(const std::vector<std::uint32_t>& rows);
  void solve_items(const std::vector<std::uint32_t>& rows);

 private:
  void check_ratings(const std::vector<double>& ratings, std::size_t n, const char* where) const;
  void grow(std::size_t users, std::size_t items);
  void refresh_grams();
  void solve_side(bool users, const std::vector<std::uint32_t>* rows);

  AlsSettings settings_;
  IdMap user_ids_{"user"}, item_ids_{"item"};
  FactorTable users_f_, items_f_;
  InteractionStore store_;
  Eigen::MatrixXd user_gram_, item_gram_;
  std::int64_t batches_ = 0;
  std::int64_t sweeps_ = 0;
  std::int64_t interactions_ = 0;  // every interaction learned; also the clock without event times
  std::int64_t last_users_solved_ = 0, last_items_solved_ = 0;
};

}  // namespace streamml

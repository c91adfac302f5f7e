// Checkpoints of the ALS learner: everything partial_fit reads, so a restored model continues
// bit for bit. Datasets:
//   state_version                 1
//   user_ids / item_ids           strings (a group: bytes + offsets) or int64, by row
//   user_id_kind / item_id_kind   0 none yet, 1 strings, 2 integers
//   user_factors / item_factors   rows x rank, float64
//   user_gram / item_gram         rank x rank, Y^T Y as kept between sweeps (implicit only)
//   store/...                     the interaction store (interaction_store.h)
//   batches, sweeps, interactions counters
// The random state is the row counts: initial factors are drawn per (seed, side, row).
#include <limits>

#include "algorithms/recommend/als.h"
#include "core/error.h"
#include "core/state_io.h"

namespace streamml {

namespace {

void save_ids(StateWriter& out, const char* prefix, const IdMap& ids) {
  const std::string p(prefix);
  out.write_int(p + "_id_kind", ids.kind() == IdMap::Kind::Text ? 1 : ids.kind() == IdMap::Kind::Integer ? 2 : 0);
  if (ids.kind() == IdMap::Kind::Text)
    out.write_strings(p + "_ids", ids.text_ids());
  else
    out.write_ints(p + "_ids", ids.int_ids());
}

void load_ids(const StateReader& in, const char* prefix, IdMap& ids, std::int64_t rows) {
  const std::string p(prefix);
  const std::int64_t kind = in.read_int(p + "_id_kind");
  STREAMML_CHECK(kind >= 0 && kind <= 2, InvalidInput, in.where(p + "_id_kind") << ": " << kind << " is not 0, 1 or 2");
  if (kind == 1)
    ids.assign(in.read_strings(p + "_ids", rows));
  else if (kind == 2)
    ids.assign(in.read_ints(p + "_ids", rows));
  else
    STREAMML_CHECK(rows == 0, InvalidInput, in.where(p + "_ids") << ": no ids for " << rows << " rows of factors");
}

}  // namespace

void AlternatingLeastSquares::save_state(StateWriter& out) const {
  out.write_int("state_version", kStateVersion);
  save_ids(out, "user", user_ids_);
  save_ids(out, "item", item_ids_);
  out.write_matrix("user_factors", users_f_.data(), users_f_.rows(), std::size_t(settings_.rank));
  out.write_matrix("item_factors", items_f_.data(), items_f_.rows(), std::size_t(settings_.rank));
  if (settings_.implicit_prefs) {
    out.write_matrix("user_gram", RowMatrix(user_gram_));
    out.write_matrix("item_gram", RowMatrix(item_gram_));
  }
  store_.save(out);
  out.write_int("batches", batches_);
  out.write_int("sweeps", sweeps_);
  out.write_int("interactions", interactions_);
  out.write_int("last_users_solved", last_users_solved_);
  out.write_int("last_items_solved", last_items_solved_);
}

void AlternatingLeastSquares::load_state(const std::string& params, const StateReader& in) {
  AlternatingLeastSquares fresh(settings_table().from_json(params));
  const std::int64_t version = in.read_int("state_version");
  STREAMML_CHECK(version == kStateVersion, InvalidInput,
                 in.where("state_version") << ": state version " << version << ", this build reads " << kStateVersion);
  const std::int64_t k = fresh.settings_.rank;
  const RowMatrix users = in.read_matrix("user_factors", -1, k);
  const RowMatrix items = in.read_matrix("item_factors", -1, k);
  STREAMML_CHECK(users.allFinite() && items.allFinite(), InvalidInput,
                 in.where("user_factors") << ": factors hold NaN or Inf");
  load_ids(in, "user", fresh.user_ids_, users.rows());
  load_ids(in, "item", fresh.item_ids_, items.rows());
  fresh.users_f_.assign(users.data(), std::size_t(users.rows()));
  fresh.items_f_.assign(items.data(), std::size_t(items.rows()));
  if (fresh.settings_.implicit_prefs) {
    fresh.user_gram_ = in.read_matrix("user_gram", k, k);
    fresh.item_gram_ = in.read_matrix("item_gram", k, k);
    STREAMML_CHECK(fresh.user_gram_.allFinite() && fresh.item_gram_.allFinite(), InvalidInput,
                   in.where("user_gram") << ": Y^T Y holds NaN or Inf");
  }
  fresh.store_.load(in, std::size_t(users.rows()), std::size_t(items.rows()));
  fresh.batches_ = in.read_int("batches");
  fresh.sweeps_ = in.read_int("sweeps");
  fresh.interactions_ = in.read_int("interactions");
  fresh.last_users_solved_ = in.read_int("last_users_solved");
  fresh.last_items_solved_ = in.read_int("last_items_solved");
  STREAMML_CHECK(fresh.batches_ >= 0 && fresh.sweeps_ >= 0 && fresh.interactions_ >= 0, InvalidInput,
                 in.where("batches") << ": negative counters");
  *this = std::move(fresh);
}

}  // namespace streamml

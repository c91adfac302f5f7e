// Settings of the ALS recommender (als.h), declared once in a SettingsTable with Spark ML's
// names (ALS.scala's setDefault: rank 10, maxIter 10, regParam 0.1, alpha 1.0, implicitPrefs
// false, nonnegative false, coldStartStrategy "nan", blockSize 4096), plus what a stream needs
// that Spark has no word for: the solver, the interaction store's policy and the sweep interval.
#pragma once

#include <cstdint>

#include "core/settings.h"

namespace streamml {

enum class AlsSolver { Cholesky, ConjugateGradient };
enum class AlsColdStart { NaN, Drop };
enum class AlsInit { Random, Custom };

struct AlsSettings {
  std::int64_t rank = 10;
  std::int64_t max_iter = 10;
  double reg_param = 0.1;
  double alpha = 1.0;
  bool implicit_prefs = false;
  bool nonnegative = false;
  AlsSolver solver = AlsSolver::Cholesky;
  std::int64_t cg_steps = 3;
  std::int64_t seed = 0;
  AlsColdStart cold_start_strategy = AlsColdStart::NaN;
  AlsInit init = AlsInit::Random;
  std::int64_t block_size = 4096;
  // The interaction store (interaction_store.h).
  std::int64_t max_per_user = 0;  // 0: no cap
  double horizon = 0.0;           // seconds of event time; 0: none
  double half_life = 0.0;         // seconds of event time; 0: no decay
  bool allow_negative = true;
  // Streaming: a full sweep (one ALS iteration over every row) every this many batches.
  std::int64_t sweep_interval = 100;
  // Fold-in re-solves only rows with at most this many stored interactions (0: every touched
  // row); longer ones (popular items) wait for the next sweep.
  std::int64_t max_fold_in_history = 0;

  // Cross-field checks the table cannot make; throws Error(InvalidInput) "als: ...".
  void validate() const;
};

const SettingsTable<AlsSettings>& als_settings_table();

}  // namespace streamml

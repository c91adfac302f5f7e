#include "algorithms/recommend/als_settings.h"

namespace streamml {

const SettingsTable<AlsSettings>& als_settings_table() {
  using S = AlsSettings;
  static const auto t =
      SettingsTable<S>("als")
          .integer("rank", &S::rank, "rank of the factorization (factors per user and per item)",
                   Range::closed(1, 4096))
          .integer("max_iter", &S::max_iter, "ALS iterations of fit() (item factors, then user factors)",
                   Range::at_least(0))
          .real("reg_param", &S::reg_param, "L2 regularization, scaled by each row's rating count (ALS-WR)",
                Range::non_negative())
          .real("alpha", &S::alpha, "implicit feedback: confidence c = 1 + alpha |r|", Range::non_negative())
          .flag("implicit_prefs", &S::implicit_prefs, "implicit feedback (Hu, Koren, Volinsky) instead of ratings")
          .flag("nonnegative", &S::nonnegative, "nonnegative factors (Spark's NNLS solver)")
          .choice("solver", &S::solver,
                  {{AlsSolver::Cholesky, "cholesky"}, {AlsSolver::ConjugateGradient, "cg"}},
                  "exact Cholesky of each row's normal equations, or conjugate gradient warm-started from "
                  "the previous factors")
          .integer("cg_steps", &S::cg_steps, "conjugate-gradient steps per row and solve", Range::at_least(1))
          .integer("seed", &S::seed, "random initial factors", Range::non_negative())
          .choice("cold_start_strategy", &S::cold_start_strategy,
                  {{AlsColdStart::NaN, "nan"}, {AlsColdStart::Drop, "drop"}},
                  "unknown users or items: predict NaN, or drop the pair from predict()'s output")
          .choice("init", &S::init, {{AlsInit::Random, "random"}, {AlsInit::Custom, "custom"}},
                  "initial factors: random unit vectors, or the factors given to fit()")
          .integer("block_size", &S::block_size, "rows per block of recommend_for_all's matrix products",
                   Range::at_least(1))
          .integer("max_per_user", &S::max_per_user,
                   "interaction store: most items kept per user, the oldest evicted first (0: no cap)",
                   Range::at_least(0))
          .real("horizon", &S::horizon,
                "interaction store: interactions older than this many seconds of event time are evicted (0: "
                "keep)",
                Range::non_negative())
          .real("half_life", &S::half_life,
                "interaction store: implicit counts decay by half every this many seconds of event time (0: "
                "no decay)",
                Range::non_negative())
          .flag("allow_negative", &S::allow_negative,
                "accept negative ratings or counts (Spark's implicit extension); false: refuse them")
          .integer("sweep_interval", &S::sweep_interval,
                   "partial_fit: a full ALS iteration over every row every this many batches (0: never)",
                   Range::at_least(0))
          .integer("max_fold_in_history", &S::max_fold_in_history,
                   "partial_fit re-solves only touched rows with at most this many stored interactions; longer "
                   "ones (popular items) wait for the sweep (0: every touched row)",
                   Range::at_least(0));
  return t;
}

void AlsSettings::validate() const {
  als_settings_table().validate(*this);
  if (nonnegative && solver == AlsSolver::ConjugateGradient)
    settings_error("als", "nonnegative factors need solver 'cholesky' (Spark's NNLS on the normal equations), "
                          "not 'cg'");
  if (half_life > 0 && !implicit_prefs)
    settings_error("als", "half_life decays implicit counts; ratings (implicit_prefs=false) do not decay");
}

}  // namespace streamml

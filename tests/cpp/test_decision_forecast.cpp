// DemandForecast (EWMA and Holt's linear trend) against hand-computed recursions.
#include <gtest/gtest.h>

#include "algorithms/optimize/demand_forecast.h"

namespace streamml {
namespace {

ForecastSettings holt(double alpha, double beta, double horizon) {
  ForecastSettings s;
  s.forecast = ForecastMethod::Holt;
  s.alpha = alpha;
  s.beta = beta;
  s.horizon = horizon;
  return s;
}

TEST(DemandForecast, HoltByHand) {
  // α = β = 0.5, rates 10, 12, 15:
  //   t0: level 10, trend 0
  //   t1: level 0.5·12 + 0.5·(10 + 0) = 11;       trend 0.5·(11 - 10) + 0.5·0 = 0.5
  //   t2: level 0.5·15 + 0.5·(11 + 0.5) = 13.25;  trend 0.5·(13.25 - 11) + 0.5·0.5 = 1.375
  //   one window ahead 14.625, two 16.
  DemandForecast f(holt(0.5, 0.5, 1), 2);
  f.observe(1, 10);
  EXPECT_EQ(f.forecast(1), 10);
  f.observe(1, 12);
  EXPECT_EQ(f.level()[1], 11);
  EXPECT_EQ(f.trend()[1], 0.5);
  f.observe(1, 15);
  EXPECT_EQ(f.level()[1], 13.25);
  EXPECT_EQ(f.trend()[1], 1.375);
  EXPECT_EQ(f.forecast(1), 14.625);
  EXPECT_EQ(f.forecast(0), 0);  // never seen
  EXPECT_EQ(f.observations(), (std::vector<std::int64_t>{0, 3}));
  DemandForecast two(holt(0.5, 0.5, 2), 2);
  for (double r : {10.0, 12.0, 15.0}) two.observe(0, r);
  EXPECT_EQ(two.forecast(0), 16);
}

TEST(DemandForecast, EwmaByHand) {
  ForecastSettings s;
  s.forecast = ForecastMethod::Ewma;
  s.alpha = 0.3;
  DemandForecast f(s, 1);
  f.observe(0, 10);
  f.observe(0, 20);  // 0.3·20 + 0.7·10 = 13
  EXPECT_DOUBLE_EQ(f.forecast(0), 13);
  f.observe(0, 0);   // 0.7·13 = 9.1
  EXPECT_DOUBLE_EQ(f.forecast(0), 9.1);
}

TEST(DemandForecast, HoltFollowsALinearSeriesExactlyAndNeverGoesNegative) {
  // On r_t = 5 + 2t the trend converges to 2 and the one-step forecast to the next value.
  DemandForecast f(holt(0.5, 0.3, 1), 1);
  for (int t = 0; t < 200; ++t) f.observe(0, 5.0 + 2.0 * t);
  EXPECT_NEAR(f.forecast(0), 5.0 + 2.0 * 200, 1e-9);
  EXPECT_NEAR(f.trend()[0], 2.0, 1e-9);
  DemandForecast falling(holt(0.9, 0.9, 3), 1);
  for (double r : {100.0, 50.0, 0.0}) falling.observe(0, r);
  EXPECT_LT(falling.level()[0] + 3 * falling.trend()[0], 0);
  EXPECT_EQ(falling.forecast(0), 0);
}

}  // namespace
}  // namespace streamml

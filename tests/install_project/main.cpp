// Two groups of points streamed through a pipeline into streaming k-means, built against an
// installed streamml. Oracle: brute force, the mean of each group computed here; with no
// forgetting (decay 1) Spark's streaming update ends exactly at the running mean of the
// points each centre was given, and groups this far apart never swap centres.
#include <cmath>
#include <cstdio>

#include "algorithms/clustering/streaming_kmeans.h"
#include "core/batch.h"
#include "streaming/memory_source.h"
#include "streaming/pipeline.h"

int main() {
  using namespace streamml;
  const int n = 10000;
  Batch data;
  data.rows = n;
  data.cols = 2;
  double sum[2][2] = {{0, 0}, {0, 0}};
  for (int i = 0; i < n; ++i) {
    const int group = i % 2;  // (0, 0) and (10, 10), jittered deterministically
    const double x = 10.0 * group + std::sin(0.7 * i), y = 10.0 * group + std::cos(1.3 * i);
    data.features.push_back(x);
    data.features.push_back(y);
    sum[group][0] += x;
    sum[group][1] += y;
  }
  StreamingKMeansSettings settings;
  settings.k = 2;
  settings.init = KMeansInit::Given;
  settings.initial_centers = {1, 1, 9, 9};
  settings.dimension = 2;
  StreamingKMeans kmeans(settings);

  PipelineSettings pipeline_settings;
  pipeline_settings.batching.batch_size = 500;
  Pipeline pipeline(std::make_unique<MemorySource>(std::move(data)), pipeline_settings);
  pipeline.add_stage("kmeans", [&](Batch& batch) { kmeans.partial_fit(batch); });
  const PipelineReport report = pipeline.run();

  double worst = 0;
  for (int c = 0; c < 2; ++c)
    for (int j = 0; j < 2; ++j)
      worst = std::fmax(worst, std::fabs(kmeans.cluster_centers()(c, j) - sum[c][j] / (n / 2)));
  std::printf("app: %lld records in %lld batches; centres off the group means by %.3g\n",
              static_cast<long long>(report.records), static_cast<long long>(report.batches), worst);
  return report.records == n && report.batches == n / 500 && worst < 1e-9 ? 0 : 1;
}

// checkpoint_predict FILE < rows.csv: loads a checkpoint file in C++ and scores rows with it.
//
// The C++ half of tests/python/test_checkpoints.py's cross-language check (a model saved from
// Python must load in C++ and predict the same) and of the fixture tests. Reads rows of dense
// features from stdin, one per line, comma-separated; prints the learner type, then one score
// per row with 17 significant digits (so the text reads back to the same double): P(y = 1) for
// logreg, the nearest centre for kmeans, the label against the window for dbscan (each
// learner's Learner::score). Exit status 1 and the error on stderr when the file does not load.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/clustering/windowed_dbscan.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "core/checkpoint_file.h"
#include "core/error.h"

namespace {

std::unique_ptr<streamml::Learner> learner_of_type(const std::string& type) {
  if (type == "logreg") return std::make_unique<streamml::LogisticRegressionSGD>();
  if (type == "kmeans") return std::make_unique<streamml::StreamingKMeans>();
  if (type == "dbscan") return std::make_unique<streamml::WindowedDBSCAN>();
  STREAMML_FAIL(InvalidInput, "checkpoint_predict scores logreg, kmeans and dbscan models, not '" << type << "'");
}

streamml::Batch read_rows(std::istream& in) {
  streamml::Batch batch;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string field;
    std::size_t cols = 0;
    while (std::getline(fields, field, ',')) {
      batch.features.push_back(std::stod(field));
      ++cols;
    }
    STREAMML_CHECK(batch.rows == 0 || cols == batch.cols, InvalidInput,
                   "row " << batch.rows << " has " << cols << " values, the first " << batch.cols);
    batch.cols = cols;
    ++batch.rows;
  }
  return batch;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: checkpoint_predict FILE < rows.csv\n";
    return 2;
  }
  try {
    const std::string path = argv[1];
    const auto learner = learner_of_type(streamml::describe_checkpoint_file(path).learner_type);
    streamml::load_checkpoint_file(path, *learner);
    const streamml::Batch rows = read_rows(std::cin);
    const Eigen::VectorXd scores = learner->score(rows);
    std::cout << learner->type() << "\n";
    for (Eigen::Index i = 0; i < scores.size(); ++i) std::printf("%.17g\n", scores[i]);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

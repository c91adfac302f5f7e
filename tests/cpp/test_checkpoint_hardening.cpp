// Hardened checkpoint reading and writing, beyond the store and conformance suites:
//   - every float64 scalar of a logistic regression's state set to NaN or Inf is refused;
//   - a prefix shorter than the 512-byte header is reported as truncated;
//   - a dataset whose object header is damaged fails describe with the file's name;
//   - in-memory images made and read in several threads at once stay apart;
//   - groups keep their links compact (in the checksummed object header) however many.
// Oracles: the model that was saved (checkpoint_test::Snapshot, bit for bit), HDF5's own view
// of a file through its C API, and the documented messages.
#include <gtest/gtest.h>

#include <hdf5.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "algorithms/linear/logistic_regression_sgd.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_file.h"
#include "core/checkpoint_store.h"
#include "core/error.h"
#include "test_helpers.h"

namespace streamml {
namespace {

namespace fs = std::filesystem;
using checkpoint_test::snapshot;

fs::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return testing::temp_dir(std::string(info->test_suite_name()) + "." + info->name());
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

LogisticRegressionSGD trained(const std::string& optimizer, bool average_and_l1, int seed) {
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Online;
  s.set("optimizer", optimizer);
  s.fit_intercept = true;
  if (average_and_l1) {
    s.penalty = Penalty::ElasticNet;
    s.reg_param = 0.01;
    s.average = 3;
  }
  LogisticRegressionSGD m(s);
  for (int i = 0; i < 3; ++i) {
    Batch b = testing::make_records(40);
    for (std::size_t k = 0; k < b.rows; ++k) b.features[2 * k] = std::sin(double(k * 7 + i + seed));
    m.partial_fit(b);
  }
  return m;
}

std::vector<char> bytes_of(double v) {
  std::vector<char> b(sizeof v);
  std::memcpy(b.data(), &v, sizeof v);
  return b;
}

// Oracle: the documented contract (core/stateful.h): a load that throws names the file and
// what does not fit, and leaves the target unchanged. Every float64 scalar dataset of the
// state (intercept, weight_scale, the optimizers' scalars, counters kept as doubles) is set
// to NaN, +Inf and -Inf in turn, for the three optimizers and for SGD with L1 and averaging.
TEST(CheckpointHardening, NonFiniteScalarsInLogisticRegressionStateAreRefused) {
  const fs::path dir = test_dir();
  std::size_t refused = 0;
  for (const auto& [optimizer, extras] : {std::pair{"sgd", true}, std::pair{"adagrad", false}, std::pair{"ftrl", false}}) {
    const LogisticRegressionSGD saved = trained(optimizer, extras, 1);
    const fs::path good = dir / (std::string(optimizer) + ".h5");
    write_checkpoint_file(good.string(), saved, {});
    LogisticRegressionSGD target = trained(optimizer, extras, 2);
    const auto before = snapshot(target);
    for (const auto& d : describe_checkpoint_file(good.string()).datasets) {
      if (d.type != "float64" || !d.shape.empty()) continue;
      const std::string leaf = d.path.substr(d.path.rfind('/') + 1);
      for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                         -std::numeric_limits<double>::infinity()}) {
        const fs::path doctored = dir / "doctored.h5";
        fs::copy_file(good, doctored, fs::copy_options::overwrite_existing);
        checkpoint_test::doctor(doctored, [&](hid_t root) { checkpoint_test::replace_dataset(root, d.path, {}, bytes_of(bad)); });
        const std::string message = testing::error_of([&] { load_checkpoint_file(doctored.string(), target); });
        EXPECT_TRUE(contains(message, doctored.string())) << optimizer << " " << d.path << " = " << bad << ": " << message;
        EXPECT_TRUE(contains(message, leaf)) << optimizer << " " << d.path << " = " << bad << ": " << message;
        ASSERT_TRUE(snapshot(target) == before) << optimizer << " " << d.path << ": the target changed";
        ++refused;
      }
    }
  }
  // Layout 2 keeps the optimizer in use only: sgd with L1 and averaging has 8 scalars
  // (intercept; optimizer/t, weight_scale, intercept, l1_u, avg_a, avg_b, avg_intercept),
  // adagrad 2 (intercept, optimizer/intercept_grad_sq_sum), ftrl 3 (intercept,
  // optimizer/ftrl_z_intercept, ftrl_n_intercept); x 3 values each.
  EXPECT_EQ(refused, (8u + 2u + 3u) * 3u);
}

// Oracle: the message the loader documents for a file cut inside its header.
TEST(CheckpointHardening, APrefixShorterThanTheHeaderIsTruncated) {
  const fs::path dir = test_dir();
  const LogisticRegressionSGD model = trained("adagrad", false, 1);
  const std::vector<char> full = checkpoint_bytes(model);
  LogisticRegressionSGD into;
  for (std::size_t size : {std::size_t(1), std::size_t(19), std::size_t(20), std::size_t(100), std::size_t(511)}) {
    const fs::path cut = dir / ("cut" + std::to_string(size) + ".h5");
    checkpoint_test::write_bytes(cut, std::vector<char>(full.begin(), full.begin() + std::ptrdiff_t(size)));
    for (const std::string& message : {testing::error_of([&] { load_checkpoint_file(cut.string(), into); }),
                                       testing::error_of([&] { describe_checkpoint_file(cut.string()); }),
                                       testing::error_of([&] { load_checkpoint_bytes(full.data(), size, into, cut.string()); })}) {
      EXPECT_TRUE(contains(message, cut.string() + ": truncated: " + std::to_string(size) + " bytes, shorter than the 512-byte"))
          << message;
    }
  }
  const fs::path empty = dir / "empty.h5";
  checkpoint_test::write_bytes(empty, {});
  EXPECT_TRUE(contains(testing::error_of([&] { load_checkpoint_file(empty.string(), into); }),
                       empty.string() + ": truncated: the file is empty"));
  // A short file that is not a checkpoint's prefix is not called truncated.
  const fs::path text = testing::write_file(dir / "text.h5", "hello");
  EXPECT_TRUE(contains(testing::error_of([&] { load_checkpoint_file(text.string(), into); }), "not an HDF5 file"));
}

// Oracle: HDF5's own location of the dataset's object header (H5Oget_info's address, after the
// 512-byte user block, where HDF5's "OHDR" signature must be). With that signature damaged and
// the file resealed, the root attributes still read; listing the datasets must fail naming
// the file.
TEST(CheckpointHardening, ADamagedDatasetHeaderFailsDescribeNamingTheFile) {
  const fs::path dir = test_dir();
  CheckpointStore store(dir.string());
  ASSERT_EQ(store.save("m", trained("ftrl", false, 1)), 1);
  const std::string path = store.path("m", 1);
  haddr_t address = 0;
  {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    H5O_info_t info;
    ASSERT_GE(H5Oget_info_by_name2(f, "optimizer/ftrl_z", &info, H5O_INFO_BASIC, H5P_DEFAULT), 0);
    address = info.addr;
    H5Fclose(f);
  }
  std::vector<char> bytes = checkpoint_test::read_bytes(path);
  const std::size_t at = 512 + std::size_t(address);
  ASSERT_LT(at + 4, bytes.size());
  ASSERT_EQ(std::string(bytes.data() + at, 4), "OHDR");
  bytes[at + 1] = 'X';
  checkpoint_test::write_bytes(path, bytes);
  checkpoint_test::reseal(path);
  const std::string message = testing::error_of([&] { store.describe("m"); });
  EXPECT_TRUE(contains(message, path + ": damaged: listing its datasets failed")) << message;
}

// Oracle: each thread's own model (Snapshot). Images are created and opened by 4 threads at
// once, 25 times each; every image must hold its own thread's model. (HDF5 identifies open
// files by name: images under one shared name collide.)
TEST(CheckpointHardening, InMemoryImagesInSeveralThreadsStayApart) {
  constexpr int kThreads = 4;
  std::vector<LogisticRegressionSGD> models;
  std::vector<checkpoint_test::Snapshot> states;
  for (int t = 0; t < kThreads; ++t) {
    models.push_back(trained("adagrad", false, t));
    states.push_back(snapshot(models.back()));
  }
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < 25; ++i) {
          const std::vector<char> image = checkpoint_bytes(models[std::size_t(t)]);
          LogisticRegressionSGD into;
          load_checkpoint_bytes(image.data(), image.size(), into, "same name");
          if (snapshot(into) != states[std::size_t(t)]) failures[std::size_t(t)] = "another model's state";
        }
      } catch (const std::exception& e) {
        failures[std::size_t(t)] = e.what();
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[std::size_t(t)], "") << "thread " << t;
}

// Oracle: HDF5's H5Gget_info. Groups holding more links than HDF5's default compact limit (8)
// still keep them compact: the root of a model with 12 datasets and its group of 12.
TEST(CheckpointHardening, GroupsKeepTheirLinksCompact) {
  struct ManyLinks : Stateful {
    std::string type() const override { return "many_links"; }
    std::string params_json() const override { return "{}"; }
    void save_state(StateWriter& out) const override {
      StateWriter group = out.group("optimizer");
      for (int i = 0; i < 12; ++i) {
        out.write_double("x" + std::to_string(i), i);
        group.write_double("y" + std::to_string(i), i);
      }
    }
    void load_state(const std::string&, const StateReader&) override {}
  };
  const fs::path file = test_dir() / "m.h5";
  write_checkpoint_file(file.string(), ManyLinks(), {});
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  for (const char* group : {"/", "/optimizer"}) {
    H5G_info_t info;
    ASSERT_GE(H5Gget_info_by_name(f, group, &info, H5P_DEFAULT), 0) << group;
    EXPECT_GT(info.nlinks, 8u) << group;
    EXPECT_EQ(info.storage_type, H5G_STORAGE_TYPE_COMPACT) << group;
  }
  H5Fclose(f);
}

}  // namespace
}  // namespace streamml

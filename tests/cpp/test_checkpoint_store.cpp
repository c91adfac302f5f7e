// CheckpointStore (core/checkpoint_store.h): versions, layout and attributes (DESIGN.md,
// "Checkpoint layout"), prune, concurrent savers in one process and in two, and hardened
// loading of damaged, newer, foreign and missing files.
//
// Oracles: the model that was saved (its params_json and its state, compared dataset by dataset
// through the HDF5 C API: checkpoint_test::Snapshot), the documented layout, and HDF5's own
// view of a file.
#include <gtest/gtest.h>

#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "algorithms/clustering/streaming_kmeans.h"
#include "algorithms/linear/logistic_regression_sgd.h"
#include "checkpoint_test_util.h"
#include "core/checkpoint_store.h"
#include "core/error.h"
#include "dbscan_test_util.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using checkpoint_test::any_error_of;
using checkpoint_test::first_difference;
using checkpoint_test::Snapshot;
using checkpoint_test::snapshot;
using testing::error_of;
namespace fs = std::filesystem;

// n records of 2 dense features and 5 hashed ones among `buckets`, labels from a hidden rule.
Batch wide_batch(std::size_t n, std::int64_t buckets, std::uint64_t seed) {
  dbscan_test::Rng rng(seed * 31337 + 5);
  Batch b;
  b.rows = n;
  b.cols = 2;
  b.sparse.cols = buckets;
  for (std::size_t r = 0; r < n; ++r) {
    double m = 0;
    for (int j = 0; j < 2; ++j) {
      const double v = 2 * rng.uniform() - 1;
      b.features.push_back(v);
      m += (j ? -1.0 : 1.5) * v;
    }
    std::set<std::int32_t> idx;
    while (idx.size() < 5) idx.insert(std::int32_t(rng.next() % std::uint64_t(buckets)));
    for (auto i : idx) {
      b.sparse.indices.push_back(i);
      b.sparse.values.push_back(1.0);
      m += (i % 2 ? 0.5 : -0.5);
    }
    b.sparse.indptr.push_back(std::int32_t(b.sparse.indices.size()));
    b.labels.push_back(rng.uniform() < 1.0 / (1.0 + std::exp(-m)) ? 1.0 : 0.0);
  }
  return b;
}

// FTRL with a seed-dependent setting, so params_json tells whose model a file holds.
LogisticRegressionSGD ftrl_model(int who, std::int64_t buckets = 0, int batches = 2) {
  LogisticRegressionSGDSettings s;
  s.mode = LogisticMode::Online;
  s.optimizer = OnlineOptimizer::Ftrl;
  s.fit_intercept = true;
  s.reg_param = 0;
  s.ftrl_l1 = 0.01 * (who + 1);
  s.seed = std::uint64_t(who);
  LogisticRegressionSGD m(s);
  for (int i = 0; i < batches; ++i) {
    if (buckets > 0) {
      m.partial_fit(wide_batch(200, buckets, std::uint64_t(who * 100 + i)));
    } else {
      Batch b = testing::make_records(50);
      for (std::size_t k = 0; k < b.rows; ++k) b.features[2 * k] = std::sin(double(k + who + i));
      m.partial_fit(b);
    }
  }
  return m;
}

fs::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return testing::temp_dir(std::string(info->test_suite_name()) + "." + info->name());
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every dataset of a file as HDF5 itself lists it (path -> shape), independent of the library.
std::map<std::string, std::vector<std::int64_t>> hdf5_datasets(const std::string& path) {
  std::map<std::string, std::vector<std::int64_t>> out;
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << path;
  H5Ovisit2(
      f, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t loc, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type != H5O_TYPE_DATASET) return 0;
        const hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
        const hid_t space = H5Dget_space(ds);
        std::vector<hsize_t> dims(std::size_t(std::max(0, H5Sget_simple_extent_ndims(space))));
        if (!dims.empty()) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
        auto& shape = (*static_cast<std::map<std::string, std::vector<std::int64_t>>*>(data))[std::string("/") + name];
        for (auto d : dims) shape.push_back(std::int64_t(d));
        H5Sclose(space);
        H5Dclose(ds);
        return 0;
      },
      &out, H5O_INFO_BASIC);
  H5Fclose(f);
  return out;
}

// ---------------------------------------------------------------------------------------------

// Oracle: the documented layout. Versions count 1, 2, 3 per name; latest is the largest;
// names() lists the models that have versions, sorted; files are <dir>/<name>/v000001.h5.
TEST(CheckpointStore, VersionsLatestNamesAndPathLayout) {
  const fs::path dir = test_dir();
  CheckpointStore store((dir / "nested" / "store").string());  // created with its parents
  EXPECT_TRUE(fs::is_directory(dir / "nested" / "store"));
  EXPECT_TRUE(store.versions("m").empty());
  EXPECT_FALSE(store.latest("m").has_value());
  EXPECT_TRUE(store.names().empty());

  const LogisticRegressionSGD model = ftrl_model(0);
  EXPECT_EQ(store.save("m", model), 1);
  EXPECT_EQ(store.save("m", model), 2);
  EXPECT_EQ(store.save("m", model), 3);
  EXPECT_EQ(store.save("a.b-c_D9", model), 1);
  EXPECT_EQ(store.versions("m"), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(store.latest("m"), 3);
  EXPECT_EQ(store.names(), (std::vector<std::string>{"a.b-c_D9", "m"}));
  EXPECT_EQ(store.path("m", 2), (dir / "nested" / "store" / "m" / "v000002.h5").string());
  for (int v = 1; v <= 3; ++v)
    EXPECT_TRUE(fs::is_regular_file(dir / "nested" / "store" / "m" / ("v00000" + std::to_string(v) + ".h5")));
  // Nothing else is left in the model's directory (no temporary files).
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir / "nested" / "store" / "m")) files += e.is_regular_file();
  EXPECT_EQ(files, 3u);
  // Strangers in the directory are not versions.
  testing::write_file(dir / "nested" / "store" / "m" / "notes.txt", "x");
  testing::write_file(dir / "nested" / "store" / "m" / "v12.h5", "x");
  EXPECT_EQ(store.versions("m"), (std::vector<std::int64_t>{1, 2, 3}));
  fs::create_directories(dir / "nested" / "store" / "empty");
  EXPECT_EQ(store.names(), (std::vector<std::string>{"a.b-c_D9", "m"}));

  // A second object on the same directory sees the same versions and continues them.
  CheckpointStore again((dir / "nested" / "store/").string());
  EXPECT_EQ(again.latest("m"), 3);
  EXPECT_EQ(again.save("m", model), 4);

  LogisticRegressionSGD loaded;
  store.load("m", loaded, 2);
  EXPECT_EQ(loaded.params_json(), model.params_json());
  EXPECT_TRUE(snapshot(loaded) == snapshot(model));
}

// Oracle: DESIGN.md's root attributes, the model that was saved, the metadata given, and
// HDF5's own listing of the file's datasets.
TEST(CheckpointStore, DescribeGivesEveryRootAttributeAndTheDatasets) {
  CheckpointStore store(test_dir().string());
  LogisticRegressionSGD model = ftrl_model(1);
  CheckpointMetadata meta;
  meta.batch_index = 17;
  meta.source_positions = R"({"file":"data/stream.csv","offset":123456})";
  meta.metrics = R"({"log_loss":0.42})";
  ASSERT_EQ(store.save("clicks", model, meta), 1);
  model.partial_fit(testing::make_records(10));
  ASSERT_EQ(store.save("clicks", model), 2);                 // default metadata
  CheckpointMetadata from_one;
  from_one.parent_version = 1;
  ASSERT_EQ(store.save("clicks", model, from_one), 3);     // restored from 1, say

  const std::regex utc(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)");
  const CheckpointInfo first = store.describe("clicks", 1);
  EXPECT_EQ(first.path, store.path("clicks", 1));
  EXPECT_EQ(first.format_version, 1);
  EXPECT_EQ(first.library_version, STREAMML_VERSION_STRING);
  EXPECT_EQ(first.learner_type, "logreg");
  EXPECT_EQ(first.params, model.params_json());
  EXPECT_TRUE(std::regex_match(first.created_utc, utc)) << first.created_utc;
  EXPECT_EQ(first.header.version, 1);
  EXPECT_EQ(first.header.parent_version, 0);  // the first version has no parent
  EXPECT_EQ(first.header.batch_index, 17);
  EXPECT_EQ(first.header.source_positions, meta.source_positions);
  EXPECT_EQ(first.header.metrics, meta.metrics);

  const CheckpointInfo second = store.describe("clicks", 2);
  EXPECT_EQ(second.header.version, 2);
  EXPECT_EQ(second.header.parent_version, 1);  // default: the latest before this save
  EXPECT_EQ(second.header.batch_index, -1);
  EXPECT_EQ(second.header.source_positions, "{}");
  EXPECT_EQ(second.header.metrics, model.metrics_json());
  EXPECT_TRUE(std::regex_match(second.created_utc, utc)) << second.created_utc;

  const CheckpointInfo latest = store.describe("clicks");
  EXPECT_EQ(latest.header.version, 3);
  EXPECT_EQ(latest.header.parent_version, 1);

  // The datasets: the names the learner documents, with the shapes HDF5 reports.
  const auto by_hdf5 = hdf5_datasets(latest.path);
  ASSERT_EQ(latest.datasets.size(), by_hdf5.size());
  std::map<std::string, std::pair<std::string, std::vector<std::int64_t>>> listed;
  for (const auto& d : latest.datasets) {
    ASSERT_TRUE(by_hdf5.count(d.path)) << d.path;
    EXPECT_EQ(d.shape, by_hdf5.at(d.path)) << d.path;
    listed[d.path] = {d.type, d.shape};
  }
  using Shape = std::vector<std::int64_t>;
  const std::pair<std::string, Shape> vector2{"float64", Shape{2}}, float_scalar{"float64", Shape{}},
      int_scalar{"int64", Shape{}};
  EXPECT_EQ(listed["/coef"], vector2);
  EXPECT_EQ(listed["/optimizer/ftrl_z"], vector2);
  EXPECT_EQ(listed["/optimizer/ftrl_n"], vector2);
  EXPECT_EQ(listed["/intercept"], float_scalar);
  EXPECT_EQ(listed["/dense_features"], int_scalar);
  EXPECT_EQ(listed["/batches_seen"], int_scalar);
  EXPECT_EQ(listed.count("/optimizer/grad_sq_sum"), 0u);  // layout 2 keeps only the optimizer in use
  EXPECT_EQ(latest.state_version, 2);
  EXPECT_TRUE(contains(latest.to_json(), "\"learner_type\": \"logreg\"")) << latest.to_json();
}

// Oracle: the versions saved. prune(keep_last = N) deletes all but the newest N, returns the
// deleted ones, and numbering goes on after the newest; keep_last = 0 is refused. Temporary
// files of savers that died go too; a live saver's stays.
TEST(CheckpointStore, PruneKeepsTheNewestN) {
  const fs::path dir = test_dir();
  CheckpointStore store(dir.string());
  const LogisticRegressionSGD model = ftrl_model(2);
  for (int i = 1; i <= 5; ++i) ASSERT_EQ(store.save("m", model), i);

  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  ASSERT_GT(dead, 0);
  waitpid(dead, nullptr, 0);
  const fs::path dead_tmp = dir / "m" / (".v000006.h5.tmp-" + std::to_string(dead) + "-0");
  const fs::path live_tmp = dir / "m" / (".v000006.h5.tmp-" + std::to_string(::getpid()) + "-99");
  testing::write_file(dead_tmp, "half a file");
  testing::write_file(live_tmp, "being written");

  EXPECT_EQ(store.prune("m", 2), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(store.versions("m"), (std::vector<std::int64_t>{4, 5}));
  EXPECT_FALSE(fs::exists(store.path("m", 1)));
  EXPECT_FALSE(fs::exists(dead_tmp));
  EXPECT_TRUE(fs::exists(live_tmp));
  EXPECT_TRUE(store.prune("m", 2).empty());
  EXPECT_TRUE(store.prune("m", 10).empty());
  EXPECT_TRUE(contains(error_of([&] { store.prune("m", 0); }), "keep_last"));
  EXPECT_EQ(store.versions("m"), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(store.save("m", model), 6);
  EXPECT_EQ(store.prune("m", 1), (std::vector<std::int64_t>{4, 5}));
  LogisticRegressionSGD loaded;
  EXPECT_EQ(store.load("m", loaded).header.version, 6);
  fs::remove(live_tmp);
}

// 4 threads x 25 saves into one store, a reader listing and loading versions meanwhile.
// Oracles: the versions returned are 1..100, each once; every file holds exactly the model of
// the thread that got its number; the reader loads every version it ever lists (never a
// partial file).
TEST(CheckpointStore, ConcurrentSaversGetDistinctVersionsAndReadersSeeCompleteFiles) {
  CheckpointStore store(test_dir().string());
  constexpr int kThreads = 4, kSaves = 25;
  std::vector<LogisticRegressionSGD> models;
  std::vector<Snapshot> states;
  for (int t = 0; t < kThreads; ++t) {
    models.push_back(ftrl_model(t));
    states.push_back(snapshot(models.back()));
  }
  std::vector<std::vector<std::int64_t>> got(kThreads);
  std::atomic<int> running{kThreads};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  std::size_t reader_loads = 0;

  std::thread reader([&] {
    std::set<std::int64_t> loaded;
    while (true) {
      const bool last_round = running.load() == 0;
      for (std::int64_t v : store.versions("m")) {
        if (loaded.count(v)) continue;
        LogisticRegressionSGD into;
        try {
          store.load("m", into, v);
          loaded.insert(v);
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(failures_mutex);
          failures.push_back("reader, version " + std::to_string(v) + ": " + e.what());
          loaded.insert(v);
        }
      }
      if (last_round) break;
    }
    reader_loads = loaded.size();
  });
  std::vector<std::thread> savers;
  for (int t = 0; t < kThreads; ++t)
    savers.emplace_back([&, t] {
      for (int i = 0; i < kSaves; ++i) {
        try {
          got[std::size_t(t)].push_back(store.save("m", models[std::size_t(t)]));
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(failures_mutex);
          failures.push_back("saver " + std::to_string(t) + ": " + e.what());
        }
      }
      --running;
    });
  for (auto& s : savers) s.join();
  reader.join();
  EXPECT_TRUE(failures.empty()) << failures.front();

  std::map<std::int64_t, int> owner;
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_TRUE(std::is_sorted(got[std::size_t(t)].begin(), got[std::size_t(t)].end()));  // monotonic per saver
    for (std::int64_t v : got[std::size_t(t)]) EXPECT_TRUE(owner.emplace(v, t).second) << "version " << v << " twice";
  }
  ASSERT_EQ(owner.size(), std::size_t(kThreads * kSaves));
  EXPECT_EQ(owner.begin()->first, 1);
  EXPECT_EQ(owner.rbegin()->first, kThreads * kSaves);
  EXPECT_EQ(store.versions("m").size(), std::size_t(kThreads * kSaves));
  EXPECT_EQ(reader_loads, std::size_t(kThreads * kSaves));
  for (const auto& [v, t] : owner) {
    LogisticRegressionSGD into;
    store.load("m", into, v);
    ASSERT_TRUE(snapshot(into) == states[std::size_t(t)]) << "version " << v << " is not saver " << t << "'s model";
  }
}

// Two CheckpointStore objects on one directory that do not share the in-process lock (one
// opened through a symbolic link, as another process would be, and a forked process): only
// the exclusive link() publish keeps their versions apart. Oracle as above.
TEST(CheckpointStore, TwoStoresAndTwoProcessesOnOneDirectoryGetDistinctVersions) {
  const fs::path dir = test_dir();
  fs::create_directories(dir / "real");
  fs::create_symlink(dir / "real", dir / "link");
  CheckpointStore a((dir / "real").string()), b((dir / "link").string());
  const LogisticRegressionSGD ma = ftrl_model(0), mb = ftrl_model(1);
  std::vector<std::int64_t> va, vb;
  std::thread ta([&] {
    for (int i = 0; i < 25; ++i) va.push_back(a.save("m", ma));
  });
  std::thread tb([&] {
    for (int i = 0; i < 25; ++i) vb.push_back(b.save("m", mb));
  });
  ta.join();
  tb.join();
  std::set<std::int64_t> all(va.begin(), va.end());
  all.insert(vb.begin(), vb.end());
  ASSERT_EQ(all.size(), 50u);
  EXPECT_EQ(*all.rbegin(), 50);
  for (std::int64_t v : va) {
    LogisticRegressionSGD into;
    a.load("m", into, v);
    EXPECT_EQ(into.params_json(), ma.params_json()) << v;
  }
  for (std::int64_t v : vb) {
    LogisticRegressionSGD into;
    b.load("m", into, v);
    EXPECT_EQ(into.params_json(), mb.params_json()) << v;
  }

  // A second process: 25 saves each, at the same time, into the model "p".
  const LogisticRegressionSGD mc = ftrl_model(2);
  const fs::path child_log = dir / "child_versions.txt";
  std::cout.flush();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 0;
    try {
      CheckpointStore own((dir / "real").string());
      std::ofstream log(child_log);
      for (int i = 0; i < 25; ++i) log << own.save("p", mc) << "\n";
    } catch (...) {
      code = 1;
    }
    _exit(code);
  }
  std::vector<std::int64_t> parent_versions;
  for (int i = 0; i < 25; ++i) parent_versions.push_back(a.save("p", ma));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child process failed";
  std::vector<std::int64_t> child_versions;
  std::ifstream log(child_log);
  for (std::int64_t v; log >> v;) child_versions.push_back(v);
  ASSERT_EQ(child_versions.size(), 25u);
  std::set<std::int64_t> both(parent_versions.begin(), parent_versions.end());
  both.insert(child_versions.begin(), child_versions.end());
  EXPECT_EQ(both.size(), 50u);
  EXPECT_EQ(*both.rbegin(), 50);
  EXPECT_EQ(a.versions("p").size(), 50u);
  for (std::int64_t v : child_versions) {
    LogisticRegressionSGD into;
    a.load("p", into, v);
    EXPECT_EQ(into.params_json(), mc.params_json()) << v;
  }
}

// The newest version damaged on disk. Oracle: the state saved. Truncated to 0 bytes, 100 bytes,
// half and all but one byte, and with single bytes flipped (inverted) one at a time at every
// 97th offset, every load either throws a streamml::Error naming the file, or — only if the byte
// lies in space the file does not use — loads exactly the saved state. Never a crash, never
// another state. The file's user block seals the whole HDF5 part (length and Fletcher-32), which
// catches nearly everything; a second pass reseals after each flip so that HDF5's own checksums
// must catch it. The model has hashed features (2048 buckets), so both of the library's layouts
// are there: compact datasets in checksummed object headers, and chunked ones with Fletcher-32.
TEST(CheckpointStore, DamagedNewestFileFailsNamingItOrLoadsTheSameState) {
  const fs::path dir = test_dir();
  CheckpointStore store(dir.string());
  const LogisticRegressionSGD older = ftrl_model(3, 2048, 1);
  const LogisticRegressionSGD newest = ftrl_model(3, 2048, 3);
  ASSERT_EQ(store.save("m", older), 1);
  ASSERT_EQ(store.save("m", newest), 2);
  const std::string path = store.path("m", 2);
  const Snapshot expected = checkpoint_test::snapshot_of_file(path);
  ASSERT_TRUE(expected == snapshot(newest));
  bool chunked = false;
  for (const auto& d : store.describe("m").datasets) chunked |= !d.shape.empty() && d.shape[0] * 8 > 16 * 1024;
  EXPECT_TRUE(chunked) << "the file should hold a dataset large enough to be chunked";
  const std::vector<char> original = checkpoint_test::read_bytes(path);

  for (std::size_t size : {std::size_t(0), std::size_t(100), original.size() / 2, original.size() - 1}) {
    checkpoint_test::write_bytes(path, std::vector<char>(original.begin(), original.begin() + std::ptrdiff_t(size)));
    LogisticRegressionSGD into;
    const std::string message = any_error_of([&] { store.load("m", into); });
    EXPECT_TRUE(contains(message, path)) << "truncated to " << size << " bytes: " << message;
  }

  std::size_t detected = 0;
  std::vector<std::size_t> harmless;
  std::vector<std::size_t> different;
  std::vector<char> bytes = original;
  for (std::size_t offset = 0; offset < original.size(); offset += 97) {
    bytes[offset] = char(~bytes[offset]);
    checkpoint_test::write_bytes(path, bytes);
    bytes[offset] = original[offset];
    LogisticRegressionSGD into;  // other settings, unfitted
    const std::string message = any_error_of([&] { store.load("m", into); });
    if (message != "(no error)") {
      ++detected;
      EXPECT_TRUE(contains(message, path)) << "byte " << offset << " flipped: " << message;
    } else if (snapshot(into) == expected) {
      harmless.push_back(offset);
    } else {
      different.push_back(offset);
      ADD_FAILURE() << "byte " << offset << " flipped: loaded ANOTHER state ("
                    << first_difference(snapshot(into), expected) << ")";
    }
  }
  std::cout << "[ damage   ] " << original.size() << "-byte checkpoint, " << detected + harmless.size() + different.size()
            << " single-byte flips: " << detected << " detected, " << harmless.size() << " harmless (unused space:";
  for (std::size_t o : harmless) std::cout << " " << o;
  std::cout << "), " << different.size() << " loaded another state\n";
  EXPECT_GT(detected, 10 * harmless.size());

  // The same flips in the HDF5 part with the file resealed after each (its whole-file checksum
  // made to match, as if the byte had changed before the seal was written): HDF5's own
  // checksums (metadata, Fletcher-32 chunks) are then what must catch them.
  std::size_t inner_detected = 0;
  std::vector<std::size_t> inner_harmless;
  for (std::size_t offset = 512; offset < original.size(); offset += 97) {
    bytes[offset] = char(~bytes[offset]);
    checkpoint_test::write_bytes(path, bytes);
    bytes[offset] = original[offset];
    checkpoint_test::reseal(path);
    LogisticRegressionSGD into;
    const std::string message = any_error_of([&] { store.load("m", into); });
    if (message != "(no error)") {
      ++inner_detected;
      EXPECT_TRUE(contains(message, path)) << "byte " << offset << " flipped and resealed: " << message;
    } else if (snapshot(into) == expected) {
      inner_harmless.push_back(offset);
    } else {
      ADD_FAILURE() << "byte " << offset << " flipped and resealed: loaded ANOTHER state ("
                    << first_difference(snapshot(into), expected) << ")";
    }
  }
  std::cout << "[ damage   ] resealed: " << inner_detected << " detected by HDF5's checksums, " << inner_harmless.size()
            << " harmless (unused space:";
  for (std::size_t o : inner_harmless) std::cout << " " << o;
  std::cout << ")\n";

  // The damage was the test's: the original bytes load, and the older version never changed.
  checkpoint_test::write_bytes(path, original);
  LogisticRegressionSGD into;
  store.load("m", into);
  EXPECT_TRUE(snapshot(into) == expected);
  store.load("m", into, 1);
  EXPECT_TRUE(snapshot(into) == snapshot(older));
}

// A file of a newer format, of another learner, not HDF5 at all, or missing: errors that say so
// and name the file.
TEST(CheckpointStore, NewerForeignNonHdf5AndMissingFilesAreRejectedNamingThem) {
  const fs::path dir = test_dir();
  CheckpointStore store(dir.string());
  const LogisticRegressionSGD model = ftrl_model(4);
  ASSERT_EQ(store.save("m", model), 1);
  ASSERT_EQ(store.save("m", model), 2);
  ASSERT_EQ(store.save("m", model), 3);
  LogisticRegressionSGD into;

  // Version 1 from a future streamml: format_version overwritten in place.
  const std::string newer = store.path("m", 1);
  checkpoint_test::doctor(newer, [](hid_t root) {
    const hid_t attr = H5Aopen(root, "format_version", H5P_DEFAULT);
    ASSERT_GE(attr, 0);
    const std::int64_t two = 2;
    ASSERT_GE(H5Awrite(attr, H5T_NATIVE_INT64, &two), 0);
    H5Aclose(attr);
  });
  for (const std::string& message : {error_of([&] { store.load("m", into, 1); }),
                                     error_of([&] { store.describe("m", 1); })}) {
    EXPECT_TRUE(contains(message, "format 2")) << message;
    EXPECT_TRUE(contains(message, "reads formats up to 1")) << message;
    EXPECT_TRUE(contains(message, newer)) << message;
  }

  // A whole file from a future streamml: its header says format 2 as well.
  ASSERT_EQ(store.save("future", model), 1);
  checkpoint_test::doctor(store.path("future", 1), [](hid_t root) {
    const hid_t attr = H5Aopen(root, "format_version", H5P_DEFAULT);
    const std::int64_t two = 2;
    ASSERT_GE(H5Awrite(attr, H5T_NATIVE_INT64, &two), 0);
    H5Aclose(attr);
  });
  checkpoint_test::reseal(store.path("future", 1), {{"format", "2"}});
  for (const std::string& message : {error_of([&] { store.load("future", into); }),
                                     error_of([&] { store.describe("future"); })}) {
    EXPECT_TRUE(contains(message, "format 2")) << message;
    EXPECT_TRUE(contains(message, "reads formats up to 1")) << message;
    EXPECT_TRUE(contains(message, store.path("future", 1))) << message;
  }

  // Version 2 claims to hold a k-means model.
  const std::string foreign = store.path("m", 2);
  checkpoint_test::doctor(foreign, [](hid_t root) { checkpoint_test::set_attribute(root, "learner_type", "kmeans"); });
  std::string message = error_of([&] { store.load("m", into, 2); });
  EXPECT_TRUE(contains(message, "holds a 'kmeans' model, not a 'logreg'")) << message;
  EXPECT_TRUE(contains(message, foreign)) << message;
  EXPECT_EQ(store.describe("m", 2).learner_type, "kmeans");

  // And a real k-means checkpoint loaded into a logistic regression.
  StreamingKMeans kmeans;
  kmeans.partial_fit(testing::make_records(20));
  ASSERT_EQ(store.save("centres", kmeans), 1);
  message = error_of([&] { store.load("centres", into); });
  EXPECT_TRUE(contains(message, "holds a 'kmeans' model, not a 'logreg'")) << message;
  EXPECT_TRUE(contains(message, store.path("centres", 1))) << message;

  // Version 4 is a text file.
  const std::string text = store.path("m", 4);
  testing::write_file(text, "this is not a checkpoint\n");
  EXPECT_EQ(store.latest("m"), 4);
  for (const std::string& m : {error_of([&] { store.load("m", into); }), error_of([&] { store.describe("m"); })}) {
    EXPECT_TRUE(contains(m, "not an HDF5 file")) << m;
    EXPECT_TRUE(contains(m, text)) << m;
  }

  // Version 9 does not exist; nor does any version of "nothing".
  message = any_error_of([&] { store.load("m", into, 9); });
  EXPECT_TRUE(contains(message, store.path("m", 9))) << message;
  message = any_error_of([&] { store.describe("m", 9); });
  EXPECT_TRUE(contains(message, store.path("m", 9))) << message;
  message = error_of([&] { store.load("nothing", into); });
  EXPECT_TRUE(contains(message, "nothing")) << message;
  EXPECT_TRUE(contains(message, dir.string())) << message;
  EXPECT_TRUE(contains(error_of([&] { store.load("m", into, 0); }), "start at 1"));

  // None of this touched the learner, and version 3 still loads.
  EXPECT_TRUE(snapshot(into) == snapshot(LogisticRegressionSGD()));
  store.load("m", into, 3);
  EXPECT_TRUE(snapshot(into) == snapshot(model));
}

// Oracle: the documented rule, 1 to 100 characters of [A-Za-z0-9._-], not starting with '.'.
TEST(CheckpointStore, InvalidModelNamesAreRejected) {
  const fs::path dir = test_dir();
  CheckpointStore store(dir.string());
  const LogisticRegressionSGD model = ftrl_model(5);
  LogisticRegressionSGD into;
  for (const std::string& name : {std::string(""), std::string("../x"), std::string(".hidden"), std::string("a/b"),
                                  std::string(".."), std::string("a b"), std::string("x\n"), std::string(101, 'n')}) {
    EXPECT_TRUE(contains(error_of([&] { store.save(name, model); }), "model name")) << "'" << name << "'";
    EXPECT_TRUE(contains(error_of([&] { store.versions(name); }), "model name")) << "'" << name << "'";
    EXPECT_TRUE(contains(error_of([&] { store.load(name, into); }), "model name")) << "'" << name << "'";
    EXPECT_TRUE(contains(error_of([&] { store.describe(name, 1); }), "model name")) << "'" << name << "'";
    EXPECT_TRUE(contains(error_of([&] { store.prune(name, 1); }), "model name")) << "'" << name << "'";
    EXPECT_TRUE(contains(error_of([&] { store.path(name, 1); }), "model name")) << "'" << name << "'";
  }
  // Nothing was written anywhere, inside the store or beside it.
  EXPECT_TRUE(fs::is_empty(dir));
  EXPECT_FALSE(fs::exists(dir.parent_path() / "x"));
  EXPECT_EQ(store.save(std::string(100, 'n'), model), 1);
  EXPECT_EQ(store.save("-_.9", model), 1);
}

}  // namespace
}  // namespace streamml

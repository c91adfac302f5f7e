// What the fuzz targets (fuzz/) and the sanitizer builds (scripts/test-sanitize) found, each
// kept as a test of the fixed behaviour: the input that found it, written out by hand, and the
// expected result or error message, written out by hand.
#include <gtest/gtest.h>

#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "algorithms/optimize/autoscale.h"
#include "algorithms/optimize/model_io.h"
#include "algorithms/registry.h"
#include "core/json.h"
#include "test_helpers.h"

namespace streamml {
namespace {

using testing::error_of;
using testing::temp_dir;
using testing::write_file;

// fuzz_lp_model: an LP file whose name lacks ".lp" was handed to CoinLpIO as a FILE*, which
// CoinLpIO closes itself; read_lp closed it a second time (ASan: double free in fclose). read_lp
// now reads the text itself (lp_format.h); the file is still read whatever its name.
// Oracle: the model as written by hand; the second read and a bad model prove the FILE* is
// closed once per read.
TEST(FuzzFindings, LpFileNotNamedLpIsReadAndClosedOnce) {
  const auto dir = temp_dir("fuzz_lp_name");
  const std::string path = write_file(dir / "model.txt",
                                      "Maximize\n obj: 3 x + 2 y\nSubject To\n c1: x + y <= 4\nEnd\n").string();
  for (int read = 0; read < 2; ++read) {
    const LpModel m = read_lp(path);
    ASSERT_EQ(m.cols(), 2);
    ASSERT_EQ(m.rows(), 1);
    // "Maximize" is read as the minimisation of the negated objective (model_io.h).
    EXPECT_EQ(m.objective[0], -3.0);
    EXPECT_EQ(m.objective[1], -2.0);
    EXPECT_EQ(m.row_upper[0], 4.0);
    EXPECT_EQ(m.A.coeff(0, 0), 1.0);
  }
  const std::string bad = write_file(dir / "bad.txt", "Minimize\n obj: x +\nSubject To\n c: x >= \nEnd\n").string();
  const std::string msg = error_of([&] { read_lp(bad); });
  EXPECT_NE(msg.find("LP file '" + bad + "'"), std::string::npos) << msg;
}

// fuzz_mps_model: CoinUtils 2.11's MPS card reader dereferenced a null pointer
// (CoinMpsCardReader::nextField) on damaged integer MARKER cards and on quoted names; MPS files
// are now read by streamml's own reader (mps_format.h), to which a quote is a character like
// any other. Oracle: the crashing inputs (shortened by hand to their bad cards, each tried alone;
// kept whole in fuzz/corpus/fuzz_mps_model/) refused naming line and field, the messages
// written by hand; a well-formed marker pair still reads as one integer column.
TEST(FuzzFindings, DamagedMpsMarkerCardsAreRefusedNamingTheLine) {
  const auto dir = temp_dir("fuzz_mps_marker");
  const std::string head = "NAME          TINY\nROWS\n N  COST\n L  LIM1\nCOLUMNS\n";
  const std::string tail = "    X0        COST         1.0   LIM1         1.0\nRHS\n    RHS       LIM1         4.0\nENDATA\n";
  const std::string unclosed = write_file(dir / "unclosed.mps", head + "    MARKER                  'MARNAME s\n" + tail).string();
  const std::string odd = write_file(dir / "odd.mps", head + "    MARKER   !'MARKER'   'INTORG'\n" + tail).string();
  const std::string quoted = write_file(dir / "quoted.mps", head + "    MARKER     'MARNA     JBKER'     J    SE\n" + tail).string();
  const std::pair<std::string, std::string> refused[] = {{unclosed, "line 6: row ''MARNAME', which ROWS does not name"},
                                                        {odd, "line 6: row '!'MARKER'', which ROWS does not name"},
                                                        {quoted, "line 6: row ''MARNA', which ROWS does not name"}};
  for (const auto& bad : refused) {
    const std::string error = error_of([&] { read_mps(bad.first); });
    EXPECT_NE(error.find(bad.second), std::string::npos) << error;
  }
  const std::string good = write_file(dir / "good.mps", head + "    M1        'MARKER'                 'INTORG'\n" +
                                                             "    X0        COST         1.0   LIM1         1.0\n" +
                                                             "    M2        'MARKER'                 'INTEND'\n" +
                                                             "RHS\n    RHS       LIM1         4.0\nENDATA\n").string();
  const LpModel m = read_mps(good);
  ASSERT_EQ(m.cols(), 1);
  EXPECT_TRUE(m.integrality[0]);
}

// fuzz_settings: `--param services=30020000` for autoscale was accepted and the Autoscaler
// allocated stabilization_window x services forecasts (720 MB; more ends in bad_alloc). Oracle:
// the bound written by hand (10^7 forecasts): 30020000 x 3 refused naming both numbers, and
// 3333333 x 3 (9,999,999) still accepted.
TEST(FuzzFindings, AutoscaleSettingsImplyingHugeStateAreRefused) {
  const LearnerType& type = learner_registry().get("autoscale");
  const std::string msg = error_of([&] { type.from_text(parse_params({"services=30020000"})); });
  EXPECT_NE(msg.find("autoscale: services x stabilization_window is 30020000 x 3, at most 10000000 forecasts are kept"),
            std::string::npos) << msg;
  AutoscaleSettings s;
  s.services = 3333333;
  EXPECT_NO_THROW(s.validate());
  s.stabilization_window = 4;
  EXPECT_THROW(s.validate(), Error);
}

// fuzz_settings: `--param reg_param=-0` for als was accepted and written to the params JSON as
// "-0", which a JSON reader takes for the integer 0: the settings read back differed from those
// written (the target's property). A negative zero is now written "-0.0". Oracle: the finding's
// input; the sign of zero by hand (std::signbit), and the params written twice the same.
TEST(FuzzFindings, NegativeZeroSettingsReadBackAsWritten) {
  const LearnerType& type = learner_registry().get("als");
  const std::string written = type.from_text(parse_params({"rank=8", "reg_param=-0", "max_per_user=099"}))->params_json();
  EXPECT_NE(written.find("\"reg_param\":-0.0,"), std::string::npos) << written;
  EXPECT_EQ(type.from_json(written)->params_json(), written);
  JsonWriter json;
  json.value(-0.0);
  EXPECT_EQ(json.str(), "-0.0");
  EXPECT_TRUE(std::signbit(std::stod(json.str())));
}

// fuzz_checkpoint_bytes / fuzz_checkpoint_file: a load leaves no HDF5 object open, whether it
// succeeds or refuses the file. Oracle: H5Fget_obj_count is 0 after each of the fixtures
// (good, truncated and corrupted) is loaded from its file and from its bytes.
TEST(FuzzFindings, CheckpointLoadsLeaveNothingOpen) {
  const std::filesystem::path fixtures = std::filesystem::path(STREAMML_SOURCE_DIR) / "tests/data/checkpoints";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures)) {
    if (entry.path().extension() != ".h5") continue;
    ++files;
    const std::string path = entry.path().string();
    try {
      load_any_checkpoint(path);
    } catch (const Error&) {
    }
    EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0) << path;
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      load_any_checkpoint_bytes(bytes.data(), bytes.size(), path);
    } catch (const Error&) {
    }
    EXPECT_EQ(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0) << path << " (bytes)";
  }
  EXPECT_EQ(files, 11);
}

}  // namespace
}  // namespace streamml

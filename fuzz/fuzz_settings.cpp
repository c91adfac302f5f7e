// Learner settings as users and checkpoints give them, through the registry: `--param k=v`
// text (parse_params, then the type's from_text) and settings JSON (a checkpoint's params,
// from_json), for every registered type.
// Input: one byte picks the type (in registration order), one the form (bit 0: JSON), then the
// text: one k=v per line, or the JSON.
// Property: settings that were accepted write JSON that is accepted again and written back
// identically (params_json after from_json(params_json)).
#include <vector>

#include "algorithms/registry.h"
#include "fuzz/fuzz_input.h"

using namespace streamml;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::FuzzInput in(data, size);
  const auto& types = learner_registry().types();
  const LearnerType& type = types[in.byte() % types.size()];
  const bool json = in.byte() & 1;
  const std::string_view text = in.rest();
  fuzz::expect_refusal_or_success([&] {
    std::unique_ptr<Stateful> made;
    if (json) {
      made = type.from_json(text);
    } else {
      std::vector<std::string> params;
      for (std::size_t at = 0; at <= text.size();) {
        const std::size_t cut = std::min(text.find('\n', at), text.size());
        if (cut > at) params.emplace_back(text.substr(at, cut - at));
        at = cut + 1;
      }
      made = type.from_text(parse_params(params));
    }
    const std::string written = made->params_json();
    std::string again;
    try {
      again = type.from_json(written)->params_json();
    } catch (const Error& e) {
      STREAMML_FUZZ_ASSERT(false, "%s: its own params %s refused: %s", type.name.c_str(), written.c_str(), e.what());
    }
    STREAMML_FUZZ_ASSERT(again == written, "%s: params %s read back as %s", type.name.c_str(), written.c_str(),
                         again.c_str());
  });
  return 0;
}

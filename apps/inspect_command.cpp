#include "apps/inspect_command.h"

#include <sys/stat.h>

#include "algorithms/registry.h"
#include "core/checkpoint_store.h"
#include "core/error.h"
#include "core/json.h"
#include "core/learner_registry.h"

namespace streamml {

namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// What the registry knows of the file's type, and whether this streamml loads the file: the
// loaders the command line and Python use, so "loads: yes" means a --resume would read it.
std::string type_text(const CheckpointInfo& info) {
  const LearnerType* type = learner_registry().find(info.learner_type);
  if (type) return info.learner_type + " (" + role_name(type->role) + ": " + type->summary + ")";
  if (info.learner_type == "pipeline") return "pipeline (the manifest of a checkpoint: stage versions and positions)";
  return info.learner_type + " (not a type this streamml knows)";
}

std::string loads_text(const CheckpointInfo& info) {
  if (info.learner_type == "pipeline") return "yes (a manifest)";
  try {
    load_any_checkpoint(info.path);
    return "yes";
  } catch (const Error& e) {
    return "no: " + e.message();
  }
}

void print_file(const CheckpointInfo& info, std::ostream& out) {
  out << info.path << "\n"
      << "  learner_type     " << type_text(info) << "\n"
      << "  loads            " << loads_text(info) << "\n"
      << "  state_version    " << info.state_version << "\n"
      << "  format_version   " << info.format_version << " (written by streamml " << info.library_version << ")\n"
      << "  version          " << info.header.version << " (parent " << info.header.parent_version << ")\n"
      << "  created_utc      " << info.created_utc << "\n"
      << "  batch_index      " << info.header.batch_index << "\n"
      << "  source_positions " << info.header.source_positions << "\n"
      << "  params           " << info.params << "\n"
      << "  metrics          " << info.header.metrics << "\n"
      << "  user_metadata    " << info.header.user_metadata << "\n"
      << "  datasets:\n";
  for (const auto& d : info.datasets) out << "    " << d.path << "  " << d.type << " " << shape_text(d.shape) << "\n";
}

int inspect_dir(const std::string& dir, bool as_json, std::ostream& out) {
  const CheckpointStore store(dir);
  const auto names = store.names();
  STREAMML_CHECK(!names.empty(), InvalidInput, "'" << dir << "' holds no checkpoints");
  JsonWriter w;
  w.begin_object();
  for (const auto& name : names) {
    const auto versions = store.versions(name);
    const CheckpointInfo newest = store.describe(name);
    if (as_json) {
      w.key(name).begin_object();
      w.key("versions").begin_array();
      for (auto v : versions) w.value(v);
      w.end_array();
      w.key("newest").raw(newest.to_json(false));
      w.end_object();
      continue;
    }
    out << name << ": " << versions.size() << " version" << (versions.size() == 1 ? "" : "s") << " ("
        << versions.front() << " to " << versions.back() << "); newest: " << newest.learner_type << " after batch "
        << newest.header.batch_index << ", " << newest.created_utc << ", position " << newest.header.source_positions
        << "\n";
  }
  w.end_object();
  if (as_json) out << w.str() << "\n";
  return 0;
}

}  // namespace

int run_inspect(const std::string& path, bool as_json, std::ostream& out) {
  struct stat st {};
  STREAMML_CHECK(::stat(path.c_str(), &st) == 0, Io, "cannot inspect '" << path << "': no such file or directory");
  if (S_ISDIR(st.st_mode)) return inspect_dir(path, as_json, out);
  const CheckpointInfo info = describe_checkpoint_file(path);
  if (as_json) out << info.to_json() << "\n";
  else print_file(info, out);
  return 0;
}

}  // namespace streamml

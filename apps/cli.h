// The command line, as a function so tests drive exactly what users run.
#pragma once

namespace streamml {

// Parses argv, runs the subcommand, prints errors as "streamml: <message>" on stderr.
// Returns the process exit code: 0 success, 1 runtime failure, 2 bad usage or input.
int run_cli(int argc, char** argv);

}  // namespace streamml

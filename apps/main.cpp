// The `streamml` command: replay recorded streams through learners, generate streams.
#include "apps/cli.h"

int main(int argc, char** argv) { return streamml::run_cli(argc, argv); }

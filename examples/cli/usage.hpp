#pragma once

#include <string>

namespace signalr::cli {

/// The --help text, built from the option table.
std::string usageText();

/// "signalr-cli <version>".
std::string versionText();

} // namespace signalr::cli

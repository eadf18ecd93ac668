// The end-to-end scenarios (E1-E7, P2's workload, P3) run with our client against the bench hub.
// Each returns its figures as a JSON object text, or an error text starting with "error: ".
#pragma once

#include <string>

#include "spec.hpp"

namespace bench {

/// E1-E5 and P3 over one connection (E5 opens its own): {"e1":{...},...,"p3":{...}}.
std::string runThroughput(const Spec& spec);
/// E6: {"e6":{...}}.
std::string runIdle(const Spec& spec);
/// E7: {"e7":{...}}.
std::string runMost(const Spec& spec);
/// P2's workload: spec.p2Count sequential Echo invokes after a warm-up; prints nothing useful.
std::string runInvokeLoop(const Spec& spec);

} // namespace bench

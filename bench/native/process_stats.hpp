// What the kernel says about this process: memory, threads, descriptors, CPU time.
#pragma once

#include <cstdint>

namespace bench {

std::int64_t rssKb();
std::int64_t threadCount();
std::int64_t openFds();
/// User + system CPU seconds of every thread of the process.
double cpuSeconds();
/// Raises the soft descriptor limit to the hard one.
void raiseFdLimit();

} // namespace bench

#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace signalr::test {

/// How a finished child process ended, with everything it wrote.
struct ProcessResult {
    /// The exit status, or 128 + signal when a signal ended it, or -1 if it had to be killed.
    int exitCode = -1;
    std::string out;
    std::string err;
    /// True when the timeout elapsed and the child was killed.
    bool timedOut = false;
    std::chrono::milliseconds elapsed{0};
};

/// A child process with stdin, stdout and stderr on pipes. Every wait is bounded; the
/// destructor kills and reaps a child that is still running.
class ChildProcess {
public:
    /// Starts argv[0] (a path) with the given arguments. On failure returns nullptr and sets
    /// `error`.
    static std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& argv,
                                               std::string& error);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// Writes to the child's stdin; false if the child closed it.
    bool writeStdin(std::string_view text);
    /// Closes the child's stdin, which it reads as end of file.
    void closeStdin();
    /// Sends a signal (SIGINT, SIGTERM, ...).
    void signal(int signalNumber);

    /// Reads output until stdout holds `needle` or `timeout` passes; true when found.
    bool waitForStdout(std::string_view needle, std::chrono::milliseconds timeout);
    /// Reads output until stderr holds `needle` or `timeout` passes; true when found.
    bool waitForStderr(std::string_view needle, std::chrono::milliseconds timeout);

    /// Waits for the child to exit, reading all its output. After `timeout` it is killed and
    /// the result says timedOut.
    ProcessResult wait(std::chrono::milliseconds timeout);

    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

private:
    using Clock = std::chrono::steady_clock;

    ChildProcess() = default;
    /// Reads what is available (waiting until `until` at most); false once nothing more can
    /// come (both pipes at end of file and the child reaped, or the deadline passed).
    bool pump(Clock::time_point until);
    bool waitFor(const std::string& stream, std::string_view needle,
                 std::chrono::milliseconds timeout);
    void reap(bool block);

    pid_t pid_ = -1;
    int pidFd_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    int stderr_ = -1;
    std::string out_;
    std::string err_;
    bool exited_ = false;
    int exitCode_ = -1;
    Clock::time_point started_ = Clock::now();
};

/// Runs a command to completion (bounded by `timeout`) with an empty stdin.
ProcessResult runProcess(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

} // namespace signalr::test

#include "hub_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#ifndef SIGNALR_TEST_HUB_DLL
#error "SIGNALR_TEST_HUB_DLL must be defined (see tests/support/CMakeLists.txt)"
#endif
#ifndef SIGNALR_DOTNET_EXECUTABLE
#define SIGNALR_DOTNET_EXECUTABLE "dotnet"
#endif

extern char** environ;

namespace signalr::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxOutput = 64 * 1024;
constexpr std::size_t kErrorTail = 6 * 1024;
constexpr std::string_view kListeningMarker = "Now listening on";
constexpr std::string_view kAddressInUse = "address already in use";
constexpr int kAutoPortAttempts = 5;
constexpr auto kGracefulStopTimeout = std::chrono::seconds(10);

int remainingMs(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, INT_MAX));
}

std::string errnoText(const std::string& what, int err) {
    return what + ": " + std::strerror(err);
}

std::string envOr(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return (value != nullptr && *value != '\0') ? std::string(value) : std::string(fallback);
}

bool envFlag(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

std::string describeStatus(int status) {
    if (WIFEXITED(status))
        return "exited with code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return "killed by signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

// Finds `name` in PATH unless it already contains a slash.
std::string resolveExecutable(const std::string& name) {
    if (name.find('/') != std::string::npos)
        return name;
    const std::string path = envOr("PATH", "/usr/local/bin:/usr/bin:/bin");
    std::size_t begin = 0;
    while (begin <= path.size()) {
        const std::size_t end = std::min(path.find(':', begin), path.size());
        const std::string dir = end > begin ? path.substr(begin, end - begin) : std::string(".");
        const std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        begin = end + 1;
    }
    return name; // execve will fail and report it
}

// Binds 127.0.0.1:0 and returns the port the kernel picked (the socket is closed again). 0 on
// failure.
int pickFreePort(std::string& error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = errnoText("socket", errno);
        return 0;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        error = errnoText("bind 127.0.0.1:0", errno);
    } else if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        error = errnoText("getsockname", errno);
    } else {
        port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return port;
}

// One HTTP/1.1 request to 127.0.0.1:port; true if any "HTTP/1.x" status line came back before the
// deadline.
bool httpAnswers(int port, Clock::time_point deadline) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return false;
    bool ok = false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    do {
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
            errno != EINPROGRESS)
            break;
        pollfd pfd{fd, POLLOUT, 0};
        if (::poll(&pfd, 1, std::min(remainingMs(deadline), 1000)) <= 0)
            break;
        int soError = 0;
        socklen_t len = sizeof soError;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) != 0 || soError != 0)
            break;
        const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                    "\r\nConnection: close\r\n\r\n";
        if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size()))
            break;
        std::string response;
        while (response.size() < 9) {
            pollfd rfd{fd, POLLIN, 0};
            if (::poll(&rfd, 1, std::min(remainingMs(deadline), 2000)) <= 0)
                break;
            char buf[256];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            response.append(buf, static_cast<std::size_t>(n));
        }
        ok = response.rfind("HTTP/1.", 0) == 0;
    } while (false);
    ::close(fd);
    return ok;
}

// Waits up to timeoutMs for `pid` to exit and reaps it. Returns true once reaped (or if it is not
// our child anymore).
bool waitForExit(pid_t pid, int timeoutMs, int& status) {
    status = 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return true;
        if (r < 0 && errno != EINTR)
            return true; // ECHILD: already reaped elsewhere
        const int left = remainingMs(deadline);
        if (left == 0)
            return false;
#ifdef SYS_pidfd_open
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
        if (pidfd >= 0) {
            pollfd pfd{pidfd, POLLIN, 0};
            ::poll(&pfd, 1, left); // readable when the process exited; EINTR/timeout just loop
            ::close(pidfd);
            continue;
        }
#endif
        ::poll(nullptr, 0, std::min(left, 20)); // no pidfd support: short poll loop
    }
}

// Runs jobs on a single thread that lives until the process exits. Children are forked there
// because PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process:
// forking on a test's short-lived helper thread would kill the hub as soon as that thread ends.
class SpawnThread {
public:
    static SpawnThread& instance() {
        static SpawnThread* const kInstance =
            new SpawnThread(); // leaked on purpose: outlives static dtors
        return *kInstance;
    }

    void run(const std::function<void()>& job) {
        std::mutex doneMutex;
        std::condition_variable doneCv;
        bool done = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            queue_.push_back([&] {
                job();
                std::lock_guard<std::mutex> doneLock(doneMutex);
                done = true;
                doneCv.notify_all();
            });
        }
        cv_.notify_one();
        std::unique_lock<std::mutex> lock(doneMutex);
        doneCv.wait(lock, [&] { return done; });
    }

private:
    SpawnThread() {
        std::thread([this] { loop(); }).detach();
    }

    [[noreturn]] void loop() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [&] { return !queue_.empty(); });
                job = std::move(queue_.front());
                queue_.pop_front();
            }
            job();
        }
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
};

struct SpawnResult {
    pid_t pid = -1;
    int outputFd = -1; // read end of the child's stdout+stderr pipe
    std::string error;
};

// fork + execve. Everything the child needs is prepared before fork(); the child only makes
// async-signal-safe calls.
SpawnResult spawnChild(const std::string& exe, const std::vector<std::string>& args,
                       const std::vector<std::string>& env) {
    SpawnResult result;
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(env.size() + 1);
    for (const auto& e : env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        result.error = errnoText("pipe2", errno);
        return result;
    }
    const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devNull < 0) {
        result.error = errnoText("open /dev/null", errno);
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        return result;
    }
    const long maxFd = std::clamp<long>(::sysconf(_SC_OPEN_MAX), 256, 65536);
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid == 0) {
        // ---- child ----
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(126); // the parent died before prctl took effect
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD})
            ::sigaction(sig, &dfl, nullptr);
        ::dup2(devNull, STDIN_FILENO);
        ::dup2(pipeFds[1], STDOUT_FILENO);
        ::dup2(pipeFds[1], STDERR_FILENO);
#ifdef SYS_close_range
        if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
#endif
        {
            for (long fd = 3; fd < maxFd; ++fd)
                ::close(static_cast<int>(fd));
        }
        ::execve(exe.c_str(), argv.data(), envp.data());
        static const char kMessage[] = "hub_process: execve of the dotnet host failed\n";
        [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        ::_exit(127);
    }

    const int forkErrno = errno;
    ::close(pipeFds[1]);
    ::close(devNull);
    if (pid < 0) {
        ::close(pipeFds[0]);
        result.error = errnoText("fork", forkErrno);
        return result;
    }
    result.pid = pid;
    result.outputFd = pipeFds[0];
    return result;
}

std::vector<std::string> childEnvironment() {
    static const std::vector<std::pair<std::string, std::string>> overrides = {
        {"DOTNET_CLI_TELEMETRY_OPTOUT", "1"},
        {"DOTNET_NOLOGO", "1"},
        {"ASPNETCORE_ENVIRONMENT", "Development"},
    };
    static const std::vector<std::string> removed = {"ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS",
                                                     "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS"};
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const std::string key(entry.substr(0, entry.find('=')));
        const bool overridden = std::any_of(overrides.begin(), overrides.end(),
                                            [&](const auto& kv) { return kv.first == key; });
        const bool drop = std::find(removed.begin(), removed.end(), key) != removed.end();
        if (!overridden && !drop)
            env.emplace_back(entry);
    }
    for (const auto& [key, value] : overrides)
        env.push_back(key + "=" + value);
    return env;
}

} // namespace

struct HubProcess::Impl {
    std::string exe;
    std::string dll;
    std::chrono::seconds timeout{30};
    bool echo = false;
    std::atomic<int> port{0};

    std::mutex lifecycleMutex; // serializes launch / terminate
    std::atomic<pid_t> pid{-1};
    std::thread reader;
    std::atomic<bool> stopReader{false};

    mutable std::mutex outputMutex;
    std::condition_variable outputCv;
    std::string output; // tail of the child's output
    bool listening = false;
    bool outputEof = false;

    ~Impl() { terminate(true); }

    std::string commandLine(int p) const {
        return exe + " " + dll + " --urls http://127.0.0.1:" + std::to_string(p);
    }

    std::string outputTail() const {
        std::lock_guard<std::mutex> lock(outputMutex);
        if (output.size() <= kErrorTail)
            return output;
        return "[...]" + output.substr(output.size() - kErrorTail);
    }

    void readLoop(int fd) {
        char buf[4096];
        while (!stopReader.load()) {
            pollfd pfd{fd, POLLIN, 0};
            const int r = ::poll(&pfd, 1, 200);
            if (r == 0 || (r < 0 && errno == EINTR))
                continue;
            if (r < 0)
                break;
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0)
                break;
            if (echo) {
                [[maybe_unused]] auto ignored =
                    ::write(STDERR_FILENO, buf, static_cast<std::size_t>(n));
            }
            std::lock_guard<std::mutex> lock(outputMutex);
            const std::size_t searchFrom = output.size() >= kListeningMarker.size()
                                               ? output.size() - (kListeningMarker.size() - 1)
                                               : 0;
            output.append(buf, static_cast<std::size_t>(n));
            if (!listening && output.find(kListeningMarker, searchFrom) != std::string::npos)
                listening = true;
            if (output.size() > kMaxOutput)
                output.erase(0, output.size() - kMaxOutput);
            outputCv.notify_all();
        }
        ::close(fd);
        std::lock_guard<std::mutex> lock(outputMutex);
        outputEof = true;
        outputCv.notify_all();
    }

    // Reaps the child (already signalled or exited) and stops the reader thread. Returns the wait
    // status.
    int reapAndJoin(bool alreadyReaped, int status) {
        const pid_t child = pid.load();
        if (!alreadyReaped && child > 0) {
            while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
            }
        }
        pid.store(-1);
        if (reader.joinable()) {
            {
                // Let the reader drain what the child wrote last (EOF follows the child's death),
                // but never hang on a pipe some grandchild might still hold open.
                std::unique_lock<std::mutex> lock(outputMutex);
                outputCv.wait_for(lock, std::chrono::seconds(2), [&] { return outputEof; });
            }
            stopReader.store(true);
            reader.join();
        }
        return status;
    }

    void terminate(bool graceful) {
        std::lock_guard<std::mutex> lock(lifecycleMutex);
        terminateLocked(graceful);
    }

    void terminateLocked(bool graceful) {
        const pid_t child = pid.load();
        if (child <= 0) {
            if (reader.joinable())
                reapAndJoin(true, 0);
            return;
        }
        int status = 0;
        bool reaped = false;
        if (graceful) {
            ::kill(child, SIGTERM);
            reaped =
                waitForExit(child,
                            static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 kGracefulStopTimeout)
                                                 .count()),
                            status);
        }
        if (!reaped)
            ::kill(child, SIGKILL);
        reapAndJoin(reaped, status);
    }

    // One attempt on one port. `bindConflict` is set when the hub exited because the port was
    // taken.
    bool launchOnce(int p, Clock::time_point deadline, std::string& error, bool& bindConflict) {
        bindConflict = false;
        {
            std::lock_guard<std::mutex> lock(outputMutex);
            output.clear();
            listening = false;
            outputEof = false;
        }
        stopReader.store(false);

        const std::vector<std::string> args = {exe, dll, "--urls",
                                               "http://127.0.0.1:" + std::to_string(p)};
        const std::vector<std::string> env = childEnvironment();
        SpawnResult spawned;
        SpawnThread::instance().run([&] { spawned = spawnChild(exe, args, env); });
        if (spawned.pid < 0) {
            error = "cannot start the test hub (" + commandLine(p) + "): " + spawned.error;
            return false;
        }
        pid.store(spawned.pid);
        reader = std::thread([this, fd = spawned.outputFd] { readLoop(fd); });

        // 1. Wait for Kestrel's "Now listening on" line (or the child's exit, or the deadline).
        {
            std::unique_lock<std::mutex> lock(outputMutex);
            outputCv.wait_until(lock, deadline, [&] { return listening || outputEof; });
        }
        bool ready = false;
        {
            std::lock_guard<std::mutex> lock(outputMutex);
            ready = listening;
        }
        // 2. Confirm it answers HTTP (retry a few times with short waits, bounded by the deadline).
        while (ready) {
            if (httpAnswers(p, deadline))
                return true;
            int status = 0;
            if (::waitpid(pid.load(), &status, WNOHANG) == pid.load()) {
                reapAndJoin(true, status);
                error = "test hub " + describeStatus(status) + " right after it started listening";
                error += " (" + commandLine(p) + ")\n--- hub output ---\n" + outputTail();
                return false;
            }
            if (remainingMs(deadline) == 0)
                break;
            ::poll(nullptr, 0, std::min(remainingMs(deadline), 50));
        }

        // Failure: exited early, timed out waiting for the line, or never answered HTTP.
        bool sawEof = false;
        {
            std::lock_guard<std::mutex> lock(outputMutex);
            sawEof = outputEof;
        }
        int status = 0;
        // The pipe reports EOF slightly before the exited child becomes reapable: give it a moment
        // in that case.
        const bool exited = waitForExit(pid.load(), sawEof ? 2000 : 0, status);
        if (!exited)
            ::kill(pid.load(), SIGKILL);
        status = reapAndJoin(exited, status);
        const std::string out = outputTail();
        if (exited) {
            std::string lower = out;
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            bindConflict = lower.find(kAddressInUse) != std::string::npos;
            error = "test hub " + describeStatus(status) + " before it was ready";
        } else {
            error = std::string("test hub did not become ready within ") +
                    std::to_string(timeout.count()) + " s (" +
                    (ready ? "listening, but no HTTP answer" : "no \"Now listening on\" line") +
                    "); killed it";
        }
        error += " (" + commandLine(p) + ")\n--- hub output ---\n" + out;
        return false;
    }

    bool launch(int requestedPort, std::string& error) {
        std::lock_guard<std::mutex> lock(lifecycleMutex);
        terminateLocked(false);
        const auto deadline = Clock::now() + timeout;
        if (::access(dll.c_str(), R_OK) != 0) {
            error = "test hub dll not found: " + dll +
                    " (build the CMake target signalr_test_hub, or set SIGNALR_TEST_HUB_DLL)";
            return false;
        }
        if (requestedPort != 0) {
            // Fixed port (restart, or explicit): retry while the port is taken, until the deadline.
            std::string conflictError;
            for (;;) {
                bool bindConflict = false;
                if (launchOnce(requestedPort, deadline, error, bindConflict)) {
                    port.store(requestedPort);
                    return true;
                }
                if (bindConflict) {
                    conflictError = error;
                } else if (!conflictError.empty()) {
                    error = "port " + std::to_string(requestedPort) +
                            " was still in use when the deadline expired; " + conflictError;
                    return false;
                }
                if (!bindConflict || remainingMs(deadline) == 0)
                    return false;
                ::poll(nullptr, 0, std::min(remainingMs(deadline), 200));
            }
        }
        for (int attempt = 1;; ++attempt) {
            std::string pickError;
            const int candidate = pickFreePort(pickError);
            if (candidate == 0) {
                error = "cannot pick a free port: " + pickError;
                return false;
            }
            bool bindConflict = false;
            if (launchOnce(candidate, deadline, error, bindConflict)) {
                port.store(candidate);
                return true;
            }
            if (!bindConflict || attempt >= kAutoPortAttempts || remainingMs(deadline) == 0)
                return false;
        }
    }
};

HubProcess::HubProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubProcess::~HubProcess() {
    stop();
}

std::string HubProcess::dllPath() {
    return envOr("SIGNALR_TEST_HUB_DLL", SIGNALR_TEST_HUB_DLL);
}

std::unique_ptr<HubProcess> HubProcess::start(std::string& error, int port,
                                              std::chrono::seconds timeout) {
    error.clear();
    if (port < 0 || port > 65535) {
        error = "invalid port " + std::to_string(port);
        return nullptr;
    }
    auto impl = std::make_unique<Impl>();
    impl->exe = resolveExecutable(envOr("SIGNALR_DOTNET", SIGNALR_DOTNET_EXECUTABLE));
    impl->dll = dllPath();
    impl->timeout = timeout;
    impl->echo = envFlag("SIGNALR_TEST_HUB_ECHO");
    if (!impl->launch(port, error))
        return nullptr;
    return std::unique_ptr<HubProcess>(new HubProcess(std::move(impl)));
}

int HubProcess::port() const {
    return impl_->port.load();
}

std::string HubProcess::baseUrl() const {
    return "http://127.0.0.1:" + std::to_string(port());
}

void HubProcess::kill() {
    impl_->terminate(false);
}

void HubProcess::stop() {
    impl_->terminate(true);
}

bool HubProcess::restart(std::string& error) {
    error.clear();
    return impl_->launch(port(), error);
}

bool HubProcess::running() const {
    return impl_->pid.load() > 0;
}

std::string HubProcess::output() const {
    std::lock_guard<std::mutex> lock(impl_->outputMutex);
    return impl_->output;
}

} // namespace signalr::test

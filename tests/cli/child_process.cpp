#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace signalr::test {
namespace {

void closeFd(int& fd) {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

struct Pipe {
    int read = -1;
    int write = -1;
    bool open() {
        int fds[2];
        // Close-on-exec: the child gets only the ends dup2'ed onto 0, 1 and 2, so an end
        // leaked into another child can never hold a pipe open.
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            return false;
        }
        read = fds[0];
        write = fds[1];
        return true;
    }
    void close() {
        closeFd(read);
        closeFd(write);
    }
};

} // namespace

std::unique_ptr<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                  std::string& error) {
    // Writing to the stdin of a child that already exited must fail with EPIPE, not kill the
    // test binary.
    static const bool ignoredSigpipe = [] {
        std::signal(SIGPIPE, SIG_IGN);
        return true;
    }();
    (void)ignoredSigpipe;

    if (argv.empty()) {
        error = "no command";
        return nullptr;
    }
    Pipe in, out, err;
    if (!in.open() || !out.open() || !err.open()) {
        error = std::string("pipe2: ") + std::strerror(errno);
        in.close();
        out.close();
        err.close();
        return nullptr;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.read, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out.write, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write, STDERR_FILENO);

    // Ignored signals and the signal mask survive exec: give the child the defaults, so
    // SIGINT and SIGPIPE mean to it what they mean to a process started from a shell.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGUSR1, SIGUSR2}) {
        sigaddset(&defaults, s);
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> cargv;
    for (const auto& arg : argv) {
        cargv.push_back(const_cast<char*>(arg.c_str()));
    }
    cargv.push_back(nullptr);

    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, &attributes, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    closeFd(in.read);
    closeFd(out.write);
    closeFd(err.write);
    if (rc != 0) {
        error = "posix_spawn " + argv[0] + ": " + std::strerror(rc);
        in.close();
        out.close();
        err.close();
        return nullptr;
    }

    std::unique_ptr<ChildProcess> child(new ChildProcess());
    child->pid_ = pid;
    child->stdin_ = in.write;
    child->stdout_ = out.read;
    child->stderr_ = err.read;
    // A pidfd lets one poll() wait for output and exit together; without it, exit is checked
    // every few milliseconds.
    child->pidFd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    return child;
}

ChildProcess::~ChildProcess() {
    if (!exited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    closeFd(stdin_);
    closeFd(stdout_);
    closeFd(stderr_);
    closeFd(pidFd_);
}

bool ChildProcess::writeStdin(std::string_view text) {
    while (!text.empty() && stdin_ >= 0) {
        auto written = ::write(stdin_, text.data(), text.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
    return text.empty();
}

void ChildProcess::closeStdin() {
    closeFd(stdin_);
}

void ChildProcess::signal(int signalNumber) {
    if (!exited_) {
        ::kill(pid_, signalNumber);
    }
}

void ChildProcess::reap(bool block) {
    if (exited_) {
        return;
    }
    int status = 0;
    pid_t rc = 0;
    do {
        rc = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (rc < 0 && errno == EINTR);
    if (rc != pid_) {
        return;
    }
    exited_ = true;
    exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    closeFd(pidFd_);
}

bool ChildProcess::pump(Clock::time_point until) {
    if (exited_ && stdout_ < 0 && stderr_ < 0) {
        return false;
    }
    std::array<pollfd, 3> fds{};
    std::size_t count = 0;
    for (int fd : {stdout_, stderr_, exited_ ? -1 : pidFd_}) {
        if (fd >= 0) {
            fds[count++] = pollfd{fd, POLLIN, 0};
        }
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    left = std::max<long long>(left, 0);
    if (!exited_ && pidFd_ < 0) {
        left = std::min<long long>(left, 5);
    }
    int ready = ::poll(fds.data(), count, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) {
        return false;
    }
    for (std::size_t i = 0; i < count && ready > 0; ++i) {
        if (fds[i].revents == 0) {
            continue;
        }
        if (fds[i].fd == pidFd_) {
            reap(false);
            continue;
        }
        char buffer[4096];
        auto n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
            (fds[i].fd == stdout_ ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            closeFd(fds[i].fd == stdout_ ? stdout_ : stderr_);
        }
    }
    if (pidFd_ < 0) {
        reap(false);
    }
    return Clock::now() < until;
}

bool ChildProcess::waitFor(const std::string& stream, std::string_view needle,
                           std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (stream.find(needle) == std::string::npos) {
        if (!pump(until)) {
            return stream.find(needle) != std::string::npos;
        }
    }
    return true;
}

bool ChildProcess::waitForStdout(std::string_view needle, std::chrono::milliseconds timeout) {
    return waitFor(out_, needle, timeout);
}

bool ChildProcess::waitForStderr(std::string_view needle, std::chrono::milliseconds timeout) {
    return waitFor(err_, needle, timeout);
}

ProcessResult ChildProcess::wait(std::chrono::milliseconds timeout) {
    auto until = Clock::now() + timeout;
    while (!(exited_ && stdout_ < 0 && stderr_ < 0)) {
        if (!pump(until)) {
            break;
        }
    }
    ProcessResult result;
    if (!exited_) {
        result.timedOut = true;
        ::kill(pid_, SIGKILL);
        reap(true);
        exitCode_ = -1;
    }
    result.exitCode = exitCode_;
    result.out = out_;
    result.err = err_;
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    return result;
}

ProcessResult runProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    std::string error;
    auto child = ChildProcess::spawn(argv, error);
    if (!child) {
        ProcessResult result;
        result.err = error;
        return result;
    }
    child->closeStdin();
    return child->wait(timeout);
}

} // namespace signalr::test

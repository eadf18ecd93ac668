// Launches the ASP.NET Core SignalR test hub (tests/hub, built by the CMake target
// signalr_test_hub) as a child process for integration tests. POSIX/Linux only. No dependency on
// the signalr library.
//
//   std::string error;
//   auto hub = signalr::test::HubProcess::start(error);
//   ASSERT_TRUE(hub) << error;
//   auto url = hub->baseUrl() + "/hub";      // http://127.0.0.1:<port>/hub
//   hub->kill();                               // simulate a server crash
//   ASSERT_TRUE(hub->restart(error)) << error; // same port again (reconnect tests)
//
// The child runs `dotnet <dll> --urls http://127.0.0.1:<port>` with DOTNET_CLI_TELEMETRY_OPTOUT=1,
// DOTNET_NOLOGO=1 and ASPNETCORE_ENVIRONMENT=Development. It is SIGKILLed by the kernel if the test
// process dies (PR_SET_PDEATHSIG; the fork happens on a helper thread that lives as long as the
// process, so calling start() or restart() from a short-lived thread is fine). Its stdout+stderr
// are drained by a background thread into an in-memory tail (output()); set SIGNALR_TEST_HUB_ECHO=1
// to also copy them to this process's stderr.
//
// Environment overrides: SIGNALR_TEST_HUB_DLL (path of TestHub.dll), SIGNALR_DOTNET (dotnet
// executable).
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace signalr::test {

class HubProcess {
public:
    // Starts the hub on 127.0.0.1:<port> (port 0 = pick a free port; a lost bind race is retried
    // with a new port) and waits until it answers HTTP, at most `timeout`. Returns nullptr and
    // fills `error` (including the hub's captured output) on failure.
    static std::unique_ptr<HubProcess>
    start(std::string& error, int port = 0,
          std::chrono::seconds timeout = std::chrono::seconds(30));

    HubProcess(const HubProcess&) = delete;
    HubProcess& operator=(const HubProcess&) = delete;
    ~HubProcess(); // stop()

    int port() const;
    std::string baseUrl() const; // "http://127.0.0.1:<port>" (no trailing slash)

    void kill(); // SIGKILL and reap; idempotent
    void stop(); // SIGTERM, wait up to 10 s, then SIGKILL; reaps; idempotent

    // Starts the hub again on the same port (kills the running one first, if any); same bounded
    // wait as start().
    bool restart(std::string& error);

    bool running() const;       // child started and not reaped yet (it may have exited on its own)
    std::string output() const; // tail (up to 64 KiB) of the current/last child's stdout+stderr
    static std::string dllPath();

private:
    struct Impl;
    explicit HubProcess(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace signalr::test

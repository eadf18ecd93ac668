// The browser transport's WebSocket and fetch under Node (which has both: fetch, and WebSocket
// with --experimental-websocket), against the real hub started by run_with_hub.mjs.
#include <memory>
#include <string>
#include <string_view>

#include "async_test.hpp"
#include "browser_executor.hpp"
#include "browser_websocket_transport.hpp"
#include "fetch_http_client.hpp"

using namespace std::chrono_literals;
using signalr::ErrorCode;
using signalr::HttpRequest;
using signalr::HttpResponse;
using signalr::Result;
using signalr::TransportHandlers;
using signalr::TransportRequest;
using signalr::detail::BrowserExecutor;
using signalr::detail::BrowserWebSocketTransport;
using signalr::detail::FetchHttpClient;
using signalr::test::addTest;
using signalr::test::check;
using signalr::test::Done;

namespace {

std::string hubBase; // http://127.0.0.1:<port>, from the command line
const auto executor = std::make_shared<BrowserExecutor>();

constexpr std::string_view kHandshake = "{\"protocol\":\"json\",\"version\":1}\x1e";

std::string wsBase() {
    return "ws" + hubBase.substr(4);
}

std::string describe(const std::optional<signalr::Error>& error) {
    return error ? std::string(signalr::toString(error->code)) + ": " + error->message
                 : "a clean close";
}

void fetchThen(HttpRequest request, std::function<void(Result<HttpResponse>)> then) {
    auto client = std::make_shared<FetchHttpClient>(executor);
    client->send(std::move(request),
                 [client, then = std::move(then)](Result<HttpResponse> response) {
                     then(std::move(response));
                 });
}

const bool fetchReturnsStatusAndBody = addTest("FetchReturnsStatusAndBody", [](Done done) {
    fetchThen({.method = "POST", .url = hubBase + "/hub/negotiate?negotiateVersion=1"},
              [done](Result<HttpResponse> response) {
                  if (!response) {
                      return done(response.error().message);
                  }
                  done(check(response->status == 200 &&
                                 response->body.find("\"connectionToken\"") != std::string::npos,
                             std::to_string(response->status) + " " + response->body));
              });
});

const bool httpErrorsAreResponses = addTest("HttpErrorsAreResponses", [](Done done) {
    fetchThen(
        {.method = "GET", .url = hubBase + "/no-such-page"}, [done](Result<HttpResponse> response) {
            done(check(response && response->status == 404,
                       response ? std::to_string(response->status) : response.error().message));
        });
});

const bool fetchSendsHeadersAndBody = addTest("FetchSendsHeadersAndBody", [](Done done) {
    fetchThen(
        {.method = "POST",
         .url = hubBase + "/echo-headers",
         .headers = {{"X-Signalr-Test", "yes please"}},
         .body = "payload"},
        [done](Result<HttpResponse> response) {
            if (!response) {
                return done(response.error().message);
            }
            done(check(response->body.find("yes please") != std::string::npos, response->body));
        });
});

const bool aRefusedRequestIsTransportFailed =
    addTest("ARefusedRequestIsTransportFailed", [](Done done) {
        // Port 1 on loopback: refused (or refused by fetch itself as a bad port).
        fetchThen({.method = "POST", .url = "http://127.0.0.1:1/hub/negotiate"},
                  [done](Result<HttpResponse> response) {
                      done(check(!response && response.error().code == ErrorCode::TransportFailed,
                                 response ? "a response" : response.error().message));
                  });
    });

const bool aTooLargeResponseFails = addTest("ATooLargeResponseFails", [](Done done) {
    fetchThen({.method = "POST",
               .url = hubBase + "/hub/negotiate?negotiateVersion=1",
               .maxResponseSize = 10},
              [done](Result<HttpResponse> response) {
                  done(check(!response && response.error().code == ErrorCode::ProtocolError,
                             response ? "a response" : response.error().message));
              });
});

/// Opens a WebSocket to the hub (skipping negotiate) and hands each message to `onMessage`.
std::shared_ptr<BrowserWebSocketTransport> openHub(
    std::function<void(std::shared_ptr<BrowserWebSocketTransport>&, std::string_view)> onMessage,
    std::function<void(std::optional<signalr::Error>)> onClose) {
    auto transport = std::make_shared<BrowserWebSocketTransport>(executor);
    std::weak_ptr<BrowserWebSocketTransport> weak = transport;
    auto holder = std::make_shared<std::shared_ptr<BrowserWebSocketTransport>>(transport);
    transport->open(
        TransportRequest{.url = wsBase() + "/hub"},
        TransportHandlers{
            .onOpen =
                [weak] {
                    if (auto self = weak.lock()) {
                        self->send(std::string(kHandshake), signalr::TransferFormat::Text);
                    }
                },
            .onMessage = [holder, onMessage](std::string_view data) { onMessage(*holder, data); },
            .onClose =
                [holder, onClose](std::optional<signalr::Error> error) {
                    onClose(std::move(error));
                    holder->reset();
                },
        });
    return transport;
}

const bool textFramesArriveWithoutTheTrailingNul =
    addTest("TextFramesArriveWithoutTheTrailingNulAndCloseIsClean", [](Done done) {
        auto step = std::make_shared<int>(0);
        openHub(
            [step, done](std::shared_ptr<BrowserWebSocketTransport>& transport,
                         std::string_view data) {
                if (*step == 0) {
                    ++*step;
                    if (data != std::string_view("{}\x1e")) {
                        return done("handshake answer: '" + std::string(data) + "' (" +
                                    std::to_string(data.size()) + " bytes)");
                    }
                    transport->send("{\"type\":1,\"invocationId\":\"1\",\"target\":\"EchoString\","
                                    "\"arguments\":[\"h\xC3\xA9llo\"]}\x1e",
                                    signalr::TransferFormat::Text);
                    return;
                }
                if (data.find("\"invocationId\":\"1\"") == std::string_view::npos) {
                    return; // a ping
                }
                if (data.find("\"result\":\"h\xC3\xA9llo\"}\x1e") == std::string_view::npos ||
                    data.back() != '\x1e') {
                    return done("completion: " + std::string(data));
                }
                ++*step;
                transport->close();
            },
            [step, done](std::optional<signalr::Error> error) {
                done(check(*step == 2 && !error,
                           "step " + std::to_string(*step) + ", " + describe(error)));
            });
    });

// Chromium reports the refused upgrade at once (browser_cpp_client tests that); Node's WebSocket
// may not report it at all, and then the connect timeout must end the attempt.
const bool aMissingPathFailsTheOpen = addTest("AMissingPathFailsTheOpenInTime", [](Done done) {
    auto transport = std::make_shared<BrowserWebSocketTransport>(executor);
    auto holder = std::make_shared<std::shared_ptr<BrowserWebSocketTransport>>(transport);
    transport->open(TransportRequest{.url = wsBase() + "/no-such-hub", .connectTimeout = 2s},
                    TransportHandlers{
                        .onOpen = [done] { done("opened"); },
                        .onMessage = [](std::string_view) {},
                        .onClose =
                            [holder, done](std::optional<signalr::Error> error) {
                                holder->reset();
                                done(check(error && error->code == ErrorCode::TransportFailed,
                                           describe(error)));
                            },
                    });
});

const bool aTransportDestroyedInItsOwnCallbackStaysQuiet =
    addTest("ATransportDestroyedInItsOwnCallbackStaysQuiet", [](Done done) {
        auto calls = std::make_shared<int>(0);
        openHub(
            [calls](std::shared_ptr<BrowserWebSocketTransport>& transport, std::string_view) {
                ++*calls;
                transport.reset(); // the last owner: destroyed inside onMessage
            },
            [done](std::optional<signalr::Error> error) {
                done("onClose after destruction: " + describe(error));
            });
        // Nothing may follow the destruction: wait a little on the executor.
        executor->schedule(300ms, [calls, done] {
            done(check(*calls == 1, std::to_string(*calls) + " messages after destruction"));
        });
    });

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::printf("usage: node_transport_test HUB_BASE_URL\n");
        return 2;
    }
    hubBase = argv[1];
    signalr::test::runAllAndExit();
}

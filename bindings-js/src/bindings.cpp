// The embind surface of the JavaScript package: what index.js builds its API on.
#include <malloc.h>

#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>

#include "js_hub_connection.hpp"

namespace {

/// Heap figures for leak tests: bytes allocated by malloc now, and the wasm memory's size.
emscripten::val heapStats() {
    const struct mallinfo info = mallinfo();
    auto stats = emscripten::val::object();
    stats.set("allocatedBytes", static_cast<double>(info.uordblks));
    stats.set("memoryBytes", static_cast<double>(emscripten_get_heap_size()));
    return stats;
}

} // namespace

EMSCRIPTEN_BINDINGS(signalr) {
    using signalr::js::JsHubConnection;
    emscripten::class_<JsHubConnection>("NativeHubConnection")
        .constructor<emscripten::val, emscripten::val>()
        .function("start", &JsHubConnection::start)
        .function("stop", &JsHubConnection::stop)
        .function("invoke", &JsHubConnection::invoke)
        .function("send", &JsHubConnection::send)
        .function("stream", &JsHubConnection::stream)
        .function("cancelStream", &JsHubConnection::cancelStream)
        .function("on", &JsHubConnection::on)
        .function("off", &JsHubConnection::off)
        .function("respond", &JsHubConnection::respond)
        .function("state", &JsHubConnection::state)
        .function("connectionId", &JsHubConnection::connectionId);
    emscripten::function("heapStats", &heapStats);
}

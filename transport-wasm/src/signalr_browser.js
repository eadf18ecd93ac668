// The parts of the browser platform that Emscripten 3.1.6's C APIs do not cover well, linked
// with --js-library. Each function is called from transport-wasm's C++ only.
mergeInto(LibraryManager.library, {
  // fetch() for negotiate: emscripten_fetch uses XMLHttpRequest and needs -sFETCH; this is the
  // browser's fetch with an AbortController for the timeout. `done(context, status, body, length)`
  // runs once, later: status > 0 is the HTTP status; -1 network error, -2 timeout, -3 body too
  // large (then `body` is an error text).
  signalr_fetch__deps: ['$runtimeKeepalivePush', '$runtimeKeepalivePop', 'malloc', 'free'],
  signalr_fetch: function(method, url, headersJson, body, bodyLength, timeoutMs, maxResponse, done, context) {
    var report = function(status, bytes) {
      runtimeKeepalivePop();
      var length = bytes.length;
      var ptr = _malloc(length + 1);
      HEAPU8.set(bytes, ptr);
      HEAPU8[ptr + length] = 0;
      {{{ makeDynCall('viiii', 'done') }}}(context, status, ptr, length);
      _free(ptr);
    };
    var fail = function(status, text) { report(status, new TextEncoder().encode(text)); };
    var init = {
      method: UTF8ToString(method),
      headers: JSON.parse(UTF8ToString(headersJson)),
      // Cookies go only to the page's own origin, as with the JavaScript client's default.
      credentials: 'same-origin',
      cache: 'no-store',
    };
    if (bodyLength > 0) init.body = HEAPU8.slice(body, body + bodyLength);
    var controller = typeof AbortController == 'function' ? new AbortController() : null;
    var timedOut = false;
    var timer = 0;
    if (controller) {
      init.signal = controller.signal;
      if (timeoutMs > 0) timer = setTimeout(function() { timedOut = true; controller.abort(); }, timeoutMs);
    }
    runtimeKeepalivePush();
    fetch(UTF8ToString(url), init).then(function(response) {
      return response.arrayBuffer().then(function(buffer) {
        return {status: response.status, buffer: buffer};
      });
    }).then(function(result) {
      // Outside the rejection handler: whatever the callback does, `done` runs once.
      if (timer) clearTimeout(timer);
      if (result.buffer.byteLength > maxResponse) {
        fail(-3, 'the HTTP response body is larger than ' + maxResponse + ' bytes');
      } else {
        report(result.status, new Uint8Array(result.buffer));
      }
    }, function(error) {
      if (timer) clearTimeout(timer);
      if (timedOut) fail(-2, 'no response within ' + timeoutMs + ' ms');
      else fail(-1, String(error && error.message || error));
    });
  },

  // A microtask for BrowserExecutor::post(): it runs as soon as the JavaScript that posted
  // returns, where a macrotask (emscripten_set_immediate's postMessage) waits behind whatever the
  // browser queued meanwhile, a WebSocket message or a timer: on an invoke's path that is one
  // task hop each way. Returns an id for signalr_cancel_microtask (queueMicrotask has no cancel).
  // Armed ids (an object: a library's values are copied into the output as text).
  $signalrMicrotasks: {next: 1, live: {}, resolved: null},
  signalr_queue_microtask__deps: ['$signalrMicrotasks', '$callUserCallback', '$runtimeKeepalivePush',
                                  '$runtimeKeepalivePop'],
  signalr_queue_microtask: function(callback, userData) {
    var id = signalrMicrotasks.next++;
    signalrMicrotasks.live[id] = true;
    runtimeKeepalivePush();
    // A reaction on one resolved Promise: cheaper per call than queueMicrotask in Chromium.
    if (!signalrMicrotasks.resolved) signalrMicrotasks.resolved = Promise.resolve();
    signalrMicrotasks.resolved.then(function() {
      if (!signalrMicrotasks.live[id]) return; // cancelled, and already popped
      delete signalrMicrotasks.live[id];
      runtimeKeepalivePop();
      callUserCallback(function() {
        {{{ makeDynCall('vi', 'callback') }}}(userData);
      });
    });
    return id;
  },
  signalr_cancel_microtask__deps: ['$signalrMicrotasks', '$runtimeKeepalivePop'],
  signalr_cancel_microtask: function(id) {
    if (!signalrMicrotasks.live[id]) return;
    delete signalrMicrotasks.live[id];
    runtimeKeepalivePop();
  },

  // The WebSocket's message handler, in place of emscripten_websocket_set_onmessage_callback's,
  // which measures and copies a text message in two JavaScript loops over its characters (most
  // of the cost of a flood of small messages). Here short ASCII text is copied in one loop and
  // the rest by TextEncoder.encodeInto. `callback(userData, bytes, length, isText)` sees the
  // message's bytes (no trailing NUL) until it returns. emscripten_websocket_delete() removes
  // this handler like its own.
  signalr_websocket_receive__deps: ['$WS', 'malloc', 'free'],
  signalr_websocket_receive: function(socketId, callback, userData) {
    var socket = WS.sockets[socketId];
    var encoder = new TextEncoder();
    socket.onmessage = function(event) {
      var data = event.data;
      var isText = typeof data == 'string';
      var length = isText ? data.length : data.byteLength;
      var ptr = 0;
      if (isText) {
        var capacity = length * 3;
        ptr = _malloc(capacity + 1);
        var i = 0;
        if (length <= 64) {
          for (var c; i < length && (c = data.charCodeAt(i)) < 0x80; ++i) HEAPU8[ptr + i] = c;
        }
        if (i < length) {
          length = i + encoder.encodeInto(data.substring(i), HEAPU8.subarray(ptr + i, ptr + capacity + 1)).written;
        }
      } else {
        ptr = _malloc(length + 1);
        HEAPU8.set(new Uint8Array(data), ptr);
      }
      {{{ makeDynCall('viiii', 'callback') }}}(userData, ptr, length, isText ? 1 : 0);
      _free(ptr);
    };
  },

  // Sends `length` bytes of UTF-8 as a text message; false when there is no such socket or it
  // refused. emscripten_websocket_send_utf8_text decodes through TextDecoder, whose fixed cost
  // per call is more than a short message's: short ASCII text is read byte by byte instead.
  signalr_websocket_send_text__deps: ['$WS'],
  signalr_websocket_send_text: function(socketId, ptr, length) {
    var socket = WS.sockets[socketId];
    if (!socket) return 0;
    var text = null;
    if (length <= 1024) {
      var end = ptr + length;
      var i = ptr;
      while (i < end && HEAPU8[i] < 0x80) ++i;
      if (i === end) text = String.fromCharCode.apply(null, HEAPU8.subarray(ptr, end));
    }
    if (text === null) text = UTF8ToString(ptr, length);
    try {
      socket.send(text);
    } catch (e) {
      return 0; // InvalidStateError: still connecting
    }
    return 1;
  },

  // emscripten_websocket_delete() in 3.1.6 clears the handlers but keeps the WebSocket in its
  // table (it deletes the wrong key), so every connection would leak one; drop it here.
  signalr_websocket_forget__deps: ['$WS'],
  signalr_websocket_forget: function(socketId) {
    WS.sockets[socketId] = undefined;
  },
});

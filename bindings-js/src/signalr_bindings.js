// JavaScript helpers of the embind bindings (linked with --js-library). Called from js_value.cpp.
mergeInto(LibraryManager.library, {
  // JSON text in wasm memory as a JavaScript value (a new handle): one crossing and the engine's
  // own parser, where building the value through embind costs a crossing per element.
  signalr_js_parse_json__deps: ['$Emval', '$signalrText'],
  signalr_js_parse_json: function(text, length) {
    return Emval.toHandle(JSON.parse(signalrText(text, length)));
  },

  // UTF-8 in wasm memory as a string. TextDecoder costs about a microsecond a call however short
  // the text, more than the whole message it decodes: short ASCII, the usual JSON of a message's
  // arguments, is read byte by byte instead.
  $signalrText: function(ptr, length) {
    if (length <= 512) {
      var end = ptr + length;
      var i = ptr;
      while (i < end && HEAPU8[i] < 0x80) ++i;
      if (i === end) return String.fromCharCode.apply(null, HEAPU8.subarray(ptr, end));
    }
    return UTF8ToString(ptr, length);
  },

  // sink.dispatch(method, args) for every message to a client method: a direct call, where
  // val::call looks the method's name up from wasm memory each time.
  signalr_js_dispatch__deps: ['$Emval'],
  signalr_js_dispatch: function(sink, method, args) {
    Emval.toValue(sink).dispatch(Emval.toValue(method), Emval.toValue(args));
  },

  // The same with the arguments as JSON text (see argumentsAsJson): one crossing per message.
  signalr_js_dispatch_json__deps: ['$Emval', '$signalrText'],
  signalr_js_dispatch_json: function(sink, method, text, length) {
    Emval.toValue(sink).dispatch(Emval.toValue(method), JSON.parse(signalrText(text, length)));
  },
});

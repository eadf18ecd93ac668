#pragma once

/// The whole public C++ API of signalr-cpp.

#include "signalr/connection_events.hpp"
#include "signalr/connection_metrics.hpp"
#include "signalr/connection_state.hpp"
#include "signalr/error.hpp"
#include "signalr/hub_connection.hpp"
#include "signalr/hub_connection_builder.hpp"
#include "signalr/in_flight_options.hpp"
#include "signalr/json.hpp"
#include "signalr/logging.hpp"
#include "signalr/reconnect_policy.hpp"
#include "signalr/result.hpp"
#include "signalr/stream_subscription.hpp"
#include "signalr/value.hpp"

#include "spec.hpp"

#include <simdjson.h>

namespace bench {

namespace {
void readInt(simdjson::dom::object parent, const char* section, const char* key,
             std::int64_t& out) {
    simdjson::dom::object object;
    if (parent[section].get(object) == simdjson::SUCCESS) {
        std::int64_t value = 0;
        if (object[key].get(value) == simdjson::SUCCESS) {
            out = value;
        }
    }
}
} // namespace

bool parseSpec(const std::string& json, Spec& spec, std::string& error) {
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (auto code = parser.parse(json).get(root); code != simdjson::SUCCESS) {
        error = simdjson::error_message(code);
        return false;
    }
    std::string_view text;
    if (root["mode"].get(text) == simdjson::SUCCESS) {
        spec.mode = text;
    }
    if (root["url"].get(text) == simdjson::SUCCESS) {
        spec.url = text;
    }
    readInt(root, "e1", "warmup", spec.e1Warmup);
    readInt(root, "e1", "count", spec.e1Count);
    readInt(root, "e2", "total", spec.e2Total);
    simdjson::dom::array outstanding;
    if (root["e2"]["outstanding"].get(outstanding) == simdjson::SUCCESS) {
        spec.e2Outstanding.clear();
        for (auto item : outstanding) {
            std::int64_t k = 0;
            if (item.get(k) == simdjson::SUCCESS) {
                spec.e2Outstanding.push_back(k);
            }
        }
    }
    readInt(root, "e3", "count", spec.e3Count);
    readInt(root, "e3", "payload", spec.e3Payload);
    readInt(root, "e4", "count", spec.e4Count);
    readInt(root, "e5", "warmup", spec.e5Warmup);
    readInt(root, "e5", "count", spec.e5Count);
    readInt(root, "e6", "connections", spec.e6Connections);
    readInt(root, "e7", "target", spec.e7Target);
    readInt(root, "e7", "seconds", spec.e7Seconds);
    readInt(root, "p2", "count", spec.p2Count);
    return true;
}

} // namespace bench

#pragma once

// A user-defined type sent to and received from a hub: how an application teaches signalr-cpp
// its own structs. The hub's C# records are `Person(string Name, int Age, string[] Tags,
// Address? Address)` and `Address(string City, string Zip)`; ASP.NET Core's JSON protocol uses
// camelCase member names.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "signalr/converter.hpp"
#include "signalr/value.hpp"

namespace signalr::integration {

struct Address {
    std::string city;
    std::string zip;

    friend bool operator==(const Address&, const Address&) = default;
};

struct Person {
    std::string name;
    int age = 0;
    std::vector<std::string> tags;
    std::optional<Address> address;

    friend bool operator==(const Person&, const Person&) = default;
};

/// Converts the member `key` of an object; a missing member reads as null, so it converts only
/// to std::optional (or Value).
template <class T>
Result<T> member(const Value& object, std::string_view key) {
    const Value* found = object.find(key);
    return Converter<T>::fromValue(found != nullptr ? *found : Value());
}

} // namespace signalr::integration

template <>
struct signalr::Converter<signalr::integration::Address> {
    using Address = signalr::integration::Address;

    static Value toValue(const Address& address) {
        return Value::fromObject({{"city", address.city}, {"zip", address.zip}});
    }

    static Result<Address> fromValue(const Value& value) {
        if (!value.isObject()) {
            return fail(ErrorCode::TypeMismatch, "an Address is a JSON object");
        }
        auto city = integration::member<std::string>(value, "city");
        auto zip = integration::member<std::string>(value, "zip");
        if (!city) {
            return std::move(city).error();
        }
        if (!zip) {
            return std::move(zip).error();
        }
        return Address{std::move(city).value(), std::move(zip).value()};
    }
};

template <>
struct signalr::Converter<signalr::integration::Person> {
    using Person = signalr::integration::Person;

    static Value toValue(const Person& person) {
        return Value::fromObject({{"name", person.name},
                                  {"age", person.age},
                                  {"tags", person.tags},
                                  {"address", person.address}});
    }

    static Result<Person> fromValue(const Value& value) {
        if (!value.isObject()) {
            return fail(ErrorCode::TypeMismatch, "a Person is a JSON object");
        }
        auto name = integration::member<std::string>(value, "name");
        auto age = integration::member<int>(value, "age");
        auto tags = integration::member<std::vector<std::string>>(value, "tags");
        auto address = integration::member<std::optional<integration::Address>>(value, "address");
        if (!name) {
            return std::move(name).error();
        }
        if (!age) {
            return std::move(age).error();
        }
        if (!tags) {
            return std::move(tags).error();
        }
        if (!address) {
            return std::move(address).error();
        }
        return Person{std::move(name).value(), age.value(), std::move(tags).value(),
                      std::move(address).value()};
    }
};

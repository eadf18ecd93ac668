#pragma once

#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "signalr/error.hpp"

namespace signalr {

/// Either a value or an Error, with an `expected`-like surface. Accessing the wrong alternative
/// aborts: the library builds without exceptions, so check ok() first. Note that for
/// Result<bool>, `if (r)` tests success, not the value: write `if (r && *r)`.
template <class T>
class [[nodiscard]] Result {
public:
    using value_type = T;

    Result(T value) : storage_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return storage_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return *checked(std::get_if<0>(&storage_)); }
    const T& value() const& { return *checked(std::get_if<0>(&storage_)); }
    T&& value() && { return std::move(*checked(std::get_if<0>(&storage_))); }

    const Error& error() const& { return *checked(std::get_if<1>(&storage_)); }
    Error&& error() && { return std::move(*checked(std::get_if<1>(&storage_))); }

    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    template <class U>
    T valueOr(U&& fallback) const& {
        return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    template <class P>
    static P* checked(P* p) {
        if (p == nullptr) {
            std::abort();
        }
        return p;
    }

    std::variant<T, Error> storage_;
};

/// A Result that carries no value: success, or an Error.
template <>
class [[nodiscard]] Result<void> {
public:
    using value_type = void;

    Result() = default;
    Result(Error error) : error_(std::move(error)), failed_(true) {}

    bool ok() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return ok(); }
    void value() const {
        if (failed_) {
            std::abort();
        }
    }
    const Error& error() const& {
        if (!failed_) {
            std::abort();
        }
        return error_;
    }
    Error&& error() && {
        if (!failed_) {
            std::abort();
        }
        return std::move(error_);
    }

private:
    Error error_;
    bool failed_ = false;
};

/// Shorthand for building a failed Result: `return fail(ErrorCode::InvalidArgument, "...")`.
inline Error fail(ErrorCode code, std::string message, std::string serverMessage = {}) {
    return Error{code, std::move(message), std::move(serverMessage)};
}

} // namespace signalr

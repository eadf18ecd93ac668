#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace signalr::detail {

template <class Signature, std::size_t Capacity>
class InlineFunction;

/// A move-only callable that keeps callables of up to `Capacity` bytes in place, where
/// std::function allocates for anything larger than two pointers or not trivially copyable.
/// Larger ones are boxed on the heap.
template <class R, class... A, std::size_t Capacity>
class InlineFunction<R(A...), Capacity> {
public:
    InlineFunction() noexcept = default;

    template <class F>
        requires(!std::is_same_v<std::decay_t<F>, InlineFunction> &&
                 std::is_invocable_r_v<R, std::decay_t<F>&, A...>)
    InlineFunction(F&& f) { // NOLINT(google-explicit-constructor): a callable is one
        emplace(std::forward<F>(f));
    }

    InlineFunction(InlineFunction&& other) noexcept { takeFrom(other); }
    InlineFunction& operator=(InlineFunction&& other) noexcept {
        if (this != &other) {
            reset();
            takeFrom(other);
        }
        return *this;
    }
    InlineFunction(const InlineFunction&) = delete;
    InlineFunction& operator=(const InlineFunction&) = delete;
    ~InlineFunction() { reset(); }

    explicit operator bool() const noexcept { return ops_ != nullptr; }

    R operator()(A... args) { return ops_->call(storage_, std::forward<A>(args)...); }

private:
    struct Ops {
        R (*call)(void* self, A&&... args);
        void (*move)(void* to, void* from) noexcept; ///< and destroys `from`
        void (*destroy)(void* self) noexcept;
    };

    template <class T>
    static T* as(void* storage) noexcept {
        return std::launder(static_cast<T*>(storage));
    }

    template <class T>
    static constexpr Ops kOps{
        [](void* self, A&&... args) -> R { return (*as<T>(self))(std::forward<A>(args)...); },
        [](void* to, void* from) noexcept {
            std::construct_at(static_cast<T*>(to), std::move(*as<T>(from)));
            std::destroy_at(as<T>(from));
        },
        [](void* self) noexcept { std::destroy_at(as<T>(self)); },
    };

    template <class T>
    struct Boxed {
        std::unique_ptr<T> callable;
        R operator()(A... args) { return (*callable)(std::forward<A>(args)...); }
    };

    template <class F>
    void emplace(F&& f) {
        using T = std::decay_t<F>;
        if constexpr (sizeof(T) <= Capacity && alignof(T) <= alignof(std::max_align_t) &&
                      std::is_nothrow_move_constructible_v<T>) {
            std::construct_at(static_cast<T*>(static_cast<void*>(storage_)), std::forward<F>(f));
            ops_ = &kOps<T>;
        } else {
            emplace(Boxed<T>{std::make_unique<T>(std::forward<F>(f))});
        }
    }

    void takeFrom(InlineFunction& other) noexcept {
        if (other.ops_ != nullptr) {
            other.ops_->move(storage_, other.storage_);
            ops_ = std::exchange(other.ops_, nullptr);
        }
    }

    void reset() noexcept {
        if (ops_ != nullptr) {
            std::exchange(ops_, nullptr)->destroy(storage_);
        }
    }

    alignas(std::max_align_t) unsigned char storage_[Capacity];
    const Ops* ops_ = nullptr;
};

} // namespace signalr::detail

#include "shortest_double.hpp"

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <version>

namespace signalr::detail {

namespace {

/// An unsigned integer of up to 1280 bits: enough for every scaled quantity of a double's digit
/// generation (at most about 1090 bits).
class BigUint {
public:
    explicit BigUint(std::uint64_t value = 0) noexcept {
        words_[0] = static_cast<std::uint32_t>(value);
        words_[1] = static_cast<std::uint32_t>(value >> 32);
        size_ = words_[1] != 0 ? 2 : (words_[0] != 0 ? 1 : 0);
    }

    void multiply(std::uint32_t factor) noexcept {
        std::uint64_t carry = 0;
        for (int i = 0; i < size_; ++i) {
            const std::uint64_t product = std::uint64_t{words_[i]} * factor + carry;
            words_[i] = static_cast<std::uint32_t>(product);
            carry = product >> 32;
        }
        if (carry != 0) {
            words_[size_++] = static_cast<std::uint32_t>(carry);
        }
    }

    void multiplyByPowerOf10(int exponent) noexcept {
        for (; exponent >= 9; exponent -= 9) {
            multiply(1'000'000'000);
        }
        for (; exponent > 0; --exponent) {
            multiply(10);
        }
    }

    void shiftLeft(int bits) noexcept {
        const int wordShift = bits / 32;
        const int bitShift = bits % 32;
        if (size_ == 0) {
            return;
        }
        words_[size_] = 0;
        for (int i = size_; i >= 0; --i) {
            std::uint32_t word = words_[i] << bitShift;
            if (bitShift != 0 && i > 0) {
                word |= words_[i - 1] >> (32 - bitShift);
            }
            words_[i + wordShift] = word;
        }
        for (int i = 0; i < wordShift; ++i) {
            words_[i] = 0;
        }
        size_ += wordShift + 1;
        trim();
    }

    void add(const BigUint& other) noexcept {
        const int size = size_ > other.size_ ? size_ : other.size_;
        std::uint64_t carry = 0;
        for (int i = 0; i < size; ++i) {
            const std::uint64_t sum = std::uint64_t{word(i)} + other.word(i) + carry;
            words_[i] = static_cast<std::uint32_t>(sum);
            carry = sum >> 32;
        }
        size_ = size;
        if (carry != 0) {
            words_[size_++] = 1;
        }
    }

    /// Requires *this >= other.
    void subtract(const BigUint& other) noexcept {
        std::int64_t borrow = 0;
        for (int i = 0; i < size_; ++i) {
            std::int64_t difference = std::int64_t{words_[i]} - other.word(i) - borrow;
            borrow = difference < 0 ? 1 : 0;
            words_[i] = static_cast<std::uint32_t>(difference + (borrow << 32));
        }
        trim();
    }

    friend int compare(const BigUint& a, const BigUint& b) noexcept {
        if (a.size_ != b.size_) {
            return a.size_ < b.size_ ? -1 : 1;
        }
        for (int i = a.size_ - 1; i >= 0; --i) {
            if (a.words_[i] != b.words_[i]) {
                return a.words_[i] < b.words_[i] ? -1 : 1;
            }
        }
        return 0;
    }

private:
    std::uint32_t word(int i) const noexcept { return i < size_ ? words_[i] : 0; }
    void trim() noexcept {
        while (size_ > 0 && words_[size_ - 1] == 0) {
            --size_;
        }
    }

    std::array<std::uint32_t, 41> words_{};
    int size_ = 0;
};

int compareSum(const BigUint& a, const BigUint& b, const BigUint& c) noexcept {
    BigUint sum = a;
    sum.add(b);
    return compare(sum, c);
}

} // namespace

DecimalDigits shortestDigitsExact(double value) noexcept {
    std::uint64_t bits; // std::bit_cast is missing from the libc++ of Emscripten 3.1.6
    std::memcpy(&bits, &value, sizeof bits);
    const int biased = static_cast<int>((bits >> 52) & 0x7FF);
    constexpr std::uint64_t kHidden = std::uint64_t{1} << 52;
    const std::uint64_t f =
        biased == 0 ? (bits & (kHidden - 1)) : ((bits & (kHidden - 1)) | kHidden);
    const int e = biased == 0 ? -1074 : biased - 1075;
    // value = f x 2^e. r / s is the value, m+ / s and m- / s half the gaps to its neighbours
    // (the gap below is half as wide at a power of two): any decimal strictly inside (or, for
    // an even f, on the edge of) that interval reads back as the value.
    const bool unequalGaps = f == kHidden && biased > 1;
    BigUint r(f * (unequalGaps ? 4 : 2));
    BigUint s(unequalGaps ? 4 : 2);
    BigUint mPlus(unequalGaps ? 2 : 1);
    BigUint mMinus(1);
    if (e >= 0) {
        r.shiftLeft(e);
        mPlus.shiftLeft(e);
        mMinus.shiftLeft(e);
    } else {
        s.shiftLeft(-e);
    }
    const bool inclusive = f % 2 == 0;
    // Estimate k, the decimal exponent with 0.1 <= (value + gap) / 10^k < 1: at most one too low.
    const int bitLength = 64 - std::countl_zero(f);
    int k = static_cast<int>(std::ceil((e + bitLength - 1) * 0.30102999566398114 - 1e-10));
    if (k >= 0) {
        s.multiplyByPowerOf10(k);
    } else {
        r.multiplyByPowerOf10(-k);
        mPlus.multiplyByPowerOf10(-k);
        mMinus.multiplyByPowerOf10(-k);
    }
    const auto reachesHigh = [&] {
        const int c = compareSum(r, mPlus, s);
        return inclusive ? c >= 0 : c > 0;
    };
    if (reachesHigh()) {
        s.multiply(10);
        ++k;
    }
    DecimalDigits out;
    out.exponent = k;
    for (;;) {
        r.multiply(10);
        mPlus.multiply(10);
        mMinus.multiply(10);
        int digit = 0;
        while (compare(r, s) >= 0) {
            r.subtract(s);
            ++digit;
        }
        const int low = compare(r, mMinus);
        const bool nearLow = inclusive ? low <= 0 : low < 0;
        const bool nearHigh = reachesHigh();
        if (!nearLow && !nearHigh && out.count < 16) {
            out.digits[out.count++] = static_cast<char>('0' + digit);
            continue;
        }
        if (nearLow && nearHigh) {
            // Both ends reach the interval: the digit that lands closer to the value.
            BigUint twice = r;
            twice.multiply(2);
            const int c = compare(twice, s);
            if (c > 0 || (c == 0 && digit % 2 == 1)) {
                ++digit;
            }
        } else if (nearHigh) {
            ++digit;
        }
        out.digits[out.count++] = static_cast<char>('0' + digit);
        return out;
    }
}

DecimalDigits shortestDigits(double value) noexcept {
#if defined(__cpp_lib_to_chars)
    // "d.ddde+XX", the shortest round-trip digits.
    char text[32];
    const auto end =
        std::to_chars(text, text + sizeof text, value, std::chars_format::scientific).ptr;
    DecimalDigits out;
    const char* p = text;
    for (; p != end && *p != 'e'; ++p) {
        if (*p != '.') {
            out.digits[out.count++] = *p;
        }
    }
    // p points at "e+XX" or "e-XX".
    int exponent = 0;
    std::from_chars(p + 2, end, exponent);
    out.exponent = (p[1] == '-' ? -exponent : exponent) + 1;
    return out;
#else
    return shortestDigitsExact(value);
#endif
}

void appendShortest(double value, std::string& out) {
    if (std::signbit(value)) {
        out += '-';
        value = -value;
    }
    if (value == 0) {
        out += '0';
        return;
    }
    const DecimalDigits d = shortestDigits(value);
    const std::string_view digits(d.digits, static_cast<std::size_t>(d.count));
    const int exponent = d.exponent - 1; // of the first digit
    if (exponent < -4 || exponent >= 16) {
        out += digits[0];
        if (digits.size() > 1) {
            out += '.';
            out.append(digits.substr(1));
        }
        out += exponent < 0 ? "e-" : "e+";
        const int magnitude = exponent < 0 ? -exponent : exponent;
        if (magnitude < 10) {
            out += '0';
        }
        char text[4];
        out.append(text, std::to_chars(text, text + sizeof text, magnitude).ptr);
    } else if (exponent < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out.append(digits);
    } else if (digits.size() <= static_cast<std::size_t>(exponent) + 1) {
        out.append(digits);
        out.append(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0');
    } else {
        out.append(digits.substr(0, static_cast<std::size_t>(exponent) + 1));
        out += '.';
        out.append(digits.substr(static_cast<std::size_t>(exponent) + 1));
    }
}

} // namespace signalr::detail

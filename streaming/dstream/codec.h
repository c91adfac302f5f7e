// Codec<T>: the bytes an operator's retained values and keyed state are saved as in a
// checkpoint, and read back from.
//
// Numbers are their little-endian bytes (the machines streamml runs on are little-endian; a
// static_assert keeps it so); a string is its length (int64) then its bytes; pair, tuple,
// optional and vector are their parts in order (a vector and an optional start with a count).
// A struct of these opts in with one member, e.g.
//   struct Customer { std::int64_t count; double spend; EventTime last_seen;
//                     auto fields() { return std::tie(count, spend, last_seen); } };
// Reading checks every length against the bytes left, so a damaged blob is an Error, never an
// overrun.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "streaming/dstream/records.h"

namespace streamml::dstream {

static_assert(sizeof(double) == 8, "checkpoints store float64");

// Reads back what Codec wrote; throws Error(InvalidInput) when the bytes run out.
class Decoder {
 public:
  Decoder(const char* data, std::size_t size, const char* what) : p_(data), end_(data + size), what_(what) {}
  void take(void* out, std::size_t n) {
    STREAMML_CHECK(std::size_t(end_ - p_) >= n, InvalidInput,
                   what_ << ": the saved bytes end " << n - std::size_t(end_ - p_) << " bytes early");
    std::memcpy(out, p_, n);
    p_ += n;
  }
  std::int64_t count() {
    std::int64_t n = 0;
    take(&n, sizeof n);
    STREAMML_CHECK(n >= 0 && n <= std::int64_t(end_ - p_) + 1, InvalidInput,
                   what_ << ": a saved length " << n << " exceeds the " << (end_ - p_) << " bytes left");
    return n;
  }
  bool done() const { return p_ == end_; }
  const char* what() const { return what_; }

 private:
  const char* p_;
  const char* end_;
  const char* what_;
};

template <class T, class = void>
struct Codec;

template <class T>
void encode(std::string& out, const T& value) {
  Codec<T>::encode(out, value);
}
template <class T>
void decode(Decoder& in, T& value) {
  Codec<T>::decode(in, value);
}

template <class T>
struct Codec<T, std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>> {
  static void encode(std::string& out, const T& v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }
  static void decode(Decoder& in, T& v) { in.take(&v, sizeof v); }
};

template <>
struct Codec<std::string> {
  static void encode(std::string& out, const std::string& v) {
    dstream::encode(out, std::int64_t(v.size()));
    out += v;
  }
  static void decode(Decoder& in, std::string& v) {
    v.resize(std::size_t(in.count()));
    in.take(v.data(), v.size());
  }
};

template <class A, class B>
struct Codec<std::pair<A, B>> {
  static void encode(std::string& out, const std::pair<A, B>& v) {
    dstream::encode(out, v.first);
    dstream::encode(out, v.second);
  }
  static void decode(Decoder& in, std::pair<A, B>& v) {
    dstream::decode(in, v.first);
    dstream::decode(in, v.second);
  }
};

template <class... Ts>
struct Codec<std::tuple<Ts...>> {
  static void encode(std::string& out, const std::tuple<Ts...>& v) {
    std::apply([&](const auto&... x) { (dstream::encode(out, x), ...); }, v);
  }
  static void decode(Decoder& in, std::tuple<Ts...>& v) {
    std::apply([&](auto&... x) { (dstream::decode(in, x), ...); }, v);
  }
};

template <class T>
struct Codec<std::optional<T>> {
  static void encode(std::string& out, const std::optional<T>& v) {
    dstream::encode(out, std::int64_t(v.has_value()));
    if (v) dstream::encode(out, *v);
  }
  static void decode(Decoder& in, std::optional<T>& v) {
    if (in.count()) {
      T x{};
      dstream::decode(in, x);
      v = std::move(x);
    } else {
      v.reset();
    }
  }
};

template <class T>
struct Codec<std::vector<T>> {
  static void encode(std::string& out, const std::vector<T>& v) {
    dstream::encode(out, std::int64_t(v.size()));
    for (const auto& x : v) dstream::encode(out, x);
  }
  static void decode(Decoder& in, std::vector<T>& v) {
    const auto n = std::size_t(in.count());
    v.clear();
    v.resize(n);
    for (auto& x : v) dstream::decode(in, x);
  }
};

template <class T>
struct Codec<Windowed<T>> {
  static void encode(std::string& out, const Windowed<T>& v) {
    dstream::encode(out, v.window.start);
    dstream::encode(out, v.window.end);
    dstream::encode(out, v.value);
  }
  static void decode(Decoder& in, Windowed<T>& v) {
    dstream::decode(in, v.window.start);
    dstream::decode(in, v.window.end);
    dstream::decode(in, v.value);
  }
};

// A struct that lists its members with `auto fields() { return std::tie(...); }`.
template <class T>
struct Codec<T, std::void_t<decltype(std::declval<T&>().fields())>> {
  static void encode(std::string& out, const T& v) {
    T copy = v;
    std::apply([&](const auto&... x) { (dstream::encode(out, x), ...); }, copy.fields());
  }
  static void decode(Decoder& in, T& v) {
    std::apply([&](auto&... x) { (dstream::decode(in, x), ...); }, v.fields());
  }
};

}  // namespace streamml::dstream

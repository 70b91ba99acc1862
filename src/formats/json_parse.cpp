#include "formats/json_parse.h"

#include <unordered_set>
#include <vector>

#include "formats/text.h"
#include "semblend/error.h"
#include "semblend/formats.h"

namespace semblend::formats {
// Not an anonymous namespace: the explicit instantiations below have external linkage, and a
// type they capture must not have internal linkage (-Wsubobject-linkage).
namespace json_parse_detail {

// Thrown from the parser's callback when an object repeats a key; turned into InputError below.
struct DuplicateKey {
  std::string path;
  std::string key;
};

// Thrown from KeyCounter's callback: some object named a key twice (which one, KeyChecker finds).
struct RepeatedKeySeen {};

// The fast check, on every parse: counts each open object's keys. An object that ends smaller than
// its count named a key twice (the parser keeps one of them). Keeps no strings.
class KeyCounter {
 public:
  template <class Json>
  bool operator()(typename Json::parse_event_t event, const Json& parsed) {
    using E = typename Json::parse_event_t;
    if (event == E::object_start) {
      counts_.push_back(0);
    } else if (event == E::key) {
      ++counts_.back();
    } else if (event == E::object_end) {
      if (parsed.size() != counts_.back()) throw RepeatedKeySeen{};
      counts_.pop_back();
    }
    return true;
  }

 private:
  std::vector<std::size_t> counts_;
};

// The slow check, once a repeat is known: follows the parser through the nesting and keeps every
// object's keys, so the repeated key can be named with its JSON path.
class KeyChecker {
 public:
  // One open object or array.
  struct Open {
    bool object = false;
    std::size_t elements = 0;              // arrays: elements begun so far
    std::string key;                       // objects: the key being read
    std::unordered_set<std::string> keys;  // objects: the keys seen
  };

  template <class Json>
  bool operator()(typename Json::parse_event_t event, const Json& parsed) {
    using E = typename Json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        begin_element();
        open_.push_back(Open{event == E::object_start, 0, {}, {}});
        break;
      case E::object_end:
      case E::array_end:
        open_.pop_back();
        break;
      case E::key: {
        Open& o = open_.back();
        o.key = parsed.template get<std::string>();
        if (!o.keys.insert(o.key).second) throw DuplicateKey{path_of_enclosing(), o.key};
        break;
      }
      case E::value:
        begin_element();
        break;
    }
    return true;
  }

 private:
  void begin_element() {
    if (!open_.empty() && !open_.back().object) ++open_.back().elements;
  }
  // The path of the innermost open object ("frames[3].blendshapes"; "" at the top).
  std::string path_of_enclosing() const {
    std::string path;
    for (std::size_t i = 0; i + 1 < open_.size(); ++i) {
      if (open_[i].object)
        path += (path.empty() ? "" : ".") + open_[i].key;
      else
        path += "[" + std::to_string(open_[i].elements - 1) + "]";
    }
    return path;
  }
  std::vector<Open> open_;
};

}  // namespace json_parse_detail

template <class Json>
Json parse_json_strict(std::string_view text, const std::string& file, std::size_t line_offset) {
  using json_parse_detail::DuplicateKey;
  try {
    json_parse_detail::KeyCounter counter;
    try {
      return Json::parse(text.begin(), text.end(),
                         [&counter](int, typename Json::parse_event_t event, Json& parsed) {
                           return counter(event, parsed);
                         });
    } catch (const json_parse_detail::RepeatedKeySeen&) {
      json_parse_detail::KeyChecker checker;
      [[maybe_unused]] const Json never =
          Json::parse(text.begin(), text.end(),
                      [&checker](int, typename Json::parse_event_t event, Json& parsed) {
                        return checker(event, parsed);
                      });
      throw DuplicateKey{};  // not reached: the checker names the key
    }
  } catch (const typename Json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    auto [line, col] = line_col_at(text, offset);
    std::string what = e.what();
    if (const auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) what = "no JSON value (empty)";
    throw InputError(file, line + line_offset, col, "invalid JSON: " + what);
  } catch (const typename Json::exception& e) {  // a number out of range (1e999): no position
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw InputError(file, line_offset > 0 ? line_offset + 1 : 0, 0, "invalid JSON: " + what);
  } catch (const DuplicateKey& d) {
    throw InputError(file, line_offset > 0 ? line_offset + 1 : 0, 0,
                     (d.path.empty() ? std::string() : d.path + ": ") + "duplicate key \"" + d.key +
                         "\" (an object may name each key once)");
  }
}

template nlohmann::json parse_json_strict<nlohmann::json>(std::string_view, const std::string&,
                                                          std::size_t);
template nlohmann::ordered_json parse_json_strict<nlohmann::ordered_json>(std::string_view,
                                                                          const std::string&,
                                                                          std::size_t);

}  // namespace semblend::formats

namespace semblend {

void check_json(std::string_view text, const std::string& name) {
  [[maybe_unused]] const nlohmann::json parsed =
      formats::parse_json_strict<nlohmann::json>(text, name);
}

}  // namespace semblend

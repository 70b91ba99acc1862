// The preference store's row readers and coefficient text (store_impl.h).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "prefs/store_impl.h"
#include "semblend/blendshape.h"
#include "semblend/prefs_candidates.h"

namespace semblend::prefs::detail {

void check_coefficients(const Coefficients& c) {
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const float v = c.at(k);
    if (!std::isfinite(v) || v < -1e-4f || v > 1 + 1e-4f)
      throw std::invalid_argument(std::string(info(blendshape_at(k)).apple_name) + " = " +
                                  std::to_string(v) + " is outside [0, 1]");
  }
}

void check_candidate(const NewCandidate& c) {
  if (c.kind != "prediction" && c.kind != "edit" && c.kind != "model")
    throw std::invalid_argument("candidate kind \"" + c.kind +
                                "\": expected \"prediction\", \"edit\" or \"model\"");
  if (c.label.empty()) throw std::invalid_argument("a candidate needs a label");
  check_coefficients(c.coefficients);
}

void check_pair(sqlite3* db, const std::string& path, const NewPair& p) {
  if (p.a == p.b) throw std::invalid_argument("a pair needs two different candidates");
  if (!std::isfinite(p.priority)) throw std::invalid_argument("a pair's priority must be finite");
  comparison_region_index(p.region);  // throws, naming the known regions
  sql::Statement s(db, path, "SELECT COUNT(*) FROM candidates WHERE item_id = ? AND id IN (?, ?)");
  s.bind(1, p.item_id).bind(2, p.a).bind(3, p.b);
  if (!s.step() || s.int64(0) != 2)
    throw std::invalid_argument("pair: candidates " + std::to_string(p.a) + " and " +
                                std::to_string(p.b) + " are not both of item " +
                                std::to_string(p.item_id));
}

std::string coefficients_text(const Coefficients& c) {
  std::string out = "[";
  char buf[32];
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    std::snprintf(buf, sizeof buf, "%.9g", double(c.at(k)));
    out += (k ? "," : "");
    out += buf;
  }
  return out + "]";
}

Coefficients coefficients_from_text(std::string_view text) {
  Coefficients c;
  std::size_t k = 0, pos = 0;
  auto bad = [&](const std::string& why) {
    throw std::invalid_argument("coefficients \"" + std::string(text.substr(0, 40)) + "\": " + why);
  };
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') bad("not a JSON array");
  pos = 1;
  while (pos < text.size() - 1) {
    const std::size_t end = std::min(text.find(',', pos), text.size() - 1);
    const std::string number(text.substr(pos, end - pos));
    char* stop = nullptr;
    const float v = std::strtof(number.c_str(), &stop);
    if (stop == number.c_str() || *stop != '\0') bad("\"" + number + "\" is not a number");
    if (k >= kBlendshapeCount) bad("more than 52 values");
    c.set_at(k++, v);
    pos = end + 1;
  }
  if (k != kBlendshapeCount) bad(std::to_string(k) + " values, expected 52");
  check_coefficients(c);
  return c;
}

Item read_item(const sql::Statement& s) {
  Item i;
  i.id = s.int64(0);
  i.source = s.text(1);
  i.sha256 = s.text(2);
  i.width = int(s.int64(3));
  i.height = int(s.int64(4));
  i.head.yaw = float(s.real(5));
  i.head.pitch = float(s.real(6));
  i.head.roll = float(s.real(7));
  i.created = s.text(8);
  return i;
}

Candidate read_candidate(const sql::Statement& s) {
  Candidate c;
  c.id = s.int64(0);
  c.item_id = s.int64(1);
  c.kind = s.text(2);
  c.label = s.text(3);
  c.model_version_id = s.opt_int64(4);
  c.coefficients = coefficients_from_text(s.text(5));
  c.created = s.text(6);
  return c;
}

Pair read_pair(const sql::Statement& s) {
  Pair p;
  p.id = s.int64(0);
  p.item_id = s.int64(1);
  p.region = s.text(2);
  p.a = s.int64(3);
  p.b = s.int64(4);
  p.priority = s.real(5);
  p.created = s.text(6);
  return p;
}

Judgment read_judgment(const sql::Statement& s) {
  Judgment j;
  j.id = s.int64(0);
  j.pair_id = s.int64(1);
  j.annotator_id = s.int64(2);
  j.choice = choice_from_name(s.text(3)).value_or(Choice::Skip);
  j.latency_ms = s.int64(4);
  j.created = s.text(5);
  j.client_key = s.text(6);
  j.undone = s.opt_text(7);
  return j;
}

std::string random_key() {
  std::random_device rd;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

}  // namespace semblend::prefs::detail

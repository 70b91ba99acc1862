#include "semblend/error.h"

#include <utility>

namespace semblend {
namespace {

std::string locate(const std::string& file, std::size_t line, std::size_t column) {
  std::string where = file;
  if (line > 0) where.append(":").append(std::to_string(line));
  if (line > 0 && column > 0) where.append(":").append(std::to_string(column));
  return where;
}

}  // namespace

InputError::InputError(std::string file, std::size_t line, std::size_t column,
                       const std::string& problem)
    : std::runtime_error(locate(file, line, column) + ": " + problem),
      file_(std::move(file)),
      line_(line),
      column_(column),
      problem_(problem) {}

IoError::IoError(Op op, std::string file, const std::string& problem)
    : std::runtime_error((op == Op::Read ? "cannot read " : "cannot write ") + file + ": " +
                         problem),
      op_(op),
      file_(std::move(file)),
      problem_(problem) {}

}  // namespace semblend

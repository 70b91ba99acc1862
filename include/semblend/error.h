// semblend/error.h — the exceptions library code throws for recoverable failures.
//
// Library code never prints and never exits: it throws one of these with full context, and only
// apps/ turns them into messages and exit codes (docs/cli.md lists the codes).
//  * InputError  — an input file is malformed. Carries the file, and where known the 1-based line
//                  and column, so the message reads "take.csv:12:14: ...".
//  * IoError     — a file cannot be opened, read, written or renamed (OS reason included).
//  * std::invalid_argument — a caller passed a bad value (NaN coefficient, bad option).
// Thread safety: plain exception values.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace semblend {

class InputError : public std::runtime_error {
 public:
  // line/column are 1-based; 0 means "not applicable".
  InputError(std::string file, std::size_t line, std::size_t column, const std::string& problem);

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  std::size_t column() const { return column_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::size_t line_;
  std::size_t column_;
  std::string problem_;
};

class IoError : public std::runtime_error {
 public:
  enum class Op { Read, Write };
  IoError(Op op, std::string file, const std::string& problem);
  Op op() const { return op_; }
  const std::string& file() const { return file_; }
  const std::string& problem() const { return problem_; }

 private:
  Op op_;
  std::string file_;
  std::string problem_;
};

}  // namespace semblend

#include "aegisrt/core/result.hpp"

namespace aegisrt {

std::string Error::to_string() const {
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.line > 0) {
      out += ':' + std::to_string(where.line);
      if (where.column > 0) out += ':' + std::to_string(where.column);
    }
    out += ": ";
  }
  if (!where.field.empty()) out += where.field + ": ";
  out += message;
  if (!hint.empty()) out += " (" + hint + ")";
  return out;
}

void assertion_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "aegisrt: internal error: assertion `%s` failed at %s:%d\n", expr, file,
               line);
  std::abort();
}

}  // namespace aegisrt

#include "cpsf/io/format.hpp"

#include <filesystem>
#include <string>

namespace cpsf {

namespace fs = std::filesystem;

std::optional<Format> format_from_path(std::string_view path) {
  const std::string ext = fs::path(std::string(path)).extension().string();
  if (ext == ".textproto" || ext == ".txtpb" || ext == ".pbtxt") return Format::Text;
  if (ext == ".json") return Format::Json;
  if (ext == ".pb" || ext == ".binpb") return Format::Binary;
  return std::nullopt;
}

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Text:
      return "text";
    case Format::Json:
      return "json";
    case Format::Binary:
      return "binary";
  }
  return "?";
}

std::optional<Format> format_from_name(std::string_view name) {
  if (name == "text" || name == "textproto" || name == "txtpb") return Format::Text;
  if (name == "json") return Format::Json;
  if (name == "binary" || name == "pb" || name == "binpb") return Format::Binary;
  return std::nullopt;
}

}  // namespace cpsf

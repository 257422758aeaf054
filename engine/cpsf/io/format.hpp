// The three scenario file formats, and how a file's extension or an option names them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cpsf {

enum class Format : std::uint8_t { Text, Json, Binary };

// By extension: .textproto/.txtpb/.pbtxt → Text, .json → Json, .pb/.binpb → Binary.
std::optional<Format> format_from_path(std::string_view path);
std::string_view format_name(Format format);
// "text", "textproto", "json", "binary", "pb" (for --to options).
std::optional<Format> format_from_name(std::string_view name);
inline constexpr const char* kFormatExtensionsHelp =
    ".textproto, .txtpb or .pbtxt (protobuf text format), .json (JSON), .pb or .binpb (binary)";

}  // namespace cpsf

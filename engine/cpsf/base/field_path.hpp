// FieldPath: where a reflection walk over a scenario message stands, e.g.
// "relations[3].step.ttc", kept as descriptors and indices and formatted only when a
// diagnostic reports it (validate's non-finite check and the loader's unknown-field walk).
#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <utility>
#include <vector>

namespace cpsf {

class FieldPath {
 public:
  // Enters `field`; `index` is the element of a repeated field, -1 for a singular one.
  void push(const google::protobuf::FieldDescriptor* field, int index = -1) { steps_.emplace_back(field, index); }
  void pop() { steps_.pop_back(); }
  [[nodiscard]] bool empty() const { return steps_.empty(); }

  [[nodiscard]] std::string str() const {
    std::string s;
    for (const auto& [field, index] : steps_) {
      if (!s.empty()) s += '.';
      s += field->name();
      if (index >= 0) s += "[" + std::to_string(index) + "]";
    }
    return s;
  }

 private:
  std::vector<std::pair<const google::protobuf::FieldDescriptor*, int>> steps_;
};

}  // namespace cpsf

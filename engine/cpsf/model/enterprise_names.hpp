// Enterprises named by the data an importer reads (a self-assessment's company, an SBOM's
// supplier): how a name is matched to an enterprise and made into an id, the same for every
// importer (docs/import.md).
#pragma once

#include <string>
#include <string_view>

namespace cpsf {

// A name with case and every space ignored: "Aoba  electronics" and "AobaElectronics" are one.
std::string fold_name(std::string_view name);

// An enterprise id from a name: lower case, each run of characters other than [a-z0-9] a '-',
// none at the ends (empty for a name with no such character, as one in Japanese script).
std::string enterprise_id_from_name(std::string_view name);

}  // namespace cpsf

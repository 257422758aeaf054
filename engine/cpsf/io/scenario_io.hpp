// Reading and writing scenario files, in one include. Each part has its own header:
//   format.hpp      the three formats (text, JSON, binary) and their names
//   read.hpp        one file read and parsed, every problem reported (parse.hpp, integrity.hpp)
//   load.hpp        a scenario with its includes merged: LoadedScenario, load_scenario()
//   write.hpp       serialise(), write_file_atomically()
//   source_map.hpp  diagnostics placed on their files' lines: place_diagnostics()
#pragma once

#include "cpsf/io/format.hpp"
#include "cpsf/io/integrity.hpp"
#include "cpsf/io/load.hpp"
#include "cpsf/io/read.hpp"
#include "cpsf/io/source_map.hpp"
#include "cpsf/io/write.hpp"

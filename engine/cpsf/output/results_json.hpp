// results.json (docs/results-format.md): a run's estimates, streamed through the one JSON
// writer (json_writer.hpp), 10^6 assets included.
#pragma once

#include <string>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/output/output_context.hpp"

namespace cpsf {

// The results.json document (deterministic: no time stamps, no thread count).
std::string results_json(const Model& model, const SimulationResult& result, const Estimates& estimates,
                         const OutputContext& context);

class JsonWriter;
// The members of one layer × element cell's attributed loss, into the cell's open object:
// "production_loss", "cascade_loss" (means per trial), "loss" {mean, stderr} (the whole
// cell: own + production + cascade) and "share" {value, ci95} of the mean loss. Shared by
// results.json's layer_element[] and compare.json's rows[].layer_element[].
void write_cell_loss(JsonWriter& w, const LayerElementCell& cell);

}  // namespace cpsf

#include "cpsf/output/compare_chart.hpp"

#include <algorithm>
#include <cmath>

#include "cpsf/base/terminal.hpp"
#include "cpsf/output/text_format.hpp"

namespace cpsf {

namespace {

std::string xml(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr const char* kColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                    "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};

// Grouped bars: one group per scenario, one bar per baseline, 95% interval whiskers.
struct ChartLayout {
  std::size_t groups, bars;
  double bar_w = 28, gap = 24, left = 90, right = 20, top = 50, plot_h = 300, label_h = 70;
  double plot_w, width, height;
  double step = 1, axis_top;  // the value axis: 0 to axis_top in steps

  explicit ChartLayout(const CompareResult& r) : groups(r.scenarios.size()), bars(r.baselines.size()) {
    const double legend_h = 18.0 * static_cast<double>(bars) + 10;
    plot_w = std::max(240.0, static_cast<double>(groups) * (static_cast<double>(bars) * bar_w + gap) + gap);
    width = left + plot_w + right;
    height = top + plot_h + label_h + legend_h;
    double hi = 0;
    for (const auto& row : r.rows) hi = std::max({hi, row.mean, std::isfinite(row.ci95.high) ? row.ci95.high : 0.0});
    // A round axis top: 1, 2 or 5 × 10^k above the highest whisker.
    if (hi > 0) {
      const double raw = hi / 5;
      const double mag = std::pow(10.0, std::floor(std::log10(raw)));
      step = raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
    }
    axis_top = step * std::ceil(hi / step > 0 ? hi / step : 1);
  }
  // The height of a value on the page.
  [[nodiscard]] double y(double v) const { return top + plot_h - plot_h * std::clamp(v, 0.0, axis_top) / axis_top; }
  // The left edge of scenario g's group.
  [[nodiscard]] double group_x(std::size_t g) const {
    return left + gap + static_cast<double>(g) * (static_cast<double>(bars) * bar_w + gap);
  }
};

// The title (with the currency, when all scenarios share one) and the line under it.
void add_titles(std::string& out, const CompareResult& r, const ChartLayout& c) {
  std::string currency;
  for (const auto& s : r.scenarios) {
    if (currency.empty())
      currency = s.currency;
    else if (s.currency != currency)
      currency = "mixed currencies";
  }
  out +=
      format("<text x=\"%.1f\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Mean residual loss per trial%s</text>\n",
             c.left, currency.empty() ? "" : (" (" + xml(currency) + ")").c_str());
  out += format(
      "<text x=\"%.1f\" y=\"40\" fill=\"#555\">%llu trials, seed %llu, common random numbers; whiskers: 95%% "
      "interval%s</text>\n",
      c.left, static_cast<unsigned long long>(r.trials), static_cast<unsigned long long>(r.seed),
      r.threat ? (" — threat " + xml(*r.threat) + " only").c_str() : "");
}

// Grid lines with their values, and the two axes.
void add_axes(std::string& out, const ChartLayout& c) {
  for (int k = 0; k <= static_cast<int>(std::lround(c.axis_top / c.step)); ++k) {
    const double v = k * c.step;
    out += format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", c.left,
                  c.left + c.plot_w, c.y(v), c.y(v));
    out += format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", c.left - 6, c.y(v) + 4, v);
  }
  out += format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", c.left, c.left, c.top,
                c.top + c.plot_h);
  out += format("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", c.left, c.left + c.plot_w,
                c.top + c.plot_h, c.top + c.plot_h);
}

// Scenario g's bars with their whiskers, and its label under them.
void add_group(std::string& out, const CompareResult& r, const ChartLayout& c, std::size_t g) {
  const double x0 = c.group_x(g);
  for (std::size_t k = 0; k < c.bars; ++k) {
    const auto it = std::find_if(r.rows.begin(), r.rows.end(), [&](const CompareRow& row) {
      return row.scenario == r.scenarios[g].label && row.baseline == r.baselines[k];
    });
    if (it == r.rows.end()) continue;
    const double x = x0 + static_cast<double>(k) * c.bar_w;
    out += format(
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %.6g ± "
        "%.3g</title></rect>\n",
        x + 2, c.y(it->mean), c.bar_w - 4, c.top + c.plot_h - c.y(it->mean), kColours[k % 8], xml(it->scenario).c_str(),
        xml(it->baseline).c_str(), it->mean, it->stderr_);
    if (std::isfinite(it->ci95.low) && std::isfinite(it->ci95.high)) {
      const double cx = x + c.bar_w / 2, lo = c.y(it->ci95.low), up = c.y(it->ci95.high);
      out += format("<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"black\" fill=\"none\"/>\n", cx,
                    lo, up, cx - 5, lo, cx + 5, cx - 5, up, cx + 5);
    }
  }
  const double cx = x0 + static_cast<double>(c.bars) * c.bar_w / 2;
  // Labels are scenario names, often long: cut to fit the margin, whole in the tooltip.
  out += format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" transform=\"rotate(-30 %.1f %.1f)\">", cx,
                c.top + c.plot_h + 16, cx, c.top + c.plot_h + 16);
  out += "<title>" + xml(r.scenarios[g].label) + "</title>" + xml(truncate_to_width(r.scenarios[g].label, 24)) +
         "</text>\n";
}

void add_legend(std::string& out, const CompareResult& r, const ChartLayout& c) {
  for (std::size_t k = 0; k < c.bars; ++k) {
    const double ly = c.top + c.plot_h + c.label_h + 18.0 * static_cast<double>(k);
    out +=
        format("<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", c.left, ly, kColours[k % 8]);
    out += format("<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", c.left + 18, ly + 10, xml(r.baselines[k]).c_str());
  }
}

}  // namespace

std::string compare_svg(const CompareResult& r) {
  const ChartLayout c(r);
  std::string out = format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      c.width, c.height, c.width, c.height);
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  add_titles(out, r, c);
  add_axes(out, c);
  for (std::size_t g = 0; g < c.groups; ++g) add_group(out, r, c, g);
  add_legend(out, r, c);
  out += "</svg>\n";
  return out;
}

}  // namespace cpsf

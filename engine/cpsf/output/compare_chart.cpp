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

}  // namespace

std::string compare_svg(const CompareResult& r) {
  // Grouped bars: one group per scenario, one bar per baseline, 95% interval whiskers.
  static const char* const kColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                                         "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
  const std::size_t groups = r.scenarios.size(), bars = r.baselines.size();
  const double bar_w = 28, gap = 24, left = 90, right = 20, top = 50, plot_h = 300, label_h = 70;
  const double legend_h = 18.0 * static_cast<double>(bars) + 10;
  const double plot_w = std::max(240.0, static_cast<double>(groups) * (static_cast<double>(bars) * bar_w + gap) + gap);
  const double width = left + plot_w + right, height = top + plot_h + label_h + legend_h;
  double hi = 0;
  for (const auto& row : r.rows) hi = std::max({hi, row.mean, std::isfinite(row.ci95.high) ? row.ci95.high : 0.0});
  // A round axis top: 1, 2 or 5 × 10^k above the highest whisker.
  double step = 1;
  if (hi > 0) {
    const double raw = hi / 5;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    step = raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
  }
  const double axis_top = step * std::ceil(hi / step > 0 ? hi / step : 1);
  const auto y = [&](double v) { return top + plot_h - plot_h * std::clamp(v, 0.0, axis_top) / axis_top; };

  std::string out;
  const auto add = [&](const char* fmt, auto... args) { out += format(fmt, args...); };
  add("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      width, height, width, height);
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  std::string currency;
  for (const auto& s : r.scenarios) {
    if (currency.empty())
      currency = s.currency;
    else if (s.currency != currency)
      currency = "mixed currencies";
  }
  add("<text x=\"%.1f\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Mean residual loss per trial%s</text>\n", left,
      currency.empty() ? "" : (" (" + xml(currency) + ")").c_str());
  add("<text x=\"%.1f\" y=\"40\" fill=\"#555\">%llu trials, seed %llu, common random numbers; whiskers: 95%% "
      "interval%s</text>\n",
      left, static_cast<unsigned long long>(r.trials), static_cast<unsigned long long>(r.seed),
      r.threat ? (" — threat " + xml(*r.threat) + " only").c_str() : "");
  for (int k = 0; k <= static_cast<int>(std::lround(axis_top / step)); ++k) {
    const double v = k * step;
    add("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, left + plot_w, y(v), y(v));
    add("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", left - 6, y(v) + 4, v);
  }
  add("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, left, top, top + plot_h);
  add("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, left + plot_w, top + plot_h,
      top + plot_h);
  for (std::size_t g = 0; g < groups; ++g) {
    const double x0 = left + gap + static_cast<double>(g) * (static_cast<double>(bars) * bar_w + gap);
    for (std::size_t k = 0; k < bars; ++k) {
      const auto it = std::find_if(r.rows.begin(), r.rows.end(), [&](const CompareRow& row) {
        return row.scenario == r.scenarios[g].label && row.baseline == r.baselines[k];
      });
      if (it == r.rows.end()) continue;
      const double x = x0 + static_cast<double>(k) * bar_w;
      add("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s, %s: %.6g ± "
          "%.3g</title></rect>\n",
          x + 2, y(it->mean), bar_w - 4, top + plot_h - y(it->mean), kColours[k % 8], xml(it->scenario).c_str(),
          xml(it->baseline).c_str(), it->mean, it->stderr_);
      if (std::isfinite(it->ci95.low) && std::isfinite(it->ci95.high)) {
        const double cx = x + bar_w / 2, lo = y(it->ci95.low), up = y(it->ci95.high);
        add("<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"black\" fill=\"none\"/>\n", cx, lo, up,
            cx - 5, lo, cx + 5, cx - 5, up, cx + 5);
      }
    }
    const double cx = x0 + static_cast<double>(bars) * bar_w / 2;
    // Labels are scenario names, often long: cut to fit the margin, whole in the tooltip.
    add("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" transform=\"rotate(-30 %.1f %.1f)\">", cx, top + plot_h + 16,
        cx, top + plot_h + 16);
    out += "<title>" + xml(r.scenarios[g].label) + "</title>" + xml(truncate_to_width(r.scenarios[g].label, 24)) +
           "</text>\n";
  }
  for (std::size_t k = 0; k < bars; ++k) {
    const double ly = top + plot_h + label_h + 18.0 * static_cast<double>(k);
    add("<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", left, ly, kColours[k % 8]);
    add("<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", left + 18, ly + 10, xml(r.baselines[k]).c_str());
  }
  out += "</svg>\n";
  return out;
}

}  // namespace cpsf

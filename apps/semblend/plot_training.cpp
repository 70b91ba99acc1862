// `semblend eval training-plot`: the trainer's reports (semblend_train --report) as one chart of
// training and held-out MAE against the step (docs/solver_training.png).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/plot.h"

namespace semblend::cli {

int run_plot_training(const PlotTrainingOptions& o) {
  if (o.reports.empty()) throw std::invalid_argument("training-plot: no reports given");
  if (o.output.empty()) throw std::invalid_argument("training-plot: -o PNG is required");
  static constexpr std::array<std::array<std::uint8_t, 3>, 4> kColours{
      {{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {148, 103, 189}}};
  std::vector<PlotSeries> series;
  for (std::size_t r = 0; r < o.reports.size(); ++r) {
    const std::string& path = o.reports[r];
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_file(path));
    } catch (const nlohmann::json::exception& e) {  // syntax, or a number out of range (1e999)
      throw InputError(path, 0, 0, std::string("not valid JSON: ") + e.what());
    }
    if (!j.contains("curve") || !j["curve"].is_array() || j["curve"].empty())
      throw InputError(path, 0, 0, "no \"curve\" array (is it a semblend_train report?)");
    const std::string command = j.value("command", "");
    const std::string name =
        command.find("--no-semantic") != std::string::npos ? "no semantic heads" : "semantic heads";
    PlotSeries held{name + ": held-out", {}, {}, kColours[r % kColours.size()], false};
    PlotSeries train{name + ": training batch", {}, {}, kColours[r % kColours.size()], true};
    for (const auto& p : j["curve"]) {
      if (!p.contains("step") || !p.contains("heldout_mae") || !p.contains("train_mae"))
        throw InputError(path, 0, 0, "a curve point lacks step, heldout_mae or train_mae");
      held.x.push_back(p["step"].get<double>());
      held.y.push_back(p["heldout_mae"].get<double>());
      train.x.push_back(p["step"].get<double>());
      train.y.push_back(p["train_mae"].get<double>());
    }
    series.push_back(std::move(train));
    series.push_back(std::move(held));
  }
  PlotOptions po;
  po.title = "semblend solver training: coefficient MAE (held-out identities, landmark input)";
  po.x_label = "training step";
  po.y_label = "mean absolute error";
  write_png(plot_lines(series, po), o.output);
  return kOk;
}

}  // namespace semblend::cli

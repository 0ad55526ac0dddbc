/// DescentPlot: SVG figures for learners, with no system dependency.
///
/// - `LineChart`: learning curves, several series, optional log y.
/// - `ScatterPlot`: data points with a `FittedLine` or other lines.
/// - `CurvePlot`: cost(w) with the steps of gradient descent on it.
/// - `ContourPlot` and `SurfacePlot3D`: a loss f(u, v) as iso-lines, flat or in 3-D.
/// - `GraphPlot`: a `ComputationGraph` (torchviz's picture) laid out in layers.
/// - `FigureGrid` and `TextPanel`: panels side by side.
///
/// Every figure has `svg()` and `write(to:)`; the SVG 1.1 it writes uses plain elements only,
/// so browsers and `rsvg-convert` draw it alike.
public enum DescentPlot {
  /// The version of the SVG conventions the figures follow.
  public static let formatVersion = 1
}

/// DescentPlot: SVG figures for learners (learning curves, fitted lines, loss surfaces,
/// computation graphs), with no system dependency.
public enum DescentPlot {
  /// The version of the SVG conventions the figures follow.
  public static let formatVersion = 1
}

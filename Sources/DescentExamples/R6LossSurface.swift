import Descent
import DescentPlot

/// R6: gradient descent on a loss of two parameters,
/// `L(u, v) = 3u² + 3v² − uv + 7u − 7v + 10`, whose lowest point is L(−1, 1) = 3.
///
/// The notes write the partial derivatives by hand (∂L/∂u = 6u − v + 7, ∂L/∂v = 6v − u − 7);
/// here autograd finds them, in float64 as NumPy computes.
public enum R6LossSurface: Experiment {
  public static let name = "r6"
  public static let summary = "gradient descent on a two-parameter loss L(u, v), drawn in 3-D"

  static func L(_ u: Tensor, _ v: Tensor) -> Tensor {
    3 * u ** 2 + 3 * v ** 2 - u * v + 7 * u - 7 * v + 10
  }

  /// The same function on plain numbers, for sampling the surface.
  static func L(_ u: Double, _ v: Double) -> Double {
    3 * u * u + 3 * v * v - u * v + 7 * u - 7 * v + 10
  }

  public static func run(_ context: ExperimentContext) throws {
    let u = Tensor(4.0, dtype: .float64, requiresGrad: true)
    let v = Tensor(4.0, dtype: .float64, requiresGrad: true)
    let alpha = 0.05
    let steps = 21
    var path = [(u.item(), v.item())]
    context.say("L(u, v) = 3u^2 + 3v^2 - uv + 7u - 7v + 10, start (4, 4), alpha = \(alpha)")
    for step in 1...steps {
      let loss = L(u, v)
      if step <= 11 {
        context.say(
          "step \(padded(step - 1, 2)): u = \(fixed(u.item(), 5)), v = \(fixed(v.item(), 5)), L = \(fixed(loss.item(), 5))"
        )
      }
      loss.backward()  // u.grad = ∂L/∂u, v.grad = ∂L/∂v
      noGrad {
        u -= alpha * u.grad!
        v -= alpha * v.grad!
      }
      u.grad = nil
      v.grad = nil
      path.append((u.item(), v.item()))
    }
    let final = L(u, v).item()
    context.say(
      "after \(steps) steps: (\(fixed(u.item(), 5)), \(fixed(v.item(), 5))), L = \(fixed(final, 5))"
    )
    // Where the gradient vanishes: keep stepping until the steps no longer move the point.
    let minimum = (u: u.detach().clone().requiresGrad_(), v: v.detach().clone().requiresGrad_())
    for _ in 0..<10_000 {
      L(minimum.u, minimum.v).backward()
      let (du, dv) = (minimum.u.grad!.item(), minimum.v.grad!.item())
      if Swift.abs(du) < 1e-12 && Swift.abs(dv) < 1e-12 { break }
      noGrad {
        minimum.u -= alpha * minimum.u.grad!
        minimum.v -= alpha * minimum.v.grad!
      }
      minimum.u.grad = nil
      minimum.v.grad = nil
    }
    let lowest = L(minimum.u, minimum.v).item()
    context.say(
      "the minimum: (\(fixed(minimum.u.item(), 0)), \(fixed(minimum.v.item(), 0))), L = \(fixed(lowest, 0))"
    )

    // The notes' picture: iso-lines in 3-D seen from view_init(30, 240), the first 11 points.
    try context.figure(
      "surface",
      SurfacePlot3D(
        function: L, u: -5...5, v: -5...5, resolution: 101, levelCount: 40, elevation: 30,
        azimuth: 240, path: Array(path.prefix(11)),
        title: "Gradient descent on L(u, v), α = 0.05", xLabel: "u", yLabel: "v", zLabel: "L"))
    // The same seen from above, with every step; levels closer together near the minimum.
    try context.figure(
      "contour",
      ContourPlot(
        function: L, u: -5...5, v: -5...5, levels: [3.5, 5, 8, 13, 20, 35, 55, 80, 110, 150, 200],
        path: path, pathName: "gradient descent, \(steps) steps",
        title: "L(u, v) seen from above", valueLabel: "L", width: 620, height: 560))
  }
}

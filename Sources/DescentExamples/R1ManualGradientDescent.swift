import Descent

/// R1: linear regression by hand, NumPy style: no autograd, float64, the update written out.
///
/// The notes drop the factor 2 of the MSE gradient: `w -= lr · mean((ŷ − y)·x)`.
public enum R1ManualGradientDescent: Experiment {
  public static let name = "r1"
  public static let summary = "manual gradient descent on 30 points, NumPy style (float64, no autograd)"

  /// The 30 points of the notes: x = 1…30 and the measured y.
  public static let xs: [Double] = (1...30).map(Double.init)
  public static let ys: [Double] = [
    0.94, 1.98, 2.88, 3.92, 3.96, 4.55, 5.64, 6.3, 7.44, 9.1, 8.46, 9.5, 10.67, 11.16, 14,
    11.83, 14.4, 14.25, 16.2, 16.32, 17.46, 19.8, 18, 21.34, 22, 22.5, 24.57, 26.04, 21.6, 28.8,
  ]

  public static func run(say: (String) -> Void) {
    let x = Tensor(xs, dtype: .float64).reshaped(30, 1)
    let y = Tensor(ys, dtype: .float64).reshaped(30, 1)
    var weight = 0.0
    var bias = 0.0
    let learningRate = 0.005

    for epoch in 0..<10000 {
      let yHat = x * weight + bias
      let cost = ((y - yHat) ** 2).mean().item()
      weight -= learningRate * ((yHat - y) * x).mean().item()
      bias -= learningRate * (yHat - y).mean().item()
      if (epoch + 1) % 1000 == 0 {
        say(
          "Epoch : \(padded(epoch + 1, 4)), Weight : \(fixed(weight, 3)), Bias : \(fixed(bias, 3)), Cost : \(fixed(cost, 3))"
        )
      }
    }
  }
}

import Foundation
import Testing

@testable import Descent

/// Every op case of Tests/Fixtures/vision.json (convolutions, poolings, pad, interpolate,
/// unfold/fold, batch_norm; made by make_vision_fixtures.py) through Descent's functional API:
/// the output (and a max pooling's indices) and every input's gradient after
/// `backward(gradient:)` with PyTorch's upstream gradient.
@Suite("Vision ops match PyTorch's forward values and gradients")
struct VisionFixtureTests {
  static let cases: [VisionCase] = (try? VisionFixture.get().cases) ?? []

  @Test func fixtureLoads() throws {
    let fixture = try VisionFixture.get()
    #expect(fixture.cases.count >= 60)
    #expect(Set(fixture.cases.map(\.name)).count == fixture.cases.count)
    let ops = Set(fixture.cases.map(\.op))
    for op in [
      "conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "max_pool1d", "avg_pool2d",
      "avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "pad", "interpolate", "unfold",
      "fold", "batch_norm",
    ] {
      #expect(ops.contains(op), "no case for \(op)")
    }
  }

  @Test(arguments: cases)
  func matchesPyTorch(_ c: VisionCase) throws {
    let inputs = c.inputs.map { $0.makeTensor() }
    let (output, indices) = try run(c, inputs)
    var problems = roundingAwareMismatches(output, c.output, exact: c.output_f64, "output")
    if let expected = c.output_indices {
      if let indices {
        problems += opFixtureMismatches(indices, expected, "indices")
      } else {
        problems.append("PyTorch returns indices, the Descent call gave none")
      }
    }
    if let after = c.running_after {
      problems += opFixtureMismatches(inputs[3], after[0], "running mean")
      problems += opFixtureMismatches(inputs[4], after[1], "running var")
    }
    output.backward(gradient: c.grad_output.makeTensor())
    for (index, (input, expected)) in zip(inputs, c.grads).enumerated() {
      if let expected {
        if let grad = input.grad {
          problems += roundingAwareMismatches(
            grad, expected, exact: c.grads_f64?[index], "grad of input \(index)")
        } else {
          problems.append("input \(index) got no gradient")
        }
      } else if input.grad != nil {
        problems.append("input \(index) got a gradient PyTorch does not give")
      }
    }
    for problem in problems { Issue.record("\(c.name): \(problem)") }
  }

  /// Calls the Descent function for `c.op` with the case's arguments.
  func run(_ c: VisionCase, _ inputs: [Tensor]) throws -> (Tensor, Tensor?) {
    let bias = inputs.count > 2 ? inputs[2] : nil
    switch c.op {
    case "conv2d":
      return (
        conv2d(
          inputs[0], inputs[1], bias, stride: c.spatial("stride", 1), padding: c.padding,
          dilation: c.spatial("dilation", 1), groups: c.int("groups", 1)), nil
      )
    case "conv1d":
      return (
        conv1d(
          inputs[0], inputs[1], bias, stride: c.spatial("stride", 1), padding: c.padding,
          dilation: c.spatial("dilation", 1), groups: c.int("groups", 1)), nil
      )
    case "conv_transpose2d":
      return (
        convTranspose2d(
          inputs[0], inputs[1], bias, stride: c.spatial("stride", 1),
          padding: c.spatial("padding", 0), outputPadding: c.spatial("output_padding", 0),
          groups: c.int("groups", 1), dilation: c.spatial("dilation", 1)), nil
      )
    case "max_pool2d":
      let (values, indices) = maxPool2dWithIndices(
        inputs[0], kernelSize: c.spatial("kernel_size", 1), stride: c.optionalSpatial("stride"),
        padding: c.spatial("padding", 0), dilation: c.spatial("dilation", 1),
        ceilMode: c.bool("ceil_mode", false))
      return (values, indices)
    case "avg_pool2d":
      return (
        avgPool2d(
          inputs[0], kernelSize: c.spatial("kernel_size", 1), stride: c.optionalSpatial("stride"),
          padding: c.spatial("padding", 0), ceilMode: c.bool("ceil_mode", false),
          countIncludePad: c.bool("count_include_pad", true),
          divisorOverride: c.args["divisor_override"].flatMap {
            if case .int(let i) = $0 { return i } else { return nil }
          }), nil
      )
    case "max_pool1d":
      return (
        maxPool1d(
          inputs[0], kernelSize: c.int("kernel_size", 1),
          stride: c.args["stride"] == nil ? nil : c.int("stride", 1),
          padding: c.int("padding", 0), dilation: c.int("dilation", 1),
          ceilMode: c.bool("ceil_mode", false)), nil
      )
    case "avg_pool1d":
      return (
        avgPool1d(
          inputs[0], kernelSize: c.int("kernel_size", 1),
          stride: c.args["stride"] == nil ? nil : c.int("stride", 1),
          padding: c.int("padding", 0), ceilMode: c.bool("ceil_mode", false),
          countIncludePad: c.bool("count_include_pad", true)), nil
      )
    case "adaptive_avg_pool2d":
      return (adaptiveAvgPool2d(inputs[0], c.spatial("output_size", 1)), nil)
    case "adaptive_max_pool2d":
      let (values, indices) = adaptiveMaxPool2dWithIndices(
        inputs[0], c.spatial("output_size", 1))
      return (values, indices)
    case "pad":
      return (pad(inputs[0], c.ints("pad"), value: c.double("value") ?? 0), nil)
    case "interpolate":
      let size: (any SpatialArgument)? = c.args["size"] == nil ? nil : c.spatial("size", 1)
      return (interpolate(inputs[0], size: size, scaleFactor: c.double("scale_factor")), nil)
    case "unfold":
      return (
        unfold(
          inputs[0], kernelSize: c.spatial("kernel_size", 1), dilation: c.spatial("dilation", 1),
          padding: c.spatial("padding", 0), stride: c.spatial("stride", 1)), nil
      )
    case "fold":
      return (
        fold(
          inputs[0], outputSize: c.spatial("output_size", 1),
          kernelSize: c.spatial("kernel_size", 1), dilation: c.spatial("dilation", 1),
          padding: c.spatial("padding", 0), stride: c.spatial("stride", 1)), nil
      )
    case "batch_norm":
      return (
        batchNorm(
          inputs[0], runningMean: inputs[3], runningVar: inputs[4], weight: inputs[1],
          bias: inputs[2], training: c.bool("training", false),
          momentum: c.double("momentum") ?? 0.1, eps: c.double("eps") ?? 1e-5), nil
      )
    default:
      throw OpFixtureError("no Descent call for op \(c.op)")
    }
  }
}

import Descent
import Foundation

/// What `descent train` stores in `model.safetensors` beside the weights, so that
/// `descent predict` (or a Python script) can rebuild the network and prepare its input.
///
/// The tensors are the state dict of a `torch.nn.Sequential` (`0.weight`, `0.bias`,
/// `2.weight`, …), so `model.load_state_dict(load_file(path))` works in PyTorch. The
/// safetensors metadata, all strings, holds:
///
/// | key | value |
/// |---|---|
/// | `format` | `descent-model` |
/// | `version` | `1` |
/// | `layers` | JSON: `[{"in_features":4,"out_features":16,"type":"Linear"},{"type":"ReLU"},…]` |
/// | `features` | JSON list of the feature columns, in input order |
/// | `target` | the target column's name |
/// | `loss` | the `--loss` it was trained with, which fixes how outputs are read |
/// | `standardize` | JSON `{"mean":[…],"scale":[…]}`, only when trained with `--standardize` |
///
/// Inputs are prepared as (x − mean) / scale in float64, then rounded to float32.
struct ModelFile {
  /// One layer of the `Sequential`, in PyTorch's words.
  struct Layer: Codable, Equatable {
    var type: String
    var inFeatures: Int?
    var outFeatures: Int?

    enum CodingKeys: String, CodingKey {
      case type
      case inFeatures = "in_features"
      case outFeatures = "out_features"
    }

    static func linear(_ inputs: Int, _ outputs: Int) -> Layer {
      Layer(type: "Linear", inFeatures: inputs, outFeatures: outputs)
    }
    static func activation(_ type: String) -> Layer { Layer(type: type) }

    /// Text for messages: `Linear(4 → 16)`, `ReLU`.
    var shown: String {
      guard type == "Linear", let i = inFeatures, let o = outFeatures else { return type }
      return "Linear(\(i) → \(o))"
    }
  }

  static let format = "descent-model"
  static let version = "1"
  static let activationTypes: Set<String> = ["ReLU", "Tanh", "Sigmoid"]
  /// A bound on layer widths read from a file, far above any model this tool trains.
  static let maxWidth = 1 << 20

  var layers: [Layer]
  var features: [String]
  var target: String
  var loss: LossChoice
  var standardizer: Standardizer?

  /// The number of weights and biases of the network.
  var parameterCount: Int {
    layers.reduce(0) { total, layer in
      total + (layer.inFeatures.map { ($0 + 1) * (layer.outFeatures ?? 0) } ?? 0)
    }
  }

  /// The number of outputs of the last Linear layer.
  var outputs: Int { layers.last { $0.type == "Linear" }?.outFeatures ?? 0 }

  /// The network `descent train` builds: Linear layers with `activation` between them, and a
  /// Sigmoid at the end for `bce`, which takes probabilities.
  init(
    hidden: [Int], activation: ActivationChoice, features: [String], target: String,
    loss: LossChoice, classes: Int?, standardizer: Standardizer?
  ) {
    let widths = [features.count] + hidden + [loss == .ce ? classes ?? 2 : 1]
    var layers: [Layer] = []
    for index in 0..<(widths.count - 1) {
      if index > 0 { layers.append(.activation(activation.layerType)) }
      layers.append(.linear(widths[index], widths[index + 1]))
    }
    if loss == .bce { layers.append(.activation("Sigmoid")) }
    self.layers = layers
    self.features = features
    self.target = target
    self.loss = loss
    self.standardizer = standardizer
  }

  /// A fresh `Sequential` of these layers, with PyTorch's initialisation drawn from the global
  /// generator (seed it first to get PyTorch's values).
  func makeModel() -> Sequential {
    Sequential(
      layers.map { layer -> Module in
        switch layer.type {
        case "Linear": return Linear(layer.inFeatures!, layer.outFeatures!)
        case "ReLU": return ReLU()
        case "Tanh": return Tanh()
        default: return Sigmoid()
        }
      })
  }

  /// The safetensors metadata describing this model.
  func metadata() throws -> [String: String] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func json<T: Encodable>(_ value: T) throws -> String {
      String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    var metadata = [
      "format": Self.format, "version": Self.version, "layers": try json(layers),
      "features": try json(features), "target": target, "loss": loss.rawValue,
    ]
    if let standardizer {
      metadata["standardize"] = try json(["mean": standardizer.mean, "scale": standardizer.scale])
    }
    return metadata
  }

  /// The file's bytes: the trained state dict and this description.
  func encode(_ model: Sequential) throws -> Data {
    try Safetensors.encode(model.stateDict(), metadata: metadata())
  }

  /// Model inputs from raw float64 features `[N, F]`: standardised when the model was, then
  /// float32. Training and prediction both go through here, so they see identical numbers.
  func inputs(fromRaw raw: Tensor) -> Tensor {
    let scaled = standardizer.map { $0.transform(raw) } ?? raw
    return scaled.to(.float32)
  }
}

// MARK: Reading

extension ModelFile {
  /// Reads a model file written by `descent train` and the network it describes, with its
  /// weights. Every part is checked (metadata, layer chain, tensor names, shapes and dtypes)
  /// before the network is built, so a file of another shape is reported, never trapped on.
  /// `path` is the file as the user named it, which messages show.
  static func load(path: String) throws -> (ModelFile, Sequential) {
    let tensors: StateDict
    let metadata: [String: String]
    do {
      (tensors, metadata) = try Safetensors.load(from: URL(fileURLWithPath: path))
    } catch let error as SafetensorsError {
      throw CLIError(
        SafetensorsError(
          error.kind, error.message, path: path, tensor: error.tensor, byteOffset: error.byteOffset
        ).description)
    }
    let description = try ModelFile(metadata: metadata, path: path)
    try description.check(tensors, path: path)
    let model = description.makeModel()
    try model.loadStateDict(tensors)
    return (description, model)
  }

  /// Decodes and checks the metadata.
  init(metadata: [String: String], path: String) throws {
    func fail(_ message: String) -> CLIError { CLIError("model \"\(path)\": \(message)") }
    guard metadata["format"] == Self.format else {
      throw fail(
        "not a model written by descent train (its metadata has no format \"\(Self.format)\"); train one with descent train --out DIR"
      )
    }
    guard metadata["version"] == Self.version else {
      throw fail(
        "model format version \(metadata["version"] ?? "(none)") is not one this descent reads (it reads version \(Self.version))"
      )
    }
    func decode<T: Decodable>(_ key: String, as type: T.Type) throws -> T {
      guard let text = metadata[key] else { throw fail("the metadata field \"\(key)\" is missing") }
      guard let value = try? JSONDecoder().decode(T.self, from: Data(text.utf8)) else {
        throw fail("the metadata field \"\(key)\" is not valid")
      }
      return value
    }
    layers = try decode("layers", as: [Layer].self)
    features = try decode("features", as: [String].self)
    guard let target = metadata["target"] else {
      throw fail("the metadata field \"target\" is missing")
    }
    self.target = target
    guard let lossName = metadata["loss"], let loss = LossChoice(rawValue: lossName) else {
      throw fail(
        "the metadata field \"loss\" is missing or not one of \(LossChoice.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    self.loss = loss
    if metadata["standardize"] != nil {
      let values = try decode("standardize", as: [String: [Double]].self)
      guard let mean = values["mean"], let scale = values["scale"], mean.count == features.count,
        scale.count == features.count, mean.allSatisfy(\.isFinite),
        scale.allSatisfy({ $0.isFinite && $0 > 0 })
      else {
        throw fail(
          "the standardisation does not fit: it needs \(features.count) finite means and positive scales, one per feature"
        )
      }
      standardizer = Standardizer(mean: mean, scale: scale)
    } else {
      standardizer = nil
    }
    if let problem = layerProblem() { throw fail(problem) }
  }

  /// Why the layers cannot form this model's network, or nil when they can.
  private func layerProblem() -> String? {
    guard !features.isEmpty, Set(features).count == features.count else {
      return "the feature list is empty or names a column twice"
    }
    var width = features.count
    var sawLinear = false
    for (index, layer) in layers.enumerated() {
      if layer.type == "Linear" {
        guard let inputs = layer.inFeatures, let outputs = layer.outFeatures,
          (1...Self.maxWidth).contains(inputs), (1...Self.maxWidth).contains(outputs)
        else { return "layer \(index) is a Linear layer without valid sizes" }
        guard inputs == width else {
          return
            "layer \(index), \(layer.shown), takes \(inputs) inputs but receives \(width) (\(sawLinear ? "from the layer before" : "features"))"
        }
        width = outputs
        sawLinear = true
      } else if !Self.activationTypes.contains(layer.type) || layer.inFeatures != nil
        || layer.outFeatures != nil
      {
        return
          "layer \(index) has type \"\(layer.type)\"; this descent knows Linear, ReLU, Tanh and Sigmoid"
      }
    }
    guard sawLinear else { return "it has no Linear layer" }
    if loss == .ce {
      guard width >= 2 else {
        return "a ce model needs one output per class (at least 2), not \(width)"
      }
    } else if width != 1 {
      return "a \(loss.rawValue) model has one output, not \(width)"
    }
    return nil
  }

  /// Checks that `tensors` are exactly this network's parameters, with their shapes.
  private func check(_ tensors: StateDict, path: String) throws {
    func fail(_ message: String) -> CLIError { CLIError("model \"\(path)\": \(message)") }
    var expected: [(String, [Int], Layer)] = []
    for (index, layer) in layers.enumerated() where layer.type == "Linear" {
      let (inputs, outputs) = (layer.inFeatures!, layer.outFeatures!)
      expected.append(("\(index).weight", [outputs, inputs], layer))
      expected.append(("\(index).bias", [outputs], layer))
    }
    for (key, shape, layer) in expected {
      guard let tensor = tensors[key] else {
        throw fail(
          "the tensor \"\(key)\" of layer \(layer.shown) is missing; the file is not a complete model"
        )
      }
      guard tensor.shape == shape else {
        throw fail(
          "the tensor \"\(key)\" has shape \(shapeList(tensor.shape)) but layer \(layer.shown) needs \(shapeList(shape)); the weights belong to a model of another shape"
        )
      }
      guard tensor.dtype.isFloatingPoint else {
        throw fail("the tensor \"\(key)\" holds \(tensor.dtype), not floating-point weights")
      }
      guard tensor.toDoubles().allSatisfy(\.isFinite) else {
        throw fail("the tensor \"\(key)\" holds NaN or infinite weights; the model is broken")
      }
    }
    let known = Set(expected.map(\.0))
    if let extra = tensors.keys.first(where: { !known.contains($0) }) {
      throw fail(
        "it holds a tensor \"\(extra)\" that none of its layers has; the weights belong to a model of another shape"
      )
    }
  }
}

/// `[3, 4]`, as PyTorch prints a shape in its messages.
func shapeList(_ shape: [Int]) -> String {
  "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// What a custom `Function`'s forward leaves for its backward (PyTorch's `ctx`): saved tensors,
/// which inputs need a gradient, outputs marked non-differentiable, and any other value, by
/// name (`ctx.scale = 2.0`, read back as `ctx.scale as? Double`).
@dynamicMemberLookup
public final class FunctionContext {
  /// For each input, whether backward must compute its gradient (`ctx.needs_input_grad`).
  public let needsInputGrad: [Bool]
  let name: String
  let inputShapes: [[Int]]
  private let inputs: [Tensor]
  private var saved: [SavedTensor] = []
  private var nonDifferentiable: [ObjectIdentifier] = []
  private var values: [String: Any] = [:]
  private var defaultDepth = 0
  /// The forward's results, once it has run (to tell saved outputs from saved inputs).
  var outputs: [Tensor] = []

  init(name: String, inputs: [Tensor], needsInputGrad: [Bool]) {
    self.name = name
    self.inputs = inputs
    self.inputShapes = inputs.map(\.shape)
    self.needsInputGrad = needsInputGrad
  }

  /// Keeps tensors for backward (`ctx.save_for_backward`); an in-place change made to one of
  /// them afterwards stops backward with PyTorch's message.
  public func saveForBackward(_ tensors: Tensor...) { saveForBackward(tensors) }

  /// Keeps a list of tensors for backward.
  public func saveForBackward(_ tensors: [Tensor]) {
    saved = tensors.map { tensor in
      inputs.contains { $0 === tensor }
        ? SavedTensor(tensor, op: name) : SavedTensor(output: tensor, op: name)
    }
  }

  /// The tensors given to `saveForBackward`, in order (`ctx.saved_tensors`).
  public var savedTensors: [Tensor] { saved.map(\.value) }

  /// Marks outputs that get no gradient (indices, masks): they are returned outside the graph
  /// (`ctx.mark_non_differentiable`).
  public func markNonDifferentiable(_ tensors: Tensor...) {
    nonDifferentiable += tensors.map { ObjectIdentifier($0) }
  }

  func isNonDifferentiable(_ tensor: Tensor) -> Bool {
    nonDifferentiable.contains(ObjectIdentifier(tensor))
  }

  /// Any value the forward keeps for the backward, by name: `ctx.scale = 2.0`.
  public subscript(dynamicMember name: String) -> Any? {
    get { values[name] }
    set { values[name] = newValue }
  }

  /// A kept value as `type`, or nil when there is none or it has another type.
  public subscript<T>(_ name: String, as type: T.Type) -> T? { values[name] as? T }

  /// The gradients a backward returned, checked against the inputs: one per input, each of its
  /// input's shape (or nil). Stops with PyTorch's message naming the function and the shapes.
  func checkedGradients(_ gradients: [Tensor?]) -> [Tensor?] {
    guard gradients.count == inputShapes.count else {
      opFailure(
        name,
        "function \(name) returned an incorrect number of gradients (expected \(inputShapes.count), got \(gradients.count))"
      )
    }
    for (index, gradient) in gradients.enumerated() {
      guard let gradient, needsInputGrad[index] else { continue }
      guard gradient.shape == inputShapes[index] else {
        opFailure(
          name,
          "Function \(name) returned an invalid gradient at index \(index) - got \(shapeText(gradient.shape)) but expected shape compatible with \(shapeText(inputShapes[index]))"
        )
      }
    }
    return gradients.enumerated().map { index, gradient in needsInputGrad[index] ? gradient : nil }
  }

  /// Guards the protocol's defaults, each of which calls the other form: a type that
  /// implements neither stops instead of recursing.
  func enterDefault(_ method: String, _ type: Any.Type) {
    defaultDepth += 1
    if defaultDepth > 1 {
      opFailure(
        name,
        "\(type) implements neither \(method)(_:_ input:) nor \(method)(_:_ inputs:); a Function implements one of the two forms of forward and of backward"
      )
    }
  }

  func leaveDefault() { defaultDepth -= 1 }
}

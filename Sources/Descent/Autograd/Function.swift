/// Custom differentiable functions, PyTorch's `torch.autograd.Function`: a forward computed
/// outside the graph and a backward the user writes, recorded as one node named after the type.
///
/// ```swift
/// enum LegendrePolynomial3: Function {
///   static func forward(_ ctx: FunctionContext, _ input: Tensor) -> Tensor {
///     ctx.saveForBackward(input)
///     return 0.5 * (5 * input ** 3 - 3 * input)
///   }
///   static func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) -> Tensor {
///     let input = ctx.savedTensors[0]
///     return gradOutput * 1.5 * (5 * input ** 2 - 1)
///   }
/// }
/// let y = LegendrePolynomial3.apply(x)   // y.gradFn?.name == "LegendrePolynomial3Backward"
/// ```
///
/// A function of one tensor implements the one-tensor `forward` and `backward`; a function of
/// several inputs or outputs implements the array forms, whose backward returns one optional
/// gradient per input (nil for an input that needs none: see `ctx.needsInputGrad`). Each form
/// has a default that calls the other, so a type implements one pair.
public protocol Function {
  /// The result for one input (computed without recording a graph).
  static func forward(_ ctx: FunctionContext, _ input: Tensor) -> Tensor
  /// The gradient with respect to the input, given the gradient of the output.
  static func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) -> Tensor
  /// The results for several inputs.
  static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> [Tensor]
  /// One gradient per input (nil where none), given one gradient per output (zeros for an
  /// output that received none).
  static func backward(_ ctx: FunctionContext, _ gradOutputs: [Tensor]) -> [Tensor?]
}

extension Function {
  /// The one-input form, for a function that implements the list form: calls it with `[input]`.
  public static func forward(_ ctx: FunctionContext, _ input: Tensor) -> Tensor {
    ctx.enterDefault("forward", Self.self)
    defer { ctx.leaveDefault() }
    return forward(ctx, [input])[0]
  }

  /// The one-gradient form, for a function that implements the list form; zeros where it returns
  /// nil.
  public static func backward(_ ctx: FunctionContext, _ gradOutput: Tensor) -> Tensor {
    ctx.enterDefault("backward", Self.self)
    defer { ctx.leaveDefault() }
    guard let gradient = backward(ctx, [gradOutput])[0] else {
      return Tensor.zeros(ctx.inputShapes[0], dtype: gradOutput.dtype)
    }
    return gradient
  }

  /// The list form, for a function that implements the one-input form: calls it with `inputs[0]`.
  public static func forward(_ ctx: FunctionContext, _ inputs: [Tensor]) -> [Tensor] {
    ctx.enterDefault("forward", Self.self)
    defer { ctx.leaveDefault() }
    return [forward(ctx, inputs[0])]
  }

  /// The list form, for a function that implements the one-gradient form.
  public static func backward(_ ctx: FunctionContext, _ gradOutputs: [Tensor]) -> [Tensor?] {
    ctx.enterDefault("backward", Self.self)
    defer { ctx.leaveDefault() }
    return [backward(ctx, gradOutputs[0])]
  }

  /// Runs the function on `input` and records it, like `Function.apply(x)`.
  public static func apply(_ input: Tensor) -> Tensor { apply([input])[0] }

  /// Runs the function on several inputs and records it; returns every output.
  public static func apply(_ first: Tensor, _ second: Tensor, _ rest: Tensor...) -> [Tensor] {
    apply([first, second] + rest)
  }

  /// Runs the function on `inputs` and records it; returns every output.
  public static func apply(_ inputs: [Tensor]) -> [Tensor] {
    let name = "\(Self.self)Backward"
    let recording = GradMode.isEnabled && inputs.contains { $0.requiresGradFlag }
    let ctx = FunctionContext(
      name: name, inputs: inputs, needsInputGrad: inputs.map { recording && $0.requiresGradFlag })
    let raw = noGrad { forward(ctx, inputs) }
    guard recording else { return raw }
    let node = Node(
      name: name, edges: inputs.map { $0.gradientEdge },
      backward: .multi { gradients in
        ctx.checkedGradients(backward(ctx, gradients))
      })
    node.outputs = raw.map { ($0.shape, $0.dtype) }
    node.pendingOutputGradients = [Tensor?](repeating: nil, count: Swift.max(raw.count - 1, 0))
    ctx.outputs = raw
    return raw.enumerated().map { index, output in
      let result = output.detach()
      guard output.dtype.isFloatingPoint, !ctx.isNonDifferentiable(output) else { return result }
      result.gradFn = index == 0 ? node : Node.outputSlot(index, of: node)
      result.requiresGradFlag = true
      return result
    }
  }
}

extension Node {
  /// The node through which output `index` (≥ 1) of a node with several outputs receives its
  /// gradient: it passes the gradient to `node`'s slot for that output and delivers nothing.
  static func outputSlot(_ index: Int, of node: Node) -> Node {
    Node(name: node.name, edge: node) { [unowned node] gradient in
      let slot = index - 1
      node.pendingOutputGradients[slot] =
        node.pendingOutputGradients[slot].map { $0 + gradient }
        ?? gradient
      return nil
    }
  }
}

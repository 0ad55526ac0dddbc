import Testing

@testable import Descent

/// Factory functions against values PyTorch 2.15 printed (`torch.linspace(0, 10, 7).tolist()`…).
@Suite struct CreationTests {
  @Test func linspaceMatchesPyTorchBitForBit() {
    #expect(
      Tensor.linspace(0, 10, count: 7).toDoubles() == [
        0.0, 1.6666666269302368, 3.3333332538604736, 5.0, 6.6666669845581055, 8.333333015441895,
        10.0,
      ])
    #expect(
      Tensor.linspace(-1, 1, count: 6).toDoubles() == [
        -1.0, -0.6000000238418579, -0.19999998807907104, 0.19999998807907104, 0.6000000238418579,
        1.0,
      ])
    let hundred = Tensor.linspace(0, 1, count: 100).toDoubles()
    #expect(
      [hundred[1], hundred[33], hundred[50], hundred[98]] == [
        0.010101010091602802, 0.3333333432674408, 0.5050504803657532, 0.9898989796638489,
      ])
  }

  @Test func arangeTypesAndValues() {
    let fractional = Tensor.arange(0, 1, step: 0.3)
    #expect(fractional.dtype == .float32)
    #expect(
      fractional.toDoubles() == [0.0, 0.30000001192092896, 0.6000000238418579, 0.8999999761581421])
    #expect(Tensor.arange(5).dtype == .int64)
    #expect(Tensor.arange(1, 10, step: 3).toArray(as: Int64.self) == [1, 4, 7])
  }

  @Test func eyeZerosOnesFull() {
    #expect(Tensor.eye(2, 3).toDoubles() == [1, 0, 0, 0, 1, 0])
    #expect(Tensor.eye(3).sum().item() == 3)
    #expect(Tensor.zeros([2, 2]).toDoubles() == [0, 0, 0, 0])
    #expect(Tensor.ones([3], dtype: .int64).toArray(as: Int64.self) == [1, 1, 1])
    #expect(Tensor.full([2], 2.5, dtype: .float64).toDoubles() == [2.5, 2.5])
    #expect(Tensor.zeros([0, 3]).count == 0)
  }

  @Test func literalsAndTypedArrays() {
    #expect(Tensor([[1], [2]]).shape == [2, 1])
    #expect(Tensor([1, 2, 3]).dtype == .float32)
    #expect(Tensor(integers: [0, 2, 1]).dtype == .int64)
    #expect(Tensor([true, false]).dtype == .bool)
    #expect(Tensor([Float(1.5)]).dtype == .float32)
    #expect(Tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).shape == [2, 2, 2])
    #expect(Tensor(shape: [2, 2], scalars: [1.0, 2, 3, 4]).dtype == .float64)
    #expect(Tensor(3.5).shape == [])
  }
}

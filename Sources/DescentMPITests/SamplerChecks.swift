import Descent

/// Each rank makes its own sampler and loader: together their batches cover the dataset once
/// (plus PyTorch's padding), with no index on two ranks, in every epoch.
func checkSamplerAcrossRanks(_ group: ProcessGroup) -> Bool {
  let checks = Checks(suite: "sampler", group: group)
  let count = 1001
  let dataset = TensorDataset(Tensor.arange(Double(count), dtype: .int64))
  let sampler = DistributedSampler(dataset, numReplicas: group.size, rank: group.rank, seed: 7)
  let loader = DataLoader(dataset, batchSize: 10, sampler: sampler)
  for epoch in 0..<3 {
    sampler.setEpoch(epoch)
    let mine = loader.flatMap { $0[0].toArray(as: Int64.self) }
    checks.expect(mine.count == sampler.count, "epoch \(epoch): \(mine.count) samples")
    let all = group.allGather(Tensor(shape: [mine.count], scalars: mine))
      .flatMap { $0.toArray(as: Int64.self) }
    let padding = sampler.totalSize - count
    checks.expect(
      Set(all).count == count && all.count == count + padding,
      "epoch \(epoch): the ranks' indices cover \(Set(all).count) of \(count) samples")
    if epoch > 0 {
      sampler.setEpoch(epoch - 1)
      checks.expect(
        sampler.indices() != mine.map { Int($0) }, "epoch \(epoch) repeats the previous order")
    }
  }
  return checks.finish()
}

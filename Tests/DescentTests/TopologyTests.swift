// The default thread count's inputs, on made-up sysfs and cgroup trees: physical cores among the
// allowed CPUs (hyper-thread siblings counted once) and the cgroup CPU quota.
import CDescentKernels
import Foundation
import Testing

/// A scratch folder with the given files (path relative to the folder: contents).
private func makeTree(_ files: [String: String]) throws -> URL {
  let root = FileManager.default.temporaryDirectory.appendingPathComponent(
    "descent-topology-\(UUID().uuidString)")
  for (path, contents) in files {
    let url = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try contents.write(to: url, atomically: true, encoding: .utf8)
  }
  return root
}

private func cores(_ root: URL, _ cpus: [Int32]) -> Int {
  cpus.withUnsafeBufferPointer { Int(descent_count_cores(root.path, $0.baseAddress, $0.count)) }
}

private func quota(_ root: URL) -> Double {
  descent_cgroup_cpu_limit(root.appendingPathComponent("self-cgroup").path, root.path)
}

@Suite struct TopologyTests {
  @Test func siblingsCountOnce() throws {
    // 2 cores x 2 hyper-threads, numbered as Linux does on Intel: siblings 0,2 and 1,3.
    let root = try makeTree([
      "cpu0/topology/thread_siblings_list": "0,2\n", "cpu1/topology/thread_siblings_list": "1,3\n",
      "cpu2/topology/thread_siblings_list": "0,2\n", "cpu3/topology/thread_siblings_list": "1,3\n",
    ])
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(cores(root, [0, 1, 2, 3]) == 2)
    #expect(cores(root, [0, 2]) == 1)  // an affinity mask of one core's two threads
    #expect(cores(root, [0, 1]) == 2)
    #expect(cores(root, [3]) == 1)
  }

  @Test func coreAndPackageIdsWithoutSiblingLists() throws {
    // Two packages, each with core 0; cpu2 is the second thread of package 0's core.
    let root = try makeTree([
      "cpu0/topology/core_id": "0\n", "cpu0/topology/physical_package_id": "0\n",
      "cpu1/topology/core_id": "0\n", "cpu1/topology/physical_package_id": "1\n",
      "cpu2/topology/core_id": "0\n", "cpu2/topology/physical_package_id": "0\n",
    ])
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(cores(root, [0, 1, 2]) == 2)
    #expect(cores(root, [0, 2]) == 1)
  }

  @Test func withoutTopologyEveryCPUIsACore() throws {
    let root = try makeTree(["unrelated": ""])
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(cores(root, [0, 1, 5]) == 3)
  }

  @Test func cpuLists() {
    #expect(descent_count_cpu_list("0-3,8,10-11\n") == 7)
    #expect(descent_count_cpu_list("5") == 1)
    #expect(descent_count_cpu_list("2-1") == 0)
    #expect(descent_count_cpu_list("x") == 0)
  }

  @Test func cgroupV2Quota() throws {
    // The smallest quota along the path counts: 1.5 CPUs in a/b, 3 in a.
    let root = try makeTree([
      "self-cgroup": "0::/a/b\n", "a/b/cpu.max": "150000 100000\n", "a/cpu.max": "300000 100000\n",
    ])
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(quota(root) == 1.5)
    try "max 100000\n".write(
      to: root.appendingPathComponent("a/b/cpu.max"), atomically: true, encoding: .utf8)
    #expect(quota(root) == 3)
    try "max 100000\n".write(
      to: root.appendingPathComponent("a/cpu.max"), atomically: true, encoding: .utf8)
    #expect(quota(root) == 0)
  }

  @Test func cgroupV1Quota() throws {
    let root = try makeTree([
      "self-cgroup": "5:memory:/m\n4:cpu,cpuacct:/job\n",
      "cpu,cpuacct/job/cpu.cfs_quota_us": "200000\n",
      "cpu,cpuacct/job/cpu.cfs_period_us": "100000\n",
      "memory/m/cpu.cfs_quota_us": "50000\n",  // not the cpu hierarchy: ignored
    ])
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(quota(root) == 2)
    try "-1\n".write(
      to: root.appendingPathComponent("cpu,cpuacct/job/cpu.cfs_quota_us"), atomically: true,
      encoding: .utf8)
    #expect(quota(root) == 0)
  }

  @Test func noCgroupFileMeansNoLimit() {
    #expect(descent_cgroup_cpu_limit("/nonexistent/cgroup", "/nonexistent") == 0)
  }
}

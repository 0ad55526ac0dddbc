/// A layered (Sugiyama-style) drawing of a directed acyclic graph whose edges run from the top
/// down, as Graphviz's `dot` draws torchviz graphs: leaves at the top, the output at the bottom.
///
/// 1. Layers: each node's depth is its longest path to a sink (the output has depth 0, at the
///    bottom), so every edge goes down at least one layer; a sink fed from higher up (a second
///    output) is then raised to just below its lowest producer.
/// 2. Edges spanning several layers get a dummy node per layer crossed.
/// 3. Order within layers: barycentre sweeps up and down, keeping the order with the fewest
///    crossings.
/// 4. x: each node moves toward the mean x of its neighbours, alternately above and below,
///    with the layer's order and spacing kept by isotonic regression (pool adjacent violators).
struct LayeredLayout {
  /// Depth per node: 0 is the bottom layer.
  private(set) var depth: [Int]
  /// Centre of each node in pixels (y down).
  private(set) var centres: [Point]
  /// For each edge: its points from the bottom of the source to the top of the target.
  private(set) var routes: [[Point]]
  private(set) var width: Double
  private(set) var height: Double

  static let rankSeparation = 34.0
  static let nodeSeparation = 18.0
  static let dummySeparation = 10.0
  static let margin = 12.0

  /// Lays out nodes of the given sizes joined by `edges` (source above target).
  init(sizes: [(width: Double, height: Double)], edges: [(from: Int, to: Int)]) {
    let count = sizes.count
    depth = Self.layers(count: count, edges: edges)
    // Vertices of the layered graph: the nodes, then the dummies of long edges.
    var vertexDepth = depth
    var vertexWidth = sizes.map(\.width)
    var chains: [[Int]] = []  // per edge: source, dummies…, target
    for (from, to) in edges {
      var chain = [from]
      if depth[from] > depth[to] + 1 {
        for d in stride(from: depth[from] - 1, to: depth[to], by: -1) {
          chain.append(vertexDepth.count)
          vertexDepth.append(d)
          vertexWidth.append(0)
        }
      }
      chain.append(to)
      chains.append(chain)
    }
    var links: [(upper: Int, lower: Int)] = []
    for chain in chains { for (a, b) in zip(chain, chain.dropFirst()) { links.append((a, b)) } }
    let maxDepth = vertexDepth.max() ?? 0
    var rows = [[Int]](repeating: [], count: maxDepth + 1)
    for vertex in vertexDepth.indices { rows[max(0, vertexDepth[vertex])].append(vertex) }
    rows = Self.order(rows, links: links, depth: vertexDepth)
    let xs = Self.positions(rows, links: links, widths: vertexWidth, isDummy: { $0 >= count })

    // y: rows from the top (deepest) down, each as tall as its tallest node.
    var rowHeight = [Double](repeating: 0, count: maxDepth + 1)
    for node in 0..<count {
      rowHeight[depth[node]] = max(rowHeight[depth[node]], sizes[node].height)
    }
    var rowCentre = [Double](repeating: 0, count: maxDepth + 1)
    var y = Self.margin
    for d in stride(from: maxDepth, through: 0, by: -1) {
      rowCentre[d] = y + rowHeight[d] / 2
      y += rowHeight[d] + Self.rankSeparation
    }
    height = y - Self.rankSeparation + Self.margin
    var vertexCentre = vertexDepth.indices.map { Point(xs[$0], rowCentre[max(0, vertexDepth[$0])]) }
    let left = (0..<vertexCentre.count).map { xs[$0] - vertexWidth[$0] / 2 }.min() ?? 0
    let right = (0..<vertexCentre.count).map { xs[$0] + vertexWidth[$0] / 2 }.max() ?? 0
    for index in vertexCentre.indices { vertexCentre[index].x += Self.margin - left }
    width = right - left + 2 * Self.margin
    centres = Array(vertexCentre.prefix(count))
    routes = Self.route(chains, centres: vertexCentre, sizes: sizes)
  }

  /// Longest path to a sink; then sinks move up to just below their lowest producer.
  static func layers(count: Int, edges: [(from: Int, to: Int)]) -> [Int] {
    var outgoing = [[Int]](repeating: [], count: count)
    var incoming = [[Int]](repeating: [], count: count)
    for (from, to) in edges where from != to {
      outgoing[from].append(to)
      incoming[to].append(from)
    }
    // Kahn's algorithm from the sinks backwards.
    var remaining = outgoing.map(\.count)
    var ready = (0..<count).filter { remaining[$0] == 0 }
    var depth = [Int](repeating: 0, count: count)
    while let node = ready.popLast() {
      for producer in incoming[node] {
        depth[producer] = max(depth[producer], depth[node] + 1)
        remaining[producer] -= 1
        if remaining[producer] == 0 { ready.append(producer) }
      }
    }
    for node in 0..<count where outgoing[node].isEmpty && !incoming[node].isEmpty {
      depth[node] = max(0, incoming[node].map { depth[$0] }.min()! - 1)
    }
    return depth
  }

  /// Barycentre ordering: rows[d] lists the vertices of depth d.
  private static func order(_ rows: [[Int]], links: [(upper: Int, lower: Int)], depth: [Int])
    -> [[Int]]
  {
    var above = [[Int]](repeating: [], count: depth.count)
    var below = [[Int]](repeating: [], count: depth.count)
    for (upper, lower) in links {
      below[upper].append(lower)
      above[lower].append(upper)
    }
    var rows = rows
    var position = [Double](repeating: 0, count: depth.count)
    func index(_ row: [Int]) { for (i, v) in row.enumerated() { position[v] = Double(i) } }
    for row in rows { index(row) }
    // A vertex's inputs keep their order (the first input on the left) when barycentres tie.
    func rank(_ row: inout [Int], by neighbours: [[Int]], nudge: (Int) -> Double) {
      let keys = row.map { v -> Double in
        let list = neighbours[v]
        guard !list.isEmpty else { return position[v] }
        return list.map { position[$0] }.reduce(0, +) / Double(list.count) + nudge(v)
      }
      row = zip(row, keys).enumerated().sorted {
        $0.element.1 != $1.element.1 ? $0.element.1 < $1.element.1 : $0.offset < $1.offset
      }.map(\.element.0)
      index(row)
    }
    var inputSlot = [Double](repeating: 0, count: depth.count)
    for inputs in above {
      for (k, upper) in inputs.enumerated() where inputs.count > 1 {
        inputSlot[upper] = (Double(k) - Double(inputs.count - 1) / 2) * 0.01
      }
    }
    var best = rows
    var bestCrossings = crossings(rows, below: below, position: position)
    for sweep in 0..<8 {
      if sweep % 2 == 0 {
        // Upward: each row follows the row below it.
        for d in rows.indices.dropFirst() { rank(&rows[d], by: below, nudge: { inputSlot[$0] }) }
      } else {
        for d in rows.indices.reversed().dropFirst() {
          rank(&rows[d], by: above, nudge: { _ in 0 })
        }
      }
      let count = crossings(rows, below: below, position: position)
      if count < bestCrossings {
        best = rows
        bestCrossings = count
      }
    }
    return best
  }

  /// Edge crossings between neighbouring rows.
  static func crossings(_ rows: [[Int]], below: [[Int]], position: [Double]) -> Int {
    var total = 0
    for row in rows {
      var pairs: [(Double, Double)] = []
      for upper in row {
        for lower in below[upper] { pairs.append((position[upper], position[lower])) }
      }
      for i in pairs.indices {
        for j in pairs.indices where j > i {
          let (a, b) = (pairs[i], pairs[j])
          if (a.0 - b.0) * (a.1 - b.1) < 0 { total += 1 }
        }
      }
    }
    return total
  }

  /// x of every vertex: pulled toward its neighbours, order and spacing kept.
  private static func positions(
    _ rows: [[Int]], links: [(upper: Int, lower: Int)], widths: [Double], isDummy: (Int) -> Bool
  ) -> [Double] {
    var above = [[Int]](repeating: [], count: widths.count)
    var below = [[Int]](repeating: [], count: widths.count)
    for (upper, lower) in links {
      below[upper].append(lower)
      above[lower].append(upper)
    }
    func gap(_ a: Int, _ b: Int) -> Double {
      (widths[a] + widths[b]) / 2 + (isDummy(a) || isDummy(b) ? dummySeparation : nodeSeparation)
    }
    var x = [Double](repeating: 0, count: widths.count)
    for row in rows {
      var cursor = 0.0
      for (i, v) in row.enumerated() {
        if i > 0 { cursor += gap(row[i - 1], v) }
        x[v] = cursor
      }
      for v in row { x[v] -= cursor / 2 }
    }
    for pass in 0..<12 {
      let downward = pass % 2 == 0
      let sequence = downward ? Array(rows.indices.reversed()) : Array(rows.indices)
      for d in sequence {
        let row = rows[d]
        let desired = row.map { v -> Double in
          let neighbours = downward ? above[v] : below[v]
          guard !neighbours.isEmpty else { return x[v] }
          return neighbours.map { x[$0] }.reduce(0, +) / Double(neighbours.count)
        }
        let gaps = zip(row, row.dropFirst()).map { gap($0, $1) }
        for (v, value) in zip(row, spaced(desired, gaps: gaps)) { x[v] = value }
      }
    }
    return x
  }

  /// The positions closest (least squares) to `desired` that keep their order with at least
  /// `gaps[i]` between item i and i+1: isotonic regression after removing the gaps.
  static func spaced(_ desired: [Double], gaps: [Double]) -> [Double] {
    guard !desired.isEmpty else { return [] }
    var offsets = [0.0]
    for gap in gaps { offsets.append(offsets.last! + gap) }
    var blocks: [(sum: Double, count: Int)] = []
    for (value, offset) in zip(desired, offsets) {
      blocks.append((value - offset, 1))
      while blocks.count > 1 {
        let last = blocks[blocks.count - 1]
        let previous = blocks[blocks.count - 2]
        guard previous.sum / Double(previous.count) > last.sum / Double(last.count) else { break }
        blocks.removeLast(2)
        blocks.append((previous.sum + last.sum, previous.count + last.count))
      }
    }
    var out: [Double] = []
    for block in blocks {
      out += Array(repeating: block.sum / Double(block.count), count: block.count)
    }
    return zip(out, offsets).map { $0 + $1 }
  }

  /// Points of each edge: a port on the source's bottom, the dummies, a port on the target's
  /// top. Several edges at one side of a box spread out, ordered by where they go.
  private static func route(
    _ chains: [[Int]], centres: [Point], sizes: [(width: Double, height: Double)]
  ) -> [[Point]] {
    var outPorts: [Int: [Int]] = [:]
    var inPorts: [Int: [Int]] = [:]
    for (index, chain) in chains.enumerated() {
      outPorts[chain[0], default: []].append(index)
      inPorts[chain[chain.count - 1], default: []].append(index)
    }
    func offsets(_ ports: [Int: [Int]], node: Int, neighbour: (Int) -> Int) -> [Int: Double] {
      let edges = (ports[node] ?? []).sorted { centres[neighbour($0)].x < centres[neighbour($1)].x }
      let spacing = min(14, sizes[node].width / Double(edges.count + 1))
      var result: [Int: Double] = [:]
      for (k, edge) in edges.enumerated() {
        result[edge] = (Double(k) - Double(edges.count - 1) / 2) * spacing
      }
      return result
    }
    return chains.enumerated().map { index, chain in
      let source = chain[0]
      let target = chain[chain.count - 1]
      let startShift = offsets(outPorts, node: source, neighbour: { chains[$0][1] })[index] ?? 0
      let endShift =
        offsets(inPorts, node: target, neighbour: { chains[$0][chains[$0].count - 2] })[index] ?? 0
      let start = Point(
        centres[source].x + startShift, centres[source].y + sizes[source].height / 2)
      let end = Point(centres[target].x + endShift, centres[target].y - sizes[target].height / 2)
      return [start] + chain.dropFirst().dropLast().map { centres[$0] } + [end]
    }
  }
}

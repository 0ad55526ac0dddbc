/// Iso-lines by marching squares: each grid cell is classified by which corners lie above the
/// level, crossings are interpolated linearly along the cell edges, and the segments are then
/// chained into polylines through the edges they share.
enum MarchingSquares {
  /// The lines where the grid's function equals `level`, in (u, v) coordinates. Closed loops
  /// end at their first point. Cells with a NaN corner are skipped.
  static func isolines(_ grid: Grid, level: Double) -> [[Point]] {
    let columns = grid.us.count
    let rows = grid.vs.count
    guard columns >= 2, rows >= 2, level.isFinite else { return [] }
    let values = grid.values
    // Edge keys: horizontal edge from (i, j) to (i+1, j) is 2(j·columns + i); vertical edge
    // from (i, j) to (i, j+1) is that plus one. Neighbouring cells share keys, which is what
    // lets the segments join exactly.
    func horizontal(_ i: Int, _ j: Int) -> Int { 2 * (j * columns + i) }
    func vertical(_ i: Int, _ j: Int) -> Int { 2 * (j * columns + i) + 1 }
    func crossing(_ key: Int) -> Point {
      let cell = key / 2
      let i = cell % columns
      let j = cell / columns
      let (i2, j2) = key % 2 == 0 ? (i + 1, j) : (i, j + 1)
      let a = values[j][i]
      let b = values[j2][i2]
      let t = a == b ? 0.5 : min(max((level - a) / (b - a), 0), 1)
      return Point(
        grid.us[i] + (grid.us[i2] - grid.us[i]) * t, grid.vs[j] + (grid.vs[j2] - grid.vs[j]) * t)
    }
    var segments: [(Int, Int)] = []
    for j in 0..<(rows - 1) {
      for i in 0..<(columns - 1) {
        let corners = [values[j][i], values[j][i + 1], values[j + 1][i + 1], values[j + 1][i]]
        guard corners.allSatisfy(\.isFinite) else { continue }
        var index = 0
        for (bit, value) in corners.enumerated() where value > level { index |= 1 << bit }
        // Edges in the order bottom, right, top, left.
        let edge = [horizontal(i, j), vertical(i + 1, j), horizontal(i, j + 1), vertical(i, j)]
        let centreHigh = corners.reduce(0, +) / 4 > level
        for (a, b) in cellSegments(index, centreHigh: centreHigh) {
          segments.append((edge[a], edge[b]))
        }
      }
    }
    return chain(segments).map { $0.map(crossing) }
  }

  /// The edge pairs crossed in a cell with corner mask `index` (bit 0 bottom-left, then
  /// counter-clockwise); the saddles 5 and 10 are resolved by the value at the centre.
  static func cellSegments(_ index: Int, centreHigh: Bool) -> [(Int, Int)] {
    switch index {
    case 1, 14: return [(3, 0)]
    case 2, 13: return [(0, 1)]
    case 3, 12: return [(3, 1)]
    case 4, 11: return [(1, 2)]
    case 6, 9: return [(0, 2)]
    case 7, 8: return [(2, 3)]
    case 5: return centreHigh ? [(0, 1), (2, 3)] : [(3, 0), (1, 2)]
    case 10: return centreHigh ? [(3, 0), (1, 2)] : [(0, 1), (2, 3)]
    default: return []
    }
  }

  /// Joins segments that share an edge key into chains of keys: open chains start at a key
  /// used once (the grid border or a hole), then the remaining closed loops.
  static func chain(_ segments: [(Int, Int)]) -> [[Int]] {
    var byKey: [Int: [Int]] = [:]
    for (index, segment) in segments.enumerated() {
      byKey[segment.0, default: []].append(index)
      byKey[segment.1, default: []].append(index)
    }
    var used = [Bool](repeating: false, count: segments.count)
    var chains: [[Int]] = []
    func walk(from start: Int, key: Int) {
      var keys = [key]
      var current = start
      var at = key
      while !used[current] {
        used[current] = true
        let (a, b) = segments[current]
        at = a == at ? b : a
        keys.append(at)
        guard let next = byKey[at]?.first(where: { !used[$0] }) else { break }
        current = next
      }
      chains.append(keys)
    }
    let ends = byKey.filter { $0.value.count == 1 }.keys.sorted()
    for key in ends {
      if let segment = byKey[key]?.first, !used[segment] { walk(from: segment, key: key) }
    }
    for index in segments.indices where !used[index] { walk(from: index, key: segments[index].0) }
    return chains
  }
}

import Testing

@testable import DescentPlot

/// The 3-D camera against matplotlib's `view_init(elev, azim)`.
///
/// By hand for elev = 30°, azim = −60°: the eye direction is
/// w = (cos30·cos−60, cos30·sin−60, sin30) = (0.4330, −0.75, 0.5); the screen's right is
/// ẑ × w normalised = (0.75, 0.4330, 0) / 0.8660 = (0.8660, 0.5, 0); its up is
/// w × right = (−0.25, 0.4330, 0.8660). So x̂ lands at (0.866, −0.25) (right and a little down),
/// ŷ at (0.5, 0.433) (right and up), ẑ at (0, 0.866) (straight up).
@Suite struct ProjectionTests {
  let view = ViewProjection(elevation: 30, azimuth: -60)

  func close(_ a: (x: Double, y: Double), _ b: (Double, Double), _ tolerance: Double = 1e-4) -> Bool
  {
    abs(a.x - b.0) < tolerance && abs(a.y - b.1) < tolerance
  }

  @Test func unitAxesByHand() {
    #expect(close(view.project(Vector3(1, 0, 0)), (0.8660, -0.25)))
    #expect(close(view.project(Vector3(0, 1, 0)), (0.5, 0.4330)))
    #expect(close(view.project(Vector3(0, 0, 1)), (0, 0.8660)))
    // The camera's axes are orthonormal.
    #expect(abs(view.right.dot(view.up)) < 1e-12)
    #expect(abs(view.right.length - 1) < 1e-12 && abs(view.up.length - 1) < 1e-12)
    #expect(abs(view.toEye.dot(view.right)) < 1e-12)
  }

  /// matplotlib 3.x with `set_proj_type("ortho")`, `view_init(30, -60)`, limits [−1, 1] on
  /// every axis and its default box aspect 4:4:3, gives these screen coordinates from
  /// `proj3d.proj_transform(x, y, z, ax.get_proj())`. Ours agree up to one scale factor.
  @Test func matchesMatplotlibUpToScale() {
    let reference: [((Double, Double, Double), (Double, Double))] = [
      ((1, 0, 0), (0.051549131, -0.014880952)),
      ((0, 1, 0), (0.029761905, 0.025774566)),
      ((0, 0, 1), (0.0, 0.038661848)),
      ((1, 1, 1), (0.081311036, 0.049555462)),
      ((0.3, -0.7, 0.5), (-0.005368594, -0.003175557)),
    ]
    let box = BoxNormalizer(lower: Vector3(-1, -1, -1), upper: Vector3(1, 1, 1))
    // The one free number, the scale, comes from x̂'s screen x alone; that coordinate is then
    // not checked, the other nine are.
    let first = view.project(box.normalize(Vector3(1, 0, 0)))
    let scale = reference[0].1.0 / first.x
    #expect(abs(first.y * scale - reference[0].1.1) < 1e-7, "x̂'s screen y")
    for ((x, y, z), expected) in reference.dropFirst() {
      let p = view.project(box.normalize(Vector3(x, y, z)))
      #expect(close((p.x * scale, p.y * scale), expected, 1e-7), "\((x, y, z))")
    }
  }

  @Test func straightDownIsAMap() {
    // view_init(90, -90): x to the right, y up, as a flat plot.
    let top = ViewProjection(elevation: 90, azimuth: -90)
    #expect(close(top.project(Vector3(1, 0, 0)), (1, 0)))
    #expect(close(top.project(Vector3(0, 1, 0)), (0, 1)))
    #expect(close(top.project(Vector3(0, 0, 1)), (0, 0)))
    #expect(top.depth(Vector3(0, 0, 1)) > top.depth(Vector3(0, 0, -1)))
  }

  @Test func sideViewsShowZUp() {
    // elev 0, azim 0 looks along −x: y to the right, z up.
    let side = ViewProjection(elevation: 0, azimuth: 0)
    #expect(close(side.project(Vector3(0, 1, 0)), (1, 0)))
    #expect(close(side.project(Vector3(0, 0, 1)), (0, 1)))
    #expect(close(side.project(Vector3(1, 0, 0)), (0, 0)))
  }

  @Test func boxFollowsMatplotlibsAspect() {
    let box = BoxNormalizer(lower: Vector3(-5, -5, 3), upper: Vector3(5, 5, 255))
    #expect(box.normalize(Vector3(-5, 5, 3)) == Vector3(-0.5, 0.5, -0.375))
    #expect(box.normalize(Vector3(0, 0, 129)) == Vector3(0, 0, 0))
  }
}

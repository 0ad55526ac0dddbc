import Foundation

/// A point or direction in 3-D.
struct Vector3: Equatable {
  var x: Double
  var y: Double
  var z: Double

  init(_ x: Double, _ y: Double, _ z: Double) {
    self.x = x
    self.y = y
    self.z = z
  }

  static func + (a: Vector3, b: Vector3) -> Vector3 { Vector3(a.x + b.x, a.y + b.y, a.z + b.z) }
  static func - (a: Vector3, b: Vector3) -> Vector3 { Vector3(a.x - b.x, a.y - b.y, a.z - b.z) }
  static func * (a: Vector3, s: Double) -> Vector3 { Vector3(a.x * s, a.y * s, a.z * s) }
  func dot(_ b: Vector3) -> Double { x * b.x + y * b.y + z * b.z }
  func cross(_ b: Vector3) -> Vector3 {
    Vector3(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x)
  }
  var length: Double { dot(self).squareRoot() }
  var normalized: Vector3 { self * (1 / length) }
}

/// matplotlib's camera for `ax.view_init(elev, azim)`, with an orthographic projection
/// (`ax.set_proj_type("ortho")`; the default perspective differs only by foreshortening).
///
/// The eye looks at the centre of the box from the direction
/// w = (cos e · cos a, cos e · sin a, sin e). The screen's right is u = ẑ × w / |ẑ × w| and
/// its up is v = w × u, as in matplotlib's `_view_axes`: with the default e = 30°, a = −60°
/// the x axis runs to the lower right, y to the upper right and z straight up.
struct ViewProjection {
  /// Unit vector from the centre towards the eye.
  let toEye: Vector3
  /// The screen's rightward and upward directions in data space.
  let right: Vector3
  let up: Vector3

  init(elevation: Double, azimuth: Double) {
    let e = elevation * .pi / 180
    let a = azimuth * .pi / 180
    toEye = Vector3(cos(e) * cos(a), cos(e) * sin(a), sin(e))
    let across = Vector3(0, 0, 1).cross(toEye)
    // Straight from above or below ẑ × w vanishes; its limit is the horizontal direction
    // perpendicular to the azimuth.
    right = across.length > 1e-9 ? across.normalized : Vector3(-sin(a), cos(a), 0)
    up = toEye.cross(right)
  }

  /// Screen coordinates of a point (x right, y up, in the units of the point).
  func project(_ p: Vector3) -> (x: Double, y: Double) { (p.dot(right), p.dot(up)) }

  /// How near the eye a point is (larger is nearer).
  func depth(_ p: Vector3) -> Double { p.dot(toEye) }
}

/// Maps data to matplotlib's default 3-D box: x and y span 1, z spans 3/4 (box aspect
/// 4:4:3), centred on the origin.
struct BoxNormalizer {
  let lower: Vector3
  let upper: Vector3
  static let aspect = Vector3(1, 1, 0.75)

  func normalize(_ p: Vector3) -> Vector3 {
    func axis(_ v: Double, _ low: Double, _ high: Double, _ size: Double) -> Double {
      high > low ? ((v - low) / (high - low) - 0.5) * size : 0
    }
    return Vector3(
      axis(p.x, lower.x, upper.x, Self.aspect.x), axis(p.y, lower.y, upper.y, Self.aspect.y),
      axis(p.z, lower.z, upper.z, Self.aspect.z))
  }
}

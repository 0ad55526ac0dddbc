import Foundation
import Testing

@testable import DescentPlot

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// What an XML parser saw in a document: element counts, attribute values and text.
struct ParsedSVG {
  var elements: [String: Int] = [:]
  var attributeValues: [String] = []
  var texts: [String] = []
  var rootAttributes: [String: String] = [:]

  func count(_ name: String) -> Int { elements[name] ?? 0 }
}

private final class Collector: NSObject, XMLParserDelegate {
  var parsed = ParsedSVG()
  var currentText = ""
  var inText = false

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    if parsed.elements.isEmpty { parsed.rootAttributes = attributes }
    parsed.elements[name, default: 0] += 1
    parsed.attributeValues += attributes.values
    if name == "text" {
      inText = true
      currentText = ""
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if inText { currentText += string }
  }

  func parser(
    _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
  ) {
    if name == "text" {
      parsed.texts.append(currentText)
      inText = false
    }
  }
}

/// Parses `svg` with Foundation's XMLParser and checks what every figure must satisfy: well
/// formed, an `svg` root with a viewBox, and no NaN or infinity anywhere in the attributes.
func validateSVG(
  _ svg: String, sourceLocation: SourceLocation = #_sourceLocation
) -> ParsedSVG {
  let parser = XMLParser(data: Data(svg.utf8))
  let collector = Collector()
  parser.delegate = collector
  let ok = parser.parse()
  #expect(
    ok, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")",
    sourceLocation: sourceLocation)
  let parsed = collector.parsed
  #expect(parsed.count("svg") >= 1, sourceLocation: sourceLocation)
  #expect(parsed.rootAttributes["viewBox"] != nil, sourceLocation: sourceLocation)
  #expect(
    parsed.rootAttributes["xmlns"] == "http://www.w3.org/2000/svg", sourceLocation: sourceLocation)
  for value in parsed.attributeValues {
    let lower = value.lowercased()
    #expect(
      !lower.contains("nan") && !lower.contains("inf"), "bad number in attribute \(value)",
      sourceLocation: sourceLocation)
  }
  return parsed
}

/// When DESCENT_PLOT_GALLERY names a directory, figures are also written there to look at.
func saveForViewing(_ figure: any Figure, _ name: String) throws {
  guard let directory = ProcessInfo.processInfo.environment["DESCENT_PLOT_GALLERY"] else { return }
  try figure.write(to: URL(fileURLWithPath: directory).appendingPathComponent(name + ".svg"))
}

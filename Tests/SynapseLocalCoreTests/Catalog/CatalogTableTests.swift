import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// `catalog`'s table reads evenly: quality always out of 5 (the guide mixes ★★★☆ with ★★★★★),
/// speed out of 3, every size in one unit style, and each column starting at the same terminal
/// column whatever ⚡ (two columns wide) the cells before it hold.
@Suite("catalog table")
struct CatalogTableTests {
  @Test func oneScaleOneUnitStyleAndAlignedColumns() throws {
    let catalog = try Fixtures.catalog()
    let lines = CatalogTable.lines(catalog.models)
    let rows = Array(lines.prefix(catalog.models.count + 1))
    for model in catalog.models {
      #expect(CatalogTable.quality(model).count == 5, "\(model.id): \(CatalogTable.quality(model))")
      #expect(CatalogTable.quality(model).filter { $0 == "★" }.count == model.qualityStars)
      #expect(DisplayWidth.of(CatalogTable.speed(model)) == 6, "\(model.id): \(CatalogTable.speed(model))")
    }
    // The licence, the last column, starts at one display column on every row.
    let starts = zip(rows.dropFirst(), catalog.models).map { line, model in DisplayWidth.of(line) - DisplayWidth.of(model.license) }
    let header = try #require(rows.first)
    let headerStart = DisplayWidth.of(header) - DisplayWidth.of("LICENCE")
    #expect(Set(starts) == [headerStart], "\(starts) against \(headerStart)")
    // Sizes in one style: "1.9 GiB", "93.8 MiB", never the guide's "2GB" beside them.
    for (line, model) in zip(rows.dropFirst(), catalog.models) {
      #expect(line.contains(ByteCount.format(model.sizeBytes)) && !(model.size.map { line.contains($0) } ?? false), "\(line)")
    }
  }

  @Test func displayWidthCountsWideAndZeroWidthCharacters() {
    #expect(DisplayWidth.of("⚡⚡☆") == 5)
    #expect(DisplayWidth.of("★★★☆☆") == 5)
    #expect(DisplayWidth.of("日本") == 4)
    #expect(DisplayWidth.of("e\u{301}") == 1)
    #expect(DisplayWidth.padded("⚡", to: 4) == "⚡  ")
  }
}

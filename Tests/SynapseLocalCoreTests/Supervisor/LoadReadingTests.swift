import Foundation
import SynapseLocalCore
import Testing

/// A load's progress from /proc's words for it: bytes read, or file pages mapped, against the size.
@Suite("load reading")
struct LoadReadingTests {
  let io = "rchar: 1048576\nwchar: 12\nsyscr: 40\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 0\ncancelled_write_bytes: 0\n"
  let status = "Name:\tllama-server\nVmRSS:\t  204800 kB\nRssAnon:\t   10240 kB\nRssFile:\t  40960 kB\nRssShmem:\t       0 kB\n"

  @Test func theMostOfReadAndMappedCounts() {
    // A model mapped (llama.cpp's default) shows in RssFile, not in what was read.
    #expect(LoadReading.bytesRead(io: io, status: status) == 40960 * 1024)
    #expect(LoadReading.bytesRead(io: io, status: nil) == 1_048_576)
    #expect(LoadReading.bytesRead(io: nil, status: nil) == nil)
    #expect(LoadReading.bytesRead(io: "garbage", status: "") == nil)
  }

  @Test func theLineSaysWhatIsKnownAndNeverAHundred() {
    let size: UInt64 = 100 << 20
    #expect(LoadReading.line(model: "SmolLM2", read: 41 << 20, size: size) == "loading SmolLM2, 41 % of 100 MiB")
    #expect(LoadReading.line(model: "SmolLM2", read: size * 2, size: size) == "loading SmolLM2, 99 % of 100 MiB")
    #expect(LoadReading.line(model: "SmolLM2", read: nil, size: size) == "loading SmolLM2 (100 MiB)")
    #expect(LoadReading.line(model: "MiniLM", read: 5, size: nil) == "loading MiniLM")
  }
}

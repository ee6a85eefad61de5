import SynapseLocalSystem
import SynapseLocalTesting
import Testing

@testable import SynapseLocalCore

/// Before a Python runtime installs, its size is said: PyPI's torch brings NVIDIA's CUDA
/// libraries, and the embedding runtime of a CPU-only plan once grew to 6 GB without a word.
@Suite("runtime download size")
struct RuntimeDownloadTests {
  static let lines = [
    "torch==2.15.0 --hash=sha256:aa", "nvidia-cublas==13.4.1.3 ; sys_platform == \"linux\" --hash=sha256:bb",
    "typing-extensions==4.12.2 --hash=sha256:cc", "flask==3.1.0",
  ]

  @Test func fromAWheelhouseTheWheelsBytesAndTheCUDAShare() throws {
    let files = MemoryFileSystem(roots: ["/wheels"])
    for (name, bytes) in [
      ("torch-2.15.0-cp311-cp311-manylinux_2_28_x86_64.whl", 900), ("nvidia_cublas-13.4.1.3-py3-none-manylinux_2_27_x86_64.whl", 2000),
      ("typing_extensions-4.12.2-py3-none-any.whl", 50), ("flask-3.1.0-py3-none-any.whl", 100),
      // Another version, and not a wheel: neither counts.
      ("flask-3.0.0-py3-none-any.whl", 7000), ("notes.txt", 9000),
    ] {
      try files.write(String(repeating: "x", count: bytes), to: "/wheels/" + name, permissions: 0o644)
    }
    let download = RuntimeDownload.of(Self.lines, wheelhouse: "/wheels", files: files)
    #expect(download.packages == 4 && download.gpuPackages == 1)
    #expect(download.bytes == 3050 && download.gpuBytes == 2000)
    #expect(download.summary.contains("of wheels") && download.summary.contains("NVIDIA's CUDA libraries"))
  }

  @Test func fromPyPITheCUDAPackagesAreNamed() {
    let download = RuntimeDownload.of(Self.lines, wheelhouse: nil, files: MemoryFileSystem(roots: ["/"]))
    #expect(download.bytes == nil)
    #expect(download.summary == "4 packages (1 of them NVIDIA's CUDA libraries for PyTorch, several GiB, used only on an NVIDIA GPU)")
    #expect(RuntimeDownload.of(["flask==3.1.0"], wheelhouse: nil, files: MemoryFileSystem(roots: ["/"])).summary == "1 package")
  }
}

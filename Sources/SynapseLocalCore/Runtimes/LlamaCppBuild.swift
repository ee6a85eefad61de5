import Foundation
import SynapseLocalSystem

/// `install llama.cpp --build`: a build of one's own for an NVIDIA GPU (the release's CUDA builds
/// are the default since b11541): with the CUDA toolkit the pinned source archive is compiled with
/// CMake, its jobs limited to the effective cores. Without the toolkit (or the GPU) the CPU release build is installed, and
/// the user is told the GPU goes unused and how to change that.
public struct LlamaCppBuild: Sendable, Equatable {
  public var source: String
  public var folder: String
  public var jobs: Int

  public init(source: String, folder: String, jobs: Int) {
    self.source = source
    self.folder = folder
    self.jobs = max(1, jobs)
  }

  /// Configure, then build only the server; `$ORIGIN` keeps its libraries found beside it.
  public var commands: [[String]] {
    [
      [
        "cmake", "-S", source, "-B", folder, "-DCMAKE_BUILD_TYPE=Release", "-DGGML_CUDA=ON", "-DGGML_NATIVE=OFF", "-DLLAMA_CURL=OFF",
        "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DCMAKE_BUILD_RPATH=$ORIGIN", "-DCMAKE_INSTALL_RPATH=$ORIGIN",
      ],
      ["cmake", "--build", folder, "--config", "Release", "--target", "llama-server", "-j", String(jobs)],
    ]
  }

  /// What `install llama.cpp` does on this machine.
  public enum Decision: Sendable, Equatable {
    case build
    /// The CPU release build, with what the user should know (nil: nothing to say).
    case release(note: String?)
  }

  public static func decide(requested: Bool, hasGPU: Bool, nvcc: String?) -> Decision {
    switch (requested, hasGPU, nvcc) {
    case (true, true, .some): .build
    case (true, true, nil):
      .release(
        note:
          "the CUDA toolkit (nvcc) is not installed, so llama.cpp cannot be built for the GPU: the CPU release build is installed and the GPU goes unused; install the CUDA toolkit, then run `synapse-local install llama.cpp --build --force`"
      )
    case (true, false, _):
      .release(note: "--build compiles llama.cpp for NVIDIA GPUs and none was found: the CPU release build is installed")
    // Without --build, the release build the variant choice names (a CUDA one for an NVIDIA GPU).
    case (false, _, _): .release(note: nil)
    }
  }
}

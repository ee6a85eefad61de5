import SynapseLocalCore
import SynapseLocalSystem
import Testing

@Suite("runtime home")
struct RuntimeHomeTests {
  @Test func synapseLocalHomeWinsThenXDGThenTheUsersShareFolder() {
    #expect(RuntimeHome(environment: ["SYNAPSE_LOCAL_HOME": "/opt/sl", "XDG_DATA_HOME": "/x", "HOME": "/home/a"]).path == "/opt/sl")
    #expect(RuntimeHome(environment: ["SYNAPSE_LOCAL_HOME": "~/sl", "HOME": "/home/a"]).path == "/home/a/sl")
    #expect(RuntimeHome(environment: ["SYNAPSE_LOCAL_HOME": "", "XDG_DATA_HOME": "/x", "HOME": "/home/a"]).path == "/x/synapse-local")
    // A relative XDG_DATA_HOME is ignored, as the XDG specification says.
    #expect(RuntimeHome(environment: ["XDG_DATA_HOME": "rel", "HOME": "/home/a"]).path == "/home/a/.local/share/synapse-local")
    #expect(RuntimeHome(environment: ["HOME": "/root"]).path == "/root/.local/share/synapse-local")
  }

  @Test func eachRuntimeVersionVariantAndPlatformHasAFolderOfItsOwn() {
    let home = RuntimeHome(path: "/h")
    #expect(
      home.folder(.llamaCpp, version: "b6000", variant: "cpu", platform: .linuxX64) == "/h/runtimes/llama.cpp/b6000-cpu-linux-x86_64")
    #expect(
      home.folder(.postgresql, version: "16.2", variant: "pgserver", platform: .linuxArm64)
        == "/h/runtimes/postgresql/16.2-pgserver-linux-aarch64")
    #expect(home.staging == "/h/staging")
  }

  @Test func platformsAreNamedFromTheOSAndArchitecture() {
    #expect(Platform.of(os: "linux", arch: "x86_64") == .linuxX64)
    #expect(Platform.of(os: "linux", arch: "aarch64") == .linuxArm64)
    #expect(Platform.of(os: "macos", arch: "arm64") == .macosArm64)
    #expect(Platform.of(os: "linux", arch: "riscv64") == nil)
    #expect(RuntimeID.allCases.map(\.rawValue) == ["llama.cpp", "vllm", "embedding", "postgresql"])
  }
}

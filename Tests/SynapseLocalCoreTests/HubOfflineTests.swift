import SynapseLocalCore
import SynapseLocalSystem
import Testing

/// `HF_HUB_OFFLINE` as huggingface_hub reads it: its truthy spellings in any case, nothing else.
@Suite("HF_HUB_OFFLINE")
struct HubOfflineTests {
  @Test(arguments: ["1", "true", "TRUE", "yes", "On"])
  func truthySpellingsAreOffline(_ value: String) {
    #expect(HubOffline.isSet(["HF_HUB_OFFLINE": value]))
  }

  @Test(arguments: ["", "0", "false", "no", "off", "2"])
  func anythingElseIsOnline(_ value: String) {
    #expect(!HubOffline.isSet(["HF_HUB_OFFLINE": value]))
    #expect(!HubOffline.isSet([:]))
  }
}

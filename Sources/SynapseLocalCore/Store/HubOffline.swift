/// Whether `HF_HUB_OFFLINE` asks for no network, read as huggingface_hub reads it (`1`, `true`,
/// `yes` or `on`, in any case): the one rule `pull`, `doctor` and `inspect` follow.
public enum HubOffline {
  public static func isSet(_ environment: [String: String]) -> Bool {
    ["1", "true", "yes", "on"].contains(environment["HF_HUB_OFFLINE"]?.lowercased() ?? "")
  }
}
